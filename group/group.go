// Package group runs a set of tasks on goroutines it owns and waits for all of
// them, cancelling the rest when one fails: the errgroup pattern with the Add
// done by Go itself, before the goroutine exists, so it can never be misplaced.
//
//	g := group.New(ctx, group.WithLimit(8))
//	for _, u := range urls {
//		g.Go(func(ctx context.Context) error { return fetch(ctx, u) })
//	}
//	err := g.Wait()
//
// A panic in a task is recovered, cancels the group, and is re-raised by Wait
// as a *leakproof.PanicError once every other task has returned. A task that
// calls runtime.Goexit fails the group with an error wrapping
// leakproof.ErrGoexit. A task that never ran because the group was already
// cancelled is never mistaken for success.
//
// Every goroutine a Group starts has exited when Wait returns. Run is the
// form that cannot forget to call Wait.
package group

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/internal/labels"
	"github.com/leakproof/leakproof/internal/panics"
)

// A Group is a set of tasks started by Go and waited for by Wait. Create
// one with New; the zero Group is not usable. A Group is used for one batch
// of work: Go panics once Wait has returned.
type Group struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	labels labels.Set
	cfg    config

	tasks   sync.WaitGroup // tasks accepted by Go or TryGo and not yet done
	workers sync.WaitGroup // the workers of a limited group

	// A limited group reuses its goroutines: each worker runs tasks handed
	// over on work until the group's context ends. Go starts a new worker
	// only when none is idle and the limit allows. Without a limit, each
	// task gets a goroutine of its own: creating one costs less than waking
	// an idle one.
	work     chan func(context.Context) error
	nworkers atomic.Int64

	// With a runner, sem bounds the tasks submitted to it at once.
	sem chan struct{}

	skipped  atomic.Bool // a task was accepted but never ran
	finished atomic.Bool // Wait has joined everything

	mu    sync.Mutex
	err   error   // first failure
	errs  []error // every failure, with WithAllErrors
	panic *leakproof.PanicError

	once   sync.Once
	result error
}

// New returns a Group whose tasks get a context derived from ctx. That
// context is cancelled, with the failure as its cause, as soon as a task
// fails or panics (see WithAllErrors for the exception), and in any case
// when Wait returns.
//
// The caller must call Wait. Until then a limited group keeps its idle
// goroutines waiting for more tasks; they also exit when ctx ends.
func New(ctx context.Context, opts ...Option) *Group {
	if ctx == nil {
		panic("group: New called with a nil context")
	}
	g := &Group{}
	for _, o := range opts {
		o.apply(&g.cfg)
	}
	g.ctx, g.cancel = context.WithCancelCause(ctx)
	g.labels = labels.Make(ctx, "group", g.cfg.name)
	switch {
	case g.cfg.runner != nil && g.cfg.limit > 0:
		g.sem = make(chan struct{}, g.cfg.limit)
	case g.cfg.limit > 0:
		g.work = make(chan func(context.Context) error)
	}
	return g
}

// Run creates a Group, calls f with the group's context and the Group, and
// then waits for every task f started. f is treated like one of the tasks:
// an error or panic from f cancels the group. Run returns the first error,
// or re-panics with the first *leakproof.PanicError, only after every task
// has returned. If f calls runtime.Goexit, Run still joins the tasks, and
// re-panics if one of them panicked, before the goroutine exits. If ctx is
// already done, f is not called and Run returns context.Cause(ctx).
func Run(ctx context.Context, f func(ctx context.Context, g *Group) error, opts ...Option) error {
	if f == nil {
		panic("group: Run called with a nil function")
	}
	g := New(ctx, opts...)
	goexit := true
	defer func() {
		if goexit {
			_ = g.Wait() // the Wait below is never reached
		}
	}()
	g.tasks.Add(1)
	g.run(func(ctx context.Context) error { return f(ctx, g) })
	goexit = false
	return g.Wait()
}

