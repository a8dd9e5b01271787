package group_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/group"
	"github.com/leakproof/leakproof/internal/leaktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.ProfileCheck()) }

var errBoom = errors.New("boom")

// modes are the three ways a Group runs its tasks.
var modes = []struct {
	name string
	opts func() []group.Option
}{
	{"unlimited", func() []group.Option { return nil }},
	{"limited", func() []group.Option { return []group.Option{group.WithLimit(2)} }},
	{"runner", func() []group.Option { return []group.Option{group.WithRunner(newRunner())} }},
}

// runner is a minimal group.Runner: a goroutine per task, joined by Close.
type runner struct {
	wg sync.WaitGroup
}

func newRunner() *runner { return &runner{} }

func (r *runner) Go(ctx context.Context, task func(context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.wg.Go(func() { _ = task(context.WithoutCancel(ctx)) })
	return nil
}

func (r *runner) TryGo(ctx context.Context, task func(context.Context) error) bool {
	return r.Go(ctx, task) == nil
}

func TestFirstErrorCancelsSiblingsWithCause(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := group.New(t.Context(), mode.opts()...)
				var sibling error
				g.Go(func(ctx context.Context) error {
					<-ctx.Done()
					sibling = context.Cause(ctx)
					return ctx.Err()
				})
				g.Go(func(ctx context.Context) error {
					time.Sleep(time.Second)
					return errBoom
				})
				err := g.Wait()
				assert.Same(t, errBoom, err)
				assert.Same(t, errBoom, sibling)
			})
		})
	}
}

func TestCancelledGroupStartsNothing(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := group.New(t.Context(), mode.opts()...)
				g.Go(func(ctx context.Context) error { return errBoom })
				synctest.Wait() // the failure has cancelled the group

				var started atomic.Int32
				count := func(ctx context.Context) error {
					started.Add(1)
					return nil
				}
				g.Go(count)
				assert.False(t, g.TryGo(count))
				assert.Same(t, errBoom, g.Wait())
				assert.Zero(t, started.Load())
			})
		})
	}
}

func TestSkippedTaskIsNotSuccess(t *testing.T) {
	cause := errors.New("request abandoned")
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			g := group.New(ctx, mode.opts()...)
			cancel(cause)
			ran := false
			g.Go(func(ctx context.Context) error { ran = true; return nil })
			assert.Same(t, cause, g.Wait())
			assert.False(t, ran)
		})
	}
}

func TestNoTasksWaitReturnsNil(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.NoError(t, group.New(ctx).Wait())
}

// limitedModes are the two ways a limit is kept: by the group's own
// workers, and in front of a Runner.
var limitedModes = []struct {
	name string
	opts func(limit int) []group.Option
}{
	{"workers", func(n int) []group.Option { return []group.Option{group.WithLimit(n)} }},
	{"runner", func(n int) []group.Option { return []group.Option{group.WithLimit(n), group.WithRunner(newRunner())} }},
}

// gauge counts the tasks running at once and keeps the highest count.
type gauge struct{ running, peak atomic.Int32 }

func (g *gauge) enter() {
	n := g.running.Add(1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
}

func (g *gauge) leave() { g.running.Add(-1) }

func TestLimitIsNeverExceededAndIsReached(t *testing.T) {
	for _, mode := range limitedModes {
		for _, limit := range []int{1, 3, 8} {
			t.Run(fmt.Sprintf("%s/%d", mode.name, limit), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					g := group.New(t.Context(), mode.opts(limit)...)
					var gauge gauge
					for range 50 {
						g.Go(func(ctx context.Context) error {
							gauge.enter()
							defer gauge.leave()
							time.Sleep(time.Millisecond)
							return nil
						})
					}
					require.NoError(t, g.Wait())
					assert.Equal(t, int32(limit), gauge.peak.Load())
				})
			})
		}
	}
}

func TestLimitedGroupReusesGoroutines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(t.Context(), group.WithLimit(2))
		var mu sync.Mutex
		ids := map[string]bool{}
		for range 20 {
			g.Go(func(ctx context.Context) error {
				buf := make([]byte, 64)
				header := string(buf[:runtime.Stack(buf, false)]) // "goroutine 7 [running]:..."
				mu.Lock()
				ids[strings.Fields(header)[1]] = true
				mu.Unlock()
				time.Sleep(time.Millisecond)
				return nil
			})
		}
		require.NoError(t, g.Wait())
		assert.Len(t, ids, 2, "20 tasks under a limit of 2 ran on other than 2 goroutines")
	})
}

