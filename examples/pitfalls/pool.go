package main

import (
	"context"
	"time"

	"github.com/leakproof/leakproof/pool"
)

// poolPatterns returns the leak patterns that package pool removes.
func poolPatterns() []pattern {
	const requests = 50
	return []pattern{
		{
			name: "unbounded go per request",
			pkg:  "pool",
			raw: func() {
				for range requests {
					go sendEmail(context.Background()) // one more goroutine per request, none waited for
				}
			},
			safe: func() {
				p := pool.New(4, pool.WithQueue(requests),
					pool.WithErrorHandler(func(error) {})) // the demo does not log the cancelled sends
				for range requests {
					_ = p.Submit(context.Background(), sendEmail)
				}
				// At shutdown, with a budget: the queue is dropped, the
				// running sends are cancelled, and Close waits for them.
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
				defer cancel()
				_ = p.Close(ctx)
			},
		},
		{
			name: "workers block on a jobs channel nobody closes",
			pkg:  "pool",
			raw: func() {
				jobs := make(chan int)
				for range 4 {
					go func() {
						for j := range jobs {
							_ = j * j
						}
					}()
				}
				for j := range 10 {
					jobs <- j
				}
				// Returns without close(jobs): the workers wait for ever.
			},
			safe: func() {
				p := pool.New(4)
				for j := range 10 {
					_ = p.Submit(context.Background(), func(context.Context) error {
						_ = j * j
						return nil
					})
				}
				_ = p.Close(context.Background()) // there is nothing to forget to close
			},
		},
	}
}

// sendEmail stands for a call to a backend that hangs, bounded only by its
// context.
func sendEmail(ctx context.Context) error {
	select {
	case <-time.After(10 * time.Second):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
