package pool_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
	"weak"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/group"
	"github.com/leakproof/leakproof/internal/leaktest"
	"github.com/leakproof/leakproof/pool"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.ProfileCheck()) }

var errTask = errors.New("task failed")

func noop(context.Context) error { return nil }

// gate is a task that blocks until the gate opens, counting the tasks
// that started.
type gate struct {
	open    chan struct{}
	started atomic.Int64
}

func newGate() *gate { return &gate{open: make(chan struct{})} }

func (g *gate) task(context.Context) error {
	g.started.Add(1)
	<-g.open
	return nil
}

// concurrency is a task that sleeps a millisecond and records how many of
// its kind ran at once.
type concurrency struct {
	running, peak atomic.Int64
}

func (c *concurrency) task(context.Context) error {
	n := c.running.Add(1)
	for m := c.peak.Load(); n > m && !c.peak.CompareAndSwap(m, n); m = c.peak.Load() {
	}
	time.Sleep(time.Millisecond)
	c.running.Add(-1)
	return nil
}

// errs collects what a pool's error handler receives.
type errs struct {
	mu   sync.Mutex
	list []error
}

func (e *errs) handle(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, err)
}

func (e *errs) all() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]error(nil), e.list...)
}

// poolGoroutines counts the goroutines of the pools named after the test.
func poolGoroutines(t *testing.T) int {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, pprof.Lookup("goroutine").WriteTo(&buf, 1))
	n := 0
	for _, block := range strings.Split(buf.String(), "\n\n") {
		if !strings.Contains(block, `"leakproof.name":"`+t.Name()+`"`) {
			continue
		}
		for _, line := range strings.Split(block, "\n") {
			var count int
			if _, err := fmt.Sscanf(line, "%d @", &count); err == nil {
				n += count
				break
			}
		}
	}
	return n
}

// checkSums asserts that every accepted task is counted exactly once.
func checkSums(t *testing.T, s pool.Stats) {
	t.Helper()
	done := s.Succeeded + s.Failed + s.Panicked + s.Dropped + uint64(s.Running) + uint64(s.Queued)
	assert.Equal(t, s.Submitted, done, "Submitted vs the sum of outcomes in %+v", s)
}

func TestNewPanics(t *testing.T) {
	tests := []struct {
		name string
		f    func()
		msg  string
	}{
		{"zero workers", func() { pool.New(0) }, "pool: workers must be at least 1, got 0"},
		{"negative workers", func() { pool.New(-3) }, "pool: workers must be at least 1, got -3"},
		{"negative queue", func() { pool.WithQueue(-1) }, "pool: queue size must be at least 0, got -1"},
		{"zero idle timeout", func() { pool.WithIdleTimeout(0) }, "pool: idle timeout must be positive, got 0s"},
		{"nil handler", func() { pool.WithErrorHandler(nil) }, "pool: WithErrorHandler called with a nil handler"},
		{"resize to zero", func() { pool.New(1).Resize(0) }, "pool: workers must be at least 1, got 0"},
		{"nil task", func() { _ = pool.New(1).Submit(context.Background(), nil) }, "pool: Submit called with a nil task"},
		{"nil try task", func() { _ = pool.New(1).TrySubmit(nil) }, "pool: TrySubmit called with a nil task"},
		{"nil context", func() { _ = pool.New(1).Submit(nil, noop) }, "pool: Submit called with a nil context"}, //nolint:staticcheck // testing the panic
		{"nil close context", func() { _ = pool.New(1).Close(nil) }, "pool: Close called with a nil context"},   //nolint:staticcheck // testing the panic
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.msg, tt.f)
		})
	}
}

func TestSubmitRunsTasks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(3)
		var ran atomic.Int64
		for range 100 {
			require.NoError(t, p.Submit(t.Context(), func(context.Context) error {
				ran.Add(1)
				return nil
			}))
		}
		require.NoError(t, p.Close(t.Context()))
		assert.EqualValues(t, 100, ran.Load())
		s := p.Stats()
		assert.EqualValues(t, 100, s.Submitted)
		assert.EqualValues(t, 100, s.Succeeded)
		assert.Zero(t, s.Workers)
		checkSums(t, s)
	})
}

