package pipe

import (
	"context"
	"sync/atomic"
)

// Map returns the sequence of f applied to each item of in.
//
// With Workers(n), n calls of f run at once, each with a context that ends
// when the sequence does: at the end of the loop, or at the error or panic
// that ends it. Results keep input order unless Unordered is given. With
// one worker, the default, f runs in the goroutine that ranges, with ctx.
//
// An error, from in or f, ends the sequence. In order, it takes the place of
// its item, after all the items before it, exactly as with one worker, and
// items after it are not worked on once it is known; unordered, it comes as
// soon as it happens. The end of ctx ends the sequence at once with
// context.Cause(ctx). A panic in f is re-raised in the goroutine that
// ranges, as a *leakproof.PanicError, once the stage's goroutines have
// exited; a call to runtime.Goexit in f on a worker ends the sequence with
// an error wrapping leakproof.ErrGoexit.
func Map[T, U any](ctx context.Context, in Seq[T], f func(context.Context, T) (U, error), opts ...Option) Seq[U] {
	check(ctx, in, f == nil, "Map")
	return stage(ctx, in, func(ctx context.Context, v T) (U, bool, error) {
		u, err := f(ctx, v)
		return u, true, err
	}, newConfig(opts))
}

// Filter returns the items of in for which f reports true. It runs f as Map
// does, with the same options, and keeps input order unless Unordered is
// given.
func Filter[T any](ctx context.Context, in Seq[T], f func(context.Context, T) (bool, error), opts ...Option) Seq[T] {
	check(ctx, in, f == nil, "Filter")
	return stage(ctx, in, func(ctx context.Context, v T) (T, bool, error) {
		keep, err := f(ctx, v)
		return v, keep, err
	}, newConfig(opts))
}

// FlatMap returns the items of the slices f returns for each item of in. It
// runs f as Map does, with the same options; in order, each slice comes out
// whole, in the position of the item it was made from.
func FlatMap[T, U any](ctx context.Context, in Seq[T], f func(context.Context, T) ([]U, error), opts ...Option) Seq[U] {
	check(ctx, in, f == nil, "FlatMap")
	slices := Map(ctx, in, f, opts...)
	return func(yield func(U, error) bool) {
		for us, err := range slices {
			if err != nil {
				yieldErr(yield, err)
				return
			}
			for _, u := range us {
				if !yield(u, nil) {
					return
				}
			}
		}
	}
}

// check panics on the programmer errors every stage shares.
func check[T any](ctx context.Context, in Seq[T], nilFunc bool, name string) {
	switch {
	case ctx == nil:
		panic("pipe: " + name + " called with a nil context")
	case in == nil:
		panic("pipe: " + name + " called with a nil Seq")
	case nilFunc:
		panic("pipe: " + name + " called with a nil function")
	}
}

// stage returns the sequence of f's kept results for the items of in:
// computed in the ranging goroutine with one worker, else by goroutines.
func stage[T, U any](ctx context.Context, in Seq[T], f func(context.Context, T) (U, bool, error), cfg config) Seq[U] {
	if cfg.workers == 1 {
		return inline(ctx, in, f)
	}
	l := cfg.labels(ctx)
	return func(yield func(U, error) bool) {
		r := newRun(ctx, l)
		defer r.stop()
		switch {
		case ctx.Err() != nil:
			yieldErr(yield, r.end())
		case cfg.unordered:
			unordered(r, in, f, cfg.workers, yield)
		default:
			ordered(r, in, f, cfg.workers, cfg.window, yield)
		}
	}
}

