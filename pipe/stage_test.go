package pipe_test

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/pipe"
)

// A stageCase is a pipeline stage under test: build puts it on in, with
// work as the user function it calls for each item, and want tells its
// output for a complete input.
type stageCase struct {
	name       string
	build      func(ctx context.Context, in pipe.Seq[int], work func(context.Context, int) error) pipe.Seq[int]
	want       func(in []int) []int
	unordered  bool // the output may come in any order
	concurrent bool // the stage runs user code on goroutines of its own
}

// maxWorkers is the most workers a stage case has.
const maxWorkers = 8

func mapStage(opts ...pipe.Option) func(context.Context, pipe.Seq[int], func(context.Context, int) error) pipe.Seq[int] {
	return func(ctx context.Context, in pipe.Seq[int], work func(context.Context, int) error) pipe.Seq[int] {
		return pipe.Map(ctx, in, func(ctx context.Context, v int) (int, error) { return 10 * v, work(ctx, v) }, opts...)
	}
}

func mapWant(in []int) []int {
	out := make([]int, len(in))
	for i, v := range in {
		out[i] = 10 * v
	}
	return out
}

func filterStage(opts ...pipe.Option) func(context.Context, pipe.Seq[int], func(context.Context, int) error) pipe.Seq[int] {
	return func(ctx context.Context, in pipe.Seq[int], work func(context.Context, int) error) pipe.Seq[int] {
		return pipe.Filter(ctx, in, func(ctx context.Context, v int) (bool, error) { return v%3 != 0, work(ctx, v) }, opts...)
	}
}

func filterWant(in []int) []int {
	return slices.DeleteFunc(slices.Clone(in), func(v int) bool { return v%3 == 0 })
}

func flatMapStage(opts ...pipe.Option) func(context.Context, pipe.Seq[int], func(context.Context, int) error) pipe.Seq[int] {
	return func(ctx context.Context, in pipe.Seq[int], work func(context.Context, int) error) pipe.Seq[int] {
		return pipe.FlatMap(ctx, in, func(ctx context.Context, v int) ([]int, error) {
			return slices.Repeat([]int{v}, v%3), work(ctx, v)
		}, opts...)
	}
}

func flatMapWant(in []int) []int {
	var out []int
	for _, v := range in {
		out = append(out, slices.Repeat([]int{v}, v%3)...)
	}
	return out
}

func identity(in []int) []int { return in }

// flatten turns a sequence of batches back into one of items.
func flatten(batches pipe.Seq[[]int]) pipe.Seq[int] {
	return func(yield func(int, error) bool) {
		for b, err := range batches {
			if err != nil {
				yield(0, err)
				return
			}
			for _, v := range b {
				if !yield(v, nil) {
					return
				}
			}
		}
	}
}

var stageCases = []stageCase{
	{name: "Map", build: mapStage(), want: mapWant},
	{name: "Map/Workers(4)", build: mapStage(pipe.Workers(4)), want: mapWant, concurrent: true},
	{name: "Map/Workers(4)/Unordered", build: mapStage(pipe.Workers(4), pipe.Unordered()), want: mapWant, unordered: true, concurrent: true},
	{name: "Map/Workers(8)/Window(3)", build: mapStage(pipe.Workers(8), pipe.Window(3)), want: mapWant, concurrent: true},
	{name: "Filter", build: filterStage(), want: filterWant},
	{name: "Filter/Workers(4)", build: filterStage(pipe.Workers(4)), want: filterWant, concurrent: true},
	{name: "Filter/Workers(4)/Unordered", build: filterStage(pipe.Workers(4), pipe.Unordered()), want: filterWant, unordered: true, concurrent: true},
	{name: "FlatMap", build: flatMapStage(), want: flatMapWant},
	{name: "FlatMap/Workers(3)", build: flatMapStage(pipe.Workers(3)), want: flatMapWant, concurrent: true},
	{
		name: "Buffer(2)",
		build: func(ctx context.Context, in pipe.Seq[int], work func(context.Context, int) error) pipe.Seq[int] {
			return pipe.Buffer(ctx, mapStage()(ctx, in, work), 2)
		},
		want: mapWant, concurrent: true,
	},
	{
		name: "Batch(3)",
		build: func(ctx context.Context, in pipe.Seq[int], work func(context.Context, int) error) pipe.Seq[int] {
			return flatten(pipe.Batch(ctx, mapStage()(ctx, in, work), 3, 5*time.Millisecond))
		},
		want: mapWant, concurrent: true,
	},
	{
		name: "Merge",
		build: func(ctx context.Context, in pipe.Seq[int], work func(context.Context, int) error) pipe.Seq[int] {
			return pipe.Merge(ctx, mapStage()(ctx, in, work), pipe.FromSlice([]int{}))
		},
		want: mapWant, concurrent: true,
	},
	{
		name: "Map/Workers(3)|Filter|Map/Workers(2)/Unordered",
		build: func(ctx context.Context, in pipe.Seq[int], work func(context.Context, int) error) pipe.Seq[int] {
			s := mapStage(pipe.Workers(3))(ctx, in, work)
			s = pipe.Filter(ctx, s, func(_ context.Context, v int) (bool, error) { return v%3 != 0, nil })
			return pipe.Map(ctx, s, func(_ context.Context, v int) (int, error) { return v + 1, nil }, pipe.Workers(2), pipe.Unordered())
		},
		want: func(in []int) []int {
			var out []int
			for _, v := range mapWant(in) {
				if v%3 != 0 {
					out = append(out, v+1)
				}
			}
			return out
		},
		unordered: true, concurrent: true,
	},
}

