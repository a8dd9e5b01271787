package ticker

import (
	"context"
	"fmt"
	"time"
)

// An Option configures a schedule (Immediate, FixedDelay, Jitter) or how
// Run treats its function (Timeout, OnError).
type Option interface {
	apply(*config)
}

type config struct {
	immediate  bool
	fixedDelay bool
	jitter     float64
	timeout    time.Duration
	onError    func(error)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// Immediate makes the first tick come at once instead of one period after
// the start. Jitter does not delay it.
func Immediate() Option {
	return optionFunc(func(c *config) { c.immediate = true })
}

// FixedDelay counts each period from the end of the previous run (the
// previous loop iteration for Every; the receipt of the previous tick for a
// Ticker) instead of from the start: runs drift by their own duration but
// always have a full period between them.
func FixedDelay() Option {
	return optionFunc(func(c *config) { c.fixedDelay = true })
}

// Jitter delays each tick by a random amount in [0, frac·d), drawn anew for
// every tick, so that many processes started together spread their work.
// With the default fixed rate the delay does not accumulate: each tick
// stays within its own period. Jitter(0) means no jitter. Jitter panics if
// frac is not within [0, 1].
func Jitter(frac float64) Option {
	if !(frac >= 0 && frac <= 1) {
		panic(fmt.Sprintf("ticker: jitter must be within [0, 1], got %v", frac))
	}
	return optionFunc(func(c *config) { c.jitter = frac })
}

// Timeout gives each run of Run's function a context that ends d after the
// run starts. A run that fails because of it fails like any other: Run
// returns its error unless OnError is given. A run that ignores its context
// still holds up Run until it returns; no goroutine is left behind for it.
// Timeout panics if d <= 0.
func Timeout(d time.Duration) Option {
	if d <= 0 {
		panic(fmt.Sprintf("ticker: timeout must be positive, got %v", d))
	}
	return optionFunc(func(c *config) { c.timeout = d })
}

// OnError makes Run pass each error from its function to h and go on,
// instead of returning the first one. Errors that only report the end of
// Run's context are not passed to h. OnError panics if h is nil.
func OnError(h func(err error)) Option {
	if h == nil {
		panic("ticker: OnError called with a nil handler")
	}
	return optionFunc(func(c *config) { c.onError = h })
}

// configure checks the arguments common to Every, Run and New, named by
// caller in its panics, and applies opts.
func configure(ctx context.Context, d time.Duration, opts []Option, caller string) config {
	if ctx == nil {
		panic("ticker: " + caller + " called with a nil context")
	}
	checkPeriod(d)
	var c config
	for _, o := range opts {
		o.apply(&c)
	}
	return c
}

// loopOnly panics if c holds an option that only Run can honour.
func (c *config) loopOnly(caller string) {
	if c.timeout != 0 || c.onError != nil {
		panic("ticker: Timeout and OnError are options of Run, not of " + caller)
	}
}

func checkPeriod(d time.Duration) {
	if d <= 0 {
		panic(fmt.Sprintf("ticker: period must be positive, got %v", d))
	}
}
