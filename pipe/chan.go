package pipe

import (
	"context"

	"github.com/leakproof/leakproof/internal/chans"
)

// ErrClosed is returned by Recv when the channel is closed and drained. It
// is the same error as timeout.ErrClosed.
var ErrClosed = chans.ErrClosed

// Send sends v on ch, or returns context.Cause(ctx) if ctx ends before ch
// can take it. A ctx that is already done wins over a channel that could
// take v, so a loop of sends stops once ctx ends even if the receiver keeps
// up. Otherwise Send tries the send first and watches ctx only if it would
// block, so a send that can proceed costs little more than a plain one.
// Send allocates nothing. As with a plain send, sending on a closed channel
// panics, and a nil channel blocks until ctx ends.
func Send[T any](ctx context.Context, ch chan<- T, v T) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return send(ctx, ch, v)
}

// send is Send for the pipeline's own hops, whose stages check ctx before
// each call of user code: it tries the send first, and it may send even
// though ctx has ended, as a select with both cases ready may.
func send[T any](ctx context.Context, ch chan<- T, v T) error {
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
// Send, it lets a ctx that is already done win, otherwise tries the receive
// first and watches ctx only if it would block, and it allocates nothing.
func Recv[T any](ctx context.Context, ch <-chan T) (T, error) {
	if ctx.Err() != nil {
		var zero T
		return zero, context.Cause(ctx)
	}
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