// inline runs f in the goroutine that ranges: a stage of one worker needs
// no goroutine, and costs no more than a plain loop.
func inline[T, U any](ctx context.Context, in Seq[T], f func(context.Context, T) (U, bool, error)) Seq[U] {
	return func(yield func(U, error) bool) {
		if ctx.Err() != nil {
			yieldErr(yield, context.Cause(ctx))
			return
		}
		// A panic in f or upstream comes out as a *leakproof.PanicError, as
		// it does from a stage with several workers, once the stages
		// upstream have stopped on its way out; a panic in the loop body
		// goes on as it is.
		inBody := false
		defer func() {
			if !inBody {
				if v := recover(); v != nil {
					panic(panicError(v))
				}
			}
		}()
		done := ctx.Done()
		for v, err := range in {
			var u U
			keep := false
			switch {
			case err != nil:
			case isDone(done):
				err = context.Cause(ctx)
			default:
				u, keep, err = f(ctx, v)
				if err == nil && isDone(done) {
					// Cancelled during the call: as with several
					// workers, the result is not delivered.
					err = context.Cause(ctx)
				}
			}
			inBody = true
			if err != nil {
				yieldErr(yield, causeOf(ctx, err))
				return
			}
			if keep && !yield(u, nil) {
				return
			}
			inBody = false
		}
		if isDone(done) {
			yieldErr(yield, context.Cause(ctx))
		}
	}
}

// unordered runs f on n workers fed by a goroutine that ranges over in, and
// yields the kept results as they arrive. The first error, from in or f,
// ends the sequence as soon as it happens.
func unordered[T, U any](r *run, in Seq[T], f func(context.Context, T) (U, bool, error), n int, yield func(U, error) bool) {
	// The buffers let the feeder and workers run ahead a little instead of
	// handing over each item in lockstep; they hold at most 8 items per
	// worker each.
	jobs := make(chan T, 8*n)
	results := make(chan item[U], 8*n)
	r.goroutine(func() error {
		return pump(r, in, func(v T, err error) error {
			if err != nil {
				return err
			}
			return Send(r.ctx, jobs, v)
		})
	}, func() { close(jobs) })
	var live atomic.Int64
	live.Store(int64(n))
	for range n {
		r.goroutine(func() error {
			done := r.ctx.Done()
			for v := range jobs {
				if isDone(done) {
					return context.Cause(r.ctx)
				}
				u, keep, err := f(r.ctx, v)
				if err != nil {
					return err
				}
				if keep {
					if err := Send(r.ctx, results, item[U]{v: u}); err != nil {
						return err
					}
				}
			}
			return nil
		}, func() {
			if live.Add(-1) == 0 {
				close(results)
			}
		})
	}
	emitAll(r, results, yield)
}

// An item is a pair of a sequence on its way through a channel.
type item[T any] struct {
	v   T
	err error
}

// pump calls each for every pair of in, in the goroutine that runs it,
// until in ends, each fails, or the run stops. It checks the run with every
// pair, so that once the run stops the stages upstream stop at their next
// item instead of running user code for items nobody receives.
func pump[T any](r *run, in Seq[T], each func(T, error) error) error {
	done := r.ctx.Done()
	for v, err := range in {
		if isDone(done) {
			return context.Cause(r.ctx)
		}
		if err := each(v, err); err != nil {
			return err
		}
	}
	return nil
}

// forward returns the each of a pump that passes pairs on over out.
func forward[T any](r *run, out chan<- item[T]) func(T, error) error {
	return func(v T, err error) error { return Send(r.ctx, out, item[T]{v, err}) }
}

// emitAll yields the pairs that arrive on ch, in order, until an error
// arrives or the run's goroutines close ch, then ends the sequence with
// that error or the run's. It stops early once the run's context ends,
// without yielding what is still buffered.
func emitAll[T any](r *run, ch <-chan item[T], yield func(T, error) bool) {
	done := r.ctx.Done()
	var err error
	for it := range ch {
		if isDone(done) {
			break
		}
		if it.err != nil {
			err = it.err
			break
		}
		if !yield(it.v, nil) {
			return
		}
	}
	if e := r.end(); e != nil {
		err = e
	}
	if err != nil {
		yieldErr(yield, err)
	}
}