// Go calls f on a goroutine of the group, passing the group's context: a
// new one, or in a limited group an idle one if there is one. The task is
// counted before Go returns, so a following Wait always waits for it.
//
// Once the group's context is done, Go does not call f: the task is skipped,
// and if no task fails, Wait reports the skip with the context's cause. In a
// limited group, Go blocks until a slot is free; if the context ends first,
// it gives up and f is skipped. This holds for tasks too: a task that calls
// Go while all slots are taken waits for a slot like any other caller, which
// deadlocks if every slot is held by a task doing the same. Tasks that spawn
// tasks should use TryGo, or a group without a limit.
//
// Go panics if f is nil or Wait has returned. Calls to Go from outside the
// group's tasks must happen before Wait is called, as with sync.WaitGroup.
func (g *Group) Go(f func(ctx context.Context) error) {
	g.check(f, "Go")
	g.tasks.Add(1)
	if g.cfg.runner != nil {
		if g.sem != nil {
			select {
			case g.sem <- struct{}{}:
			case <-g.ctx.Done():
				g.skip()
				return
			}
		}
		g.submit(f, true)
		return
	}
	if g.work == nil {
		if g.ctx.Err() != nil {
			g.skip()
			return
		}
		go g.spawned(f)
		return
	}
	// Hand f to an idle worker if one is waiting.
	select {
	case g.work <- f:
		return
	default:
	}
	if g.ctx.Err() != nil {
		g.skip()
		return
	}
	if g.grow() {
		go g.worker(f)
		return
	}
	select {
	case g.work <- f:
	case <-g.ctx.Done():
		g.skip()
	}
}

// TryGo calls f on a goroutine of the group, as Go does, if it can do so
// without blocking, and reports whether it did. It returns false, without
// calling f, when the group's context is done or all of a limited group's
// slots are taken. Once TryGo has returned true the task counts as any
// other: it runs, or it is skipped if the group is cancelled meanwhile.
//
// TryGo panics if f is nil or Wait has returned.
func (g *Group) TryGo(f func(ctx context.Context) error) bool {
	g.check(f, "TryGo")
	if g.ctx.Err() != nil {
		return false
	}
	g.tasks.Add(1)
	if g.cfg.runner != nil {
		if g.sem != nil {
			select {
			case g.sem <- struct{}{}:
			default:
				g.tasks.Done()
				return false
			}
		}
		if !g.submit(f, false) {
			g.tasks.Done()
			return false
		}
		return true
	}
	if g.work == nil {
		go g.spawned(f)
		return true
	}
	select {
	case g.work <- f:
		return true
	default:
	}
	if g.grow() {
		go g.worker(f)
		return true
	}
	g.tasks.Done()
	return false
}

// Wait waits for every task to return, cancels the group's context, waits
// for the group's goroutines to exit, and returns the first error a task
// returned (with WithAllErrors, all of them). If a task panicked, Wait
// panics with the first *leakproof.PanicError instead of returning. If no
// task failed but some task was skipped because the group's context was
// done, Wait returns context.Cause of that context.
//
// A group of workers meant to run until ctx ends therefore sees
// context.Cause(ctx) from Wait when ctx ends before every worker started;
// such callers treat errors.Is(err, context.Canceled) (or their own cause)
// as the normal end.
//
// Wait may be called more than once and from several goroutines; every call
// returns the same result. A task that calls Wait on its own group waits for
// itself and never returns.
func (g *Group) Wait() error {
	if g.ctx == nil {
		panic("group: Wait called on a Group not made by New")
	}
	g.join()
	if g.panic != nil {
		panic(g.panic)
	}
	return g.result
}

// join waits for the tasks, then settles the result and stops the workers
// exactly once.
func (g *Group) join() {
	g.tasks.Wait()
	g.once.Do(func() {
		g.mu.Lock()
		g.result = g.err
		if g.cfg.allErrors {
			// Tasks skipped because the group's context ended are failures
			// too: report the cause once, next to the task errors.
			if cause := context.Cause(g.ctx); g.skipped.Load() && !slices.ContainsFunc(g.errs, func(err error) bool { return errors.Is(err, cause) }) {
				g.errs = append(g.errs, cause)
			}
			g.result = errors.Join(g.errs...)
		}
		if g.result == nil && g.skipped.Load() {
			g.result = context.Cause(g.ctx)
		}
		g.mu.Unlock()
		g.finished.Store(true)
		g.cancel(nil)
		g.workers.Wait()
	})
}

