package shutdown

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/internal/labels"
	"github.com/leakproof/leakproof/internal/panics"
)

const (
	// defaultTimeout is the budget without WithTimeout: half of the 30
	// seconds Kubernetes grants by default, leaving room for a delay.
	defaultTimeout = 15 * time.Second
	// minSlice is the least time a step gets, also in the budget's last
	// second or once it is spent, unless the whole budget is shorter.
	minSlice = time.Second
	// grace is how long a step may run past the end of its context before
	// it is reported stuck and abandoned.
	grace = 500 * time.Millisecond
)

// A Coordinator shuts a service down: when a signal arrives or Trigger is
// called, it cancels Context, turns Ready to 503, waits for the delay and
// then runs the stop steps, last added first, each within its share of the
// budget. Create one with New; the zero Coordinator is not usable.
type Coordinator struct {
	cfg    config
	ctx    context.Context // cancelled by the trigger, with its cause
	cancel context.CancelCauseFunc

	mu        sync.Mutex
	cause     error     // the first trigger's cause
	at        time.Time // when the first trigger came
	onTrigger []func()  // run by the first trigger
	steps     []*step
	started   bool   // the steps have begun
	current   string // the step running now
	forced    int    // exit code of a forced exit, 0 if none

	sigs      chan os.Signal // nil without signals
	sigStop   chan struct{}
	sigDone   chan struct{}
	closeOnce sync.Once

	triggered chan struct{} // closed once the first trigger is done
	waitBegun bool          // a call of Wait runs the shutdown; under mu
	waited    chan struct{} // closed when it is over; other calls wait on it
	err       error
	code      int
}

type step struct {
	name    string
	stop    func(ctx context.Context) error
	timeout time.Duration
	labels  labels.Set
}

// New returns a Coordinator listening for the signals of WithSignals
// (SIGINT and SIGTERM by default). It subscribes before it returns, so a
// signal that arrives while the service is still starting begins an orderly
// shutdown instead of killing the process. Create it first thing in main.
//
// Listening takes a goroutine, which Wait stops before it returns. A program
// or test that may end without calling Wait calls Close instead.
func New(opts ...Option) *Coordinator {
	c := &Coordinator{cfg: config{
		signals: []os.Signal{os.Interrupt, syscall.SIGTERM},
		timeout: defaultTimeout,
		logger:  slog.Default(),
		exit:    os.Exit,
	}}
	for _, o := range opts {
		o.apply(&c.cfg)
	}
	c.ctx, c.cancel = context.WithCancelCause(context.Background())
	c.triggered = make(chan struct{})
	c.waited = make(chan struct{})
	if len(c.cfg.signals) > 0 {
		c.sigs = make(chan os.Signal, 1) // as signal.Notify asks; signals are never queued
		c.sigStop = make(chan struct{})
		c.sigDone = make(chan struct{})
		signal.Notify(c.sigs, c.cfg.signals...)
		go c.listen(labels.Make(context.Background(), "shutdown", ""))
	}
	return c
}

// Add registers a step that stop runs when the service shuts down. Steps run
// one at a time in the reverse order of Add, as deferred calls do: add what
// everything else depends on (the logger, the database) first and the HTTP
// server last.
//
// stop gets a fresh context, never already cancelled, that ends at the
// earlier of the step's own timeout (StepTimeout) and the end of the
// budget; once the budget is spent, each remaining step still gets one
// second (or the whole budget, if that is shorter). stop should return
// soon after its context ends. A step still
// running half a second later is reported stuck, with its goroutines'
// stacks, and abandoned; the next step runs all the same.
//
// Add panics if name is empty or already taken, if stop is nil, or once
// Wait has begun running the steps.
func (c *Coordinator) Add(name string, stop func(ctx context.Context) error, opts ...StepOption) {
	c.check("Add")
	if name == "" {
		panic("shutdown: Add called with an empty step name")
	}
	if stop == nil {
		panic(fmt.Sprintf("shutdown: Add called with a nil stop function for step %q", name))
	}
	s := &step{name: name, stop: stop}
	for _, o := range opts {
		o.applyStep(s)
	}
	s.labels = labels.Make(context.Background(), "shutdown", name)

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		panic(fmt.Sprintf("shutdown: Add called for step %q after the steps began", name))
	}
	if slices.ContainsFunc(c.steps, func(s *step) bool { return s.name == name }) {
		panic(fmt.Sprintf("shutdown: Add called twice with step name %q", name))
	}
	c.steps = append(c.steps, s)
}

