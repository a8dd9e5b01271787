package pipe_test

import (
	"bytes"
	"context"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/pipe"
)

func TestBadArgumentsPanic(t *testing.T) {
	ctx := t.Context()
	in := pipe.FromSlice([]int{1})
	mapf := func(context.Context, int) (int, error) { return 0, nil }
	var nilCtx context.Context
	tests := []struct {
		want string
		call func()
	}{
		{"pipe: workers must be at least 1, got 0", func() { pipe.Workers(0) }},
		{"pipe: workers must be at least 1, got -2", func() { pipe.Workers(-2) }},
		{"pipe: window must be at least 1, got 0", func() { pipe.Window(0) }},
		{"pipe: batch size must be at least 1, got 0", func() { pipe.Batch(ctx, in, 0, time.Second) }},
		{"pipe: batch maxWait must be positive, got 0s", func() { pipe.Batch(ctx, in, 1, 0) }},
		{"pipe: batch maxWait must be positive, got -1s", func() { pipe.Batch(ctx, in, 1, -time.Second) }},
		{"pipe: buffer size must be at least 1, got 0", func() { pipe.Buffer(ctx, in, 0) }},
		{"pipe: Map called with a nil context", func() { pipe.Map(nilCtx, in, mapf) }},
		{"pipe: Map called with a nil Seq", func() { pipe.Map(ctx, nil, mapf) }},
		{"pipe: Map called with a nil function", func() { pipe.Map[int, int](ctx, in, nil) }},
		{"pipe: Filter called with a nil function", func() { pipe.Filter(ctx, in, nil) }},
		{"pipe: FlatMap called with a nil function", func() { pipe.FlatMap[int, int](ctx, in, nil) }},
		{"pipe: ForEach called with a nil function", func() { _ = pipe.ForEach(ctx, in, nil) }},
		{"pipe: Batch called with a nil Seq", func() { pipe.Batch[int](ctx, nil, 1, time.Second) }},
		{"pipe: Merge called with a nil context", func() { pipe.Merge(nilCtx, in) }},
		{"pipe: Merge called with a nil Seq at index 1", func() { pipe.Merge(ctx, in, nil) }},
		{"pipe: FromSeq called with a nil iter.Seq", func() { pipe.FromSeq[int](nil) }},
		{"pipe: FromChan called with a nil context", func() { pipe.FromChan(nilCtx, make(chan int)) }},
		{"pipe: FromChan called with a nil channel", func() { pipe.FromChan[int](ctx, nil) }},
		{"pipe: Generate called with a nil context", func() {
			pipe.Generate(nilCtx, func(context.Context, func(int) error) error { return nil })
		}},
		{"pipe: Generate called with a nil function", func() { pipe.Generate[int](ctx, nil) }},
		{"pipe: Reduce called with a nil function", func() { _, _ = pipe.Reduce[int, int](in, 0, nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.want, tt.call)
		})
	}
}

func TestStageGoroutinesAreLabelled(t *testing.T) {
	bubble(t, func(t *testing.T, ctx context.Context) {
		var profile string
		p := &probe{}
		seq := pipe.Map(ctx, p.source(-1), func(_ context.Context, v int) (int, error) {
			if v == 0 {
				time.Sleep(time.Second) // until the feeder has filled the window
				var buf bytes.Buffer
				require.NoError(t, pprof.Lookup("goroutine").WriteTo(&buf, 1))
				profile = buf.String()
			}
			return v, nil
		}, pipe.Workers(2), pipe.Name("ingest"))
		take(seq, 1)
		// The feeder and both workers carry the labels.
		assert.Equal(t, 3, countLabelled(profile, `"leakproof.name":"ingest"`), profile)
		assert.Equal(t, 3, countLabelled(profile, `"leakproof.pkg":"pipe"`), profile)
	})
}