func (g *Group) check(f func(context.Context) error, method string) {
	if g.ctx == nil {
		panic("group: " + method + " called on a Group not made by New")
	}
	if f == nil {
		panic("group: " + method + " called with a nil function")
	}
	if g.finished.Load() {
		panic("group: " + method + " called after Wait returned; a Group runs one batch of tasks, use a new Group")
	}
}

// grow reserves a slot for a new worker if the limit allows one.
func (g *Group) grow() bool {
	for {
		n := g.nworkers.Load()
		if n >= int64(g.cfg.limit) {
			return false
		}
		if g.nworkers.CompareAndSwap(n, n+1) {
			g.workers.Add(1)
			return true
		}
	}
}

// worker runs f, if not nil, and then every task handed over on g.work until
// the group's context ends. It never gives its slot back: a limited group's
// workers are all gone only once the context is done, after which no task
// starts. A task that calls runtime.Goexit ends the worker's goroutine too; a
// new worker then takes over the slot, or a Go waiting for one could wait
// forever in a group that the Goexit did not cancel (WithAllErrors).
func (g *Group) worker(f func(context.Context) error) {
	g.labels.Apply()
	goexit := true
	defer func() {
		if goexit {
			go g.worker(nil)
			return
		}
		g.workers.Done()
	}()
	if f != nil {
		g.run(f)
	}
	done := g.ctx.Done()
	for {
		select {
		case f := <-g.work:
			g.run(f)
		case <-done:
			goexit = false
			return
		}
	}
}

// spawned runs one task on a goroutine of its own.
func (g *Group) spawned(f func(context.Context) error) {
	g.labels.Apply()
	g.run(f)
}

// run runs one accepted task, unless the group's context is already done,
// and records how it ended. If f calls runtime.Goexit, the deferred record
// still runs, reporting leakproof.ErrGoexit, and the goroutine then exits.
func (g *Group) run(f func(context.Context) error) {
	if g.ctx.Err() != nil {
		g.skip()
		return
	}
	err := leakproof.ErrGoexit
	defer func() { g.record(err) }()
	err = panics.Try(func() error { return f(g.ctx) })
}

// record accounts for a finished task. A failure cancels the group before
// the task's slot is released, so a Go waiting for that slot never starts
// its function.
func (g *Group) record(err error) {
	if err != nil {
		g.fail(err)
	}
	g.tasks.Done()
}

func (g *Group) skip() {
	g.skipped.Store(true)
	g.tasks.Done()
}

func (g *Group) fail(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	pe, isPanic := err.(*leakproof.PanicError)
	if isPanic && g.panic == nil {
		g.panic = pe
	}
	if !g.cfg.allErrors {
		if g.err == nil {
			g.err = err
			// Under the lock, so the context's cause is the error Wait returns.
			g.cancel(err)
		}
		return
	}
	// Once the group's context is done, tasks that stop because of it
	// return its error again; those echoes are one failure, reported once.
	if done := g.ctx.Err(); done != nil {
		cause := context.Cause(g.ctx)
		echo := func(err error) bool { return errors.Is(err, done) || errors.Is(err, cause) }
		if echo(err) && slices.ContainsFunc(g.errs, echo) {
			return
		}
	}
	g.errs = append(g.errs, err)
	if isPanic {
		g.cancel(err)
	}
}

