// Package pool runs tasks on a bounded set of long-lived workers fed by a
// bounded queue, for services that share one pool across requests: the
// number of goroutines and the memory held by waiting work both have a
// ceiling, a full queue pushes back on the callers, and Close leaves nothing
// behind.
//
//	p := pool.New(8)                 // at most 8 tasks at once, 8 more queued
//	defer p.Close(ctx)               // runs what is queued, joins every worker
//	err := p.Submit(ctx, func(ctx context.Context) error {
//		return send(ctx, msg)
//	})                               // blocks while the queue is full
//	err = p.TrySubmit(job)           // ErrFull instead of blocking: shed load
//
// Workers start on demand and exit by themselves once idle (see
// WithIdleTimeout), so an idle pool holds no goroutines even if nobody calls
// Close. A task's error or panic goes to the pool's error handler, which by
// default logs it; nothing a task does is lost or counted as success.
//
// To wait for a set of tasks, with the first error cancelling the rest, run
// them as a batch with Group: the batch's Wait returns its first error or
// re-raises its first panic, while the tasks run on the pool's workers. A
// task may submit more tasks to its own pool, as single tasks or as a batch,
// if it passes the context it was given: when no worker is free the new task
// runs in the submitting task instead of waiting for a worker that might
// never come.
//
// Stats counts what became of every task; Resize changes the bound at run
// time; WithName labels the workers in goroutine profiles.
package pool

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/internal/labels"
	"github.com/leakproof/leakproof/internal/panics"
)

var (
	// ErrClosed is returned by Submit and TrySubmit once Close has been
	// called. The cause of a task's context wraps it once Close gives up
	// waiting or returns.
	ErrClosed = errors.New("pool: closed")

	// ErrFull is returned by TrySubmit when every worker is busy and the
	// queue is full.
	ErrFull = errors.New("pool: queue full")
)

// A Pool runs submitted tasks on a bounded number of worker goroutines,
// queueing a bounded number of tasks when every worker is busy. Its memory
// grows with bursts, up to those bounds, and shrinks back once idle.
// Create one with New; the zero Pool is not usable. A Pool is safe for
// concurrent use, and is meant to be long-lived and shared.
type Pool struct {
	cfg    config
	labels labels.Set

	// Task contexts end when Close gives up on the tasks, or returns.
	abort       context.Context
	cancelAbort context.CancelCauseFunc
	bg          *taskCtx      // for TrySubmit and context.Background()
	last        lastCtx       // the task context of the last ctx to submit
	space       chan struct{} // cap 1: wakes a Submit waiting for room; closed by Close
	done        chan struct{} // closed once Close has begun and no worker goroutine is left
	sweeper     *time.Timer   // runs sweep while workers are parked
	// start is p.work, made once: a go statement that passes arguments
	// allocates them.
	start func()

	mu         sync.Mutex
	contenders atomic.Int32 // goroutines in lock's slow path
	max        int          // workers allowed, set by New and Resize
	workers    int          // workers counted against max
	alive      int          // worker goroutines not yet returned, including ones told to exit
	idle       []*worker    // parked workers, the most recently parked last
	spare      []worker     // allocated for the next workers to start; nil with no worker left
	starting   []*worker    // spawned, not yet taken by their goroutines
	queue      ring
	waking     int // workers woken, or started, to take a task from the queue
	waiters    int // Submits waiting for room
	closed     bool
	aborted    bool // Close gave up
	// sweeping reports that sweeper is set and its callback has not begun.
	sweeping bool
	stats    Stats // cumulative counters and Running
}

// Stats is a snapshot of a pool's counters. Every accepted task is counted
// exactly once as Queued, Running, Succeeded, Failed, Panicked or Dropped, so
// Submitted is always the sum of those six.
type Stats struct {
	// Submitted counts tasks accepted by Submit, TrySubmit or a Group.
	Submitted uint64
	// Rejected counts tasks refused: ErrFull, ErrClosed, or a Submit whose
	// context ended before there was room.
	Rejected uint64
	// Succeeded counts tasks that returned nil.
	Succeeded uint64
	// Failed counts tasks that returned an error or called runtime.Goexit.
	Failed uint64
	// Panicked counts tasks that panicked.
	Panicked uint64
	// Dropped counts queued tasks discarded because Close gave up waiting.
	Dropped uint64

	// Running is the number of tasks running now, including nested tasks
	// running inside the task that submitted them.
	Running int
	// Queued is the number of tasks waiting for a worker now.
	Queued int
	// Workers is the number of worker goroutines now, busy or idle.
	Workers int
}

