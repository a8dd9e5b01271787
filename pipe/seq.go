package pipe

import (
	"context"
	"iter"
)

// Seq is a sequence of items that may fail: ranging over it yields
// (item, nil) pairs and, if something goes wrong, one (zero, err) pair
// last. Every Seq of this package starts its work when it is ranged and has
// stopped it when the range loop ends; it can be ranged again, which runs
// the pipeline again from its sources.
type Seq[T any] = iter.Seq2[T, error]

// FromSlice returns the items of s, in order.
func FromSlice[T any](s []T) Seq[T] {
	return func(yield func(T, error) bool) {
		for _, v := range s {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// FromSeq returns the items of s, which runs in the goroutine that ranges.
func FromSeq[T any](s iter.Seq[T]) Seq[T] {
	if s == nil {
		panic("pipe: FromSeq called with a nil iter.Seq")
	}
	return func(yield func(T, error) bool) {
		for v := range s {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// FromChan returns the values received from ch until ch is closed. If ctx
// ends first, the sequence ends with context.Cause(ctx). Ranging again
// goes on receiving where the last loop stopped.
//
// FromChan receives in the goroutine that ranges, so a stage downstream
// that stops early (a failing worker of a ForEach, say) is stuck until a
// value arrives or ctx ends: cancel ctx when the pipeline fails, as the
// Example shows. FromChan panics if ch is nil, which would never yield.
func FromChan[T any](ctx context.Context, ch <-chan T) Seq[T] {
	switch {
	case ctx == nil:
		panic("pipe: FromChan called with a nil context")
	case ch == nil:
		panic("pipe: FromChan called with a nil channel")
	}
	return func(yield func(T, error) bool) {
		for {
			// Recv takes a waiting value even once ctx is done: check
			// first, so that a channel that is never empty cannot keep
			// the loop going.
			if ctx.Err() != nil {
				yieldErr(yield, context.Cause(ctx))
				return
			}
			v, err := Recv(ctx, ch)
			if err == ErrClosed {
				return
			}
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}

// Generate returns the items f passes to emit. f runs in the goroutine
// that ranges, each time the sequence is ranged, and emit runs the loop's
// body, so a generator is as cheap as a loop and needs no goroutine.
//
// emit returns an error once nobody will receive: after the loop has
// stopped, or when ctx has ended. f must then return; whatever it returns
// is dropped. If ctx ends, the sequence ends with context.Cause(ctx);
// otherwise an error f returns ends it, and f returning nil ends it
// cleanly. The ctx passed to f ends when the loop stops, so that
// goroutines f started can stop too.
//
// Call emit only from the goroutine running f, never after f has returned:
// to produce from several goroutines, send to a channel and range over
// FromChan, or Merge several sequences. A stage downstream that stops early
// while f waits on something other than emit (a network read, say) waits
// for f: let ctx end when the pipeline fails, as the Example shows.
//
// A panic in f is re-raised as a *leakproof.PanicError; a panic in the
// loop's body, which runs inside emit, passes through f unchanged.
func Generate[T any](ctx context.Context, f func(ctx context.Context, emit func(T) error) error) Seq[T] {
	if ctx == nil {
		panic("pipe: Generate called with a nil context")
	}
	if f == nil {
		panic("pipe: Generate called with a nil function")
	}
	return func(yield func(T, error) bool) {
		if ctx.Err() != nil {
			yieldErr(yield, context.Cause(ctx))
			return
		}
		fctx, cancel := context.WithCancelCause(ctx)
		defer cancel(errStopped)
		var (
			done     = ctx.Done()
			stopped  bool  // nobody receives any more
			ended    error // why the sequence ended early, if not a break
			inBody   bool  // a panic now is the loop body's, not f's
			returned bool
		)
		emit := func(v T) error {
			switch {
			case stopped || inBody:
				return errStopped
			case isDone(done):
				stopped, ended = true, context.Cause(ctx)
				return ended
			}
			inBody = true
			more := yield(v, nil)
			inBody = false
			if !more {
				stopped = true
				cancel(errStopped)
				return errStopped
			}
			return nil
		}
		defer func() {
			// Not recovering lets the loop body's panics, and
			// runtime.Goexit, go on unchanged.
			if !returned && !inBody {
				if v := recover(); v != nil {
					panic(panicError(v))
				}
			}
		}()
		err := f(fctx, emit)
		returned = true
		wasStopped := stopped
		stopped = true // emit after f returned must not yield
		switch {
		case ended != nil:
			yieldErr(yield, ended)
		case wasStopped:
		case err != nil:
			yieldErr(yield, causeOf(ctx, err))
		case ctx.Err() != nil:
			// f may have returned early because its ctx ended.
			yieldErr(yield, context.Cause(ctx))
		}
	}
}
