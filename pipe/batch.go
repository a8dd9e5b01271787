package pipe

import (
	"context"
	"fmt"
	"time"

	"github.com/leakproof/leakproof/internal/labels"
)

// batchBuffer bounds how many items Batch reads ahead of the batch it is
// filling: enough that the reading goroutine rarely waits for the loop.
const batchBuffer = 64

// Batch returns the items of in grouped into slices of up to size items. A
// batch is emitted when it has size items, or maxWait after its first item
// arrived, whichever comes first, so a slow input still gets its items out;
// the last, partial batch is emitted when in ends. Each batch is a new slice
// the caller may keep.
//
// Batch ranges over in on a goroutine of its own, so that maxWait is kept
// while in waits. An error from in comes after the items before it, the
// last partial batch included; the end of ctx ends the sequence at once.
// Batch panics if size < 1 or maxWait <= 0.
func Batch[T any](ctx context.Context, in Seq[T], size int, maxWait time.Duration) Seq[[]T] {
	check(ctx, in, false, "Batch")
	if size < 1 {
		panic(fmt.Sprintf("pipe: batch size must be at least 1, got %d", size))
	}
	if maxWait <= 0 {
		panic(fmt.Sprintf("pipe: batch maxWait must be positive, got %v", maxWait))
	}
	l := labels.Make(ctx, "pipe", "")
	return func(yield func([]T, error) bool) {
		r := newRun(ctx, l)
		defer r.stop()
		if ctx.Err() != nil {
			yieldErr(yield, r.end())
			return
		}
		items := make(chan item[T], min(size, batchBuffer))
		r.goroutine(func() error { return pump(r, in, forward(r, items)) }, func() { close(items) })

		// One timer for the whole loop, armed by each batch's first item.
		timer := time.NewTimer(maxWait)
		timer.Stop()
		defer timer.Stop()
		done := r.ctx.Done()
		var batch []T
		for {
			select {
			case it, ok := <-items:
				if !ok || it.err != nil {
					// The input has ended: the last batch, then its error.
					err := r.end()
					if err == nil && len(batch) > 0 && !yield(batch, nil) {
						return
					}
					if err == nil {
						err = it.err
					}
					if err != nil {
						yieldErr(yield, err)
					}
					return
				}
				if len(batch) == 0 {
					// Not size itself: a size no batch reaches, given to
					// batch by time alone, must cost nothing up front.
					batch = make([]T, 0, min(size, batchBuffer))
					timer.Reset(maxWait)
				}
				batch = append(batch, it.v)
				if len(batch) < size {
					continue
				}
				if !timer.Stop() {
					// Fired unread: with GODEBUG asynctimerchan=1 its
					// tick waits in the channel and would end the next
					// batch at its first item.
					select {
					case <-timer.C:
					default:
					}
				}
			case <-timer.C:
			case <-done:
				yieldErr(yield, r.end())
				return
			}
			if isDone(done) {
				yieldErr(yield, r.end())
				return
			}
			if !yield(batch, nil) {
				return
			}
			batch = nil
		}
	}
}
