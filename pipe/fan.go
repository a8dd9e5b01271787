package pipe

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/leakproof/leakproof/internal/labels"
)

// Merge returns the items of all ins, each ranged on a goroutine of its
// own, in the order they arrive. It ends when all ins have ended; the first
// error to arrive from any of them, or the end of ctx, ends it early and
// stops the others. Merge of no sequences is empty.
func Merge[T any](ctx context.Context, ins ...Seq[T]) Seq[T] {
	if ctx == nil {
		panic("pipe: Merge called with a nil context")
	}
	for i, in := range ins {
		if in == nil {
			panic(fmt.Sprintf("pipe: Merge called with a nil Seq at index %d", i))
		}
	}
	// One buffered item per input, so each can hand one over without
	// waiting for the loop. A copy, so that the caller may reuse ins.
	return fanIn(ctx, slices.Clone(ins), len(ins))
}

// Buffer returns the items of in, and its error, ranged on a goroutine of
// its own that runs up to n items ahead of the loop. It lets the stages
// upstream, which with one worker run in the ranging goroutine, overlap
// with those downstream. Buffer panics if n < 1.
func Buffer[T any](ctx context.Context, in Seq[T], n int) Seq[T] {
	check(ctx, in, false, "Buffer")
	if n < 1 {
		panic(fmt.Sprintf("pipe: buffer size must be at least 1, got %d", n))
	}
	return fanIn(ctx, []Seq[T]{in}, n)
}

// fanIn ranges over each of ins on a goroutine of its own and yields their
// items through a channel of buf items.
func fanIn[T any](ctx context.Context, ins []Seq[T], buf int) Seq[T] {
	l := labels.Make(ctx, "pipe", "")
	return func(yield func(T, error) bool) {
		r := newRun(ctx, l)
		defer r.stop()
		if ctx.Err() != nil {
			yieldErr(yield, r.end())
			return
		}
		out := make(chan item[T], buf)
		if len(ins) == 0 {
			close(out)
		}
		var live atomic.Int64
		live.Store(int64(len(ins)))
		for _, in := range ins {
			r.goroutine(func() error { return pump(r, in, forward(r, out)) }, func() {
				if live.Add(-1) == 0 {
					close(out)
				}
			})
		}
		emitAll(r, out, yield)
	}
}
