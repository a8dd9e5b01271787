// Package timeout bounds a call or a channel operation by a duration,
// without the goroutine that the usual hand-written timeout leaves blocked:
//
//	v, err := timeout.Recv(ctx, replies, 2*time.Second)
//	err := timeout.Do(ctx, 5*time.Second, func(ctx context.Context) error { ... })
//
// Every function returns ErrTimeout when its time is up, and
// context.Cause(ctx) when ctx ends first, so the caller can tell a slow
// peer from its own cancellation. Both satisfy errors.Is(err,
// context.DeadlineExceeded) when a deadline is what ended them.
package timeout

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/internal/chans"
	"github.com/leakproof/leakproof/internal/labels"
	"github.com/leakproof/leakproof/internal/panics"
)

// ErrTimeout is returned when the duration given to a function of this
// package has passed. errors.Is(ErrTimeout, context.DeadlineExceeded)
// holds, so code that checks for a deadline treats it as one.
var ErrTimeout error = timeoutError{}

// ErrClosed is returned by Recv when the channel is closed and drained. It
// is the same error as pipe.ErrClosed.
var ErrClosed = chans.ErrClosed

type timeoutError struct{}

func (timeoutError) Error() string { return "timeout: time limit exceeded" }
func (timeoutError) Unwrap() error { return context.DeadlineExceeded }

// Do calls f on a goroutine of its own and waits at most d for it to
// return. f gets a context that ends after d, with ErrTimeout as its
// cause. Do returns f's error if f returns before that; otherwise it
// returns ErrTimeout at the deadline, or context.Cause(ctx) as soon as ctx
// ends, even if f ignores its context and goes on running.
//
// So, unlike every other call of this library, Do may return before the
// goroutine it started: Go cannot stop a function that ignores its
// context. That goroutine exits as soon as f returns; it never blocks
// delivering a result nobody waits for, and whatever f returns then is
// dropped, also when f returns at the very instant of the deadline. A
// panic in f is re-raised by Do as a *leakproof.PanicError if Do is still
// waiting; after Do has returned there is nobody to hand it to, and it
// crashes the program like any unrecovered panic. If f calls
// runtime.Goexit, Do returns an error that wraps leakproof.ErrGoexit.
//
// If ctx is already done, Do returns context.Cause(ctx) without calling f;
// if d <= 0, it returns ErrTimeout without calling f. Do panics if f is nil.
func Do(ctx context.Context, d time.Duration, f func(ctx context.Context) error) error {
	if f == nil {
		panic("timeout: Do called with a nil function")
	}
	if ctx == nil {
		panic("timeout: Do called with a nil context")
	}
	_, err := do(ctx, d, &call[struct{}]{fe: f})
	return err
}

// DoValue is Do for a function that returns a value: it returns f's value
// and error if f returns in time, and the zero T with Do's error otherwise.
func DoValue[T any](ctx context.Context, d time.Duration, f func(ctx context.Context) (T, error)) (T, error) {
	if f == nil {
		panic("timeout: DoValue called with a nil function")
	}
	if ctx == nil {
		panic("timeout: DoValue called with a nil context")
	}
	return do(ctx, d, &call[T]{fv: f})
}

// do runs c for Do and DoValue.
func do[T any](ctx context.Context, d time.Duration, c *call[T]) (T, error) {
	var zero T
	if ctx.Err() != nil {
		return zero, context.Cause(ctx)
	}
	if d <= 0 {
		return zero, ErrTimeout
	}
	// fctx ends at the deadline, when ctx ends, or when f has returned and
	// its goroutine hands over the result: one channel to wait on, and
	// one allocation fewer than a channel of its own for the result.
	fctx, cancel := context.WithTimeoutCause(ctx, d, ErrTimeout)
	defer cancel()
	go c.run(fctx, cancel, labels.Make(ctx, "timeout", ""))
	<-fctx.Done()
	if c.state.CompareAndSwap(running, abandoned) {
		return zero, expired(ctx)
	}
	// f returned first and its goroutine set the result before it
	// cancelled fctx.
	if c.panic != nil {
		panic(c.panic)
	}
	if c.late {
		return zero, expired(ctx)
	}
	return c.val, c.err
}