// forStages runs f for each stage case.
func forStages(t *testing.T, f func(t *testing.T, c stageCase)) {
	for _, c := range stageCases {
		t.Run(c.name, func(t *testing.T) { f(t, c) })
	}
}

func assertOutput(t *testing.T, c stageCase, want, got []int) {
	t.Helper()
	switch {
	case len(want) == 0:
		assert.Empty(t, got)
	case c.unordered:
		assert.ElementsMatch(t, want, got)
	default:
		assert.Equal(t, want, got)
	}
}

// assertPrefix checks that got could be the start of c's output.
func assertPrefix(t *testing.T, c stageCase, all, got []int) {
	t.Helper()
	if c.unordered {
		assert.Subset(t, all, got)
		assert.Len(t, slices.Compact(slices.Sorted(slices.Values(got))), len(got), "an item came twice: %v", got)
		return
	}
	require.LessOrEqual(t, len(got), len(all))
	assertOutput(t, c, all[:len(got)], got)
}

func TestStageOutput(t *testing.T) {
	forStages(t, func(t *testing.T, c stageCase) {
		for _, n := range []int{0, 1, 2, 50} {
			bubble(t, func(t *testing.T, ctx context.Context) {
				p := &probe{}
				items, err := split(t, take(c.build(ctx, p.source(n), p.work(nil)), -1))
				require.NoError(t, err)
				assertOutput(t, c, c.want(seqOf(n)), items)
				assertSettled(t, p)
			})
		}
	})
}

func TestStageIsLazy(t *testing.T) {
	forStages(t, func(t *testing.T, c stageCase) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			p := &probe{}
			seq := c.build(ctx, p.source(10), p.work(nil))
			time.Sleep(time.Hour)
			synctest.Wait()
			assert.Zero(t, p.pulls.Load(), "the source ran before the loop")
			assert.Zero(t, p.calls.Load(), "the function ran before the loop")
			assert.Zero(t, pipeGoroutines(t))
			require.NotNil(t, seq)
		})
	})
}

func TestStageRangedTwiceRunsAgain(t *testing.T) {
	forStages(t, func(t *testing.T, c stageCase) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			p := &probe{}
			seq := c.build(ctx, p.source(20), p.work(nil))
			first, err := pipe.Collect(seq)
			require.NoError(t, err)
			second, err := pipe.Collect(seq)
			require.NoError(t, err)
			assertOutput(t, c, first, second)
			assert.EqualValues(t, 40, p.pulls.Load())
		})
	})
}

