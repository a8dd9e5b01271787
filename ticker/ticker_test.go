package ticker_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/internal/leaktest"
	"github.com/leakproof/leakproof/ticker"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.ProfileCheck()) }

const ms = time.Millisecond

// grid returns n offsets first, first+step, first+2·step, ...
func grid(first, step time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = first + time.Duration(i)*step
	}
	return out
}

func TestRunSchedule(t *testing.T) {
	tests := []struct {
		name string
		opts []ticker.Option
		want []time.Duration // offsets from the start at which runs begin
	}{
		// The tick at 10s falls on the deadline and does not run.
		{"fixed rate", nil, grid(100*ms, 100*ms, 99)},
		{"fixed rate, immediate", []ticker.Option{ticker.Immediate()}, grid(0, 100*ms, 100)},
		{"fixed delay", []ticker.Option{ticker.FixedDelay()}, grid(100*ms, 130*ms, 77)},
		{"fixed delay, immediate", []ticker.Option{ticker.FixedDelay(), ticker.Immediate()}, grid(0, 130*ms, 77)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				start := time.Now()
				var got []time.Duration
				err := ticker.Run(ctx, 100*ms, func(ctx context.Context) error {
					got = append(got, time.Since(start))
					time.Sleep(30 * ms)
					return nil
				}, tt.opts...)
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				assert.Error(t, ctx.Err(), "Run returned before ctx reported its deadline")
			})
		})
	}
}

func TestEverySchedule(t *testing.T) {
	tests := []struct {
		name string
		opts []ticker.Option
		want []time.Duration
	}{
		{"fixed rate", nil, grid(100*ms, 100*ms, 9)},
		{"immediate", []ticker.Option{ticker.Immediate()}, grid(0, 100*ms, 10)},
		{"fixed delay counts from the end of the body", []ticker.Option{ticker.FixedDelay()}, grid(100*ms, 130*ms, 7)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(t.Context(), time.Second)
				defer cancel()
				start := time.Now()
				var got []time.Duration
				for now := range ticker.Every(ctx, 100*ms, tt.opts...) {
					require.Equal(t, time.Now(), now)
					got = append(got, now.Sub(start))
					time.Sleep(30 * ms)
				}
				assert.Equal(t, tt.want, got)
				assert.Error(t, ctx.Err())
			})
		})
	}
}

// A tick that falls exactly on ctx's deadline fires together with ctx's own
// timer. A loop that only selects on both starts a run after the deadline
// about every other trial; these never may.
func TestNoTickAtDeadline(t *testing.T) {
	const trials = 1000
	periods := []time.Duration{ms, 7 * ms, 100 * ms}
	check := func(t *testing.T, loop func(ctx context.Context, d time.Duration, tick func(ctx context.Context))) {
		synctest.Test(t, func(t *testing.T) {
			for i := range trials {
				d := periods[i%len(periods)]
				ticks := 1 + i%4 // whole periods before the deadline
				ctx, cancel := context.WithTimeout(t.Context(), time.Duration(ticks)*d)
				deadline, _ := ctx.Deadline()
				runs := 0
				loop(ctx, d, func(ctx context.Context) {
					runs++
					require.NoError(t, ctx.Err(), "trial %d: run after ctx ended", i)
					require.True(t, time.Now().Before(deadline), "trial %d: run at the deadline", i)
				})
				require.Error(t, ctx.Err(), "trial %d: returned before ctx reported its deadline", i)
				require.Equal(t, ticks-1, runs, "trial %d", i)
				cancel()
			}
		})
	}
	t.Run("Run", func(t *testing.T) {
		check(t, func(ctx context.Context, d time.Duration, tick func(context.Context)) {
			require.NoError(t, ticker.Run(ctx, d, func(ctx context.Context) error {
				tick(ctx)
				return nil
			}))
		})
	})
	t.Run("Every", func(t *testing.T) {
		check(t, func(ctx context.Context, d time.Duration, tick func(context.Context)) {
			for range ticker.Every(ctx, d) {
				tick(ctx)
			}
		})
	})
	t.Run("New", func(t *testing.T) {
		check(t, func(ctx context.Context, d time.Duration, tick func(context.Context)) {
			tk := ticker.New(ctx, d)
			for range tk.C {
				tick(ctx)
			}
		})
	})
}

