package pipe_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/pipe"
)

func forWorkers(t *testing.T, f func(t *testing.T, opts []pipe.Option)) {
	for _, opts := range [][]pipe.Option{nil, {pipe.Workers(4)}} {
		name := "Workers(1)"
		if opts != nil {
			name = "Workers(4)"
		}
		t.Run(name, func(t *testing.T) { f(t, opts) })
	}
}

func TestForEach(t *testing.T) {
	forWorkers(t, func(t *testing.T, opts []pipe.Option) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			p := &probe{}
			var mu sync.Mutex
			var seen []int
			work := p.work(func(_ context.Context, v int) error {
				mu.Lock()
				defer mu.Unlock()
				seen = append(seen, v)
				return nil
			})
			require.NoError(t, pipe.ForEach(ctx, p.source(50), work, opts...))
			assert.ElementsMatch(t, seqOf(50), seen)
			assertSettled(t, p)
		})
	})
}

func TestForEachError(t *testing.T) {
	forWorkers(t, func(t *testing.T, opts []pipe.Option) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			p := &probe{}
			work := p.work(func(_ context.Context, v int) error {
				if v == 5 {
					return errWork
				}
				return nil
			})
			assert.ErrorIs(t, pipe.ForEach(ctx, p.source(-1), work, opts...), errWork)
			assertSettled(t, p)
		})
	})
}

func TestForEachStopsInfiniteGenerate(t *testing.T) {
	forWorkers(t, func(t *testing.T, opts []pipe.Option) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			p := &probe{}
			var emitErr error
			src := pipe.Generate(ctx, func(ctx context.Context, emit func(int) error) error {
				for i := 0; ; i++ {
					if emitErr = emit(i); emitErr != nil {
						return emitErr
					}
				}
			})
			work := p.work(func(_ context.Context, v int) error {
				if v == 5 {
					return errWork
				}
				return nil
			})
			assert.ErrorIs(t, pipe.ForEach(ctx, src, work, opts...), errWork)
			assert.Error(t, emitErr)
			assertSettled(t, p)
		})
	})
}

func TestForEachCancel(t *testing.T) {
	forWorkers(t, func(t *testing.T, opts []pipe.Option) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			ctx, cancel := context.WithCancelCause(ctx)
			time.AfterFunc(20*time.Millisecond, func() { cancel(errCause) })
			p := &probe{}
			assert.ErrorIs(t, pipe.ForEach(ctx, p.source(-1), p.work(nil), opts...), errCause)
			assertSettled(t, p)
			calls := p.calls.Load()
			assert.ErrorIs(t, pipe.ForEach(ctx, p.source(-1), p.work(nil), opts...), errCause)
			assert.Equal(t, calls, p.calls.Load(), "f ran with ctx already done")
		})
	})
}

func TestForEachPanic(t *testing.T) {
	forWorkers(t, func(t *testing.T, opts []pipe.Option) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			p := &probe{}
			work := p.work(func(_ context.Context, v int) error {
				if v == 5 {
					panic(errWork)
				}
				return nil
			})
			v := catch(t, func() { _ = pipe.ForEach(ctx, p.source(-1), work, opts...) })
			require.IsType(t, &leakproof.PanicError{}, v)
			assert.ErrorIs(t, v.(error), errWork)
			assertSettled(t, p)
		})
	})
}

func TestCollect(t *testing.T) {
	got, err := pipe.Collect(pipe.FromSlice([]int{1, 2}))
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2}, got)

	got, err = pipe.Collect((&probe{}).failingSource(2))
	assert.ErrorIs(t, err, errSource)
	assert.Equal(t, []int{0, 1}, got, "items before the error are kept")
}

func TestReduce(t *testing.T) {
	sum := func(acc, v int) int { return acc + v }
	got, err := pipe.Reduce(pipe.FromSlice(seqOf(5)), 100, sum)
	require.NoError(t, err)
	assert.Equal(t, 110, got)

	got, err = pipe.Reduce((&probe{}).failingSource(3), 0, sum)
	assert.ErrorIs(t, err, errSource)
	assert.Equal(t, 3, got)
}