// Context returns a context that is cancelled, with the trigger's cause, as
// soon as shutdown begins. Background loops that should stop taking new work
// when the service starts shutting down use it; work that must go on while
// requests are drained must not.
func (c *Coordinator) Context() context.Context {
	c.check("Context")
	return c.ctx
}

// Trigger begins the shutdown, as a signal does. Only the first trigger
// counts; later ones are ignored.
//
// The cause sets the exit code: nil means a clean stop (0); a cause with
// an ExitCode() int method gives that code; any other error is a failure
// and gives 1. It is also the cause of Context's cancellation.
func (c *Coordinator) Trigger(cause error) {
	c.check("Trigger")
	if cause == nil {
		cause = errRequested
	}
	c.mu.Lock()
	if c.cause != nil {
		c.mu.Unlock()
		return
	}
	c.cause, c.at = cause, time.Now()
	hooks := c.onTrigger
	c.onTrigger = nil
	c.mu.Unlock()
	// Wait starts only now, so the steps' records follow this one's.
	defer close(c.triggered)

	c.cancel(cause)
	for _, f := range hooks {
		f()
	}
	level := slog.LevelInfo
	if exitCode(cause) != 0 {
		level = slog.LevelError
	}
	c.cfg.logger.Log(context.Background(), level, "shutdown triggered",
		"cause", cause, "delay", c.cfg.delay, "budget", c.cfg.timeout)
}

// whenTriggered calls f at the trigger, or at once if it has come.
func (c *Coordinator) whenTriggered(f func()) {
	c.mu.Lock()
	if c.cause == nil {
		c.onTrigger = append(c.onTrigger, f)
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	f()
}

// Wait blocks until shutdown is triggered, waits for the delay, runs the
// steps and returns errors.Join of the failed ones, each error naming its
// step. A step fails by returning an error, by panicking (the error wraps
// the *leakproof.PanicError), by calling runtime.Goexit (it wraps
// leakproof.ErrGoexit), or by being stuck past its deadline (it wraps
// context.DeadlineExceeded). Wait also stops listening for signals, so a
// signal that arrives after it returned has its default effect.
//
// Every goroutine the Coordinator started has exited when Wait returns, with
// one exception: the goroutine of a stuck step, reported by name in the
// error and the log, is abandoned. It exits when its stop function returns.
//
// Wait may be called more than once and from several goroutines; every
// call returns the same result. A step that calls Wait, or ExitCode, waits
// for the shutdown it is part of, so it is reported stuck and abandoned.
func (c *Coordinator) Wait() error {
	c.check("Wait")
	c.mu.Lock()
	first := !c.waitBegun
	c.waitBegun = true
	c.mu.Unlock()
	if first {
		c.run()
	}
	// A channel rather than a sync.Once: a goroutine blocked on it is
	// durably blocked, so a synctest bubble's clock still advances.
	<-c.waited
	return c.err
}

// ExitCode waits for the shutdown, as Wait does, and returns the code the
// process should exit with, so that main ends with
//
//	os.Exit(c.ExitCode())
//
// The code is 128+n if the forced exit of signal n was called (and
// returned, as a test's exit function does); else the trigger's code if it
// is not 0 (see Trigger); else 1 if a step failed; else 0. A shutdown begun
// by a signal that runs cleanly gives 0.
func (c *Coordinator) ExitCode() int {
	c.check("ExitCode")
	c.Wait()
	return c.code
}

// Ready returns a handler for readiness probes: it answers 200 until
// shutdown begins and 503 from the trigger on, through the delay, so a load
// balancer stops sending new requests while the ones it sent are still
// served.
func (c *Coordinator) Ready() http.Handler {
	c.check("Ready")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if c.ctx.Err() != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "shutting down")
			return
		}
		fmt.Fprintln(w, "ready")
	})
}

// Close stops listening for signals and waits for the goroutine that did.
// It does not run the steps, and it does not stop servers started with
// Serve: Trigger and Wait do. Call it where a Coordinator may be dropped
// without Wait, such as a test or a startup that fails before serving. Close
// is idempotent; Wait calls it.
func (c *Coordinator) Close() {
	c.closeOnce.Do(func() {
		if c.sigs == nil {
			return
		}
		signal.Stop(c.sigs)
		close(c.sigStop)
		<-c.sigDone
	})
}