func TestStageBreak(t *testing.T) {
	forStages(t, func(t *testing.T, c stageCase) {
		for _, k := range []int{1, 3, 10} {
			bubble(t, func(t *testing.T, ctx context.Context) {
				p := &probe{}
				const n = 1000
				var items []int
				var callsAtBreak int64
				for v, err := range c.build(ctx, p.source(n), p.work(nil)) {
					require.NoError(t, err)
					if items = append(items, v); len(items) == k {
						callsAtBreak = p.calls.Load()
						break
					}
				}
				assertPrefix(t, c, c.want(seqOf(n)), items)
				assertSettled(t, p)
				// Calls in flight at the break may finish, and the source
				// may be asked for one more item, but nothing new starts.
				assert.LessOrEqual(t, p.calls.Load()-callsAtBreak, int64(maxWorkers))
				// Read-ahead is bounded by workers and buffers, not by n.
				assert.Less(t, p.pulls.Load(), int64(200))
			})
		}
	})
}

func TestStageBreakStopsInfiniteGenerate(t *testing.T) {
	forStages(t, func(t *testing.T, c stageCase) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			p := &probe{}
			var emitErr error
			returned := false
			src := pipe.Generate(ctx, func(ctx context.Context, emit func(int) error) error {
				defer func() { returned = true }()
				for i := 0; ; i++ {
					p.pulls.Add(1)
					if emitErr = emit(i); emitErr != nil {
						return emitErr
					}
				}
			})
			items, err := split(t, take(c.build(ctx, src, p.work(nil)), 5))
			require.NoError(t, err)
			assert.Len(t, items, 5)
			assert.True(t, returned, "the generator is still running")
			assert.Error(t, emitErr, "emit did not report that nobody receives")
			assertSettled(t, p)
		})
	})
}

func TestStageSourceError(t *testing.T) {
	forStages(t, func(t *testing.T, c stageCase) {
		for _, k := range []int{0, 1, 7} {
			bubble(t, func(t *testing.T, ctx context.Context) {
				p := &probe{}
				items, err := split(t, take(c.build(ctx, p.failingSource(k), p.work(nil)), -1))
				require.ErrorIs(t, err, errSource)
				assertPrefix(t, c, c.want(seqOf(k)), items)
				if !c.unordered {
					assertOutput(t, c, c.want(seqOf(k)), items)
				}
				assertSettled(t, p)
			})
		}
	})
}

func TestStageFuncError(t *testing.T) {
	forStages(t, func(t *testing.T, c stageCase) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			p := &probe{}
			const k = 7
			work := p.work(func(ctx context.Context, v int) error {
				if v == k {
					return errWork
				}
				return nil
			})
			items, err := split(t, take(c.build(ctx, p.source(100), work), -1))
			require.ErrorIs(t, err, errWork)
			if c.unordered {
				assertPrefix(t, c, c.want(seqOf(100)), items)
			} else {
				// In order, the error takes the place of its item, as with
				// one worker.
				assert.Equal(t, c.want(seqOf(k)), items)
			}
			assertSettled(t, p)
		})
	})
}

func TestStageCancel(t *testing.T) {
	returns := []struct {
		name string
		ret  func(ctx context.Context) error
	}{
		// Careless code reports ctx.Err(), not its cause.
		{"function returns ctx.Err", func(ctx context.Context) error { return ctx.Err() }},
		// The stage itself must notice.
		{"function ignores ctx", func(context.Context) error { return nil }},
	}
	for _, r := range returns {
		t.Run(r.name, func(t *testing.T) {
			forStages(t, func(t *testing.T, c stageCase) {
				bubble(t, func(t *testing.T, ctx context.Context) {
					ctx, cancel := context.WithCancelCause(ctx)
					p := &probe{}
					work := p.work(func(ctx context.Context, v int) error {
						if v == 5 {
							cancel(errCause)
						}
						return r.ret(ctx)
					})
					items, err := split(t, take(c.build(ctx, p.source(1000), work), -1))
					require.ErrorIs(t, err, errCause)
					assertPrefix(t, c, c.want(seqOf(1000)), items)
					assertSettled(t, p)
				})
			})
		})
	}
}

// TestStageCancelInBody checks that once ctx ends, the loop gets the
// cause next, not items that were already on their way.
func TestStageCancelInBody(t *testing.T) {
	forStages(t, func(t *testing.T, c stageCase) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			ctx, cancel := context.WithCancelCause(ctx)
			defer cancel(nil)
			p := &probe{}
			var got []pair[int]
			for v, err := range c.build(ctx, p.source(1000), p.work(nil)) {
				got = append(got, pair[int]{v, err})
				if len(got) == 3 {
					// Let the stage fill its buffers first.
					time.Sleep(time.Second)
					cancel(errCause)
				}
			}
			require.Len(t, got, 4)
			assert.ErrorIs(t, got[3].err, errCause)
			assertSettled(t, p)
		})
	})
}

