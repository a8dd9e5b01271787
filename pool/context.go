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
// one task context, so a caller that keeps submitting with one ctx
// allocates nothing per task.
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
	p.last.set(tc)
	return tc, tc.nested
}

// inTask reports whether ctx is, or derives from, the context of one of p's
// tasks.
func (p *Pool) inTask(ctx context.Context) bool {
	if tc, ok := ctx.(*taskCtx); ok && tc.p == p {
		return true
	}
	return ctx.Value(poolKey{}) == p
}

// lastCtx remembers the task context derived most recently. It is cleared
// when the pool has no worker left, so a pool does not keep a finished
// request's values alive.
type lastCtx struct {
	tc atomic.Pointer[taskCtx]
}

func (l *lastCtx) get(ctx context.Context) *taskCtx {
	if tc := l.tc.Load(); tc != nil && tc.values == ctx {
		return tc
	}
	return nil
}

// set remembers tc unless its Submit context cannot be compared with ==,
// which would make get panic for a context of the same type.
func (l *lastCtx) set(tc *taskCtx) {
	if reflect.ValueOf(tc.values).Comparable() {
		l.tc.Store(tc)
	}
}

func (l *lastCtx) clear() {
	l.tc.Store(nil)
}