func TestSlowRunSkipsTicks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		var got []time.Duration
		err := ticker.Run(ctx, 100*ms, func(ctx context.Context) error {
			got = append(got, time.Since(start))
			if len(got) == 1 {
				time.Sleep(250 * ms) // misses the ticks at 200ms and 300ms
			}
			return nil
		})
		require.NoError(t, err)
		// No catching up: after the slow run the schedule resumes on its grid.
		assert.Equal(t, append([]time.Duration{100 * ms}, grid(400*ms, 100*ms, 6)...), got)
	})
}

func TestJitter(t *testing.T) {
	const d = 100 * ms
	tests := []struct {
		name       string
		frac       float64
		fixedDelay bool
		spread     time.Duration // each tick lies in [due, due+spread)
	}{
		{"zero means none", 0, false, 1},
		{"half", 0.5, false, d / 2},
		{"full", 1, false, d},
		{"fixed delay", 0.5, true, d / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				opts := []ticker.Option{ticker.Jitter(tt.frac)}
				if tt.fixedDelay {
					opts = append(opts, ticker.FixedDelay())
				}
				due := time.Now() // before jitter
				offsets := map[time.Duration]bool{}
				n := 0
				for now := range ticker.Every(t.Context(), d, opts...) {
					// Fixed rate: the jitter never accumulates.
					due = due.Add(d)
					off := now.Sub(due)
					require.True(t, off >= 0 && off < tt.spread, "tick %d is %v past its due time", n, off)
					offsets[off] = true
					if tt.fixedDelay {
						due = now
					}
					if n++; n == 1000 {
						break
					}
				}
				if tt.spread > 1 {
					assert.Greater(t, len(offsets), 100, "jitter is not random")
				}
			})
		})
	}
}

func TestImmediateIsNotJittered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		for now := range ticker.Every(t.Context(), time.Hour, ticker.Immediate(), ticker.Jitter(1)) {
			assert.Equal(t, start, now)
			break
		}
	})
}

var (
	errFailed = errors.New("failed")
	errPanic  = &leakproof.PanicError{Value: "recovered elsewhere"}
)

func TestRunResult(t *testing.T) {
	tests := []struct {
		name string
		f    func(ctx context.Context, run int, cancel context.CancelCauseFunc) error
		want error
		runs int
	}{
		{"first error", func(ctx context.Context, run int, cancel context.CancelCauseFunc) error {
			if run == 3 {
				return errFailed
			}
			return nil
		}, errFailed, 3},
		{"nil on ctx end", func(ctx context.Context, run int, cancel context.CancelCauseFunc) error {
			if run == 2 {
				cancel(nil)
			}
			return nil
		}, nil, 2},
		{"ctx error counts as the end", func(ctx context.Context, run int, cancel context.CancelCauseFunc) error {
			cancel(nil)
			return fmt.Errorf("fetch: %w", ctx.Err())
		}, nil, 1},
		{"ctx cause counts as the end", func(ctx context.Context, run int, cancel context.CancelCauseFunc) error {
			cancel(errFailed)
			return context.Cause(ctx)
		}, nil, 1},
		{"a returned *PanicError is an error", func(ctx context.Context, run int, cancel context.CancelCauseFunc) error {
			return errPanic
		}, errPanic, 1},
		{"real error after ctx end", func(ctx context.Context, run int, cancel context.CancelCauseFunc) error {
			cancel(nil)
			return errFailed
		}, errFailed, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancelCause(t.Context())
				defer cancel(nil)
				runs := 0
				err := ticker.Run(ctx, time.Second, func(ctx context.Context) error {
					runs++
					return tt.f(ctx, runs, cancel)
				})
				assert.ErrorIs(t, err, tt.want)
				if tt.want == nil {
					assert.NoError(t, err)
				}
				assert.Equal(t, tt.runs, runs)
			})
		})
	}
}

func TestRunDoneContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := ticker.Run(ctx, time.Second, func(context.Context) error {
		t.Error("f called with a done context")
		return nil
	}, ticker.Immediate())
	assert.NoError(t, err)
}

func TestRunPanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		defer func() {
			pe, ok := recover().(*leakproof.PanicError)
			require.True(t, ok, "Run did not re-raise a *leakproof.PanicError")
			assert.Equal(t, "boom", pe.Value)
			assert.Contains(t, string(pe.Stack), "ticker_test.TestRunPanic")
		}()
		_ = ticker.Run(t.Context(), time.Second, func(context.Context) error { panic("boom") })
		t.Error("Run returned")
	})
}

func TestRunTimeout(t *testing.T) {
	block := func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}
	t.Run("stops on the first overrun", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			err := ticker.Run(t.Context(), time.Second, block, ticker.Timeout(30*ms))
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, time.Second+30*ms, time.Since(start))
		})
	})
	t.Run("goes on with OnError", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 3500*ms)
			defer cancel()
			var errs []error
			err := ticker.Run(ctx, time.Second, block,
				ticker.Timeout(30*ms), ticker.OnError(func(err error) { errs = append(errs, err) }))
			assert.NoError(t, err)
			assert.Equal(t, []error{context.DeadlineExceeded, context.DeadlineExceeded, context.DeadlineExceeded}, errs)
		})
	})
}

func TestOnError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var errs []error
		runs := 0
		err := ticker.Run(ctx, time.Second, func(ctx context.Context) error {
			if runs++; runs == 4 {
				cancel()
				return ctx.Err() // the end of Run, not a failure
			}
			return fmt.Errorf("run %d: %w", runs, errFailed)
		}, ticker.OnError(func(err error) { errs = append(errs, err) }))
		assert.NoError(t, err)
		require.Len(t, errs, 3)
		for _, err := range errs {
			assert.ErrorIs(t, err, errFailed)
		}
	})
}

func TestEveryBreak(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		before := runtime.NumGoroutine()
		n := 0
		for range ticker.Every(t.Context(), time.Second) {
			assert.Equal(t, before, runtime.NumGoroutine(), "Every started a goroutine")
			if n++; n == 3 {
				break
			}
		}
		assert.Equal(t, 3, n)
	})
}

func TestEveryReuse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		seq := ticker.Every(t.Context(), time.Second)
		for range 2 {
			start := time.Now()
			for now := range seq {
				assert.Equal(t, time.Second, now.Sub(start), "each range has its own schedule")
				break
			}
			time.Sleep(300 * ms)
		}
	})
}

func TestTicker(t *testing.T) {
	t.Run("closes on ctx end", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 350*ms)
			defer cancel()
			start := time.Now()
			tk := ticker.New(ctx, 100*ms)
			var got []time.Duration
			for now := range tk.C {
				got = append(got, now.Sub(start))
			}
			assert.Equal(t, grid(100*ms, 100*ms, 3), got)
			assert.Error(t, ctx.Err())
			tk.Stop()
		})
	})
	t.Run("closes on Stop", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			tk := ticker.New(t.Context(), 100*ms)
			n := 0
			for range tk.C {
				if n++; n == 3 {
					tk.Stop()
				}
			}
			assert.Equal(t, 3, n)
			tk.Stop() // a second Stop is fine
		})
	})
	t.Run("Stop from several goroutines", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			tk := ticker.New(t.Context(), 100*ms)
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(tk.Stop)
			}
			wg.Wait()
			_, ok := <-tk.C
			assert.False(t, ok)
		})
	})
	t.Run("slow reader gets no burst", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			tk := ticker.New(t.Context(), 100*ms)
			defer tk.Stop()
			time.Sleep(350 * ms)
			assert.Equal(t, 100*ms, (<-tk.C).Sub(start), "the waiting tick")
			assert.Equal(t, 400*ms, (<-tk.C).Sub(start), "the ticks missed meanwhile are dropped")
		})
	})
	t.Run("options", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			tk := ticker.New(t.Context(), 100*ms, ticker.Immediate(), ticker.FixedDelay())
			defer tk.Stop()
			assert.Equal(t, start, <-tk.C)
			time.Sleep(30 * ms)
			assert.Equal(t, 100*ms, (<-tk.C).Sub(start), "fixed delay counts from the receipt")
		})
	})
}

