package pool

import (
	"fmt"
	"time"
)

// defaultIdleTimeout is how long a worker waits for a task before it
// exits, unless WithIdleTimeout says otherwise.
const defaultIdleTimeout = time.Second

// An Option configures a Pool.
type Option interface {
	apply(*config)
}

type config struct {
	queue   int
	idle    time.Duration
	handler func(error)
	name    string
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithQueue lets up to n tasks wait for a worker when every worker is busy;
// beyond that Submit blocks and TrySubmit returns ErrFull. The default is
// one queued task per worker. With n = 0 a task is only ever handed straight
// to a free worker. The queue's memory grows with use, up to n tasks, and
// is given back once the pool is idle. WithQueue panics if n < 0.
func WithQueue(n int) Option {
	if n < 0 {
		panic(fmt.Sprintf("pool: queue size must be at least 0, got %d", n))
	}
	return optionFunc(func(c *config) { c.queue = n })
}

// WithIdleTimeout makes a worker exit once it has had no task for d; it
// exits between d and 2d after its last task, which spares the pool from
// resetting a timer for every task. The default is one second: long enough
// that a busy service reuses its workers, short enough that an idle pool
// holds no goroutines soon after its last task. WithIdleTimeout panics if
// d <= 0.
func WithIdleTimeout(d time.Duration) Option {
	if d <= 0 {
		panic(fmt.Sprintf("pool: idle timeout must be positive, got %v", d))
	}
	return optionFunc(func(c *config) { c.idle = d })
}

// WithErrorHandler makes the pool call h with every error a task returns,
// every panic as a *leakproof.PanicError, and leakproof.ErrGoexit for a task
// that called runtime.Goexit. h runs on the worker that ran the task, after
// the task is counted in Stats, and may be called from several workers at
// once; the worker takes no new task until h returns. A panic in h is not
// recovered: it crashes the program, as in any goroutine. If h calls
// runtime.Goexit (t.FailNow in a test), the worker exits and the pool goes
// on without it. The default handler logs through slog.Default at error
// level, with the stack of a panic. A Group's tasks report to the Group's
// Wait instead. WithErrorHandler panics if h is nil.
func WithErrorHandler(h func(err error)) Option {
	if h == nil {
		panic("pool: WithErrorHandler called with a nil handler")
	}
	return optionFunc(func(c *config) { c.handler = h })
}

// WithName names the pool in the runtime/pprof labels of its workers
// (leakproof.name=name, next to leakproof.pkg=pool), so a goroutine profile
// shows which pool owns them, and in the default handler's log records.
func WithName(name string) Option {
	return optionFunc(func(c *config) { c.name = name })
}
