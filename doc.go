// Package leakproof is the root of a library of concurrency primitives that
// cannot leak goroutines when used as documented. Services use its packages
// instead of raw go statements, hand-closed channels, time.Ticker loops,
// home-made worker pools and ad-hoc signal handling.
//
// # The one rule
//
// Every goroutine the library starts has exited before the call that owns it
// returns: Wait, Run, Close, Stop, the end of a for range loop, or a sink
// such as pipe.ForEach. The few exceptions are written in the doc comment of
// the function that makes them (timeout.Do returns at its deadline while the
// function it called may still run; shutdown's Wait abandons a stuck step),
// and even then no goroutine of the library is ever left blocked: it exits as
// soon as user code returns.
//
// Every wait on something outside the caller's control (a full queue, a
// channel, a tick, a limit) takes a context.Context and gives up when it
// ends; errors caused by cancellation carry context.Cause. A panic in user
// code on a goroutine the library started is recovered as a *PanicError,
// cancels the work it belongs to, and is re-raised by the goroutine that
// waits for that work. A single task submitted to a pool has no such
// goroutine: its error or panic goes to the pool's error handler. User code that calls runtime.Goexit is
// reported with an error wrapping ErrGoexit, never counted as success.
// Programmer errors (a limit below 1, a nil function) panic at once with a
// message that names the package and the value.
//
// # Which package removes which leak
//
// Package group: a WaitGroup.Add inside the goroutine lets Wait return
// while work still runs; an early return strands workers sending results.
//
//	wg.Add(1) // must come before go, or Wait can miss it
//	go func() { defer wg.Done(); work() }()
//	g.Go(func(ctx context.Context) error { return work(ctx) }) // counted by Go
//
// Package pool: a goroutine per request grows without bound under load, and
// hand-written worker pools block forever on a channel nobody closes.
//
//	go handle(req) // one more goroutine per request, no limit
//	jobs <- req    // workers ranging over jobs, which nobody closes
//	err := p.Submit(ctx, task) // bounded queue, backpressure, Close joins all
//
// Package pipe: a receiver ranges over a channel nobody closes; a sender
// blocks forever once its receiver returned early.
//
//	for v := range out { if bad(v) { return } } // the stages upstream block
//	for v, err := range pipe.Map(ctx, pipe.FromSlice(in), f) { ... }
//	// break, return or error: every stage is stopped and joined
//
// Package ticker: a for range ticker.C loop that nothing ends.
//
//	t := time.NewTicker(d); for range t.C { poll(ctx) } // runs forever
//	err := ticker.Run(ctx, d, poll) // ends with ctx
//
// Package timeout: a worker that blocks forever sending its late result to
// a caller that gave up; a select with no way out.
//
//	go func() { ch <- call(ctx) }(); select { case err = <-ch: case <-time.After(d): }
//	err := timeout.Do(ctx, d, call) // the worker never blocks on its result
//
// Package shutdown: a signal handler that exits with work still running, or
// that hands an already-cancelled context to http.Server.Shutdown.
//
//	<-sigs; os.Exit(0) // in-flight requests cut, logs unflushed
//	c := shutdown.New(); c.Add("db", closeDB); c.Serve("http", srv, ln)
//	os.Exit(c.ExitCode()) // on SIGTERM: drains http, then closes db
//
// # Verification
//
// Every package verifies itself: its TestMain fails the run if goleak finds
// a goroutine left over, and, built with GOEXPERIMENT=goroutineleakprofile,
// if the runtime's goroutineleak profile reports one. Tests that involve time
// or blocking run inside testing/synctest.
package leakproof