func TestSubmitBlocksWhileFull(t *testing.T) {
	for _, queue := range []int{0, 1, 3} {
		t.Run(fmt.Sprintf("queue=%d", queue), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := pool.New(2, pool.WithQueue(queue))
				g := newGate()
				for range 2 + queue {
					require.NoError(t, p.Submit(t.Context(), g.task))
				}
				synctest.Wait()
				assert.EqualValues(t, 2, g.started.Load())
				assert.Equal(t, queue, p.Stats().Queued)

				var err error
				returned := make(chan struct{})
				go func() {
					defer close(returned)
					err = p.Submit(t.Context(), g.task)
				}()
				synctest.Wait()
				select {
				case <-returned:
					t.Fatal("Submit returned while the pool was full")
				default:
				}

				close(g.open)
				<-returned
				require.NoError(t, err)
				require.NoError(t, p.Close(t.Context()))
				assert.EqualValues(t, 3+queue, g.started.Load())
			})
		})
	}
}

func TestSubmitReturnsCauseWhenContextEnds(t *testing.T) {
	cause := errors.New("request abandoned")
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.WithQueue(1))
		g := newGate()
		require.NoError(t, p.Submit(t.Context(), g.task))
		require.NoError(t, p.Submit(t.Context(), g.task))

		ctx, cancel := context.WithCancelCause(t.Context())
		var err error
		returned := make(chan struct{})
		go func() {
			defer close(returned)
			err = p.Submit(ctx, g.task)
		}()
		synctest.Wait()
		cancel(cause)
		<-returned
		require.ErrorIs(t, err, cause)

		// A context already done is refused even with room in the queue.
		close(g.open)
		synctest.Wait()
		require.ErrorIs(t, p.Submit(ctx, g.task), cause)

		require.NoError(t, p.Close(t.Context()))
		s := p.Stats()
		assert.EqualValues(t, 2, s.Rejected)
		assert.EqualValues(t, 2, s.Succeeded)
		checkSums(t, s)
	})
}

func TestSubmitDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.WithQueue(0))
		g := newGate()
		require.NoError(t, p.Submit(t.Context(), g.task))
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		err := p.Submit(ctx, g.task)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, time.Second, time.Since(start))
		close(g.open)
		require.NoError(t, p.Close(t.Context()))
	})
}

func TestTrySubmit(t *testing.T) {
	for _, queue := range []int{0, 2} {
		t.Run(fmt.Sprintf("queue=%d", queue), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := pool.New(2, pool.WithQueue(queue))
				g := newGate()
				for range 2 + queue {
					require.NoError(t, p.TrySubmit(g.task))
				}
				require.ErrorIs(t, p.TrySubmit(g.task), pool.ErrFull)
				synctest.Wait()
				assert.EqualValues(t, 2, g.started.Load())

				close(g.open)
				synctest.Wait()
				require.NoError(t, p.TrySubmit(g.task))
				require.NoError(t, p.Close(t.Context()))
				s := p.Stats()
				assert.EqualValues(t, 3+queue, s.Succeeded)
				assert.EqualValues(t, 1, s.Rejected)
				checkSums(t, s)
			})
		})
	}
}

func TestClosed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.WithQueue(1))
		g := newGate()
		require.NoError(t, p.Submit(t.Context(), g.task))
		require.NoError(t, p.Submit(t.Context(), g.task))

		// A Submit blocked on the full queue returns once Close begins.
		var blocked error
		returned := make(chan struct{})
		go func() {
			defer close(returned)
			blocked = p.Submit(t.Context(), g.task)
		}()
		synctest.Wait()

		closed := make(chan error)
		go func() { closed <- p.Close(t.Context()) }()
		<-returned
		require.ErrorIs(t, blocked, pool.ErrClosed)
		require.ErrorIs(t, p.Submit(t.Context(), noop), pool.ErrClosed)
		require.ErrorIs(t, p.TrySubmit(noop), pool.ErrClosed)

		close(g.open)
		require.NoError(t, <-closed)
		require.NoError(t, p.Close(t.Context()), "a second Close")
		assert.EqualValues(t, 2, g.started.Load())
		s := p.Stats()
		assert.EqualValues(t, 3, s.Rejected)
		checkSums(t, s)
	})
}

