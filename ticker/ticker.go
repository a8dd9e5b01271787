// Package ticker runs periodic work that stops with its context, so that a
// periodic loop cannot outlive the code that started it the way a
// `for range time.Tick(d)` goroutine does.
//
//	err := ticker.Run(ctx, time.Minute, flush)
//
//	for now := range ticker.Every(ctx, time.Second) {
//		report(now)
//	}
//
// The schedule is fixed rate by default: runs are due at t0+d, t0+2d, ...
// whatever each run takes, and a run that overruns makes the loop skip the
// ticks it missed instead of catching up in a burst. FixedDelay counts the
// period from the end of each run instead.
//
// No run starts once ctx is done, nor at or after ctx's deadline, even in
// the instant before ctx.Err reports it. When a loop ends because the
// deadline passed, ctx.Err is already non-nil as it returns.
//
// Every and Run start no goroutine. New starts one, which Stop joins.
package ticker

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/leakproof/leakproof/internal/labels"
	"github.com/leakproof/leakproof/internal/panics"
)

// Every returns a sequence that yields the time of each tick until ctx is
// done or the loop over it breaks. The timer lives inside the loop: Every
// starts no goroutine and holds nothing once the loop is over. Each range
// over the sequence starts a schedule of its own, counted from when the
// range starts.
//
// Ticks follow the schedule described in the package comment; with
// FixedDelay the period is counted from the end of each iteration of the
// loop body. Every takes Immediate, FixedDelay and Jitter; it panics if d
// <= 0 or if given an option of Run only.
func Every(ctx context.Context, d time.Duration, opts ...Option) iter.Seq[time.Time] {
	cfg := configure(ctx, d, opts, "Every")
	cfg.loopOnly("Every")
	return every(ctx, d, cfg)
}

func every(ctx context.Context, d time.Duration, cfg config) iter.Seq[time.Time] {
	return func(yield func(time.Time) bool) {
		s := newSchedule(ctx, d, cfg)
		defer s.stop()
		for {
			now, ok := s.wait(nil)
			if !ok || !yield(now) {
				return
			}
			s.ran()
		}
	}
}

// Run calls f on the schedule of Every, in the calling goroutine, until ctx
// is done or f fails. It returns nil when ctx ends, or the first error from
// f; an error that only reports ctx's end (errors.Is ctx.Err() or
// context.Cause(ctx)) counts as the normal end. With OnError, errors from f
// go to a handler and the loop goes on.
//
// A panic in f is re-raised by Run as a *leakproof.PanicError. Runs never
// overlap: a run that outlasts the period delays the next one, and with the
// default fixed rate the ticks it missed are skipped.
//
// Run panics if d <= 0 or f is nil.
func Run(ctx context.Context, d time.Duration, f func(ctx context.Context) error, opts ...Option) error {
	if f == nil {
		panic("ticker: Run called with a nil function")
	}
	cfg := configure(ctx, d, opts, "Run")
	for range every(ctx, d, cfg) {
		err := cfg.call(ctx, f)
		if err == nil || ended(ctx, err) {
			continue
		}
		if cfg.onError == nil {
			return err
		}
		cfg.onError(err)
	}
	return nil
}

// call runs f once, with the per-run timeout if there is one.
func (c *config) call(ctx context.Context, f func(ctx context.Context) error) error {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	ok := false
	err := panics.Try(func() error {
		err := f(ctx)
		ok = true
		return err
	})
	if !ok {
		panic(err) // a *leakproof.PanicError; an error f returns is never re-raised
	}
	return err
}

// ended reports whether err only says that ctx is done.
func ended(ctx context.Context, err error) bool {
	cerr := ctx.Err()
	return cerr != nil && (errors.Is(err, cerr) || errors.Is(err, context.Cause(ctx)))
}

// A Ticker delivers ticks on a channel, like a time.Ticker, and closes the
// channel when its context ends or Stop is called, so that
//
//	for now := range t.C { ... }
//
// ends on its own. Create one with New.
type Ticker struct {
	// C receives the time of each tick. It is unbuffered: a tick waits for
	// its reader, and a reader that falls behind receives that waiting tick
	// late while the ticks that fell due meanwhile are dropped. C is closed
	// once the Ticker has stopped. A tick that was waiting when ctx ended
	// may still be received in that instant; a reader that must not act
	// after ctx ends checks ctx.Err() after each receive, as Run does.
	C <-chan time.Time

	cancel context.CancelFunc
	reset  chan time.Duration
	done   chan struct{} // closed when the Ticker's goroutine has exited
}

// New returns a Ticker whose channel receives ticks on the schedule of
// Every until ctx is done or Stop is called. New starts one goroutine, which
// has exited by the time C is closed; the caller must call Stop or end ctx.
// With FixedDelay the period counts from the receipt of the previous tick.
//
// New takes Immediate, FixedDelay and Jitter; it panics if d <= 0 or if
// given an option of Run only.
func New(ctx context.Context, d time.Duration, opts ...Option) *Ticker {
	cfg := configure(ctx, d, opts, "New")
	cfg.loopOnly("New")
	ctx, cancel := context.WithCancel(ctx)
	c := make(chan time.Time)
	t := &Ticker{C: c, cancel: cancel, reset: make(chan time.Duration), done: make(chan struct{})}
	go t.loop(newSchedule(ctx, d, cfg), c, labels.Make(ctx, "ticker", ""))
	return t
}

func (t *Ticker) loop(s schedule, c chan<- time.Time, l labels.Set) {
	l.Apply()
	defer close(t.done)
	defer close(c)
	defer s.stop()
	for {
		now, ok := s.wait(t.reset)
		if !ok {
			return
		}
		select {
		case c <- now:
			s.ran()
		case d := <-t.reset:
			s.restart(d) // the waiting tick is dropped
		case <-s.ctx.Done():
			return
		}
	}
}

// Stop stops the Ticker and returns once its goroutine has exited and C is
// closed. A tick already received may still be being handled. Stop may be
// called more than once and from several goroutines.
func (t *Ticker) Stop() {
	t.cancel()
	<-t.done
}

// Reset restarts the Ticker's schedule with period d: the next tick comes d
// after Reset, and a tick not yet received is dropped. Reset on a stopped
// Ticker does nothing. It panics if d <= 0.
func (t *Ticker) Reset(d time.Duration) {
	checkPeriod(d)
	select {
	case t.reset <- d:
	case <-t.done:
	}
}