func TestGoBlockedOnLimitGivesUpWhenContextEnds(t *testing.T) {
	for _, mode := range limitedModes {
		t.Run(mode.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancelCause(t.Context())
				g := group.New(ctx, mode.opts(1)...)
				release := make(chan struct{})
				g.Go(func(ctx context.Context) error { <-release; return nil })

				ran := false
				returned := make(chan struct{})
				go func() {
					g.Go(func(ctx context.Context) error { ran = true; return nil })
					close(returned)
				}()
				synctest.Wait()
				select {
				case <-returned:
					t.Fatal("Go returned while the only slot was taken")
				default:
				}

				cause := errors.New("client went away")
				cancel(cause)
				<-returned
				close(release)
				assert.Same(t, cause, g.Wait())
				assert.False(t, ran)
			})
		})
	}
}

func TestFailureCancelsBeforeSlotIsReleased(t *testing.T) {
	for _, mode := range limitedModes {
		t.Run(mode.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := group.New(t.Context(), mode.opts(1)...)
				g.Go(func(ctx context.Context) error {
					time.Sleep(time.Second)
					return errBoom
				})
				ran := false
				g.Go(func(ctx context.Context) error { ran = true; return nil }) // waits for the slot
				assert.Same(t, errBoom, g.Wait())
				assert.False(t, ran, "a Go waiting for the slot of a failed task started its function")
			})
		})
	}
}

func TestTryGo(t *testing.T) {
	for _, mode := range limitedModes {
		t.Run(mode.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := group.New(t.Context(), mode.opts(2)...)
				release := make(chan struct{})
				block := func(ctx context.Context) error { <-release; return nil }
				assert.True(t, g.TryGo(block))
				assert.True(t, g.TryGo(block))
				assert.False(t, g.TryGo(block), "TryGo started a third task under a limit of 2")
				close(release)
				synctest.Wait() // both slots are free again
				assert.True(t, g.TryGo(block))
				require.NoError(t, g.Wait())
			})
		})
	}
}

func TestPanicReraisedAfterSiblingsReturn(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := group.New(t.Context(), mode.opts()...)
				var siblingDone atomic.Bool
				g.Go(func(ctx context.Context) error {
					<-ctx.Done()
					time.Sleep(time.Second) // cleanup that outlasts the panic
					siblingDone.Store(true)
					return nil
				})
				g.Go(func(ctx context.Context) error {
					time.Sleep(time.Second) // the sibling is running by now
					panicky()
					return nil
				})

				pe := recoverPanic(t, func() { _ = g.Wait() })
				assert.True(t, siblingDone.Load(), "Wait re-panicked before a sibling returned")
				assert.Equal(t, "kaboom", pe.Value)
				assert.Contains(t, string(pe.Stack), "group_test.panicky")
			})
		})
	}
}

//go:noinline
func panicky() { panic("kaboom") }

// recoverPanic calls f and returns the *leakproof.PanicError it panics with.
func recoverPanic(t *testing.T, f func()) (pe *leakproof.PanicError) {
	t.Helper()
	defer func() {
		v := recover()
		require.NotNil(t, v, "no panic")
		var ok bool
		pe, ok = v.(*leakproof.PanicError)
		require.True(t, ok, "panic value is %T, not *leakproof.PanicError", v)
	}()
	f()
	return nil
}

func TestPanicWinsOverEarlierError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(t.Context())
		g.Go(func(ctx context.Context) error {
			time.Sleep(time.Second) // the other task is running by now
			return errBoom
		})
		g.Go(func(ctx context.Context) error {
			<-ctx.Done()
			panic("late")
		})
		pe := recoverPanic(t, func() { _ = g.Wait() })
		assert.Equal(t, "late", pe.Value)
	})
}

func TestGoexitIsAnError(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := group.New(t.Context(), mode.opts()...)
				g.Go(func(ctx context.Context) error {
					runtime.Goexit()
					return nil
				})
				assert.ErrorIs(t, g.Wait(), leakproof.ErrGoexit)
			})
		})
	}
}

// A limited worker whose task calls runtime.Goexit ends with it. With
// WithAllErrors the group is not cancelled, so its slot must live on.
func TestGoexitKeepsLimitedSlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := group.New(t.Context(), group.WithLimit(1), group.WithAllErrors())
		g.Go(func(ctx context.Context) error {
			runtime.Goexit()
			return nil
		})
		ran := false
		g.Go(func(ctx context.Context) error { ran = true; return nil }) // waits for the slot
		assert.ErrorIs(t, g.Wait(), leakproof.ErrGoexit)
		assert.True(t, ran, "the task after a Goexit never ran")
	})
}