func TestStageCancelledBeforeRanging(t *testing.T) {
	forStages(t, func(t *testing.T, c stageCase) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			ctx, cancel := context.WithCancelCause(ctx)
			cancel(errCause)
			p := &probe{}
			got := take(c.build(ctx, p.source(10), p.work(nil)), -1)
			require.Len(t, got, 1)
			assert.ErrorIs(t, got[0].err, errCause)
			assert.Zero(t, p.calls.Load())
			assertSettled(t, p)
		})
	})
}

func TestStagePanic(t *testing.T) {
	forStages(t, func(t *testing.T, c stageCase) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			p := &probe{}
			work := p.work(func(ctx context.Context, v int) error {
				if v == 4 {
					panic("bad item")
				}
				return nil
			})
			var pe *leakproof.PanicError
			func() {
				defer func() {
					var ok bool
					pe, ok = recover().(*leakproof.PanicError)
					require.True(t, ok, "the panic did not arrive as a *leakproof.PanicError")
					assertSettled(t, p)
				}()
				take(c.build(ctx, p.source(100), work), -1)
			}()
			assert.Equal(t, "bad item", pe.Value)
			assert.Contains(t, string(pe.Stack), "stage_test.go")
		})
	})
}

func TestStageGoexit(t *testing.T) {
	forStages(t, func(t *testing.T, c stageCase) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			p := &probe{}
			work := p.work(func(ctx context.Context, v int) error {
				if v == 4 {
					runtime.Goexit()
				}
				return nil
			})
			seq := c.build(ctx, p.source(100), work)
			if c.concurrent {
				_, err := split(t, take(seq, -1))
				assert.ErrorIs(t, err, leakproof.ErrGoexit)
				assertSettled(t, p)
				return
			}
			// In the ranging goroutine, Goexit ends that goroutine, as it
			// would in a plain loop.
			var wg sync.WaitGroup
			after := false
			wg.Go(func() {
				take(seq, -1)
				after = true
			})
			wg.Wait()
			assert.False(t, after)
			assertSettled(t, p)
		})
	})
}

// TestOrderedKeepsOrder runs 8 workers with random latencies.
func TestOrderedKeepsOrder(t *testing.T) {
	bubble(t, func(t *testing.T, ctx context.Context) {
		rnd := rand.New(rand.NewPCG(1, 2))
		delays := make([]time.Duration, 500)
		for i := range delays {
			delays[i] = time.Duration(rnd.IntN(20_000)) * time.Microsecond
		}
		for _, opts := range [][]pipe.Option{
			{pipe.Workers(8)},
			{pipe.Workers(8), pipe.Window(8)},
			{pipe.Workers(8), pipe.Window(1)},
		} {
			got, err := pipe.Collect(pipe.Map(ctx, pipe.FromSlice(seqOf(len(delays))), func(_ context.Context, v int) (int, error) {
				time.Sleep(delays[v])
				return v, nil
			}, opts...))
			require.NoError(t, err)
			assert.Equal(t, seqOf(len(delays)), got)
		}
	})
}

// TestOrderedThroughputWithSkew checks, in virtual time, that a slow item
// does not hold back the workers: ordered takes as long as unordered with
// the default window, unlike with a window the size of the worker count.
func TestOrderedThroughputWithSkew(t *testing.T) {
	elapsed := func(opts ...pipe.Option) time.Duration {
		var d time.Duration
		bubble(t, func(t *testing.T, ctx context.Context) {
			start := time.Now()
			err := pipe.ForEach(ctx, pipe.Map(ctx, pipe.FromSlice(seqOf(400)), func(_ context.Context, v int) (int, error) {
				if v%16 == 15 {
					time.Sleep(16 * time.Millisecond)
				} else {
					time.Sleep(time.Millisecond)
				}
				return v, nil
			}, append(opts, pipe.Workers(8))...), func(context.Context, int) error { return nil })
			require.NoError(t, err)
			d = time.Since(start)
		})
		return d
	}
	unordered := elapsed(pipe.Unordered())
	assert.LessOrEqual(t, elapsed(), unordered*105/100)
	assert.Greater(t, elapsed(pipe.Window(8)), unordered*2)
}

