package main

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/leakproof/leakproof/group"
)

// groupPatterns returns the leak patterns that package group removes.
func groupPatterns() []pattern {
	return []pattern{
		{
			name: "WaitGroup.Add inside the goroutine",
			pkg:  "group",
			raw: func() {
				var wg sync.WaitGroup
				for range 4 {
					go func() {
						time.Sleep(time.Millisecond) // some setup first
						// Too late: Wait may already have returned. go vet
						// flags wg.Add written here; a helper hides it.
						begin(&wg)
						defer wg.Done()
						time.Sleep(time.Second)
					}()
				}
				wg.Wait()
			},
			safe: func() {
				g := group.New(context.Background())
				for range 4 {
					g.Go(func(ctx context.Context) error {
						time.Sleep(10 * time.Millisecond)
						return nil
					})
				}
				_ = g.Wait()
			},
		},
		{
			name: "early return strands workers sending results",
			pkg:  "group",
			raw: func() {
				results := make(chan error)
				for i := range 4 {
					go func() { results <- work(i) }()
				}
				for range 4 {
					if err := <-results; err != nil {
						return // the other senders block forever
					}
				}
			},
			safe: func() {
				_ = group.Run(context.Background(), func(ctx context.Context, g *group.Group) error {
					results := make(chan error)
					for i := range 4 {
						g.Go(func(ctx context.Context) error {
							select {
							case results <- work(i):
								return nil
							case <-ctx.Done():
								return ctx.Err()
							}
						})
					}
					for range 4 {
						if err := <-results; err != nil {
							return err // cancels the group; Run joins the senders
						}
					}
					return nil
				})
			},
		},
	}
}

// begin is the Add a raw worker does too late.
func begin(wg *sync.WaitGroup) { wg.Add(1) }

var errWork = errors.New("work failed")

// work fails, as a request to a backend that is down does. The raw
// versions that stop at the first error then leave every other worker behind.
func work(int) error { return errWork }