// New returns a pool that runs at most workers tasks at once. Its workers
// start as tasks arrive and exit after an idle timeout (see WithIdleTimeout),
// so a new or idle pool holds no goroutines. New panics if workers < 1.
//
// Call Close when the pool is no longer needed: it stops intake, runs what is
// queued and waits for the workers.
func New(workers int, opts ...Option) *Pool {
	if workers < 1 {
		panic(fmt.Sprintf("pool: workers must be at least 1, got %d", workers))
	}
	p := &Pool{
		cfg:   config{queue: workers, idle: defaultIdleTimeout},
		max:   workers,
		space: make(chan struct{}, 1),
		done:  make(chan struct{}),
	}
	for _, o := range opts {
		o.apply(&p.cfg)
	}
	if p.cfg.handler == nil {
		p.cfg.handler = logError(p.cfg.name)
	}
	p.labels = labels.Make(context.Background(), "pool", p.cfg.name)
	p.abort, p.cancelAbort = context.WithCancelCause(context.Background())
	p.bg = &taskCtx{Context: p.abort, values: context.Background(), p: p}
	p.start = p.work
	return p
}

// Submit runs task on a worker, or queues it if every worker is busy. It
// blocks while the queue is full, and returns context.Cause(ctx) if ctx ends
// before there is room, or at once if ctx is already done. It returns
// ErrClosed once Close has been called. A task Submit accepted runs unless
// Close gives up waiting before it starts; nil means accepted, not done.
//
// The task's context carries ctx's values but not its cancellation or
// deadline: a task outlives the request that submitted it. It is cancelled
// when Close gives up waiting for the task (with a cause wrapping ErrClosed),
// and in any case once Close has returned.
//
// Submit allocates nothing per task: a task context is derived once per
// distinct ctx and reused while the same ctx keeps submitting. The pool
// forgets it when another ctx submits, once it has had an idle worker for
// an idle timeout, or once its last worker has exited, so a finished
// request's values are not kept alive by a pool that stays in use.
//
// A task that submits to its own pool passing the context it was given (or
// one derived from it) never waits for a worker: if none is free, the new
// task runs at once inside the submitting task, before Submit returns. Tasks
// that wait for the tasks they submit therefore cannot starve the pool.
//
// Submit panics if ctx or task is nil.
func (p *Pool) Submit(ctx context.Context, task func(ctx context.Context) error) error {
	return p.submit(ctx, task, fromCaller, true)
}

// TrySubmit runs task on a worker, or queues it, if it can do so without
// blocking. It returns ErrFull when every worker is busy and the queue is
// full, and ErrClosed once Close has been called. The task's context carries
// no values. TrySubmit panics if task is nil.
func (p *Pool) TrySubmit(task func(ctx context.Context) error) error {
	if task == nil {
		panic("pool: TrySubmit called with a nil task")
	}
	return p.submit(context.Background(), task, fromCaller, false)
}

// origin tells where a task comes from.
type origin int

const (
	fromCaller      origin = iota // Submit: nested if ctx comes from one of the pool's tasks
	fromBatch                     // a Group started outside the pool's tasks
	fromNestedBatch               // a Group started by one of the pool's tasks
)

// submit admits task from o. If block is not set, it returns ErrFull
// instead of waiting for room or running a nested task inline.
func (p *Pool) submit(ctx context.Context, task func(context.Context) error, o origin, block bool) error {
	if ctx == nil {
		panic("pool: Submit called with a nil context")
	}
	if task == nil {
		panic("pool: Submit called with a nil task")
	}
	if ctx.Err() != nil {
		p.lock()
		p.stats.Rejected++
		p.mu.Unlock()
		return context.Cause(ctx)
	}
	tc, inTask := p.derive(ctx)
	it := item{task: task, ctx: tc, batch: o != fromCaller}
	nested := o == fromNestedBatch || o == fromCaller && inTask
	p.lock()
	for spin := 0; ; spin++ {
		// A nested task must not wait in the queue behind tasks that may be
		// waiting for it: it takes a free worker or runs here. A Submit
		// that finds the queue full gives a worker on its way two tries
		// to make room before it starts another: ten thousand submitters
		// would otherwise start a worker for nearly every task.
		h, err := p.admit(it, !nested, block && !nested && spin < 2)
		switch {
		case err == nil:
			p.remember(tc)
			p.mu.Unlock()
			h.run(p)
			return nil
		case err == ErrFull && nested && block:
			p.stats.Submitted++
			p.stats.Running++
			p.mu.Unlock()
			p.inline(it)
			return nil
		case err == ErrClosed || !block:
			p.stats.Rejected++
			p.mu.Unlock()
			return err
		}
		if spin < 4 {
			// Let a worker on this thread make room first: parking
			// and waking this goroutine for each slot costs more than
			// the small tasks that fill a queue the fastest.
			p.mu.Unlock()
			runtime.Gosched()
			p.lock()
			continue
		}
		p.waiters++
		p.mu.Unlock()

		select {
		case <-p.space:
		case <-ctx.Done():
		}

		p.lock()
		p.waiters--
		if ctx.Err() != nil {
			p.stats.Rejected++
			p.signal() // pass on the wake-up this call may have taken
			p.mu.Unlock()
			return context.Cause(ctx)
		}
	}
}