// TestOrderedStress hands items over as fast as possible, so that the
// window's wake-ups race; a lost one deadlocks the bubble.
func TestOrderedStress(t *testing.T) {
	for _, window := range []int{1, 2, 64} {
		t.Run(fmt.Sprint("Window(", window, ")"), func(t *testing.T) {
			bubble(t, func(t *testing.T, ctx context.Context) {
				const n = 20_000
				got, err := pipe.Collect(pipe.Map(ctx, pipe.FromSlice(seqOf(n)), func(_ context.Context, v int) (int, error) {
					return v, nil
				}, pipe.Workers(4), pipe.Window(window)))
				require.NoError(t, err)
				assert.Equal(t, seqOf(n), got)
			})
		})
	}
}

// TestStagePulled checks that iter.Pull2's stop settles the pipeline as a
// break does.
func TestStagePulled(t *testing.T) {
	forStages(t, func(t *testing.T, c stageCase) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			p := &probe{}
			next, stop := iter.Pull2(c.build(ctx, p.source(-1), p.work(nil)))
			var got []int
			for range 3 {
				v, err, ok := next()
				require.True(t, ok)
				require.NoError(t, err)
				got = append(got, v)
			}
			stop()
			assertPrefix(t, c, c.want(seqOf(100)), got)
			assertSettled(t, p)
		})
	})
}

// TestStageRangedConcurrently ranges one Seq from two goroutines at once:
// each loop runs a pipeline of its own.
func TestStageRangedConcurrently(t *testing.T) {
	forStages(t, func(t *testing.T, c stageCase) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			p := &probe{}
			seq := c.build(ctx, p.source(30), p.work(nil))
			var wg sync.WaitGroup
			outs := make([][]int, 2)
			for i := range outs {
				wg.Go(func() {
					var err error
					outs[i], err = pipe.Collect(seq)
					assert.NoError(t, err)
				})
			}
			wg.Wait()
			for _, out := range outs {
				assertOutput(t, c, c.want(seqOf(30)), out)
			}
			assertSettled(t, p)
		})
	})
}

// TestNestedPipelinePanic runs a pipeline inside the user function of
// another: the inner panic reaches the outer loop as one *PanicError, not
// one wrapped in another, and both pipelines have settled.
func TestNestedPipelinePanic(t *testing.T) {
	// inner ranges a pipeline whose worker panics on its third item.
	inner := func(ctx context.Context) error {
		for _, err := range pipe.Map(ctx, pipe.FromSlice(seqOf(10)), func(_ context.Context, v int) (int, error) {
			if v == 2 {
				panic("inner broke")
			}
			return v, nil
		}, pipe.Workers(2)) {
			if err != nil {
				return err
			}
		}
		return nil
	}
	outers := []struct {
		name  string
		build func(ctx context.Context) pipe.Seq[int]
	}{
		{"Map", func(ctx context.Context) pipe.Seq[int] {
			return pipe.Map(ctx, pipe.FromSlice(seqOf(3)), func(ctx context.Context, v int) (int, error) { return v, inner(ctx) })
		}},
		{"Map/Workers(2)", func(ctx context.Context) pipe.Seq[int] {
			return pipe.Map(ctx, pipe.FromSlice(seqOf(3)), func(ctx context.Context, v int) (int, error) { return v, inner(ctx) }, pipe.Workers(2))
		}},
		{"Generate", func(ctx context.Context) pipe.Seq[int] {
			return pipe.Generate(ctx, func(ctx context.Context, emit func(int) error) error { return inner(ctx) })
		}},
		{"Buffer(Generate)", func(ctx context.Context) pipe.Seq[int] {
			return pipe.Buffer(ctx, pipe.Generate(ctx, func(ctx context.Context, emit func(int) error) error { return inner(ctx) }), 1)
		}},
	}
	for _, o := range outers {
		t.Run(o.name, func(t *testing.T) {
			bubble(t, func(t *testing.T, ctx context.Context) {
				v := catch(t, func() { take(o.build(ctx), -1) })
				require.IsType(t, &leakproof.PanicError{}, v)
				assert.Equal(t, "inner broke", v.(*leakproof.PanicError).Value)
				synctest.Wait()
				assert.Zero(t, pipeGoroutines(t))
			})
		})
	}
}