func (c *Coordinator) check(method string) {
	if c.ctx == nil {
		panic("shutdown: " + method + " called on a Coordinator not made by New")
	}
}

// listen turns the first signal into a trigger and the second into a
// forced exit.
func (c *Coordinator) listen(l labels.Set) {
	defer close(c.sigDone)
	l.Apply()
	received := 0
	for {
		select {
		case sig := <-c.sigs:
			received++
			if received == 1 {
				if c.ctx.Err() != nil {
					c.cfg.logger.Warn("shutdown already in progress; a second signal forces exit", "signal", sig.String())
				}
				c.Trigger(signalCause{sig})
				continue
			}
			c.force(sig)
		case <-c.sigStop:
			return
		}
	}
}

// force exits at once with 128+n for signal n, as a shell reports a process
// killed by that signal.
func (c *Coordinator) force(sig os.Signal) {
	code := 1
	if n, ok := sig.(syscall.Signal); ok {
		code = 128 + int(n)
	}
	c.mu.Lock()
	c.forced = code
	current := c.current
	c.mu.Unlock()
	args := []any{"signal", sig.String(), "code", code}
	if current != "" {
		args = append(args, "step", current) // the step that did not finish
	}
	c.cfg.logger.Error("shutdown forced", args...)
	c.cfg.exit(code)
}

// run is the body of the first call of Wait.
func (c *Coordinator) run() {
	defer close(c.waited)
	<-c.triggered
	c.mu.Lock()
	at, cause := c.at, c.cause
	c.mu.Unlock()

	// The budget and the delay count from the trigger, not from the call to
	// Wait, as the orchestrator's grace period does.
	time.Sleep(time.Until(at.Add(c.cfg.delay)))
	deadline := at.Add(c.cfg.delay + c.cfg.timeout)
	c.mu.Lock()
	c.started = true // steps added during the delay still run
	steps := c.steps
	c.mu.Unlock()
	var errs []error
	for _, s := range slices.Backward(steps) {
		if err := c.runStep(s, deadline); err != nil {
			errs = append(errs, err)
		}
	}
	c.Close()

	c.mu.Lock()
	c.current = ""
	c.err = errors.Join(errs...)
	switch {
	case c.forced != 0:
		c.code = c.forced
	case exitCode(cause) != 0:
		c.code = exitCode(cause)
	case c.err != nil:
		c.code = 1
	}
	c.mu.Unlock()

	if c.err != nil {
		c.cfg.logger.Error("shutdown done", "code", c.code, "duration", time.Since(at), "error", c.err)
		return
	}
	c.cfg.logger.Info("shutdown done", "code", c.code, "duration", time.Since(at))
}

// runStep runs s on a goroutine labelled with its name, so that the stacks
// of a stuck step, and of the goroutines it started, can be found.
func (c *Coordinator) runStep(s *step, deadline time.Time) error {
	start := time.Now()
	timeout := max(deadline.Sub(start), min(minSlice, c.cfg.timeout))
	if s.timeout > 0 {
		timeout = min(timeout, s.timeout)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	timeout = timeout.Round(time.Millisecond) // as reported

	c.mu.Lock()
	c.current = s.name
	c.mu.Unlock()
	c.cfg.logger.Info("shutdown step started", "step", s.name, "timeout", timeout)

	// Buffered, so an abandoned step's goroutine exits as soon as stop
	// returns.
	done := make(chan error, 1)
	go func() {
		s.labels.Apply()
		err := leakproof.ErrGoexit
		defer func() { done <- err }()
		err = panics.Try(func() error { return s.stop(ctx) })
	}()

	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case err = <-done:
		case <-t.C:
			c.cfg.logger.Error("shutdown step stuck", "step", s.name,
				"timeout", timeout, "running", time.Since(start), "stacks", stacks(s.name))
			return fmt.Errorf("shutdown: step %q is stuck: still running %v after its %v timeout, abandoned: %w",
				s.name, grace, timeout, context.DeadlineExceeded)
		}
	}

	took := time.Since(start)
	if err == nil {
		c.cfg.logger.Info("shutdown step done", "step", s.name, "duration", took)
		return nil
	}
	if ctx.Err() != nil {
		err = fmt.Errorf("shutdown: step %q timed out after %v: %w", s.name, timeout, err)
	} else {
		err = fmt.Errorf("shutdown: step %q: %w", s.name, err)
	}
	c.cfg.logger.Error("shutdown step done", "step", s.name, "duration", took, "error", err)
	return err
}