func TestCloseRunsQueuedAndLeavesNoGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(4, pool.WithQueue(100), pool.WithName(t.Name()))
		var ran atomic.Int64
		for range 100 {
			require.NoError(t, p.Submit(t.Context(), func(context.Context) error {
				time.Sleep(time.Millisecond)
				ran.Add(1)
				return nil
			}))
		}
		require.NoError(t, p.Close(t.Context()))
		assert.EqualValues(t, 100, ran.Load())
		assert.Zero(t, p.Stats().Workers)
		synctest.Wait() // let the last worker finish returning
		assert.Zero(t, poolGoroutines(t))
	})
}

func TestCloseConcurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(2)
		g := newGate()
		require.NoError(t, p.Submit(t.Context(), g.task))
		results := make(chan error, 3)
		for range 3 {
			go func() { results <- p.Close(t.Context()) }()
		}
		synctest.Wait()
		assert.Empty(t, results, "Close returned before the running task")
		close(g.open)
		for range 3 {
			require.NoError(t, <-results)
		}
	})
}

func TestCloseGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var handled errs
		p := pool.New(2, pool.WithQueue(5), pool.WithErrorHandler(handled.handle))
		type stop struct {
			cause error
			at    time.Time
		}
		stops := make(chan stop, 2)
		running := func(ctx context.Context) error {
			<-ctx.Done()
			cause := context.Cause(ctx)
			time.Sleep(time.Second) // cleaning up
			stops <- stop{cause, time.Now()}
			return ctx.Err()
		}
		require.NoError(t, p.Submit(t.Context(), running))
		require.NoError(t, p.Submit(t.Context(), running))
		var queuedRan atomic.Bool
		for range 5 {
			require.NoError(t, p.Submit(t.Context(), func(context.Context) error {
				queuedRan.Store(true)
				return nil
			}))
		}
		synctest.Wait()

		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		err := p.Close(ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.False(t, queuedRan.Load(), "a dropped task ran")
		require.Len(t, stops, 2, "Close returned before the running tasks")
		for range 2 {
			s := <-stops
			assert.Equal(t, s.at, time.Now(), "Close returned before the running tasks")
			require.ErrorIs(t, s.cause, pool.ErrClosed)
			require.ErrorIs(t, s.cause, context.DeadlineExceeded)
		}

		s := p.Stats()
		assert.EqualValues(t, 5, s.Dropped)
		assert.EqualValues(t, 2, s.Failed)
		assert.Zero(t, s.Workers)
		checkSums(t, s)
		assert.Len(t, handled.all(), 2)
		require.ErrorIs(t, p.Close(t.Context()), nil, "Close after Close gave up")
	})
}

func TestTaskContext(t *testing.T) {
	type key struct{}
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1)
		ctx, cancel := context.WithTimeout(context.WithValue(t.Context(), key{}, "request-42"), time.Second)
		cancel() // the request ends before its task runs: the task still runs

		type seen struct {
			value    any
			err      error
			deadline bool
			cause    error
		}
		got := make(chan seen, 1)
		g := newGate()
		require.NoError(t, p.Submit(t.Context(), g.task)) // so the next task waits
		synctest.Wait()
		ctx2, cancel2 := context.WithCancel(context.WithValue(t.Context(), key{}, "request-43"))
		require.NoError(t, p.Submit(ctx2, func(ctx context.Context) error {
			_, ok := ctx.Deadline()
			got <- seen{ctx.Value(key{}), ctx.Err(), ok, context.Cause(ctx)}
			return nil
		}))
		cancel2()
		close(g.open)
		s := <-got
		assert.Equal(t, "request-43", s.value)
		assert.NoError(t, s.err)
		assert.NoError(t, s.cause)
		assert.False(t, s.deadline)

		require.ErrorIs(t, p.Submit(ctx, noop), context.Canceled, "a done ctx is refused")
		require.NoError(t, p.Close(t.Context()))
	})
}

func TestTaskContextConcurrentSubmitters(t *testing.T) {
	type key struct{}
	p := pool.New(2, pool.WithQueue(8))
	var submitters sync.WaitGroup
	for i := range 8 {
		submitters.Go(func() {
			ctx := context.WithValue(context.Background(), key{}, i)
			for range 200 {
				require.NoError(t, p.Submit(ctx, func(ctx context.Context) error {
					assert.Equal(t, i, ctx.Value(key{}), "a task got another submitter's context")
					return nil
				}))
			}
		})
	}
	submitters.Wait()
	require.NoError(t, p.Close(context.Background()))
	assert.EqualValues(t, 8*200, p.Stats().Succeeded)
}

