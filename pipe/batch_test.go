package pipe_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/pipe"
)

// A stamped batch is a batch with when it arrived.
type stamped struct {
	at    time.Duration
	batch []int
}

// batches ranges over seq and stamps each batch with the virtual time since
// start.
func batches(t *testing.T, seq pipe.Seq[[]int]) ([]stamped, error) {
	t.Helper()
	start := time.Now()
	var got []stamped
	for b, err := range seq {
		if err != nil {
			return got, err
		}
		got = append(got, stamped{time.Since(start), b})
	}
	return got, nil
}

// at returns a generator emitting v at each of its offsets from the start.
func at(offsets map[int]time.Duration, end time.Duration) func(context.Context, func(int) error) error {
	return func(ctx context.Context, emit func(int) error) error {
		start := time.Now()
		for v := range len(offsets) {
			time.Sleep(offsets[v] - time.Since(start))
			if err := emit(v); err != nil {
				return err
			}
		}
		time.Sleep(end - time.Since(start))
		return nil
	}
}

func TestBatch(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name    string
		size    int
		maxWait time.Duration
		offsets map[int]time.Duration
		end     time.Duration
		want    []stamped
	}{
		{
			name: "full batches at once, the rest at the end",
			size: 3, maxWait: time.Hour,
			offsets: map[int]time.Duration{0: 0, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0},
			end:     10 * ms,
			want:    []stamped{{0, []int{0, 1, 2}}, {0, []int{3, 4, 5}}, {10 * ms, []int{6}}},
		},
		{
			name: "maxWait counts from the batch's first item",
			size: 10, maxWait: 50 * ms,
			offsets: map[int]time.Duration{0: 20 * ms, 1: 60 * ms, 2: 100 * ms, 3: 160 * ms},
			end:     400 * ms,
			want:    []stamped{{70 * ms, []int{0, 1}}, {150 * ms, []int{2}}, {210 * ms, []int{3}}},
		},
		{
			name: "size and maxWait mixed",
			size: 2, maxWait: 50 * ms,
			offsets: map[int]time.Duration{0: 0, 1: 10 * ms, 2: 20 * ms, 3: 100 * ms, 4: 110 * ms},
			end:     110 * ms,
			want:    []stamped{{10 * ms, []int{0, 1}}, {70 * ms, []int{2}}, {110 * ms, []int{3, 4}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T, ctx context.Context) {
				got, err := batches(t, pipe.Batch(ctx, pipe.Generate(ctx, at(tt.offsets, tt.end)), tt.size, tt.maxWait))
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
			})
		})
	}
}

func TestBatchErrorComesAfterLastBatch(t *testing.T) {
	bubble(t, func(t *testing.T, ctx context.Context) {
		p := &probe{}
		got, err := batches(t, pipe.Batch(ctx, p.failingSource(5), 2, time.Hour))
		assert.ErrorIs(t, err, errSource)
		assert.Equal(t, []stamped{{0, []int{0, 1}}, {0, []int{2, 3}}, {0, []int{4}}}, got)
		assertSettled(t, p)
	})
}

func TestBatchBatchesAreSeparateSlices(t *testing.T) {
	got, err := pipe.Collect(pipe.Batch(t.Context(), pipe.FromSlice(seqOf(4)), 2, time.Hour))
	require.NoError(t, err)
	// One slice reused for every batch would hold the last batch twice.
	require.Equal(t, [][]int{{0, 1}, {2, 3}}, got)
	got[0][0] = 99
	got[0] = append(got[0], 99)
	assert.Equal(t, []int{2, 3}, got[1])
}

// TestBatchLargeSize batches by time only, with a size no batch reaches:
// the size must not be allocated up front.
func TestBatchLargeSize(t *testing.T) {
	got, err := pipe.Collect(pipe.Batch(t.Context(), pipe.FromSlice(seqOf(3)), math.MaxInt, time.Hour))
	require.NoError(t, err)
	assert.Equal(t, [][]int{{0, 1, 2}}, got)
}