// exitCode is the exit code a trigger's cause asks for.
func exitCode(cause error) int {
	var e interface{ ExitCode() int }
	if errors.As(cause, &e) {
		return e.ExitCode()
	}
	return 1
}

// errRequested is the cause of Trigger(nil).
var errRequested error = requested{}

type requested struct{}

func (requested) Error() string { return "shutdown requested" }
func (requested) ExitCode() int { return 0 }

// signalCause is the cause of a shutdown begun by a signal: a clean stop.
type signalCause struct{ sig os.Signal }

func (s signalCause) Error() string { return "received signal " + s.sig.String() }
func (signalCause) ExitCode() int   { return 0 }

// An Option configures a Coordinator.
type Option interface {
	apply(*config)
}

type config struct {
	signals []os.Signal
	timeout time.Duration
	delay   time.Duration
	logger  *slog.Logger
	exit    func(code int)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithSignals sets the signals that begin the shutdown, SIGINT and SIGTERM
// by default. With no signals the Coordinator listens for none, starts no
// goroutine, and only Trigger begins the shutdown, as in tests. A nil signal
// panics.
func WithSignals(sig ...os.Signal) Option {
	if slices.Contains(sig, nil) {
		panic("shutdown: WithSignals called with a nil signal")
	}
	sig = slices.Clone(sig)
	return optionFunc(func(c *config) { c.signals = sig })
}

// WithTimeout sets the budget for all the steps together, 15 seconds by
// default. It counts from the end of the delay. Together with the delay it
// must fit in the time the process is given to stop (see the package
// documentation). WithTimeout panics if d is not positive.
func WithTimeout(d time.Duration) Option {
	if d <= 0 {
		panic(fmt.Sprintf("shutdown: timeout must be positive, got %v", d))
	}
	return optionFunc(func(c *config) { c.timeout = d })
}

// WithDelay makes the steps start d after the trigger instead of at once.
// During the delay Ready answers 503 while requests are still served, so
// that load balancers take the instance out of rotation before it stops
// accepting connections. WithDelay panics if d is negative.
func WithDelay(d time.Duration) Option {
	if d < 0 {
		panic(fmt.Sprintf("shutdown: delay must not be negative, got %v", d))
	}
	return optionFunc(func(c *config) { c.delay = d })
}

// WithLogger sets the logger for the shutdown's events, slog.Default() by
// default: "shutdown triggered" (cause), "shutdown step started" (step,
// timeout), "shutdown step done" (step, duration, error), "shutdown step
// stuck" (step, stacks), "shutdown forced" (signal, code, step) and
// "shutdown done" (code, duration, error). WithLogger panics if l is nil;
// slog.New(slog.DiscardHandler) silences them.
func WithLogger(l *slog.Logger) Option {
	if l == nil {
		panic("shutdown: WithLogger called with a nil logger")
	}
	return optionFunc(func(c *config) { c.logger = l })
}

// WithExit sets the function called with 128+n when a second signal n
// arrives during the shutdown, os.Exit by default. It is called at once,
// from the goroutine that listens for signals, while a step may still be
// running; so exit must not call the Coordinator's Close, which waits for
// that goroutine to return. WithExit panics if exit is nil.
func WithExit(exit func(code int)) Option {
	if exit == nil {
		panic("shutdown: WithExit called with a nil function")
	}
	return optionFunc(func(c *config) { c.exit = exit })
}

// A StepOption configures one step of Add.
type StepOption interface {
	applyStep(*step)
}

type stepOptionFunc func(*step)

func (f stepOptionFunc) applyStep(s *step) { f(s) }

// StepTimeout bounds the step to d, within the overall budget: the step's
// context ends at the earlier of the two. It panics if d is not positive.
func StepTimeout(d time.Duration) StepOption {
	if d <= 0 {
		panic(fmt.Sprintf("shutdown: step timeout must be positive, got %v", d))
	}
	return stepOptionFunc(func(s *step) { s.timeout = d })
}