func TestWaitTwiceAndConcurrently(t *testing.T) {
	t.Run("error", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			g := group.New(t.Context(), group.WithLimit(2))
			g.Go(func(ctx context.Context) error { time.Sleep(time.Second); return errBoom })
			var wg sync.WaitGroup
			errs := make([]error, 5)
			for i := range errs {
				wg.Go(func() { errs[i] = g.Wait() })
			}
			wg.Wait()
			for _, err := range errs {
				assert.Same(t, errBoom, err)
			}
			assert.Same(t, errBoom, g.Wait())
		})
	})
	t.Run("panic", func(t *testing.T) {
		g := group.New(context.Background())
		g.Go(func(ctx context.Context) error { panic("again") })
		first := recoverPanic(t, func() { _ = g.Wait() })
		second := recoverPanic(t, func() { _ = g.Wait() })
		assert.Same(t, first, second)
	})
}

func TestGoAfterWaitPanics(t *testing.T) {
	g := group.New(context.Background(), group.WithLimit(1))
	require.NoError(t, g.Wait())
	f := func(ctx context.Context) error { return nil }
	assert.PanicsWithValue(t, "group: Go called after Wait returned; a Group runs one batch of tasks, use a new Group", func() { g.Go(f) })
	assert.PanicsWithValue(t, "group: TryGo called after Wait returned; a Group runs one batch of tasks, use a new Group", func() { g.TryGo(f) })
}

func TestBadArgumentsPanic(t *testing.T) {
	assert.PanicsWithValue(t, "group: limit must be at least 1, got 0", func() { group.WithLimit(0) })
	assert.PanicsWithValue(t, "group: limit must be at least 1, got -3", func() { group.WithLimit(-3) })
	assert.PanicsWithValue(t, "group: Go called with a nil function", func() { group.New(context.Background()).Go(nil) })
	assert.PanicsWithValue(t, "group: TryGo called with a nil function", func() { group.New(context.Background()).TryGo(nil) })
	assert.PanicsWithValue(t, "group: Run called with a nil function", func() { _ = group.Run(context.Background(), nil) })
	assert.PanicsWithValue(t, "group: WithRunner called with a nil Runner", func() { group.WithRunner(nil) })
	assert.PanicsWithValue(t, "group: Go called on a Group not made by New", func() { new(group.Group).Go(func(context.Context) error { return nil }) })
	//lint:ignore SA1012 testing the nil check
	assert.PanicsWithValue(t, "group: New called with a nil context", func() { group.New(nil) }) //nolint:staticcheck
}

func TestRunJoinsTasksWhenBodyPanics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var taskDone atomic.Bool
		pe := recoverPanic(t, func() {
			_ = group.Run(t.Context(), func(ctx context.Context, g *group.Group) error {
				started := make(chan struct{})
				g.Go(func(ctx context.Context) error {
					close(started)
					<-ctx.Done() // the body's panic cancels the group
					time.Sleep(time.Second)
					taskDone.Store(true)
					return nil
				})
				<-started
				panic("body")
			})
		})
		assert.Equal(t, "body", pe.Value)
		assert.True(t, taskDone.Load(), "Run re-panicked before its task returned")
	})
}

func TestRunJoinsTasksWhenBodyCallsGoexit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var taskDone atomic.Bool
		var wg sync.WaitGroup
		wg.Go(func() {
			_ = group.Run(t.Context(), func(ctx context.Context, g *group.Group) error {
				started := make(chan struct{})
				g.Go(func(ctx context.Context) error {
					close(started)
					<-ctx.Done()
					time.Sleep(time.Second)
					taskDone.Store(true)
					return nil
				})
				<-started
				runtime.Goexit()
				return nil
			})
		})
		wg.Wait()
		assert.True(t, taskDone.Load(), "Run's goroutine exited before its task returned")
	})
}

func TestRunReraisesTaskPanicWhenBodyCallsGoexit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var got any
		var wg sync.WaitGroup
		wg.Go(func() {
			defer func() { got = recover() }()
			_ = group.Run(t.Context(), func(ctx context.Context, g *group.Group) error {
				panicking := make(chan struct{})
				g.Go(func(ctx context.Context) error {
					defer close(panicking)
					panic("task")
				})
				<-panicking
				runtime.Goexit()
				return nil
			})
		})
		wg.Wait()
		pe, ok := got.(*leakproof.PanicError)
		require.True(t, ok, "Run's goroutine ended with %v, not the task's panic", got)
		assert.Equal(t, "task", pe.Value)
	})
}