// admit accepts it into the queue, if queue is set and there is room, or
// else hands it to an idle or new worker. It returns ErrFull if there is no
// room, and what the caller must run once p.mu is released. If wait is
// set, it returns ErrFull rather than start a worker while another is on
// its way to the queue. p.mu is held.
func (p *Pool) admit(it item, queue, wait bool) (handoff, error) {
	if p.closed && (queue || p.aborted || p.alive == 0) {
		// A nested task is part of finishing the work Close waits for,
		// until Close gives up.
		return handoff{}, ErrClosed
	}
	var h handoff
	switch {
	case queue && p.room():
		p.queue.push(it)
		p.stats.Submitted++
		h = p.wake()
	case len(p.idle) == 0 && (p.workers >= p.max || wait && p.waking > 0):
		// A worker on its way to the queue will make room.
		return handoff{}, ErrFull
	default:
		p.stats.Submitted++
		p.stats.Running++
		if queue && p.queue.len() > 0 {
			// The queue is full with a worker free to take from it: it
			// takes the oldest task, and it waits in its place.
			it = p.queue.swap(it)
		}
		if w := p.popIdle(); w != nil {
			h = handoff{w: w, msg: it}
		} else {
			h = p.spawn(it)
		}
	}
	p.signal() // a waiting Submit may fit too
	return h, nil
}

// A handoff is what is left to do for a worker once p.mu is released:
// start a worker goroutine, which takes a spawned worker off p.starting,
// or send a parked worker a task or the zero item. Starting a goroutine
// takes long enough that the lock is better released first.
type handoff struct {
	w     *worker
	msg   item
	start bool
}

func (h handoff) run(p *Pool) {
	switch {
	case h.w == nil:
	case h.start:
		go p.start()
	default:
		h.w.send(h.msg)
	}
}

// room reports whether the queue has room for a task. A task that a woken
// worker is about to take does not count against the queue's size. p.mu is
// held.
func (p *Pool) room() bool {
	return p.queue.len() < p.cfg.queue+p.waking
}

// wake sends a worker to the queue, unless enough are on their way: it
// wakes an idle worker, which the caller must send the zero item, or starts
// a new one. A woken worker wakes the next if tasks are left. Waking few
// workers at a time, about log2 of the queue's length, means that a worker
// about to finish its task takes the next one without a context switch per
// task, while a queue that keeps growing, because tasks block, soon has as
// many workers as it needs. p.mu is held.
func (p *Pool) wake() handoff {
	if p.queue.len() == 0 || p.waking >= bits.Len(uint(p.queue.len())) {
		return handoff{}
	}
	var h handoff
	switch w := p.popIdle(); {
	case w != nil:
		h = handoff{w: w}
	case p.workers < p.max:
		h = p.spawn(item{})
	default:
		return handoff{}
	}
	p.waking++
	h.w.woken = true
	return h
}

// popIdle takes the most recently parked worker off p.idle. p.mu is held.
func (p *Pool) popIdle() *worker {
	n := len(p.idle)
	if n == 0 {
		return nil
	}
	w := p.idle[n-1]
	p.idle[n-1] = nil
	p.idle = p.idle[:n-1]
	return w
}

// signal wakes one Submit waiting for room, if there is room. The Submit
// that takes the room calls it again, so that every waiting Submit that fits
// is woken, one after the other. p.mu is held.
func (p *Pool) signal() {
	if p.waiters > 0 && !p.closed && (p.room() || len(p.idle) > 0 || p.workers < p.max) {
		select {
		case p.space <- struct{}{}:
		default:
		}
	}
}

