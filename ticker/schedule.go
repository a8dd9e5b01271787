package ticker

import (
	"context"
	"math/rand/v2"
	"time"
)

// schedule decides when each tick of a loop is due and waits for it. One
// goroutine uses it at a time: the loop of Every or Run, or a Ticker's.
type schedule struct {
	ctx         context.Context
	period      time.Duration
	cfg         config
	deadline    time.Time // ctx's deadline, if hasDeadline
	hasDeadline bool
	next        time.Time // when the next tick is due, before jitter
	unjittered  bool      // the next tick is Immediate's
	timer       *time.Timer
}

func newSchedule(ctx context.Context, d time.Duration, cfg config) schedule {
	s := schedule{ctx: ctx, cfg: cfg, period: d, next: time.Now()}
	s.deadline, s.hasDeadline = ctx.Deadline()
	if cfg.immediate {
		s.unjittered = true
	} else {
		s.next = s.next.Add(d)
	}
	return s
}

// restart begins a new schedule of period d from now.
func (s *schedule) restart(d time.Duration) {
	s.period = d
	s.next = time.Now().Add(d)
	s.unjittered = false
}

// wait blocks until the next tick is due and returns the time it woke, or
// returns false once ctx is done. A tick due at or after ctx's deadline
// never comes: wait then returns false once ctx.Err reports the deadline,
// not before. A period received on reset restarts the schedule.
func (s *schedule) wait(reset <-chan time.Duration) (time.Time, bool) {
	due := s.due()
	for {
		var fire <-chan time.Time // stays nil if no tick is left before the deadline
		if !s.hasDeadline || due.Before(s.deadline) {
			wait := time.Until(due)
			if wait <= 0 {
				return s.woke()
			}
			fire = s.arm(wait)
		}
		select {
		case <-fire:
			return s.woke()
		case d := <-reset:
			s.restart(d)
			due = s.due()
		case <-s.ctx.Done():
			return time.Time{}, false
		}
	}
}

// woke decides whether a tick that has come due may be taken. select has no
// priority, so ctx may have ended as the timer fired; and a timer that
// fires late may wake us past the deadline before ctx's own timer has
// cancelled ctx.
func (s *schedule) woke() (time.Time, bool) {
	now := time.Now()
	if s.hasDeadline && !now.Before(s.deadline) {
		<-s.ctx.Done()
		return time.Time{}, false
	}
	if s.ctx.Err() != nil {
		return time.Time{}, false
	}
	return now, true
}

// due returns when the next tick comes, with its jitter.
func (s *schedule) due() time.Time {
	if s.unjittered {
		s.unjittered = false
		return s.next
	}
	if spread := int64(s.cfg.jitter * float64(s.period)); spread > 0 {
		return s.next.Add(time.Duration(rand.Int64N(spread)))
	}
	return s.next
}

// ran moves the schedule past the tick just taken, whose run has now
// ended. At a fixed rate, ticks missed while it ran are skipped.
func (s *schedule) ran() {
	now := time.Now()
	if s.cfg.fixedDelay {
		s.next = now.Add(s.period)
		return
	}
	s.next = s.next.Add(s.period)
	if late := now.Sub(s.next); late > 0 {
		missed := (late + s.period - 1) / s.period
		s.next = s.next.Add(missed * s.period)
	}
}

// arm sets the schedule's one timer to fire after d.
func (s *schedule) arm(d time.Duration) <-chan time.Time {
	if s.timer == nil {
		s.timer = time.NewTimer(d)
	} else {
		s.timer.Reset(d)
	}
	return s.timer.C
}

func (s *schedule) stop() {
	if s.timer != nil {
		s.timer.Stop()
	}
}
