package main

import (
	"context"
	"time"

	"github.com/leakproof/leakproof/group"
	"github.com/leakproof/leakproof/ticker"
)

// tickerPatterns returns the leak patterns that package ticker removes.
func tickerPatterns() []pattern {
	return []pattern{
		{
			name: "ticker loop with no exit",
			pkg:  "ticker",
			raw: func() {
				go func() {
					t := time.NewTicker(10 * time.Millisecond)
					defer t.Stop() // never runs: nothing ends the loop
					for range t.C {
						_ = refresh(context.Background())
					}
				}()
				time.Sleep(30 * time.Millisecond) // the owner's work
			},
			safe: func() {
				ctx, cancel := context.WithCancel(context.Background())
				g := group.New(ctx)
				g.Go(func(ctx context.Context) error {
					return ticker.Run(ctx, 10*time.Millisecond, refresh)
				})
				time.Sleep(30 * time.Millisecond) // the owner's work
				cancel()
				_ = g.Wait()
			},
		},
		{
			name: "time.Ticker.Stop leaves `range t.C` waiting",
			pkg:  "ticker",
			raw: func() {
				t := time.NewTicker(10 * time.Millisecond)
				go func() {
					for range t.C {
						_ = refresh(context.Background())
					}
				}()
				time.Sleep(30 * time.Millisecond)
				t.Stop() // does not close t.C: the loop waits for ever
			},
			safe: func() {
				t := ticker.New(context.Background(), 10*time.Millisecond)
				g := group.New(context.Background())
				g.Go(func(ctx context.Context) error {
					for range t.C {
						_ = refresh(ctx)
					}
					return nil
				})
				time.Sleep(30 * time.Millisecond)
				t.Stop() // closes t.C: the loop ends
				_ = g.Wait()
			},
		},
	}
}

// refresh is the periodic job, such as reloading a cache.
func refresh(context.Context) error { return nil }