// maxLockWaiters is how many goroutines at a time lock lets wait in
// p.mu.Lock: enough that a submitter and the workers it keeps busy queue
// for the lock as for any mutex (at four, a single submitter's workers spent
// their time yielding), few enough that a convoy is short.
const maxLockWaiters = 32

// lock takes p.mu. Up to maxLockWaiters goroutines at a time wait for it
// in Lock; the others yield and try again. With thousands of submitters
// and workers waiting in Lock, sync.Mutex turns to starvation mode, in
// which every Unlock hands the lock to the longest waiter and switches to
// it: the lock then costs a context switch each time it is taken, and the
// pool's throughput collapses (golang/go#33747).
func (p *Pool) lock() {
	if p.mu.TryLock() {
		return
	}
	defer p.contenders.Add(-1)
	if p.contenders.Add(1) <= maxLockWaiters {
		p.mu.Lock()
		return
	}
	for !p.mu.TryLock() {
		runtime.Gosched()
	}
}

// Resize sets the number of workers the pool may run at once to n. Growing
// lets queued tasks start at once. Shrinking lets idle workers above n exit
// at once and busy ones exit as they finish their current task, so more
// than n tasks may still be running just after Resize returns. Resize panics
// if n < 1.
func (p *Pool) Resize(n int) {
	if n < 1 {
		panic(fmt.Sprintf("pool: workers must be at least 1, got %d", n))
	}
	p.lock()
	p.max = n
	if k := min(len(p.idle), p.workers-p.max); k > 0 {
		// The longest idle first: the recently used ones have warm stacks.
		for _, w := range p.idle[:k] {
			p.dismiss(w)
		}
		p.idle = slices.Delete(p.idle, 0, k)
	}
	h := p.wake()
	p.signal()
	p.mu.Unlock()
	h.run(p)
}

// Stats returns a consistent snapshot of the pool's counters.
func (p *Pool) Stats() Stats {
	p.lock()
	defer p.mu.Unlock()
	s := p.stats
	s.Queued = p.queue.len()
	s.Workers = p.alive
	return s
}

// Close stops intake, runs the queued tasks, and waits until every task has
// returned and every worker goroutine has exited. Submit and TrySubmit then
// return ErrClosed; a Submit blocked on a full queue returns ErrClosed at
// once.
//
// Tasks that are running or queued may still submit nested tasks with the
// context they were given (see Submit); Close waits for those too.
//
// If ctx ends first, Close gives up on the queue: queued tasks are dropped
// and counted in Stats.Dropped (a Group's queued tasks are called with a
// context already done, so the batch's Wait still returns), and the contexts
// of the running tasks are cancelled with a cause wrapping ErrClosed and
// context.Cause(ctx). Close still waits for the running tasks to return,
// then returns context.Cause(ctx).
//
// Close may be called more than once and concurrently; each call waits as
// described. A task, or the error handler, that calls Close on its own pool
// waits for itself and never returns, whatever ctx says: Close waits for
// every worker, the caller's too.
func (p *Pool) Close(ctx context.Context) error {
	if ctx == nil {
		panic("pool: Close called with a nil context")
	}
	p.lock()
	if !p.closed {
		p.closed = true
		close(p.space)
		p.dismissIdle()
		if p.sweeping && p.sweeper.Stop() {
			p.sweeping = false
		}
		p.finish()
	}
	p.mu.Unlock()

	// Once every task has returned, a task's context may end: this stops
	// what a task left running with it, and releases its children.
	defer p.cancelAbort(ErrClosed)
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
	}
	select {
	case <-p.done:
		return nil // the work finished as ctx ended
	default:
	}
	p.giveUp(context.Cause(ctx))
	<-p.done
	return context.Cause(ctx)
}

// giveUp empties the queue and cancels the running tasks, in that order,
// so that no worker freed by the cancellation takes a queued task.
func (p *Pool) giveUp(cause error) {
	p.lock()
	p.aborted = true
	dropped := p.queue.drain()
	p.stats.Dropped += uint64(len(dropped))
	p.dismissIdle()
	p.mu.Unlock()
	p.cancelAbort(fmt.Errorf("%w: Close gave up waiting: %w", ErrClosed, cause))
	// A batch counts on every task it handed over being called; with the
	// context done, the batch marks the task skipped and returns at once,
	// with no error to report.
	for _, it := range dropped {
		if it.batch {
			_ = p.call(it)
		}
	}
}

