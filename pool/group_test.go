package pool_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/group"
	"github.com/leakproof/leakproof/pool"
)

func TestGroupFirstErrorCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(4)
		g := p.Group(t.Context())
		var causes atomic.Int64
		for range 3 {
			g.Go(func(ctx context.Context) error {
				<-ctx.Done()
				if errors.Is(context.Cause(ctx), errTask) {
					causes.Add(1)
				}
				return ctx.Err()
			})
		}
		g.Go(func(context.Context) error {
			time.Sleep(time.Second)
			return errTask
		})
		require.ErrorIs(t, g.Wait(), errTask)
		assert.EqualValues(t, 3, causes.Load(), "the other tasks saw the first error as their cause")
		require.NoError(t, p.Close(t.Context()))
	})
}

func TestGroupPanicReraised(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var handled errs
		p := pool.New(2, pool.WithErrorHandler(handled.handle))
		g := p.Group(t.Context())
		g.Go(func(context.Context) error { panic("boom") })
		g.Go(func(ctx context.Context) error {
			<-ctx.Done()
			return nil
		})
		var pe *leakproof.PanicError
		func() {
			defer func() { pe, _ = recover().(*leakproof.PanicError) }()
			_ = g.Wait()
		}()
		require.NotNil(t, pe, "Wait re-raises the panic")
		assert.Equal(t, "boom", pe.Value)
		assert.Empty(t, handled.all(), "the batch's Wait reports it, not the pool")
		require.NoError(t, p.Close(t.Context()))
	})
}

func TestGroupRunsOnPoolWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(2, pool.WithQueue(1))
		g := p.Group(t.Context(), group.WithLimit(10))
		var c concurrency
		for range 20 {
			g.Go(c.task)
		}
		require.NoError(t, g.Wait())
		assert.EqualValues(t, 2, c.peak.Load(), "the pool's bound holds for a batch")
		require.NoError(t, p.Close(t.Context()))
		assert.EqualValues(t, 20, p.Stats().Succeeded)
	})
}

func TestGroupWaitReturnsWhenCloseGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.WithQueue(10))
		g := p.Group(t.Context())
		var ran atomic.Int64
		g.Go(func(ctx context.Context) error {
			ran.Add(1)
			<-ctx.Done()
			return ctx.Err()
		})
		for range 5 {
			g.Go(func(context.Context) error {
				ran.Add(1)
				return nil
			})
		}
		synctest.Wait()

		waited := make(chan error)
		go func() { waited <- g.Wait() }()
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		require.ErrorIs(t, p.Close(ctx), context.DeadlineExceeded)
		require.Error(t, <-waited, "the batch's Wait returns, with the running task's error")
		assert.EqualValues(t, 1, ran.Load(), "queued tasks of the batch did not run")
		assert.EqualValues(t, 5, p.Stats().Dropped, "%+v", p.Stats())
	})
}

func TestGroupOnlyQueuedWhenCloseGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.WithQueue(10))
		gate := newGate()
		require.NoError(t, p.Submit(t.Context(), func(ctx context.Context) error {
			<-ctx.Done() // holds the only worker until Close gives up
			<-gate.open
			return nil
		}))
		synctest.Wait()
		g := p.Group(t.Context())
		for range 3 {
			g.Go(noop)
		}
		waited := make(chan error)
		go func() { waited <- g.Wait() }()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		closed := make(chan error)
		go func() { closed <- p.Close(ctx) }()
		// The batch's Wait returns although none of its tasks ran, and
		// says why.
		err := <-waited
		require.ErrorIs(t, err, pool.ErrClosed)
		require.ErrorIs(t, err, context.Canceled)
		close(gate.open)
		require.ErrorIs(t, <-closed, context.Canceled)
		assert.EqualValues(t, 3, p.Stats().Dropped)
	})
}

func TestGroupAfterClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1)
		require.NoError(t, p.Close(t.Context()))
		g := p.Group(t.Context())
		g.Go(noop)
		require.ErrorIs(t, g.Wait(), pool.ErrClosed)
	})
}

func TestNestedGroup(t *testing.T) {
	for _, queue := range []int{0, 2} {
		t.Run(fmt.Sprintf("queue=%d", queue), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := pool.New(2, pool.WithQueue(queue))
				outer := p.Group(t.Context())
				var leaves atomic.Int64
				// Every worker runs a task that waits for a batch of its own.
				for range 2 + queue {
					outer.Go(func(ctx context.Context) error {
						g := p.Group(ctx)
						for range 4 {
							g.Go(func(context.Context) error {
								time.Sleep(time.Millisecond)
								leaves.Add(1)
								return nil
							})
						}
						return g.Wait()
					})
				}
				require.NoError(t, outer.Wait())
				assert.EqualValues(t, 4*(2+queue), leaves.Load())
				require.NoError(t, p.Close(t.Context()))
			})
		})
	}
}

func TestGroupTryGoNeverBlocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := pool.New(1, pool.WithQueue(0))
		release := make(chan struct{})
		require.NoError(t, p.Submit(t.Context(), func(context.Context) error { <-release; return nil }))

		g := p.Group(t.Context())
		ran := 0
		task := func(context.Context) error { ran++; return nil }
		assert.False(t, g.TryGo(task), "TryGo took a task while the only worker was busy")

		close(release)
		synctest.Wait() // the worker is idle again
		assert.True(t, g.TryGo(task))
		require.NoError(t, g.Wait())
		assert.Equal(t, 1, ran)
		require.NoError(t, p.Close(t.Context()))
	})
}

func TestGroupGoexitReportedOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var handled errs
		p := pool.New(1, pool.WithErrorHandler(handled.handle))
		g := p.Group(t.Context())
		g.Go(func(context.Context) error { runtime.Goexit(); return nil })
		require.ErrorIs(t, g.Wait(), leakproof.ErrGoexit)
		require.NoError(t, p.Close(t.Context()))
		assert.Empty(t, handled.all(), "the batch's Wait reports it, not the pool")
		checkSums(t, p.Stats())
	})
}