func TestTickerReset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		tk := ticker.New(t.Context(), 100*ms)
		assert.Equal(t, 100*ms, (<-tk.C).Sub(start))
		time.Sleep(150 * ms) // the tick at 200ms is waiting
		tk.Reset(300 * ms)
		assert.Equal(t, 550*ms, (<-tk.C).Sub(start), "the waiting tick is dropped; the next is a new period away")
		assert.Equal(t, 850*ms, (<-tk.C).Sub(start))
		tk.Stop()
		tk.Reset(ms) // does nothing once stopped
		_, ok := <-tk.C
		assert.False(t, ok)
	})
}

func TestTickerResetBeforeDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		tk := ticker.New(ctx, time.Hour) // no tick before the deadline
		time.Sleep(100 * ms)
		tk.Reset(200 * ms)
		var got []time.Duration
		for now := range tk.C {
			got = append(got, now.Sub(start))
		}
		assert.Equal(t, grid(300*ms, 200*ms, 4), got)
	})
}

func TestBadArguments(t *testing.T) {
	ctx := context.Background()
	var nilCtx context.Context
	nop := func(context.Context) error { return nil }
	tests := []struct {
		name string
		call func()
		want string
	}{
		{"Every zero period", func() { ticker.Every(ctx, 0) }, "ticker: period must be positive, got 0s"},
		{"Run negative period", func() { _ = ticker.Run(ctx, -time.Second, nop) }, "ticker: period must be positive, got -1s"},
		{"New zero period", func() { ticker.New(ctx, 0) }, "ticker: period must be positive, got 0s"},
		{"Reset zero period", func() {
			tk := ticker.New(ctx, time.Second)
			defer tk.Stop()
			tk.Reset(0)
		}, "ticker: period must be positive, got 0s"},
		{"Run nil function", func() { _ = ticker.Run(ctx, time.Second, nil) }, "ticker: Run called with a nil function"},
		{"nil context", func() { ticker.Every(nilCtx, time.Second) }, "ticker: Every called with a nil context"},
		{"jitter below 0", func() { ticker.Jitter(-0.1) }, "ticker: jitter must be within [0, 1], got -0.1"},
		{"jitter above 1", func() { ticker.Jitter(1.5) }, "ticker: jitter must be within [0, 1], got 1.5"},
		{"jitter NaN", func() { ticker.Jitter(math.NaN()) }, "ticker: jitter must be within [0, 1], got NaN"},
		{"zero timeout", func() { ticker.Timeout(0) }, "ticker: timeout must be positive, got 0s"},
		{"nil handler", func() { ticker.OnError(nil) }, "ticker: OnError called with a nil handler"},
		{"Timeout in Every", func() { ticker.Every(ctx, time.Second, ticker.Timeout(time.Second)) },
			"ticker: Timeout and OnError are options of Run, not of Every"},
		{"OnError in New", func() { ticker.New(ctx, time.Second, ticker.OnError(func(error) {})) },
			"ticker: Timeout and OnError are options of Run, not of New"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.want, tt.call)
		})
	}
}
