package timeout_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/internal/leaktest"
	"github.com/leakproof/leakproof/timeout"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.ProfileCheck()) }

var (
	errFailed = errors.New("failed")
	errPanic  = &leakproof.PanicError{Value: "recovered elsewhere"}
)

// op is Send or Recv on a channel of ints, for tests that hold for both.
type op struct {
	name string
	do   func(ctx context.Context, ch chan int, d time.Duration) error
	// ready makes ch able to proceed at once; partner does so from
	// another goroutine, blocking until the op has happened.
	ready   func(ch chan int)
	partner func(ch chan int)
}

var ops = []op{
	{
		name:    "Send",
		do:      func(ctx context.Context, ch chan int, d time.Duration) error { return timeout.Send(ctx, ch, 1, d) },
		ready:   func(ch chan int) {},
		partner: func(ch chan int) { <-ch },
	},
	{
		name: "Recv",
		do: func(ctx context.Context, ch chan int, d time.Duration) error {
			v, err := timeout.Recv(ctx, ch, d)
			if err == nil && v != 1 {
				return errors.New("received the wrong value")
			}
			return err
		},
		ready:   func(ch chan int) { ch <- 1 },
		partner: func(ch chan int) { ch <- 1 },
	},
}

func TestChannelOps(t *testing.T) {
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) {
			t.Run("at once when it can", func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					ch := make(chan int, 1)
					o.ready(ch)
					start := time.Now()
					require.NoError(t, o.do(t.Context(), ch, time.Hour))
					assert.Zero(t, time.Since(start))
				})
			})
			t.Run("waits for a partner", func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					ch := make(chan int)
					start := time.Now()
					go func() {
						time.Sleep(time.Second)
						o.partner(ch)
					}()
					require.NoError(t, o.do(t.Context(), ch, 2*time.Second))
					assert.Equal(t, time.Second, time.Since(start))
				})
			})
			t.Run("times out after exactly d", func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					start := time.Now()
					err := o.do(t.Context(), make(chan int), 2*time.Second)
					assert.ErrorIs(t, err, timeout.ErrTimeout)
					assert.ErrorIs(t, err, context.DeadlineExceeded)
					assert.Equal(t, 2*time.Second, time.Since(start))
				})
			})
			t.Run("d <= 0 only tries", func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					ch := make(chan int, 1)
					assert.ErrorIs(t, o.do(t.Context(), make(chan int), 0), timeout.ErrTimeout)
					o.ready(ch)
					assert.NoError(t, o.do(t.Context(), ch, -time.Second))
				})
			})
			t.Run("parent cancelled gives its cause", func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					ctx, cancel := context.WithCancelCause(t.Context())
					time.AfterFunc(time.Second, func() { cancel(errFailed) })
					start := time.Now()
					err := o.do(ctx, make(chan int), 2*time.Second)
					assert.ErrorIs(t, err, errFailed)
					assert.NotErrorIs(t, err, timeout.ErrTimeout)
					assert.Equal(t, time.Second, time.Since(start))
				})
			})
			t.Run("parent deadline first", func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(t.Context(), time.Second)
					defer cancel()
					err := o.do(ctx, make(chan int), 2*time.Second)
					assert.ErrorIs(t, err, context.DeadlineExceeded)
					assert.NotErrorIs(t, err, timeout.ErrTimeout, "the caller's own deadline is not a timeout of the op")
				})
			})
			t.Run("same deadline as the parent", func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(t.Context(), time.Second)
					defer cancel()
					err := o.do(ctx, make(chan int), time.Second)
					assert.ErrorIs(t, err, context.DeadlineExceeded)
					assert.NotErrorIs(t, err, timeout.ErrTimeout)
				})
			})
			t.Run("a ready channel does not look at ctx", func(t *testing.T) {
				ctx, cancel := context.WithCancelCause(t.Context())
				cancel(errFailed)
				ch := make(chan int, 1)
				o.ready(ch)
				assert.NoError(t, o.do(ctx, ch, time.Hour))
			})
			t.Run("done ctx, channel not ready", func(t *testing.T) {
				ctx, cancel := context.WithCancelCause(t.Context())
				cancel(errFailed)
				for _, d := range []time.Duration{0, time.Hour} {
					assert.ErrorIs(t, o.do(ctx, make(chan int), d), errFailed)
				}
			})
		})
	}
}

