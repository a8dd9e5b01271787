package bench

import (
	"context"
	"testing"
	"time"

	"github.com/leakproof/leakproof/ticker"
)

// tickerLoops run tick once per tick of period d until it returns false,
// each the idiomatic way for its API. lib=time.Ticker is the hand-written
// loop that ticker.Run replaces, with its ctx case.
var tickerLoops = []struct {
	name string
	run  func(ctx context.Context, d time.Duration, tick func() bool)
}{
	{"lib=time.Ticker", func(ctx context.Context, d time.Duration, tick func() bool) {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if !tick() {
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}},
	{"lib=leakproof-Run", func(ctx context.Context, d time.Duration, tick func() bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		_ = ticker.Run(ctx, d, func(context.Context) error {
			if !tick() {
				cancel()
			}
			return nil
		})
	}},
	{"lib=leakproof-Every", func(ctx context.Context, d time.Duration, tick func() bool) {
		for range ticker.Every(ctx, d) {
			if !tick() {
				return
			}
		}
	}},
	{"lib=leakproof-New", func(ctx context.Context, d time.Duration, tick func() bool) {
		t := ticker.New(ctx, d)
		defer t.Stop()
		for range t.C {
			if !tick() {
				return
			}
		}
	}},
}

// BenchmarkTicker measures the time per tick. At period=1ns every tick is
// overdue as soon as the previous one is handled, so the loop ticks as fast
// as it can: that is the overhead of the mechanism per tick. At
// period=100us the time per tick is the period plus the timer's lateness.
func BenchmarkTicker(b *testing.B) {
	for _, d := range []time.Duration{time.Nanosecond, 100 * time.Microsecond} {
		for _, loop := range tickerLoops {
			b.Run("period="+d.String()+"/"+loop.name, func(b *testing.B) {
				b.ReportAllocs()
				loop.run(context.Background(), d, func() bool { return b.Loop() })
			})
		}
	}
}
