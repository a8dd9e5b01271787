package pipe

import (
	"context"

	"github.com/leakproof/leakproof/internal/chans"
)

// ErrClosed is returned by Recv when the channel is closed and drained. It
// is the same error as timeout.ErrClosed.
var ErrClosed = chans.ErrClosed

// Send sends v on ch, or returns context.Cause(ctx) if ctx ends before ch
// can take it. It tries the send first and watches ctx only if the send
// would block, so a send that can proceed costs what a plain one does and
// allocates nothing; like a select with both cases ready, it may send even
// though ctx has ended. A loop that must stop once ctx ends, whatever its
// receiver does, checks ctx.Err() itself. As with a plain send, sending on
// a closed channel panics, and a nil channel blocks until ctx ends.
func Send[T any](ctx context.Context, ch chan<- T, v T) error {
	select {
	case ch <- v:
		return nil
	default:
	}
	select {
	case ch <- v:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// Recv receives a value from ch. It returns ErrClosed once ch is closed and
// drained, or context.Cause(ctx) if ctx ends before a value arrives. Like
// Send, it tries the receive first and watches ctx only if it would block,
// and it allocates nothing.
func Recv[T any](ctx context.Context, ch <-chan T) (T, error) {
	select {
	case v, ok := <-ch:
		return chans.Received(v, ok)
	default:
	}
	select {
	case v, ok := <-ch:
		return chans.Received(v, ok)
	case <-ctx.Done():
		var zero T
		return zero, context.Cause(ctx)
	}
}