func TestRecvClosed(t *testing.T) {
	t.Run("drains, then ErrClosed", func(t *testing.T) {
		ch := make(chan int, 1)
		ch <- 7
		close(ch)
		v, err := timeout.Recv(t.Context(), ch, time.Second)
		require.NoError(t, err)
		assert.Equal(t, 7, v)
		_, err = timeout.Recv(t.Context(), ch, time.Second)
		assert.ErrorIs(t, err, timeout.ErrClosed)
	})
	t.Run("closed while waiting", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ch := make(chan int)
			time.AfterFunc(time.Second, func() { close(ch) })
			_, err := timeout.Recv(t.Context(), ch, time.Hour)
			assert.ErrorIs(t, err, timeout.ErrClosed)
		})
	})
}

func TestNoAllocsWithoutWaiting(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := make(chan int, 1)
	allocs := testing.AllocsPerRun(1000, func() {
		if err := timeout.Send(ctx, ch, 1, time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := timeout.Recv(ctx, ch, time.Second); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

func TestErrors(t *testing.T) {
	assert.ErrorIs(t, timeout.ErrTimeout, context.DeadlineExceeded)
	assert.NotErrorIs(t, context.DeadlineExceeded, timeout.ErrTimeout)
	var te interface{ Timeout() bool }
	require.ErrorAs(t, timeout.ErrTimeout, &te, "a net.Error-style check sees a timeout")
	assert.True(t, te.Timeout())
}

// goroutines counts the goroutines that this package started and that are
// still alive.
func goroutines(t *testing.T) int {
	t.Helper()
	var sb strings.Builder
	require.NoError(t, pprof.Lookup("goroutine").WriteTo(&sb, 1))
	return strings.Count(sb.String(), `"leakproof.pkg":"timeout"`)
}

func TestDo(t *testing.T) {
	tests := []struct {
		name  string
		f     func(ctx context.Context) error
		want  error
		after time.Duration // when Do returns
	}{
		{"returns f's error", func(ctx context.Context) error {
			time.Sleep(time.Second)
			return errFailed
		}, errFailed, time.Second},
		{"returns nil", func(ctx context.Context) error { return nil }, nil, 0},
		{"f honours its ctx", func(ctx context.Context) error {
			<-ctx.Done()
			if context.Cause(ctx) != timeout.ErrTimeout {
				return errors.New("f's ctx does not have ErrTimeout as its cause")
			}
			return nil // too late: dropped
		}, timeout.ErrTimeout, 2 * time.Second},
		{"f ignores its ctx", func(ctx context.Context) error {
			time.Sleep(time.Hour)
			return nil
		}, timeout.ErrTimeout, 2 * time.Second},
		{"a returned *PanicError is an error", func(ctx context.Context) error {
			return errPanic
		}, errPanic, 0},
		{"f calls Goexit", func(ctx context.Context) error {
			runtime.Goexit()
			return nil
		}, leakproof.ErrGoexit, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				err := timeout.Do(t.Context(), 2*time.Second, tt.f)
				assert.Equal(t, tt.after, time.Since(start))
				if tt.want == nil {
					assert.NoError(t, err)
				} else {
					assert.ErrorIs(t, err, tt.want)
				}
				time.Sleep(2 * time.Hour)
				synctest.Wait()
				assert.Zero(t, goroutines(t), "the goroutine running f outlived f")
			})
		})
	}
}

func TestDoLateFunctionExits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		err := timeout.Do(t.Context(), time.Second, func(ctx context.Context) error {
			<-release // ignores ctx
			return errFailed
		})
		assert.ErrorIs(t, err, timeout.ErrTimeout)
		synctest.Wait()
		assert.Equal(t, 1, goroutines(t), "f is still running")
		close(release)
		synctest.Wait()
		assert.Zero(t, goroutines(t), "the goroutine did not exit as soon as f returned")
	})
}