func TestRunReturnsBodyError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var cause error
		err := group.Run(t.Context(), func(ctx context.Context, g *group.Group) error {
			started := make(chan struct{})
			g.Go(func(ctx context.Context) error {
				close(started)
				<-ctx.Done()
				cause = context.Cause(ctx)
				return nil
			})
			<-started
			return errBoom
		})
		assert.Same(t, errBoom, err)
		assert.Same(t, errBoom, cause)
	})
}

func TestRunWithDoneContextSkipsBody(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("shutting down")
	cancel(cause)
	called := false
	err := group.Run(ctx, func(ctx context.Context, g *group.Group) error { called = true; return nil })
	assert.Same(t, cause, err)
	assert.False(t, called)
}

func TestContextCancelledAfterWait(t *testing.T) {
	var taskCtx context.Context
	err := group.Run(context.Background(), func(ctx context.Context, g *group.Group) error {
		taskCtx = ctx
		return nil
	})
	require.NoError(t, err)
	assert.ErrorIs(t, taskCtx.Err(), context.Canceled)
}

func TestNestedGo(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var n, accepted atomic.Int32
				err := group.Run(t.Context(), func(ctx context.Context, g *group.Group) error {
					var spawn func(depth int) func(context.Context) error
					spawn = func(depth int) func(context.Context) error {
						return func(ctx context.Context) error {
							n.Add(1)
							if depth == 0 {
								return nil
							}
							// TryGo never blocks, so nesting under a limit
							// cannot deadlock; when it declines, work inline.
							f := spawn(depth - 1)
							if !g.TryGo(f) {
								return f(ctx)
							}
							accepted.Add(1)
							return nil
						}
					}
					for range 3 {
						g.Go(spawn(4))
					}
					return nil
				}, mode.opts()...)
				require.NoError(t, err)
				assert.Equal(t, int32(15), n.Load())
				if mode.name == "limited" {
					assert.LessOrEqual(t, accepted.Load(), int32(12))
				} else {
					assert.Equal(t, int32(12), accepted.Load(), "with no limit, TryGo takes every task")
				}
			})
		})
	}
}

func TestAllErrors(t *testing.T) {
	errA, errB := errors.New("a"), errors.New("b")
	t.Run("every task runs", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			g := group.New(t.Context(), group.WithAllErrors(), group.WithLimit(1))
			var ran atomic.Int32
			for _, err := range []error{errA, nil, errB, nil} {
				g.Go(func(ctx context.Context) error {
					ran.Add(1)
					time.Sleep(time.Second)
					return err
				})
			}
			err := g.Wait()
			assert.Equal(t, int32(4), ran.Load())
			assert.Equal(t, "a\nb", err.Error())
		})
	})
	t.Run("cancellation echoes once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			g := group.New(ctx, group.WithAllErrors())
			for range 3 {
				g.Go(func(ctx context.Context) error {
					<-ctx.Done()
					return fmt.Errorf("stopping: %w", ctx.Err())
				})
			}
			g.Go(func(ctx context.Context) error {
				<-ctx.Done()
				time.Sleep(time.Second)
				return errB
			})
			synctest.Wait()
			cancel()
			g.Go(func(ctx context.Context) error { return nil }) // skipped
			err := g.Wait()
			assert.Equal(t, "stopping: context canceled\nb", err.Error())
		})
	})
	t.Run("cancellation after an error is reported", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			g := group.New(ctx, group.WithAllErrors())
			g.Go(func(ctx context.Context) error { return errB })
			for range 2 {
				g.Go(func(ctx context.Context) error {
					<-ctx.Done()
					return fmt.Errorf("stopping: %w", ctx.Err())
				})
			}
			synctest.Wait() // errB is recorded before the cancellation
			cancel()
			err := g.Wait()
			assert.Equal(t, "b\nstopping: context canceled", err.Error())
		})
	})
	t.Run("skipped tasks add the cause", func(t *testing.T) {
		cause := errors.New("deploy aborted")
		ctx, cancel := context.WithCancelCause(context.Background())
		g := group.New(ctx, group.WithAllErrors())
		started := make(chan struct{})
		g.Go(func(ctx context.Context) error { close(started); return errA })
		<-started
		cancel(cause)
		g.Go(func(ctx context.Context) error { return nil })
		err := g.Wait()
		assert.ErrorIs(t, err, errA)
		assert.ErrorIs(t, err, cause)
	})
	t.Run("panic still cancels", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			g := group.New(t.Context(), group.WithAllErrors())
			var cause error
			g.Go(func(ctx context.Context) error {
				<-ctx.Done()
				cause = context.Cause(ctx)
				return nil
			})
			g.Go(func(ctx context.Context) error {
				time.Sleep(time.Second)
				panic("bug")
			})
			pe := recoverPanic(t, func() { _ = g.Wait() })
			assert.Same(t, pe, cause)
		})
	})
}

func TestIdleWorkersExitWhenContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		g := group.New(ctx, group.WithLimit(4))
		for range 4 {
			g.Go(func(ctx context.Context) error { return nil })
		}
		// No Wait: the idle workers still exit once ctx ends, or the
		// bubble would report them as blocked forever.
		cancel()
		synctest.Wait()
	})
}

func TestRunnerRefusalFailsGroup(t *testing.T) {
	refuse := errors.New("pool closed")
	g := group.New(context.Background(), group.WithRunner(refusing{refuse}))
	g.Go(func(ctx context.Context) error { return nil })
	err := g.Wait()
	assert.ErrorIs(t, err, refuse)
	assert.Contains(t, err.Error(), "group: submitting a task")
}

func TestTryGoWithRunner(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		accept := false
		r := &tryRunner{accept: &accept}
		g := group.New(t.Context(), group.WithRunner(r), group.WithLimit(1))
		ran := 0
		task := func(ctx context.Context) error { ran++; return nil }
		assert.False(t, g.TryGo(task), "TryGo reported a task the runner declined")
		accept = true
		// The declined task gave its limit slot back.
		assert.True(t, g.TryGo(task))
		assert.NoError(t, g.Wait())
		assert.Equal(t, 1, ran)
		assert.Zero(t, r.blocking, "TryGo called the runner's blocking Go")
	})
}

// tryRunner takes tasks in TryGo only when accept is set.
type tryRunner struct {
	accept   *bool
	blocking int
	runner
}

func (r *tryRunner) Go(ctx context.Context, task func(context.Context) error) error {
	r.blocking++
	return r.runner.Go(ctx, task)
}

func (r *tryRunner) TryGo(ctx context.Context, task func(context.Context) error) bool {
	return *r.accept && r.runner.Go(ctx, task) == nil
}

type refusing struct{ err error }

func (r refusing) Go(context.Context, func(context.Context) error) error { return r.err }

func (r refusing) TryGo(context.Context, func(context.Context) error) bool { return false }

func TestRunnerGivingUpSkipsTask(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// A runner that gives up on the task before running it calls it
		// with a context already done.
		done, cancel := context.WithCancelCause(context.Background())
		gaveUp := errors.New("pool gave up")
		cancel(gaveUp)
		r := runnerFunc(func(ctx context.Context, task func(context.Context) error) error {
			go func() { _ = task(done) }()
			return nil
		})
		g := group.New(t.Context(), group.WithRunner(r))
		ran := false
		g.Go(func(ctx context.Context) error { ran = true; return nil })
		err := g.Wait()
		assert.False(t, ran)
		assert.ErrorIs(t, err, gaveUp)
	})
}

func TestRunnerCancelReachesTask(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		runnerCtx, giveUp := context.WithCancelCause(context.Background())
		gaveUp := errors.New("pool close gave up")
		var wg sync.WaitGroup
		r := runnerFunc(func(ctx context.Context, task func(context.Context) error) error {
			wg.Go(func() { _ = task(runnerCtx) })
			return nil
		})
		g := group.New(t.Context(), group.WithRunner(r))
		g.Go(func(ctx context.Context) error {
			<-ctx.Done()
			return context.Cause(ctx)
		})
		synctest.Wait()
		giveUp(gaveUp)
		assert.Same(t, gaveUp, g.Wait())
		wg.Wait()
	})
}

type runnerFunc func(ctx context.Context, task func(context.Context) error) error

func (f runnerFunc) Go(ctx context.Context, task func(context.Context) error) error {
	return f(ctx, task)
}

func (f runnerFunc) TryGo(ctx context.Context, task func(context.Context) error) bool {
	return f(ctx, task) == nil
}

func TestNameLabelsGoroutines(t *testing.T) {
	for _, mode := range modes[:2] {
		t.Run(mode.name, func(t *testing.T) {
			g := group.New(context.Background(), append(mode.opts(), group.WithName("fetchers"))...)
			release := make(chan struct{})
			started := make(chan struct{})
			g.Go(func(ctx context.Context) error {
				close(started)
				<-release
				return nil
			})
			<-started
			var sb strings.Builder
			require.NoError(t, pprof.Lookup("goroutine").WriteTo(&sb, 1))
			close(release)
			require.NoError(t, g.Wait())
			assert.Contains(t, sb.String(), `"leakproof.name":"fetchers"`)
			assert.Contains(t, sb.String(), `"leakproof.pkg":"group"`)
		})
	}
}
