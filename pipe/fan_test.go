package pipe_test

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/pipe"
)

// ticking returns a generator of id*1000+i, i = 0, 1, …, n-1 (forever if
// n < 0), one every period, which records in returned that it returned.
func ticking(id, n int, period time.Duration, returned *atomic.Int64) pipe.Seq[int] {
	return pipe.Generate(context.Background(), func(ctx context.Context, emit func(int) error) error {
		defer returned.Add(1)
		for i := 0; n < 0 || i < n; i++ {
			time.Sleep(period)
			if err := emit(id*1000 + i); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestMergeEndsWhenAllInputsEnd(t *testing.T) {
	bubble(t, func(t *testing.T, ctx context.Context) {
		var returned atomic.Int64
		start := time.Now()
		got, err := pipe.Collect(pipe.Merge(ctx,
			ticking(1, 3, time.Second, &returned),
			ticking(2, 5, 3*time.Second, &returned),
			ticking(3, 0, time.Second, &returned),
		))
		require.NoError(t, err)
		assert.Equal(t, 15*time.Second, time.Since(start), "Merge ended before its slowest input")
		assert.ElementsMatch(t, []int{1000, 1001, 1002, 2000, 2001, 2002, 2003, 2004}, got)
		assert.EqualValues(t, 3, returned.Load())
		// Each input's items keep their order.
		assert.True(t, slices.IsSorted(slices.DeleteFunc(slices.Clone(got), func(v int) bool { return v >= 2000 })))
	})
}

func TestMergeBreakStopsAllInputs(t *testing.T) {
	bubble(t, func(t *testing.T, ctx context.Context) {
		var returned atomic.Int64
		got := take(pipe.Merge(ctx,
			ticking(1, -1, time.Second, &returned),
			ticking(2, -1, 2*time.Second, &returned),
			ticking(3, -1, time.Hour, &returned), // waiting when the loop breaks
		), 10)
		assert.Len(t, got, 10)
		assert.EqualValues(t, 3, returned.Load(), "an input still runs after the break")
		synctest.Wait()
		assert.Zero(t, pipeGoroutines(t))
	})
}

func TestMergeErrorStopsOtherInputs(t *testing.T) {
	bubble(t, func(t *testing.T, ctx context.Context) {
		var returned atomic.Int64
		p := &probe{}
		items, err := split(t, take(pipe.Merge(ctx,
			ticking(1, -1, time.Second, &returned),
			p.failingSource(2),
			ticking(3, -1, time.Second, &returned),
		), -1))
		assert.ErrorIs(t, err, errSource)
		assert.LessOrEqual(t, len(items), 4)
		assert.EqualValues(t, 2, returned.Load())
		assertSettled(t, p)
	})
}

func TestMergeNothing(t *testing.T) {
	got, err := pipe.Collect(pipe.Merge[int](t.Context()))
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestBufferRunsAhead(t *testing.T) {
	bubble(t, func(t *testing.T, ctx context.Context) {
		p := &probe{}
		for range pipe.Buffer(ctx, p.source(100), 5) {
			synctest.Wait()
			// The goroutine has filled the buffer, and is blocked with one
			// more item, while the loop holds the first.
			assert.EqualValues(t, 7, p.pulls.Load())
			break
		}
		assertSettled(t, p)
	})
}

// Merge keeps its own copy of ins: the caller may reuse the slice.
func TestMergeCopiesIns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ins := []pipe.Seq[int]{pipe.FromSlice([]int{1}), pipe.FromSlice([]int{2})}
		merged := pipe.Merge(t.Context(), ins...)
		ins[1] = nil
		got, err := pipe.Collect(merged)
		require.NoError(t, err)
		assert.ElementsMatch(t, []int{1, 2}, got)
	})
}
