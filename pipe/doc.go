// Package pipe builds pipelines on iterators: a Seq is an iter.Seq2 of
// items and errors, and stages such as Map, Filter, Batch and Merge turn
// sequences into sequences. A plain for range loop drives the pipeline, and
// every goroutine a stage starts has exited when that loop ends, whether it
// ran to the end, hit an error, or stopped at a break:
//
//	lines := pipe.FromSlice(paths)
//	recs := pipe.Map(ctx, lines, parse, pipe.Workers(4))
//	for rec, err := range recs {
//		if err != nil {
//			return err
//		}
//		if done(rec) {
//			break // stops the workers and the stages upstream; nothing runs on
//		}
//	}
//
// The hand-written pipeline of channels and goroutines leaks as soon as one
// side stops early: a consumer that returns strands the senders, a producer
// that stops without closing strands the receivers. Here the loop owns the
// pipeline:
//
//   - Nothing runs before the loop: building a pipeline only describes it.
//     Ranging again runs it again, from its sources.
//   - Breaking out of the loop stops every stage upstream. Work done after
//     the break is bounded by the workers and buffers in flight, never by the
//     length of the input, and no user function runs once the loop is over.
//   - The first error, from a source or a stage, ends the sequence: it is
//     yielded once, as (zero, err), and nothing follows. Stages that keep
//     order deliver the items before it first, as a plain loop would, so
//     their output does not depend on the worker count; unordered ones
//     (Unordered, ForEach, Merge) end as soon as it happens. The end of a
//     stage's ctx ends it at once, with context.Cause(ctx).
//   - A panic in a user function is re-raised in the goroutine that ranges,
//     as a *leakproof.PanicError, once the pipeline has stopped.
//
// Stages start goroutines only for the concurrency asked for: with one
// worker, the default, Map, Filter, FlatMap and ForEach call their
// function in the goroutine that ranges, as a plain loop would, and so do
// the sources. Workers(n) runs n calls at once, keeping input order unless
// Unordered is given; a slow item does not stall the others, up to a
// reorder window of 16 items per worker (see Window). Buffer, Batch and
// Merge range over their inputs on goroutines of their own.
//
// A stop travels upstream through the ranging: a stage stops when the
// goroutine that ranges over it stops, the next time the stage yields to
// it. So a source that waits on the outside world, such as FromChan or the
// function of Generate, and a user function that waits on the outside world
// upstream of a stage with its own goroutines (Workers(n) with n > 1,
// Buffer, Batch, Merge), can only be interrupted through their ctx: a
// pipeline that stops early returns once such a function returns or yields
// again. A function that waits for nothing but its ctx to end, under a ctx
// that nothing cancels, keeps the loop from returning, also when a stage
// downstream fails. Give such functions a deadline; when the loop body is
// what stops early, it can also cancel the ctx the stages share first:
//
//	for v, err := range pipe.Map(ctx, pipe.Map(ctx, ids, longPoll, pipe.Workers(4)), use, pipe.Workers(4)) {
//		if done(v, err) {
//			cancel() // ctx's: ends the long polls still waiting upstream
//			break
//		}
//	}
//
// Send and Recv are the channel operations of hand-written pipelines, made
// to give up when a context ends.
package pipe