// spawn counts a new worker, for the caller to start once p.mu is
// released. The worker runs it, or takes a task from the queue if it is the
// zero item. p.mu is held.
func (p *Pool) spawn(it item) handoff {
	p.workers++
	p.alive++
	if len(p.spare) == 0 {
		// Workers come in batches, which saves an allocation per worker
		// when a burst starts hundreds.
		p.spare = make([]worker, 16)
	}
	w := &p.spare[0]
	p.spare = p.spare[1:]
	w.handed = make(chan struct{}, 1)
	w.msg = it
	p.starting = append(p.starting, w)
	return handoff{w: w, start: true}
}

// dismissIdle dismisses the idle workers once the pool is closed and its
// queue empty: nothing is left for them to do. While tasks are queued a
// woken worker is on its way to them, and it wakes the idle ones in turn
// as long as tasks remain. p.mu is held.
func (p *Pool) dismissIdle() {
	if !p.closed || p.queue.len() > 0 {
		return
	}
	for _, w := range p.idle {
		p.dismiss(w)
	}
	clear(p.idle)
	p.idle = p.idle[:0]
}

// dismiss tells a worker taken off p.idle to exit. p.mu is held.
func (p *Pool) dismiss(w *worker) {
	p.release(w)
	w.send(item{})
}

// release takes back w's slot: w is to exit. p.mu is held.
func (p *Pool) release(w *worker) {
	w.quit = true
	p.workers--
}

// A worker is one goroutine of the pool.
type worker struct {
	// msg is the task handed to this worker as it starts or while it is
	// parked, or the zero item, which tells it to look at the queue, or to
	// exit if it is told to quit. A signal on handed, whose capacity of one
	// lets the sender go on without waiting, tells a parked worker that msg
	// is set. A channel of items would cost two allocations per worker
	// started; this one costs one.
	handed chan struct{}
	msg    item

	// Guarded by p.mu.
	woken bool // counted in p.waking
	quit  bool // to exit; no longer counted in p.workers
	used  bool // has parked since the last sweep
}

// send hands a parked worker it.
func (w *worker) send(it item) {
	w.msg = it
	w.handed <- struct{}{}
}

// receive waits for send.
func (w *worker) receive() item {
	<-w.handed
	it := w.msg
	w.msg = item{}
	return it
}

// work is the goroutine of a worker that spawn counted. It runs the
// worker's first task, then every task it is handed or takes from the
// queue, until it is told to quit.
func (p *Pool) work() {
	p.labels.Apply()
	p.lock()
	n := len(p.starting) - 1
	w := p.starting[n]
	p.starting[n] = nil
	p.starting = p.starting[:n]
	busy, batch := false, false
	// Also runs if a task or the error handler calls runtime.Goexit.
	defer func() { p.exit(w, busy, batch) }()
	it, ok := w.msg, true
	w.msg = item{}
	if it.task == nil {
		it, ok = p.take(w)
	} else {
		p.mu.Unlock()
	}
	for ok {
		busy, batch = true, it.batch
		err := p.call(it)
		busy = false
		it, ok = p.next(w, err)
	}
}

// call runs one task and returns its error or a *leakproof.PanicError.
func (p *Pool) call(it item) error {
	return panics.Try(func() error { return it.task(it.ctx) })
}

// next records how the worker's last task ended and returns its next task,
// as take does.
func (p *Pool) next(w *worker, err error) (item, bool) {
	p.lock()
	p.count(err)
	if err != nil {
		// The worker holds no task while the handler runs, and takes none
		// before it returns.
		p.mu.Unlock()
		p.cfg.handler(err)
		p.lock()
	}
	return p.take(w)
}

// take returns the worker's next task: from the queue, or, once the worker
// has parked because the queue was empty, handed to it. It reports false
// when the worker must exit. p.mu is held; take releases it.
func (p *Pool) take(w *worker) (item, bool) {
	for {
		woken := w.woken
		if woken {
			w.woken = false
			p.waking--
		}
		if !w.quit && (p.workers > p.max || p.closed && p.queue.len() == 0) {
			// Resize shrank the pool, or it is closed with nothing left
			// to run.
			p.release(w)
		}
		if w.quit {
			p.mu.Unlock()
			return item{}, false
		}
		if it, ok := p.queue.pop(); ok {
			p.stats.Running++
			p.dismissIdle()
			// A woken worker passes the wake-up on. One back from a
			// task does not: that workers come back shows the pool
			// keeps up, whatever the queue's length.
			var next handoff
			if woken {
				next = p.wake()
			}
			p.signal()
			p.mu.Unlock()
			next.run(p)
			return it, true
		}
		w.used = true
		p.idle = append(p.idle, w)
		p.signal() // with no queue, an idle worker is the room a Submit waits for
		if !p.sweeping {
			p.armSweeper()
		}
		p.mu.Unlock()

		it := w.receive()
		if it.task != nil {
			return it, true
		}
		p.lock()
	}
}