func TestTaskContextDerived(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1)
		var err, cause error
		require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
			// A context derived from the task's ends when Close gives up.
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			<-ctx.Done()
			err, cause = ctx.Err(), context.Cause(ctx)
			return nil
		}))
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		synctest.Wait()
		require.ErrorIs(t, p.Close(ctx), context.Canceled)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, cause, pool.ErrClosed)
	})
}

func TestTaskContextEndsAfterClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1)
		kept := make(chan context.Context, 1)
		require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
			kept <- ctx
			return nil
		}))
		ctx := <-kept
		synctest.Wait()
		require.NoError(t, ctx.Err(), "the pool is still open")
		require.NoError(t, p.Close(t.Context()))
		require.ErrorIs(t, context.Cause(ctx), pool.ErrClosed)
	})
}

// uncomparableCtx is a context whose dynamic type == cannot compare.
type uncomparableCtx struct {
	context.Context
	tags []string
}

func TestUncomparableContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1)
		for range 3 {
			ctx := uncomparableCtx{Context: t.Context(), tags: []string{"x"}}
			require.NoError(t, p.Submit(ctx, noop))
		}
		require.NoError(t, p.Close(t.Context()))
		assert.EqualValues(t, 3, p.Stats().Succeeded)
	})
}

func TestErrorsReachHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var handled errs
		p := pool.New(2, pool.WithErrorHandler(handled.handle))
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { return errTask }))
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { panic("boom") }))
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { runtime.Goexit(); return nil }))
		require.NoError(t, p.Submit(t.Context(), noop))
		require.NoError(t, p.Close(t.Context()))

		var failed, panicked, exited int
		for _, err := range handled.all() {
			var pe *leakproof.PanicError
			switch {
			case errors.Is(err, errTask):
				failed++
			case errors.As(err, &pe):
				panicked++
				assert.Equal(t, "boom", pe.Value)
				assert.Contains(t, string(pe.Stack), "pool_test.go")
			case errors.Is(err, leakproof.ErrGoexit):
				exited++
			default:
				t.Errorf("unexpected error %v", err)
			}
		}
		assert.Equal(t, []int{1, 1, 1}, []int{failed, panicked, exited})
		s := p.Stats()
		assert.EqualValues(t, 2, s.Failed)
		assert.EqualValues(t, 1, s.Panicked)
		assert.EqualValues(t, 1, s.Succeeded)
		checkSums(t, s)
	})
}

func TestGoexitKeepsQueueMoving(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var handled errs
		p := pool.New(1, pool.WithQueue(10), pool.WithErrorHandler(handled.handle))
		g := newGate()
		require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
			<-g.open
			runtime.Goexit()
			return nil
		}))
		var ran atomic.Int64
		for range 10 {
			require.NoError(t, p.Submit(t.Context(), func(context.Context) error {
				ran.Add(1)
				return nil
			}))
		}
		close(g.open)
		synctest.Wait()
		assert.EqualValues(t, 10, ran.Load(), "queued tasks after a Goexit")
		s := p.Stats()
		assert.Equal(t, 1, s.Workers, "the worker that exited was replaced, once")
		assert.EqualValues(t, 1, s.Failed)
		require.Len(t, handled.all(), 1)
		require.ErrorIs(t, handled.all()[0], leakproof.ErrGoexit)
		require.NoError(t, p.Close(t.Context()))
		checkSums(t, p.Stats())
	})
}

func TestDefaultHandlerLogs(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(old)

	p := pool.New(1, pool.WithName("mailer"))
	require.NoError(t, p.Submit(context.Background(), func(context.Context) error { return errTask }))
	require.NoError(t, p.Submit(context.Background(), func(context.Context) error { panic("boom") }))
	require.NoError(t, p.Close(context.Background()))

	out := buf.String()
	assert.Contains(t, out, `level=ERROR msg="pool: task failed" pool=mailer err="task failed"`)
	assert.Contains(t, out, `level=ERROR msg="pool: task panicked" pool=mailer panic=boom stack=`)
	assert.Contains(t, out, "pool_test.go", "the panic's stack")
}

