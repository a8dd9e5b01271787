package pipe_test

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/pipe"
)

// How a fuzzed pipeline is stopped.
const (
	byBreak = iota
	byCancel
	byStageError
	bySourceError
	stopWays
)

// FuzzStop stops a two-stage pipeline (Map on several workers, then an
// inline Filter) in one of four ways at a fuzzed point, and checks that
// what came out is a correct prefix of the output, that it ended as it
// should, and that nothing of the pipeline is left running.
func FuzzStop(f *testing.F) {
	for way := range uint8(stopWays) {
		for _, workers := range []uint8{1, 3, 8} {
			for _, na := range [][2]uint16{{0, 0}, {1, 0}, {5, 3}, {100, 7}, {250, 200}, {50, 60}} {
				f.Add(workers, na[0], na[1], way, false)
				f.Add(workers, na[0], na[1], way, true)
			}
		}
	}
	f.Fuzz(func(t *testing.T, workers uint8, n, at uint16, way uint8, unordered bool) {
		w, length, stop, way := int(workers%8)+1, int(n%300), int(at%320), way%stopWays
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(t.Context())
			defer cancel(nil)
			p := &probe{}
			src := p.source(length)
			if way == bySourceError {
				src = p.failingSource(min(stop, length))
			}
			work := p.work(func(_ context.Context, v int) error {
				switch {
				case v != stop:
				case way == byCancel:
					cancel(errCause)
				case way == byStageError:
					return errWork
				}
				return nil
			})
			opts := []pipe.Option{pipe.Workers(w)}
			if unordered {
				opts = append(opts, pipe.Unordered())
			}
			c := stageCase{unordered: unordered, build: filterStage()}
			seq := c.build(ctx, mapStage(opts...)(ctx, src, work), p.work(nil))

			limit := -1
			if way == byBreak {
				limit = stop
			}
			items, err := split(t, take(seq, limit))
			assertSettled(t, p)

			all := filterWant(mapWant(seqOf(length)))
			switch {
			case way == byBreak:
				require.NoError(t, err)
				assert.Len(t, items, min(stop, len(all)))
			case way == bySourceError:
				require.ErrorIs(t, err, errSource)
				all = filterWant(mapWant(seqOf(min(stop, length))))
			case stop >= length: // never reached
				require.NoError(t, err)
				assert.Len(t, items, len(all))
			case way == byCancel:
				require.ErrorIs(t, err, errCause)
			case way == byStageError:
				require.ErrorIs(t, err, errWork)
			}
			assertPrefix(t, c, all, items)
			if !unordered && (way == bySourceError || way == byStageError && stop < length) {
				// In order, an error takes the place of its item.
				assertOutput(t, c, filterWant(mapWant(seqOf(min(stop, length)))), items)
			}
		})
	})
}
