package pool

import (
	"context"
	"slices"

	"github.com/leakproof/leakproof/group"
)

// Group returns a group.Group whose tasks run on p's workers: a batch that
// Wait waits for alone, with the group's semantics (the first error cancels
// the batch's context and is returned by Wait, a panic is re-raised by Wait)
// and the pool's bounds (a full queue makes Go block until there is room or
// the batch's context ends).
//
//	g := p.Group(ctx)
//	for _, u := range urls {
//		g.Go(func(ctx context.Context) error { return fetch(ctx, u) })
//	}
//	err := g.Wait()
//
// A *Pool is not itself a group.Runner: a Runner must call every task it
// accepts, and Close drops queued tasks when it gives up. Group's runner
// calls them anyway, with a context already done, so that Wait returns.
// Once Close has been called, Go fails a batch started outside the pool's
// tasks with an error wrapping ErrClosed.
//
// A batch's errors and panics go to its Wait, not to the pool's error
// handler; in the pool's Stats a batch's task counts as succeeded once it
// has returned, whatever it returned.
//
// Called from a task of p with that task's context, Group gives a nested
// batch: when no worker is free, its tasks run inside the calling task (see
// Submit), so the batch completes even if every worker is waiting on a batch
// of its own. opts are group options; a WithRunner among them is overridden.
func (p *Pool) Group(ctx context.Context, opts ...group.Option) *group.Group {
	if ctx == nil {
		panic("pool: Group called with a nil context")
	}
	r := batchRunner{p: p, nested: p.inTask(ctx)}
	// The batch's tasks get contexts derived from this one, which marks
	// them as running on p: a task that submits to p in turn is nested.
	ctx = context.WithValue(ctx, poolKey{}, p)
	return group.New(ctx, slices.Concat(opts, []group.Option{group.WithRunner(r)})...)
}

// batchRunner submits a Group's tasks, marked so that Close calls them
// rather than dropping them.
type batchRunner struct {
	p *Pool
	// nested reports that the Group was started by a task of p. The
	// Group's own context is marked as p's whether or not it was.
	nested bool
}

func (r batchRunner) Go(ctx context.Context, task func(context.Context) error) error {
	return r.p.submit(ctx, task, r.origin(), true)
}

func (r batchRunner) TryGo(ctx context.Context, task func(context.Context) error) bool {
	return r.p.submit(ctx, task, r.origin(), false) == nil
}

func (r batchRunner) origin() origin {
	if r.nested {
		return fromNestedBatch
	}
	return fromBatch
}