func TestIdleWorkersExit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(4, pool.WithIdleTimeout(time.Minute), pool.WithName(t.Name()))
		assert.Zero(t, p.Stats().Workers, "a new pool starts no goroutine")
		g := newGate()
		for range 4 {
			require.NoError(t, p.Submit(t.Context(), g.task))
		}
		synctest.Wait()
		close(g.open)
		synctest.Wait()
		assert.Equal(t, 4, p.Stats().Workers)
		assert.Equal(t, 4, poolGoroutines(t))

		time.Sleep(time.Minute - time.Nanosecond)
		synctest.Wait()
		assert.Equal(t, 4, p.Stats().Workers, "workers exited before the idle timeout")

		time.Sleep(time.Minute + time.Nanosecond)
		synctest.Wait()
		assert.Zero(t, p.Stats().Workers)
		assert.Zero(t, poolGoroutines(t))

		// The pool still works, and needs no Close to end up empty.
		require.NoError(t, p.Submit(t.Context(), noop))
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		assert.Zero(t, poolGoroutines(t))
	})
}

func TestBusyWorkersStay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.WithIdleTimeout(time.Second))
		for range 10 {
			require.NoError(t, p.Submit(t.Context(), noop))
			time.Sleep(900 * time.Millisecond)
			synctest.Wait()
			assert.Equal(t, 1, p.Stats().Workers)
		}
		require.NoError(t, p.Close(t.Context()))
	})
}

func TestNestedSubmit(t *testing.T) {
	for _, queue := range []int{0, 1, 8} {
		t.Run(fmt.Sprintf("queue=%d", queue), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := pool.New(2, pool.WithQueue(queue))
				var leaves atomic.Int64
				// Every worker runs a parent that submits children with its
				// own context and waits for them: with the children queued
				// behind the parents, this would never end.
				var parents sync.WaitGroup
				for range 2 + queue {
					parents.Add(1)
					require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
						defer parents.Done()
						var children sync.WaitGroup
						for range 5 {
							children.Add(1)
							err := p.Submit(ctx, func(context.Context) error {
								defer children.Done()
								time.Sleep(time.Millisecond)
								leaves.Add(1)
								return nil
							})
							if err != nil {
								return err
							}
						}
						children.Wait()
						return nil
					}))
				}
				parents.Wait()
				require.NoError(t, p.Close(t.Context()))
				assert.EqualValues(t, 5*(2+queue), leaves.Load())
				checkSums(t, p.Stats())
			})
		})
	}
}

func TestResize(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.WithQueue(10))
		g := newGate()
		for range 6 {
			require.NoError(t, p.Submit(t.Context(), g.task))
		}
		synctest.Wait()
		assert.EqualValues(t, 1, g.started.Load())

		p.Resize(4)
		synctest.Wait()
		assert.EqualValues(t, 4, g.started.Load(), "growing starts queued tasks")
		assert.Equal(t, 4, p.Stats().Running)

		p.Resize(2)
		close(g.open)
		synctest.Wait()
		assert.Equal(t, 2, p.Stats().Workers, "shrinking stops workers above the limit")

		var c concurrency
		for range 20 {
			require.NoError(t, p.Submit(t.Context(), c.task))
		}
		require.NoError(t, p.Close(t.Context()))
		assert.EqualValues(t, 2, c.peak.Load())
	})
}

func TestBoundRespected(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const workers = 3
		p := pool.New(workers, pool.WithQueue(2))
		var c concurrency
		var submitters sync.WaitGroup
		for range 10 {
			submitters.Go(func() {
				for range 20 {
					assert.NoError(t, p.Submit(t.Context(), c.task))
				}
			})
		}
		submitters.Wait()
		require.NoError(t, p.Close(t.Context()))
		assert.EqualValues(t, workers, c.peak.Load())
		s := p.Stats()
		assert.EqualValues(t, 200, s.Succeeded)
		checkSums(t, s)
	})
}

func TestSubmitAllocatesNothing(t *testing.T) {
	p := pool.New(2, pool.WithQueue(1000))
	defer p.Close(context.Background())
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, 1)
	for _, c := range []context.Context{context.Background(), ctx} {
		allocs := testing.AllocsPerRun(1000, func() {
			if err := p.Submit(c, noop); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs)
	}
}

func TestWorkersAreLabelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.WithName("mailer"))
		g := newGate()
		require.NoError(t, p.Submit(t.Context(), g.task))
		synctest.Wait()
		var buf bytes.Buffer
		require.NoError(t, pprof.Lookup("goroutine").WriteTo(&buf, 1))
		assert.Contains(t, buf.String(), `"leakproof.name":"mailer"`)
		close(g.open)
		require.NoError(t, p.Close(t.Context()))
	})
}

func TestNestedSubmitWhileClosing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(2)
		g := newGate()
		var children atomic.Int64
		var late error
		require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
			<-g.open
			// Close has begun: a task may still submit nested tasks.
			for range 3 {
				if err := p.Submit(ctx, func(context.Context) error {
					children.Add(1)
					return nil
				}); err != nil {
					return err
				}
			}
			<-ctx.Done()
			// Close has given up: now nested tasks are refused too.
			late = p.Submit(ctx, noop)
			return nil
		}))
		synctest.Wait()

		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		closed := make(chan error)
		go func() { closed <- p.Close(ctx) }()
		synctest.Wait()
		require.ErrorIs(t, p.Submit(t.Context(), noop), pool.ErrClosed)
		close(g.open)
		require.ErrorIs(t, <-closed, context.DeadlineExceeded)
		assert.EqualValues(t, 3, children.Load())
		require.ErrorIs(t, late, pool.ErrClosed)
		checkSums(t, p.Stats())
	})
}

func TestQueueKeepsEveryTask(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const workers, queue = 4, 2
		p := pool.New(workers, pool.WithQueue(queue))
		g := newGate()
		for range workers {
			require.NoError(t, p.Submit(t.Context(), g.task))
		}
		synctest.Wait()
		close(g.open)
		synctest.Wait() // every worker idle

		// A burst, mostly before the woken workers run: the queue fills
		// while workers are on their way, and the last idle one is handed
		// the oldest task, the new one taking its place in the queue.
		var ran [workers + queue]atomic.Int64
		for i := range ran {
			require.NoError(t, p.TrySubmit(func(context.Context) error {
				ran[i].Add(1)
				return nil
			}))
		}
		require.NoError(t, p.Close(t.Context()))
		for i := range ran {
			assert.EqualValues(t, 1, ran[i].Load(), "task %d", i)
		}
		s := p.Stats()
		assert.Zero(t, s.Panicked)
		checkSums(t, s)
	})
}

func TestResizeWakesEveryWaitingSubmit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.WithQueue(0))
		g := newGate()
		require.NoError(t, p.Submit(t.Context(), g.task))
		var waiting sync.WaitGroup
		for range 3 {
			waiting.Go(func() { assert.NoError(t, p.Submit(t.Context(), g.task)) })
		}
		synctest.Wait()
		assert.EqualValues(t, 1, g.started.Load())

		// Room for three more: each blocked Submit gets a worker, not just
		// the first one woken.
		p.Resize(4)
		synctest.Wait()
		assert.EqualValues(t, 4, g.started.Load(), "Submits left waiting while workers were free")
		close(g.open)
		waiting.Wait()
		require.NoError(t, p.Close(t.Context()))
	})
}

func TestHandlerGoexit(t *testing.T) {
	for _, task := range []struct {
		name string
		f    func(context.Context) error
	}{
		{"error", func(context.Context) error { return errTask }},
		{"panic", func(context.Context) error { panic("boom") }},
		{"goexit", func(context.Context) error { runtime.Goexit(); return nil }},
	} {
		t.Run(task.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// A handler that calls t.FailNow from a worker, say.
				p := pool.New(1, pool.WithQueue(0), pool.WithErrorHandler(func(error) { runtime.Goexit() }))
				require.NoError(t, p.Submit(t.Context(), task.f))
				synctest.Wait()

				var ran atomic.Bool
				require.NoError(t, p.Submit(t.Context(), func(context.Context) error {
					ran.Store(true)
					return nil
				}))
				closed := make(chan error, 1)
				go func() { closed <- p.Close(t.Context()) }()
				synctest.Wait()
				assert.True(t, ran.Load(), "the task after the handler exited did not run")
				require.Len(t, closed, 1, "Close did not return")
				require.NoError(t, <-closed)
				s := p.Stats()
				assert.EqualValues(t, 1, s.Succeeded)
				assert.Zero(t, s.Workers)
				checkSums(t, s)
			})
		})
	}
}

