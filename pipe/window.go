package pipe

import (
	"context"
	"math"
	"sync/atomic"
)

// A job is an item of an ordered stage with its position in the input.
type job[T any] struct {
	seq uint64
	v   T
}

// A slot holds the outcome for one item in the reorder window.
type slot[U any] struct {
	seq  atomic.Uint64 // position+1 of the item whose outcome it holds; 0 when never filled
	v    U
	keep bool
	err  error
}

// A window is the reorder buffer of an ordered stage: a ring of result
// slots indexed by input position, reused lap after lap, so that an item
// costs no allocation and no channel of its own. Workers fill slots in any
// order; the ranging goroutine empties them in order; the feeder hands out a
// position only once its slot has been emptied.
//
// Each side that must wait publishes what it waits for, re-checks, and then
// sleeps on a one-token channel; the side that makes progress checks what
// is published and leaves a token. Go's atomics are sequentially consistent,
// so one of the two always sees the other and no wake-up is lost.
type window[U any] struct {
	slots    []slot[U]
	emitted  atomic.Uint64 // results the ranging goroutine has taken
	total    atomic.Uint64 // number of items+1 once the input has ended; 0 before
	inErr    error         // the input's error, set before total
	failed   atomic.Uint64 // lowest position whose function failed; MaxUint64 if none
	awaiting atomic.Uint64 // position+1 the ranging goroutine last waited for
	blocked  atomic.Uint64 // emitted count the feeder waits for; 0 when it does not
	consumer chan struct{} // wakes the ranging goroutine
	feeder   chan struct{} // wakes the feeder
}

// ordered runs f on n workers fed by a goroutine that ranges over in, and
// yields the kept results in input order, with up to size items in flight.
//
// An error, from in or f, takes the place of its item: the items before it
// come first, and nothing after it is worked on once it is known, so the
// output is what one worker would give. Only panics and the end of the
// context stop the stage at once.
func ordered[T, U any](r *run, in Seq[T], f func(context.Context, T) (U, bool, error), n, size int, yield func(U, error) bool) {
	w := &window[U]{
		slots:    make([]slot[U], size),
		consumer: make(chan struct{}, 1),
		feeder:   make(chan struct{}, 1),
	}
	w.failed.Store(math.MaxUint64)
	// The window already bounds the items in flight; the channel only
	// needs to hold them.
	jobs := make(chan job[T], size)
	r.goroutine(func() error {
		done := r.ctx.Done()
		var seq uint64
		for v, err := range in {
			switch {
			case isDone(done):
				return context.Cause(r.ctx)
			case err != nil:
				w.end(seq, err)
				return nil
			case seq > w.failed.Load():
				return nil // the output ends at an earlier item
			}
			if err := w.reserve(r.ctx, seq); err != nil {
				return err
			}
			if err := Send(r.ctx, jobs, job[T]{seq, v}); err != nil {
				return err
			}
			seq++
		}
		w.end(seq, nil)
		return nil
	}, func() { close(jobs) })
	for range n {
		r.goroutine(func() error {
			done := r.ctx.Done()
			for j := range jobs {
				if isDone(done) {
					return context.Cause(r.ctx)
				}
				if j.seq > w.failed.Load() {
					continue
				}
				u, keep, err := f(r.ctx, j.v)
				if err != nil {
					w.fail(j.seq)
				}
				w.put(j.seq, u, keep, err)
			}
			return nil
		}, nil)
	}

	done := r.ctx.Done()
	var err error
	for next := uint64(0); w.await(done, next); next++ {
		s := &w.slots[next%uint64(len(w.slots))]
		u, keep := s.v, s.keep
		err = s.err
		var zero U
		s.v, s.err = zero, nil // the slot must not keep the result alive
		w.release(next + 1)
		if err != nil || isDone(done) {
			break
		}
		if keep && !yield(u, nil) {
			return
		}
	}
	if e := r.end(); e != nil {
		err = e
	} else if err == nil {
		err = w.inErr
	}
	if err != nil {
		yieldErr(yield, causeOf(r.parent, err))
	}
}

// end records that the input ended after n items, with err.
func (w *window[U]) end(n uint64, err error) {
	w.inErr = err
	w.total.Store(n + 1)
	wake(w.consumer)
}

// fail records that the function failed for position seq.
func (w *window[U]) fail(seq uint64) {
	for {
		f := w.failed.Load()
		if seq >= f || w.failed.CompareAndSwap(f, seq) {
			return
		}
	}
}

// reserve waits until position seq has a free slot.
func (w *window[U]) reserve(ctx context.Context, seq uint64) error {
	size := uint64(len(w.slots))
	if seq < w.emitted.Load()+size {
		return nil
	}
	need := seq - size + 1
	w.blocked.Store(need)
	defer w.blocked.Store(0)
	for w.emitted.Load() < need {
		select {
		case <-w.feeder:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}

// put stores the outcome for position seq.
func (w *window[U]) put(seq uint64, u U, keep bool, err error) {
	s := &w.slots[seq%uint64(len(w.slots))]
	s.v, s.keep, s.err = u, keep, err
	s.seq.Store(seq + 1)
	if w.awaiting.Load() == seq+1 {
		wake(w.consumer)
	}
}

// await waits until the outcome for position next is in its slot and
// reports true, or reports false once the input has ended before next or
// done is closed.
func (w *window[U]) await(done <-chan struct{}, next uint64) bool {
	s := &w.slots[next%uint64(len(w.slots))]
	for {
		if s.seq.Load() == next+1 {
			return true
		}
		if t := w.total.Load(); t != 0 && next+1 >= t {
			return false
		}
		if w.awaiting.Load() != next+1 {
			// Publish, then check again before sleeping.
			w.awaiting.Store(next + 1)
			continue
		}
		select {
		case <-w.consumer:
		case <-done:
			return false
		}
	}
}

// release records that the first n results have been taken, freeing their
// slots.
func (w *window[U]) release(n uint64) {
	w.emitted.Store(n)
	if b := w.blocked.Load(); b != 0 && n >= b {
		wake(w.feeder)
	}
}

// wake leaves a token on ch unless one is already there.
func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