// submit hands one task to the group's runner, waiting for room if block is
// set, and reports whether the runner took it. The runner's context joins
// the group's, so a task also stops when the runner gives up on it.
func (g *Group) submit(f func(context.Context) error, block bool) bool {
	task := func(rctx context.Context) error {
		if g.sem != nil {
			defer func() { <-g.sem }()
		}
		if rctx.Err() != nil {
			if g.ctx.Err() != nil {
				g.skip()
			} else {
				g.record(fmt.Errorf("group: runner gave up on a task before it started: %w", context.Cause(rctx)))
			}
			return nil
		}
		ctx, cancel := context.WithCancelCause(g.ctx)
		stop := context.AfterFunc(rctx, func() { cancel(context.Cause(rctx)) })
		defer func() {
			stop()
			cancel(nil)
		}()
		g.run(func(context.Context) error { return f(ctx) })
		return nil
	}
	if !block {
		if g.cfg.runner.TryGo(g.ctx, task) {
			return true
		}
		if g.sem != nil {
			<-g.sem
		}
		return false
	}
	err := g.cfg.runner.Go(g.ctx, task)
	if err == nil {
		return true
	}
	if g.sem != nil {
		<-g.sem
	}
	if g.ctx.Err() != nil {
		g.skip()
	} else {
		g.record(fmt.Errorf("group: submitting a task: %w", err))
	}
	return true
}

// A Runner runs tasks on goroutines it owns, such as the workers of a
// pool.Pool. With WithRunner, a Group hands its tasks to a Runner instead
// of starting goroutines, and keeps its own semantics: first-error
// cancellation, panics re-raised by Wait, skipped tasks reported. For a
// pool.Pool, use its Group method, which supplies the Runner.
type Runner interface {
	// Go arranges for task to be called once, with a context that carries
	// ctx's values, and returns nil; or it returns an error and never calls
	// task. It may block while the Runner is at capacity, and then gives up
	// with context.Cause(ctx) once ctx ends. task runs on one of the
	// Runner's goroutines or, if the Runner so chooses, on the caller's
	// before Go returns. A Runner that gives up on an accepted task still
	// calls it, with a context already done, so the group can count it as
	// skipped; otherwise Wait never returns.
	Go(ctx context.Context, task func(ctx context.Context) error) error

	// TryGo is Go without blocking: it reports whether the Runner took
	// task, and if it returns false it never calls task.
	TryGo(ctx context.Context, task func(ctx context.Context) error) bool
}

// An Option configures a Group.
type Option interface {
	apply(*config)
}

type config struct {
	limit     int
	allErrors bool
	name      string
	runner    Runner
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithLimit makes at most n tasks run at once. Go blocks while n tasks are
// running; TryGo returns false. The group starts at most n goroutines and
// reuses them from task to task. WithLimit panics if n < 1.
func WithLimit(n int) Option {
	if n < 1 {
		panic(fmt.Sprintf("group: limit must be at least 1, got %d", n))
	}
	return optionFunc(func(c *config) { c.limit = n })
}

// WithAllErrors makes the group run every task to the end and report every
// failure: a task error no longer cancels the group, and Wait returns
// errors.Join of all task errors, plus the context's cause if tasks were
// skipped because the context given to New ended. A panic still cancels the
// group and is still re-raised by Wait. Once the group's context is done,
// errors that merely report that (errors.Is its error or cause) are left out
// after the first.
func WithAllErrors() Option {
	return optionFunc(func(c *config) { c.allErrors = true })
}

// WithName names the group in the runtime/pprof labels of its goroutines
// (leakproof.name=name, next to leakproof.pkg=group), so a goroutine profile
// shows which group owns them.
func WithName(name string) Option {
	return optionFunc(func(c *config) { c.name = name })
}

// WithRunner runs the group's tasks on r's goroutines instead of starting
// goroutines of its own. Go blocks while r does (a full pool queue) and
// gives up, skipping the task, when the group's context ends; a task r
// refuses fails the group with r's error. TryGo never blocks: it returns
// false when r cannot take the task at once. With WithLimit, at most n of
// the group's tasks are given to r at once. Tasks get a context that ends
// when the group's ends or when r gives up on them. The name from WithName
// does not label r's goroutines. For a pool.Pool, use its Group method.
func WithRunner(r Runner) Option {
	if r == nil {
		panic("group: WithRunner called with a nil Runner")
	}
	return optionFunc(func(c *config) { c.runner = r })
}