func TestForgetsFinishedRequestContext(t *testing.T) {
	type key struct{}
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.WithIdleTimeout(time.Second))
		var value weak.Pointer[[64]byte]
		func() {
			v := new([64]byte)
			value = weak.Make(v)
			ctx, cancel := context.WithCancel(context.WithValue(t.Context(), key{}, v))
			defer cancel() // the request ends
			require.NoError(t, p.Submit(ctx, noop))
		}()
		// The pool stays in use, by tasks that carry no request.
		for range 6 {
			time.Sleep(500 * time.Millisecond)
			require.NoError(t, p.Submit(context.Background(), noop))
		}
		synctest.Wait()
		assert.Equal(t, 1, p.Stats().Workers)
		runtime.GC()
		assert.Nil(t, value.Value(), "the pool keeps a finished request's values alive")
		require.NoError(t, p.Close(t.Context()))
	})
}

// TestStatsAlwaysAddUp samples Stats while submitters, batches, Resize and
// a Close that gives up all run at once, with tasks that fail, panic, call
// runtime.Goexit, submit nested tasks or hold their worker until Close
// cancels them: in every snapshot each accepted task is counted exactly
// once, and no cumulative counter goes back. It runs on real time, to let
// the race detector and the scheduler shake the pool.
func TestStatsAlwaysAddUp(t *testing.T) {
	p := pool.New(3, pool.WithQueue(2), pool.WithIdleTimeout(time.Millisecond), pool.WithErrorHandler(func(error) {}))
	tasks := []func(context.Context) error{
		noop,
		func(context.Context) error { return errTask },
		func(context.Context) error { panic("boom") },
		func(context.Context) error { runtime.Goexit(); return nil },
		func(ctx context.Context) error { return p.Submit(ctx, noop) },
		func(ctx context.Context) error {
			g := p.Group(ctx)
			g.Go(noop)
			g.Go(func(context.Context) error { return errTask })
			_ = g.Wait()
			return nil
		},
		func(ctx context.Context) error {
			select {
			case <-ctx.Done(): // Close gave up
			case <-time.After(time.Millisecond):
			}
			return nil
		},
	}

	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		var last pool.Stats
		for {
			s := p.Stats()
			checkSums(t, s)
			for _, c := range [][2]uint64{
				{last.Submitted, s.Submitted}, {last.Rejected, s.Rejected}, {last.Succeeded, s.Succeeded},
				{last.Failed, s.Failed}, {last.Panicked, s.Panicked}, {last.Dropped, s.Dropped},
			} {
				assert.LessOrEqual(t, c[0], c[1], "a cumulative counter went back: %+v then %+v", last, s)
			}
			last = s
			select {
			case <-stop:
				return
			default:
				runtime.Gosched()
			}
		}
	})

	var submitters sync.WaitGroup
	for i := range 6 {
		submitters.Go(func() {
			for j := 0; ; j++ {
				task := tasks[(i+j)%len(tasks)]
				var err error
				switch j % 4 {
				case 0:
					err = p.TrySubmit(task)
				case 1:
					g := p.Group(context.Background())
					g.Go(noop)
					g.Go(task)
					err = waitRecover(g)
				case 2:
					p.Resize(1 + (i+j)%4)
				default:
					err = p.Submit(context.Background(), task)
				}
				if errors.Is(err, pool.ErrClosed) {
					return
				}
			}
		})
	}
	for p.Stats().Submitted < 2000 {
		runtime.Gosched()
	}
	var patient error
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		patient = p.Close(context.Background())
	}()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Close(ctx); err != nil { // nil if the other Close was done first
		require.ErrorIs(t, err, context.Canceled)
	}
	<-closed
	require.NoError(t, patient, "a Close that waits as long as it takes")
	submitters.Wait()
	close(stop)
	sampler.Wait()

	s := p.Stats()
	checkSums(t, s)
	assert.Zero(t, s.Running+s.Queued+s.Workers, "%+v", s)
}

// waitRecover returns what g.Wait returns or re-panics with.
func waitRecover(g *group.Group) (err error) {
	defer func() {
		if pe, ok := recover().(*leakproof.PanicError); ok {
			err = pe
		}
	}()
	return g.Wait()
}