// f returning at the very instant of the deadline is too late, whichever of
// f's goroutine and the deadline's timer runs first; with a parent whose
// deadline is the same instant, the parent's end is the answer.
func TestDoReturnsAtTheDeadline(t *testing.T) {
	for _, parent := range []bool{false, true} {
		t.Run(fmt.Sprintf("parent deadline %v", parent), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				for i := range 200 {
					ctx, cancel := context.WithCancel(t.Context())
					if parent {
						ctx, cancel = context.WithTimeout(t.Context(), time.Second)
					}
					v, err := timeout.DoValue(ctx, time.Second, func(ctx context.Context) (int, error) {
						time.Sleep(time.Second) // ignores ctx
						return 1, nil
					})
					cancel()
					require.ErrorIs(t, err, context.DeadlineExceeded, "trial %d", i)
					require.Equal(t, !parent, errors.Is(err, timeout.ErrTimeout), "trial %d: %v", i, err)
					require.Zero(t, v, "trial %d", i)
				}
			})
		})
	}
}

func TestDoParentCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(t.Context())
		time.AfterFunc(time.Second, func() { cancel(errFailed) })
		start := time.Now()
		err := timeout.Do(ctx, time.Hour, func(ctx context.Context) error {
			time.Sleep(2 * time.Second) // ignores ctx
			return nil
		})
		assert.ErrorIs(t, err, errFailed)
		assert.NotErrorIs(t, err, timeout.ErrTimeout)
		assert.Equal(t, time.Second, time.Since(start))
		time.Sleep(time.Second)
	})
}

func TestDoNotCalled(t *testing.T) {
	f := func(context.Context) error {
		t.Error("f called")
		return nil
	}
	ctx, cancel := context.WithCancelCause(t.Context())
	cancel(errFailed)
	assert.ErrorIs(t, timeout.Do(ctx, time.Second, f), errFailed)
	assert.ErrorIs(t, timeout.Do(t.Context(), 0, f), timeout.ErrTimeout)
}

func TestDoValue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		v, err := timeout.DoValue(t.Context(), time.Second, func(ctx context.Context) (string, error) {
			time.Sleep(500 * time.Millisecond)
			return "ok", nil
		})
		require.NoError(t, err)
		assert.Equal(t, "ok", v)

		v, err = timeout.DoValue(t.Context(), time.Second, func(ctx context.Context) (string, error) {
			time.Sleep(2 * time.Second)
			return "late", nil
		})
		assert.ErrorIs(t, err, timeout.ErrTimeout)
		assert.Empty(t, v)
		time.Sleep(time.Second)
	})
}

func TestDoPanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		defer func() {
			pe, ok := recover().(*leakproof.PanicError)
			require.True(t, ok, "Do did not re-raise a *leakproof.PanicError")
			assert.Equal(t, "boom", pe.Value)
			assert.Contains(t, string(pe.Stack), "timeout_test.TestDoPanic")
		}()
		_ = timeout.Do(t.Context(), time.Second, func(context.Context) error { panic("boom") })
		t.Error("Do returned")
	})
}

// A panic in f after Do has returned has nobody to go to: it must crash the
// program, not vanish. The crash happens in a child process.
func TestDoLatePanicCrashes(t *testing.T) {
	if os.Getenv("TIMEOUT_LATE_PANIC") == "1" {
		late := make(chan struct{})
		_ = timeout.Do(context.Background(), time.Millisecond, func(context.Context) error {
			<-late
			panic("late boom")
		})
		close(late)
		select {} // the panic ends the process
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDoLatePanicCrashes$")
	cmd.Env = append(os.Environ(), "TIMEOUT_LATE_PANIC=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the late panic did not crash the program:\n%s", out)
	assert.Contains(t, string(out), "panic: late boom")
}

func TestNilFunction(t *testing.T) {
	assert.PanicsWithValue(t, "timeout: Do called with a nil function", func() {
		_ = timeout.Do(context.Background(), time.Second, nil)
	})
	assert.PanicsWithValue(t, "timeout: DoValue called with a nil function", func() {
		_, _ = timeout.DoValue[int](context.Background(), time.Second, nil)
	})
	var noCtx context.Context
	assert.PanicsWithValue(t, "timeout: Do called with a nil context", func() {
		_ = timeout.Do(noCtx, time.Second, func(context.Context) error { return nil })
	})
	assert.PanicsWithValue(t, "timeout: DoValue called with a nil context", func() {
		_, _ = timeout.DoValue(noCtx, time.Second, func(context.Context) (int, error) { return 0, nil })
	})
}
