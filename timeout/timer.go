package timeout

import (
	"sync"
	"time"
)

// timers holds stopped timers for the waits of Send and Recv, so that a
// wait that times out allocates nothing: a new timer costs three
// allocations, the same as time.After.
//
// A timer made inside a testing/synctest bubble belongs to the bubble (the
// runtime aborts the process if it is stopped or reset from outside), and a
// real timer must not serve a wait inside a bubble, whose clock is fake. So
// only goroutines outside every bubble use the pool. time.Now tells them
// apart: it carries a monotonic clock reading everywhere but inside a
// bubble.
var timers sync.Pool

// A timer is the timer of one wait, and whether it goes back to the pool.
type timer struct {
	*time.Timer
	pooled bool
}

// startTimer returns a timer that fires once d has passed.
func startTimer(d time.Duration) timer {
	if now := time.Now(); now == now.Round(0) {
		return timer{Timer: time.NewTimer(d)} // in a bubble
	}
	if t, ok := timers.Get().(*time.Timer); ok {
		t.Reset(d)
		return timer{Timer: t, pooled: true}
	}
	return timer{Timer: time.NewTimer(d), pooled: true}
}

// stop stops t and returns it to the pool if it came from it.
func (t timer) stop() {
	if !t.Stop() && t.pooled {
		// With GODEBUG asynctimerchan=1, the default when the main module
		// predates Go 1.23, a timer that fired leaves its value in the
		// channel; the next wait must not take it for its own.
		select {
		case <-t.C:
		default:
		}
	}
	if t.pooled {
		timers.Put(t.Timer)
	}
}