func (p *Pool) armSweeper() {
	if p.sweeper == nil {
		p.sweeper = time.AfterFunc(p.cfg.idle, p.sweep)
	} else {
		p.sweeper.Reset(p.cfg.idle)
	}
	p.sweeping = true
}

// sweep runs once per idle timeout while workers are parked, and dismisses
// those that stayed idle since the previous sweep: a worker exits between
// one and two idle timeouts after its last task. One timer for the pool,
// set only while workers are parked, costs nothing per task, unlike a
// timer per worker reset on every task.
func (p *Pool) sweep() {
	p.lock()
	defer p.mu.Unlock()
	p.sweeping = false
	kept := p.idle[:0]
	for _, w := range p.idle {
		if w.used {
			w.used = false
			kept = append(kept, w)
		} else {
			p.dismiss(w)
		}
	}
	clear(p.idle[len(kept):])
	p.idle = kept
	if len(p.idle) > 0 && !p.closed {
		p.armSweeper()
	}
	if p.queue.len() == 0 {
		// A burst is over: give back what it made the pool grow.
		p.queue = ring{}
		if len(p.idle) == 0 {
			p.idle = nil
		}
	}
	// The last Submit ctx may belong to a request long over; a pool with
	// idle workers gains little from remembering it.
	p.last.clear()
	p.signal() // with no queue, a dismissed worker makes room for a new one
	p.finish()
}

// exit accounts for a worker goroutine that is returning, because take told
// it to quit or because its task (busy) or the error handler called
// runtime.Goexit. Such a task failed; it is reported unless it is a
// Group's, whose Wait reports it. The worker's slot passes to another
// worker if tasks are queued.
func (p *Pool) exit(w *worker, busy, batch bool) {
	defer p.exited() // also if the error handler calls runtime.Goexit
	p.lock()
	if busy {
		p.count(leakproof.ErrGoexit)
	}
	if !w.quit {
		p.release(w)
	}
	next := p.wake()
	p.signal()
	p.mu.Unlock()
	next.run(p)
	if busy && !batch {
		p.cfg.handler(leakproof.ErrGoexit)
	}
}

// exited counts a worker goroutine out. It runs last, whatever the error
// handler does, so that Close cannot wait for it forever.
func (p *Pool) exited() {
	p.lock()
	defer p.mu.Unlock()
	p.alive--
	if p.alive == 0 {
		// Nothing runs: keep no burst's workers, nor a request's values.
		p.starting, p.spare = nil, nil
		p.last.clear()
	}
	p.finish()
}

// finish closes p.done once the pool is closed, its last worker gone and
// its sweeper stopped. p.mu is held.
func (p *Pool) finish() {
	if p.closed && p.alive == 0 && !p.sweeping {
		select {
		case <-p.done:
		default:
			close(p.done)
		}
	}
}

// inline runs a nested task in the goroutine of the task that submitted it.
// Its failure is reported unless it is a Group's, whose Wait reports it.
func (p *Pool) inline(it item) {
	err := leakproof.ErrGoexit
	defer func() {
		p.lock()
		p.count(err)
		p.mu.Unlock()
		if err != nil && !it.batch {
			p.cfg.handler(err)
		}
	}()
	err = p.call(it)
}

// count records that a running task ended with err. p.mu is held.
func (p *Pool) count(err error) {
	p.stats.Running--
	switch err.(type) {
	case nil:
		p.stats.Succeeded++
	case *leakproof.PanicError:
		p.stats.Panicked++
	default:
		p.stats.Failed++
	}
}

// logError returns the default error handler.
func logError(name string) func(error) {
	return func(err error) {
		attrs := make([]slog.Attr, 0, 3)
		if name != "" {
			attrs = append(attrs, slog.String("pool", name))
		}
		msg := "pool: task failed"
		if pe, ok := err.(*leakproof.PanicError); ok {
			msg = "pool: task panicked"
			attrs = append(attrs, slog.Any("panic", pe.Value), slog.String("stack", string(pe.Stack)))
		} else {
			attrs = append(attrs, slog.Any("err", err))
		}
		slog.Default().LogAttrs(context.Background(), slog.LevelError, msg, attrs...)
	}
}