// call is one call of f, handed over from its goroutine to do. The state
// decides, once, whether do takes the result or has left without it.
type call[T any] struct {
	fv func(context.Context) (T, error) // DoValue's f
	fe func(context.Context) error      // Do's f

	state atomic.Int32
	val   T
	err   error
	panic *leakproof.PanicError // what f panicked with, if it did
	late  bool                  // f returned at or after its deadline
}

const (
	running int32 = iota
	returned
	abandoned
)

// run calls f and hands its result to do, if do still waits, by cancelling
// f's context.
func (c *call[T]) run(ctx context.Context, done context.CancelFunc, l labels.Set) {
	l.Apply()
	c.err = leakproof.ErrGoexit // unless f returns or panics
	defer func() {
		// By the clock too: ctx's timer may not have fired yet.
		deadline, _ := ctx.Deadline()
		c.late = ctx.Err() != nil || !time.Now().Before(deadline)
		if c.state.CompareAndSwap(running, returned) {
			done()
		} else if c.panic != nil {
			panic(c.panic) // do has returned: nobody is left to report it to
		}
	}()
	ok := false
	c.err = panics.Try(func() (err error) {
		if c.fe != nil {
			err = c.fe(ctx)
		} else {
			c.val, err = c.fv(ctx)
		}
		ok = true
		return err
	})
	if !ok {
		c.panic = c.err.(*leakproof.PanicError)
	}
}

// Send sends v on ch, waiting at most d for a receiver or buffer space. It
// returns nil once v is sent, ErrTimeout if d passed first, or
// context.Cause(ctx) if ctx ended first. A send that can proceed at once
// does so without a timer, without allocating and without looking at ctx,
// as a plain send would; only a send that has to wait watches ctx, with a
// timer reused from earlier waits. If d <= 0, Send only tries without
// waiting. Like a send statement, Send panics if ch is closed.
func Send[T any](ctx context.Context, ch chan<- T, v T, d time.Duration) error {
	select {
	case ch <- v:
		return nil
	default:
		return sendWait(ctx, ch, v, d)
	}
}

// sendWait is Send once the first try failed. Kept apart, the try is small
// enough for the compiler to inline at the call site.
func sendWait[T any](ctx context.Context, ch chan<- T, v T, d time.Duration) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if d <= 0 {
		return ErrTimeout
	}
	t := startTimer(d)
	defer t.stop()
	select {
	case ch <- v:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return expired(ctx)
	}
}

// Recv receives from ch, waiting at most d for a value. It returns the
// value, or ErrClosed if ch is closed and drained, ErrTimeout if d passed
// first, or context.Cause(ctx) if ctx ended first. A receive that can
// proceed at once does so without a timer, without allocating and without
// looking at ctx, as a plain receive would; only a receive that has to wait
// watches ctx, with a timer reused from earlier waits. If d <= 0, Recv only
// tries without waiting.
func Recv[T any](ctx context.Context, ch <-chan T, d time.Duration) (T, error) {
	select {
	case v, ok := <-ch:
		if ok {
			return v, nil
		}
	default:
	}
	return recvWait(ctx, ch, d)
}

// recvWait is Recv once the first try found no value: it tries again, to
// report a closed channel, then waits.
func recvWait[T any](ctx context.Context, ch <-chan T, d time.Duration) (T, error) {
	select {
	case v, ok := <-ch:
		return chans.Received(v, ok)
	default:
	}
	var zero T
	if ctx.Err() != nil {
		return zero, context.Cause(ctx)
	}
	if d <= 0 {
		return zero, ErrTimeout
	}
	t := startTimer(d)
	defer t.stop()
	select {
	case v, ok := <-ch:
		return chans.Received(v, ok)
	case <-ctx.Done():
		return zero, context.Cause(ctx)
	case <-t.C:
		return zero, expired(ctx)
	}
}

// expired is the error once the time given to a function has run out. If
// ctx's deadline came at the same instant, ctx's end is the better
// explanation, even before ctx's own timer has cancelled it.
func expired(ctx context.Context) error {
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		<-ctx.Done()
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return ErrTimeout
}