// TestStageSourcePanic checks that a panic in the source reaches the loop
// as a *leakproof.PanicError whether the source runs in the goroutine that
// ranges or on one of the stage's.
func TestStageSourcePanic(t *testing.T) {
	forStages(t, func(t *testing.T, c stageCase) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			p := &probe{}
			src := pipe.FromSeq(func(yield func(int) bool) {
				for i := range 3 {
					p.pulls.Add(1)
					if !yield(i) {
						return
					}
				}
				panic("source broke")
			})
			v := catch(t, func() { take(c.build(ctx, src, p.work(nil)), -1) })
			require.IsType(t, &leakproof.PanicError{}, v)
			assert.Equal(t, "source broke", v.(*leakproof.PanicError).Value)
			assertSettled(t, p)
		})
	})
}

// TestStageBodyPanic checks that a panic in the loop body goes on as it is,
// once the pipeline has stopped.
func TestStageBodyPanic(t *testing.T) {
	forStages(t, func(t *testing.T, c stageCase) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			p := &probe{}
			v := catch(t, func() {
				for range c.build(ctx, p.source(-1), p.work(nil)) {
					panic("body broke")
				}
			})
			assert.Equal(t, "body broke", v)
			assertSettled(t, p)
		})
	})
}

// TestStageBodyGoexit checks that runtime.Goexit in the loop body, as
// t.FailNow calls it, stops the pipeline on its way out.
func TestStageBodyGoexit(t *testing.T) {
	forStages(t, func(t *testing.T, c stageCase) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			p := &probe{}
			var wg sync.WaitGroup
			wg.Go(func() {
				for range c.build(ctx, p.source(-1), p.work(nil)) {
					runtime.Goexit()
				}
			})
			wg.Wait()
			assertSettled(t, p)
		})
	})
}

// TestStageFuncReturnsPanicError checks that a *leakproof.PanicError that
// f returns, as an error it got from elsewhere, ends the sequence as an
// error: only a panic is re-raised.
func TestStageFuncReturnsPanicError(t *testing.T) {
	forStages(t, func(t *testing.T, c stageCase) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			p := &probe{}
			returned := &leakproof.PanicError{Value: "elsewhere"}
			work := p.work(func(ctx context.Context, v int) error {
				if v == 4 {
					return returned
				}
				return nil
			})
			_, err := split(t, take(c.build(ctx, p.source(100), work), -1))
			assert.Same(t, returned, err)
			assertSettled(t, p)
		})
	})
}

// A cancel during a call ends the sequence with the cause, and the call's
// result is not delivered, whatever the number of workers: with one, the
// stage runs in the ranging goroutine and must check as the others do.
func TestCancelDuringLastCall(t *testing.T) {
	for _, workers := range []int{1, 2, 4} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancelCause(t.Context())
				defer cancel(nil)
				got, err := pipe.Collect(pipe.Map(ctx, pipe.FromSlice([]int{0, 1, 2}),
					func(_ context.Context, v int) (int, error) {
						if v == 2 {
							cancel(errCause)
						}
						return v, nil
					}, pipe.Workers(workers)))
				assert.ErrorIs(t, err, errCause)
				assert.NotContains(t, got, 2)
			})
		})
	}
}

// A stop reaches upstream only through the ranging, so a function upstream
// of a stage with goroutines of its own, waiting for nothing but its ctx,
// is released by cancelling the ctx the stages share before leaving the
// loop, as the package documentation says.
func TestCancelBeforeBreakReleasesUpstreamWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		poll := func(ctx context.Context, v int) (int, error) {
			if v == 1 {
				<-ctx.Done() // a long poll that only its ctx ends
				return 0, ctx.Err()
			}
			return v, nil
		}
		up := pipe.Map(ctx, pipe.FromSlice([]int{0, 1, 2, 3}), poll, pipe.Workers(2))
		down := pipe.Map(ctx, up, func(_ context.Context, v int) (int, error) { return v, nil }, pipe.Workers(2))
		returned := make(chan struct{})
		go func() {
			defer close(returned)
			for range down {
				cancel()
				break
			}
		}()
		time.Sleep(time.Hour)
		select {
		case <-returned:
		default:
			t.Fatal("the loop did not return")
		}
	})
}
