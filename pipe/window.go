package pipe

import (
	"context"
	"sync/atomic"
)

// A job is an item of an ordered stage with its position in the input.
type job[T any] struct {
	seq uint64
	v   T
}

// A slot holds the result of one item in the reorder window.
type slot[U any] struct {
	seq  atomic.Uint64 // position+1 of the item whose result it holds; 0 when never filled
	v    U
	keep bool
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
	awaiting atomic.Uint64 // position+1 the ranging goroutine last waited for
	blocked  atomic.Uint64 // emitted count the feeder waits for; 0 when it does not
	consumer chan struct{} // wakes the ranging goroutine
	feeder   chan struct{} // wakes the feeder
}

// ordered runs f on n workers fed by a goroutine that ranges over in, and
// yields the kept results in input order, with up to size items in flight.
func ordered[T, U any](r *run, in Seq[T], f func(context.Context, T) (U, bool, error), n, size int, yield func(U, error) bool) {
	w := &window[U]{
		slots:    make([]slot[U], size),
		consumer: make(chan struct{}, 1),
		feeder:   make(chan struct{}, 1),
	}
	jobs := make(chan job[T], size) // lets the feeder run ahead of the workers by n items
	r.goroutine(func() error {
		var seq uint64
		err := pump(r, in, func(v T) error {
			if err := w.reserve(r.ctx, seq); err != nil {
				return err
			}
			err := Send(r.ctx, jobs, job[T]{seq, v})
			seq++
			return err
		})
		if err == nil {
			w.total.Store(seq + 1)
			wake(w.consumer)
		}
		return err
	}, func() { close(jobs) })
	for range n {
		r.goroutine(func() error {
			done := r.ctx.Done()
			for j := range jobs {
				if isDone(done) {
					return context.Cause(r.ctx)
				}
				u, keep, err := f(r.ctx, j.v)
				if err != nil {
					return err
				}
				w.put(j.seq, u, keep)
			}
			return nil
		}, nil)
	}

	done := r.ctx.Done()
	for next := uint64(0); w.await(done, next); next++ {
		s := &w.slots[next%uint64(len(w.slots))]
		u, keep := s.v, s.keep
		var zero U
		s.v = zero // the slot must not keep the result alive
		w.release(next + 1)
		if isDone(done) {
			break
		}
		if keep && !yield(u, nil) {
			return
		}
	}
	if err := r.end(); err != nil {
		yieldErr(yield, err)
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

// put stores the result for position seq.
func (w *window[U]) put(seq uint64, u U, keep bool) {
	s := &w.slots[seq%uint64(len(w.slots))]
	s.v, s.keep = u, keep
	s.seq.Store(seq + 1)
	if w.awaiting.Load() == seq+1 {
		wake(w.consumer)
	}
}

// await waits until the result for position next is in its slot and
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
