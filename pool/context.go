package pool

import (
	"context"
	"fmt"
	"reflect"
	"sync/atomic"
)

// A taskCtx is the context a task runs with: the values of the context
// given to Submit, and the cancellation of the pool's abort context, which
// ends when Close gives up or returns. Embedding the abort context makes Done, Err
// and Deadline its own, and makes it the parent that context.WithCancel and
// context.Cause find, so deriving from a task's context costs no goroutine.
type taskCtx struct {
	context.Context // the pool's abort context
	values          context.Context
	p               *Pool
	// nested reports that values comes from a task of p.
	nested bool
}

// poolKey is the key under which a task's context holds its pool.
type poolKey struct{}

func (c *taskCtx) Value(key any) any {
	if key == (poolKey{}) {
		return c.p
	}
	// The abort context answers only for the context package's own key;
	// every other key belongs to the submitter's context.
	if v := c.Context.Value(key); v != nil {
		return v
	}
	return c.values.Value(key)
}

func (c *taskCtx) String() string {
	return fmt.Sprint(c.values) + ".WithoutCancel(pool task)"
}

// derive returns the context for a task submitted with ctx, and whether
// ctx comes from one of p's tasks. Tasks submitted with the same ctx share
// one task context (see remember), so a caller that keeps submitting with
// one ctx allocates nothing per task.
func (p *Pool) derive(ctx context.Context) (*taskCtx, bool) {
	if tc, ok := ctx.(*taskCtx); ok && tc.p == p {
		return tc, true
	}
	if ctx == context.Background() {
		return p.bg, false
	}
	if tc := p.last.get(ctx); tc != nil {
		return tc, tc.nested
	}
	tc := &taskCtx{Context: p.abort, values: ctx, p: p, nested: p.inTask(ctx)}
	return tc, tc.nested
}

// remember makes derive return tc for its Submit context from now on, once
// a task with tc was accepted. It is called with p.mu held, so the pool
// forgets it for good when its last worker exits: a pool with no worker
// keeps no request's values alive, nor does a closed one. Sweeps forget it
// too, so a busy pool that once served a request does not keep its values
// for ever. Only contexts that == can compare are remembered: another of the
// same type would make get panic.
func (p *Pool) remember(tc *taskCtx) {
	if tc != p.bg && p.last.tc.Load() != tc && reflect.ValueOf(tc.values).Comparable() {
		p.last.tc.Store(tc)
	}
}

// inTask reports whether ctx is, or derives from, the context of one of p's
// tasks.
func (p *Pool) inTask(ctx context.Context) bool {
	return ctx.Value(poolKey{}) == p
}

// lastCtx holds the task context of the last ctx that submitted a task. It
// is read without p.mu, and written with it held.
type lastCtx struct {
	tc atomic.Pointer[taskCtx]
}

func (l *lastCtx) get(ctx context.Context) *taskCtx {
	if tc := l.tc.Load(); tc != nil && tc.values == ctx {
		return tc
	}
	return nil
}

func (l *lastCtx) clear() {
	l.tc.Store(nil)
}
