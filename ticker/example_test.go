package ticker_test

import (
	"context"
	"fmt"
	"time"

	"github.com/leakproof/leakproof/ticker"
)

// The usual periodic loop, `for range time.Tick(d)` in a goroutine of its
// own, has no exit: it runs for as long as the program. Run blocks the
// caller instead and returns when its context ends, so the loop stops with
// the request, the worker or the service that owns it.
func ExampleRun() {
	ctx, cancel := context.WithCancel(context.Background())
	flushes := 0
	err := ticker.Run(ctx, 10*time.Millisecond, func(ctx context.Context) error {
		flushes++
		if flushes == 3 {
			cancel() // the service shuts down
		}
		return nil
	})
	fmt.Println(flushes, "flushes, then", err)
	// Output: 3 flushes, then <nil>
}

// By default the first error ends Run. With OnError the loop reports it and
// goes on; Timeout bounds each run, so one stuck call cannot hold up the
// schedule for ever.
func ExampleRun_onError() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runs := 0
	err := ticker.Run(ctx, 10*time.Millisecond, func(ctx context.Context) error {
		runs++
		if runs == 3 {
			cancel()
			return nil
		}
		<-ctx.Done() // a call that hangs until its run times out
		return ctx.Err()
	},
		ticker.Timeout(5*time.Millisecond),
		ticker.OnError(func(err error) { fmt.Println("run failed:", err) }),
	)
	fmt.Println(err)
	// Output:
	// run failed: context deadline exceeded
	// run failed: context deadline exceeded
	// <nil>
}

// Every keeps the loop in the caller's hands: no goroutine, and the timer
// is released when the loop breaks or the context ends.
func ExampleEvery() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	n := 0
	for now := range ticker.Every(ctx, 20*time.Millisecond, ticker.Immediate()) {
		if n == 0 {
			fmt.Println("first tick at once:", now.Sub(start) < 20*time.Millisecond)
		}
		if n++; n == 3 {
			break
		}
	}
	fmt.Println(n, "ticks")
	// Output:
	// first tick at once: true
	// 3 ticks
}

// A time.Ticker's channel is never closed, so `for range t.C` never ends
// and Stop cannot end it. A ticker.Ticker closes C when it stops, and Stop
// returns once its goroutine has exited.
func ExampleNew() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	t := ticker.New(ctx, 10*time.Millisecond)
	n := 0
	for range t.C {
		if n++; n == 3 {
			t.Stop()
		}
	}
	fmt.Println(n, "ticks, then C closed")
	// Output: 3 ticks, then C closed
}

// Reset changes the period of a running Ticker, for example to back off
// while a dependency is down.
func ExampleTicker_Reset() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	t := ticker.New(ctx, 5*time.Millisecond)
	defer t.Stop()
	<-t.C
	start := time.Now()
	t.Reset(20 * time.Millisecond)
	<-t.C
	fmt.Println("next tick a new period later:", time.Since(start) >= 20*time.Millisecond)
	// Output: next tick a new period later: true
}

// At the default fixed rate a run that takes 15ms of a 20ms period leaves
// 5ms before the next. FixedDelay leaves the full period after each run,
// for work that must not crowd whatever it polls.
func ExampleFixedDelay() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var end time.Time
	for now := range ticker.Every(ctx, 20*time.Millisecond, ticker.FixedDelay()) {
		if !end.IsZero() {
			fmt.Println("a full period since the last run ended:", now.Sub(end) >= 20*time.Millisecond)
			break
		}
		time.Sleep(15 * time.Millisecond) // the run
		end = time.Now()
	}
	// Output: a full period since the last run ended: true
}

// Jitter(0.5) delays each tick by up to half a period, so that replicas
// started together do not all hit a shared backend at the same instant.
func ExampleJitter() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	for now := range ticker.Every(ctx, 10*time.Millisecond, ticker.Jitter(0.5)) {
		fmt.Println("never early:", now.Sub(start) >= 10*time.Millisecond)
		break
	}
	// Output: never early: true
}
