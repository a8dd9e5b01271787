package pipe

import (
	"context"
	"errors"
	"runtime/debug"
	"sync"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/internal/labels"
)

// errStopped is the cause a run's context is cancelled with when its range
// loop ends, so user code still running then sees why its context ended, and
// the error emit returns once nobody will receive.
var errStopped = errors.New("pipe: the loop over the sequence has ended")

// A run is what one range loop over a concurrent stage shares with the
// goroutines it starts: a context that ends when the loop stops or anything
// fails, and the first failure. Only the ranging goroutine calls end and stop.
type run struct {
	parent context.Context // the stage's ctx, whose cause a cancellation reports
	ctx    context.Context
	cancel context.CancelCauseFunc
	labels labels.Set
	wg     sync.WaitGroup
	done   bool // stop has run

	mu      sync.Mutex
	stopped bool // the outcome is settled; later failures are echoes
	err     error
	panic   *leakproof.PanicError
}

func newRun(ctx context.Context, l labels.Set) *run {
	r := &run{parent: ctx, labels: l}
	r.ctx, r.cancel = context.WithCancelCause(ctx)
	return r
}

// goroutine runs f on a new goroutine of the run, records how f ended (an
// error, a panic, or runtime.Goexit) and then calls then, if not nil. A
// failure is recorded before then runs, so whoever then signals sees it.
func (r *run) goroutine(f func() error, then func()) {
	r.wg.Go(func() {
		r.labels.Apply()
		var err error
		returned := false
		defer func() {
			// Only a panic is re-raised, never an error that happens to
			// be a *leakproof.PanicError.
			if returned {
				if err != nil {
					r.fail(err)
				}
			} else if v := recover(); v != nil {
				r.panicked(panicError(v))
			} else {
				r.fail(leakproof.ErrGoexit)
			}
			if then != nil {
				then()
			}
		}()
		err = f()
		returned = true
	})
}

// fail records err if it is the run's first failure and cancels the run with
// it; once the outcome is settled, a failure is an echo of what settled it.
func (r *run) fail(err error) {
	err = causeOf(r.parent, err)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil && !r.stopped {
		r.err = err
		r.cancel(err)
	}
}

// panicked records pe, if it is the run's first panic, to be re-raised
// by stop: unlike other failures, also once the outcome is settled, so
// that it is not lost. It fails the run with pe.
func (r *run) panicked(pe *leakproof.PanicError) {
	r.mu.Lock()
	if r.panic == nil {
		r.panic = pe
	}
	r.mu.Unlock()
	r.fail(pe)
}

// end settles a run whose loop has seen its goroutines finish or its context
// end, and returns the error the sequence ends with: the first failure, or
// the cause of the context's end.
func (r *run) end() error {
	if r.ctx.Err() != nil {
		r.fail(context.Cause(r.ctx))
	}
	return r.stop()
}

// stop settles the run's outcome, cancels its context, waits for all its
// goroutines, and returns the first failure. If one of them panicked, stop
// panics with that *leakproof.PanicError instead, now that nothing of the
// run is left. Calls after the first do nothing.
func (r *run) stop() error {
	if r.done {
		return nil
	}
	r.done = true
	r.mu.Lock()
	r.stopped = true
	err := r.err
	r.mu.Unlock()
	r.cancel(errStopped)
	r.wg.Wait()
	if r.panic != nil {
		panic(r.panic)
	}
	return err
}

// panicError returns v, recovered from a panic, as a *leakproof.PanicError.
// One that v already is, re-raised by a stage upstream or by a pipeline
// ranged inside user code, is passed on as it is. Call it from the deferred
// function that recovered v, so that the stack is the panicking one.
func panicError(v any) *leakproof.PanicError {
	if pe, ok := v.(*leakproof.PanicError); ok {
		return pe
	}
	return &leakproof.PanicError{Value: v, Stack: debug.Stack()}
}

// causeOf returns the cause of ctx's end in place of an error that only
// reports that end, such as ctx.Err() returned by user code, so that a
// cancelled sequence always ends with context.Cause(ctx).
func causeOf(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	if _, ok := err.(*leakproof.PanicError); ok {
		return err
	}
	if errors.Is(err, ctx.Err()) {
		return context.Cause(ctx)
	}
	return err
}

// isDone reports whether done is closed, without blocking.
func isDone(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// yieldErr ends a sequence with err.
func yieldErr[T any](yield func(T, error) bool, err error) {
	var zero T
	yield(zero, err)
}
