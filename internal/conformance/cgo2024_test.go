package conformance_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/group"
	"github.com/leakproof/leakproof/pipe"
	"github.com/leakproof/leakproof/pool"
	"github.com/leakproof/leakproof/timeout"
)

// The six patterns of "Unveiling and Vanquishing Goroutine Leaks in
// Enterprise Microservices" (CGO 2024, doi:10.1109/CGO57630.2024.10444835),
// as the Go toolchain ships them in
// runtime/testdata/testgoroutineleakprofile/commonpatterns.go. Each rewrite
// keeps the names and the shape of the original, and its bug where leakproof
// makes the bug harmless.
var cgo2024 = []leak{
	{
		name: "NoCloseRange",
		bug:  "workers range over a channel nobody closes; with no workers, or a worker that panics, the sender blocks",
		uses: "pipe.ForEach, pipe.Workers",
		safe: func(t *testing.T) {
			ctx := t.Context()
			list := []any{1, 2, 3, 4, 5, 6}
			require.NoError(t, noCloseRange(ctx, list, 3, func(any) {}))
			// The original leaks its sender with no workers; here asking for
			// none is a programmer error, reported at once.
			assert.PanicsWithValue(t, "pipe: workers must be at least 1, got 0", func() {
				_ = noCloseRange(ctx, list, 0, func(any) {})
			})
			// A worker that panics stops the others, and the panic reaches
			// the caller once they have all returned.
			var pe *leakproof.PanicError
			func() {
				defer func() { pe, _ = recover().(*leakproof.PanicError) }()
				_ = noCloseRange(ctx, list, 3, func(item any) {
					if item == 2 {
						panic("worker failed")
					}
				})
			}()
			require.NotNil(t, pe)
			assert.Equal(t, "worker failed", pe.Value)
		},
	},
	{
		name: "MethodContractViolation",
		bug:  "a worker started with Start is never stopped, so its goroutine waits for ever",
		uses: "pool.New, pool.WithIdleTimeout",
		safe: func(t *testing.T) {
			w := pool.New(1, pool.WithIdleTimeout(time.Millisecond))
			require.NoError(t, workerLifecycle(t.Context(), w, make([]any, 10)))
			// Still no Stop, but an idle pool holds no goroutine: its
			// worker exits on its own within two idle timeouts. The
			// program lives on for longer than that (in a bubble, on
			// its fake clock), and then nothing of the pool is left.
			time.Sleep(3 * time.Millisecond)
		},
	},
	{
		name: "DoubleSend",
		bug:  "a missing return after sending an error makes a second send nobody receives",
		uses: "pipe.Generate, pipe.Buffer",
		safe: func(t *testing.T) {
			ctx := t.Context()
			for _, err := range []error{nil, errors.New("error")} {
				send := pipe.Generate(ctx, func(ctx context.Context, emit func(any) error) error {
					return doubleSend(emit, err)
				})
				// Unbuffered, and with a buffer of one as the original's ch1.
				for _, msgs := range []pipe.Seq[any]{send, pipe.Buffer(ctx, send, 1)} {
					for _, rerr := range msgs {
						require.NoError(t, rerr)
						break // the receiver takes one message, as the original's <-ch
					}
				}
			}
		},
	},
	{
		name: "EarlyReturn",
		bug:  "the parent returns on an error before receiving, stranding the sender",
		uses: "group.Run, pipe.Send, pipe.Recv",
		safe: func(t *testing.T) {
			failed := errors.New("error")
			require.ErrorIs(t, earlyReturn(t.Context(), failed), failed)
			require.NoError(t, earlyReturn(t.Context(), nil))
		},
	},
	{
		name: "NCastLeak",
		bug:  "n goroutines send on an unbuffered channel and only the first is received; with none, the receiver waits",
		uses: "pipe.Merge, pipe.Generate",
		safe: func(t *testing.T) {
			_, err := nCastLeak(t.Context(), make([]any, 5))
			require.NoError(t, err)
			_, err = nCastLeak(t.Context(), nil)
			require.ErrorIs(t, err, errNoItems)
		},
	},
	{
		name: "Timeout",
		bug:  "the caller gives up when ctx ends, and the worker blocks sending its result",
		uses: "timeout.Do",
		safe: func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			for range 100 {
				require.ErrorIs(t, timeoutCall(ctx), context.Canceled)
			}
			require.NoError(t, timeoutCall(t.Context()))
		},
	},
}

func TestCGO2024(t *testing.T) { testCorpus(t, cgo2024) }

// noCloseRange processes list on workers goroutines. The loop over the
// items owns the workers: they exit when the items run out.
func noCloseRange(ctx context.Context, list []any, workers int, process func(item any)) error {
	return pipe.ForEach(ctx, pipe.FromSlice(list), func(ctx context.Context, item any) error {
		process(item) // process each item
		return nil
	}, pipe.Workers(workers))
}

// workerLifecycle hands items to a worker, and still exits without
// stopping it: the worker is a pool's, which exits once idle.
func workerLifecycle(ctx context.Context, w *pool.Pool, items []any) error {
	for _, item := range items {
		err := w.Submit(ctx, func(context.Context) error {
			_ = item // the worker's normal workflow
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil // exits without Close, as the original without Stop
}

// doubleSend still sends twice on an error, but emit fails once the
// receiver has what it wanted, so the second send cannot block.
func doubleSend(emit func(any) error, err error) error {
	if err != nil {
		// In case of an error, send nil.
		if err := emit(nil); err != nil {
			return err
		}
		// Return is (still) missing here.
	}
	return emit(struct{}{})
}

// earlyReturn returns early on err, which cancels the group, so the sender
// gives up and Run joins it.
func earlyReturn(ctx context.Context, err error) error {
	return group.Run(ctx, func(ctx context.Context, g *group.Group) error {
		ch := make(chan any)
		g.Go(func(ctx context.Context) error {
			return pipe.Send(ctx, ch, any(struct{}{}))
		})
		if err != nil {
			return err
		}
		_, err := pipe.Recv(ctx, ch)
		return err
	})
}

var errNoItems = errors.New("no items")

// nCastLeak processes every item concurrently and returns the first
// result; returning from the loop stops and joins the other senders.
func nCastLeak(ctx context.Context, items []any) (any, error) {
	senders := make([]pipe.Seq[any], len(items))
	for i := range items {
		senders[i] = pipe.Generate(ctx, func(ctx context.Context, emit func(any) error) error {
			return emit(struct{}{}) // process the item and send the result
		})
	}
	for v, err := range pipe.Merge(ctx, senders...) {
		return v, err
	}
	return nil, errNoItems // the original's receiver waits for ever here
}

// timeoutCall waits for its worker or for ctx, as the original's select
// does; the worker's goroutine exits as soon as the work returns.
func timeoutCall(ctx context.Context) error {
	return timeout.Do(ctx, time.Minute, func(ctx context.Context) error {
		return nil // the message the original sends
	})
}
