package main

import (
	"context"
	"time"

	"github.com/leakproof/leakproof/group"
	"github.com/leakproof/leakproof/timeout"
)

// timeoutPatterns returns the leak patterns that package timeout removes.
func timeoutPatterns() []pattern {
	return []pattern{
		{
			name: "timeout abandons an unbuffered result channel",
			pkg:  "timeout",
			raw: func() {
				result := make(chan error)
				go func() { result <- slowCall(context.Background()) }()
				select {
				case <-result:
				case <-time.After(10 * time.Millisecond):
					// Gives up; the sender blocks on result for ever.
				}
			},
			safe: func() {
				// The goroutine running slowCall exits when it returns.
				_ = timeout.Do(context.Background(), 10*time.Millisecond, slowCall)
			},
		},
		{
			name: "select with no cancellation case",
			pkg:  "timeout",
			raw: func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
				defer cancel()
				replies := make(chan string)
				go func() {
					select { // waits out its minute after the request is gone
					case <-replies:
					case <-time.After(time.Minute):
					}
				}()
				<-ctx.Done() // the request ends
			},
			safe: func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
				defer cancel()
				replies := make(chan string)
				g := group.New(ctx)
				g.Go(func(ctx context.Context) error {
					_, err := timeout.Recv(ctx, replies, time.Minute)
					return err
				})
				_ = g.Wait() // Recv returns as the request ends
			},
		},
	}
}

// slowCall is a call that ignores its context and takes longer than its
// caller will wait.
func slowCall(context.Context) error {
	time.Sleep(50 * time.Millisecond)
	return nil
}
