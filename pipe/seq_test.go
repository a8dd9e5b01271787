package pipe_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/pipe"
)

func TestFromSliceAndFromSeq(t *testing.T) {
	got, err := pipe.Collect(pipe.FromSlice([]string{"a", "b"}))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, got)

	got, err = pipe.Collect(pipe.FromSeq(func(yield func(string) bool) {
		_ = yield("a") && yield("b")
	}))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, got)

	assert.Len(t, take(pipe.FromSlice(seqOf(10)), 3), 3)
}

func TestFromChan(t *testing.T) {
	t.Run("until closed", func(t *testing.T) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			ch := make(chan int)
			go func() {
				defer close(ch)
				for i := range 3 {
					time.Sleep(time.Second)
					ch <- i
				}
			}()
			got, err := pipe.Collect(pipe.FromChan(ctx, ch))
			require.NoError(t, err)
			assert.Equal(t, []int{0, 1, 2}, got)
		})
	})
	t.Run("ranging again goes on receiving", func(t *testing.T) {
		ch := make(chan int, 4)
		ch <- 0
		ch <- 1
		ch <- 2
		close(ch)
		seq := pipe.FromChan(t.Context(), ch)
		assert.Equal(t, []pair[int]{{0, nil}}, take(seq, 1))
		assert.Equal(t, []pair[int]{{1, nil}, {2, nil}}, take(seq, -1))
	})
	t.Run("ctx ends while waiting", func(t *testing.T) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			ctx, cancel := context.WithCancelCause(ctx)
			ch := make(chan int) // nobody sends or closes
			time.AfterFunc(time.Minute, func() { cancel(errCause) })
			got := take(pipe.FromChan(ctx, ch), -1)
			require.Len(t, got, 1)
			assert.ErrorIs(t, got[0].err, errCause)
		})
	})
	t.Run("ctx ended with values waiting", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(t.Context())
		cancel(errCause)
		ch := make(chan int, 1)
		ch <- 1
		got := take(pipe.FromChan(ctx, ch), -1)
		require.Len(t, got, 1)
		assert.ErrorIs(t, got[0].err, errCause)
	})
}

// emitting returns a generator function emitting vs, one per second.
func emitting(vs ...int) func(context.Context, func(int) error) error {
	return func(ctx context.Context, emit func(int) error) error {
		for _, v := range vs {
			time.Sleep(time.Second)
			if err := emit(v); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestGenerate(t *testing.T) {
	t.Run("items", func(t *testing.T) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			got, err := split(t, take(pipe.Generate(ctx, emitting(1, 2, 3)), -1))
			require.NoError(t, err)
			assert.Equal(t, []int{1, 2, 3}, got)
		})
	})
	t.Run("error from f ends the sequence", func(t *testing.T) {
		got, err := split(t, take(pipe.Generate(t.Context(), func(ctx context.Context, emit func(int) error) error {
			if err := emit(1); err != nil {
				return err
			}
			return errSource
		}), -1))
		assert.ErrorIs(t, err, errSource)
		assert.Equal(t, []int{1}, got)
	})
	t.Run("ctx ends while f waits", func(t *testing.T) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			for _, ret := range []func(ctx context.Context) error{
				func(ctx context.Context) error { return ctx.Err() },
				func(context.Context) error { return nil },
			} {
				ctx, cancel := context.WithCancelCause(ctx)
				time.AfterFunc(time.Minute, func() { cancel(errCause) })
				got, err := split(t, take(pipe.Generate(ctx, func(ctx context.Context, emit func(int) error) error {
					if err := emit(1); err != nil {
						return err
					}
					<-ctx.Done()
					return ret(ctx)
				}), -1))
				assert.Equal(t, []int{1}, got)
				assert.ErrorIs(t, err, errCause)
			}
		})
	})
	t.Run("ctx ends while f emits", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(t.Context())
		var emitErr error
		got, err := split(t, take(pipe.Generate(ctx, func(ctx context.Context, emit func(int) error) error {
			for i := 0; ; i++ {
				if i == 3 {
					cancel(errCause)
				}
				if emitErr = emit(i); emitErr != nil {
					return nil // the sequence still reports the cause
				}
			}
		}), -1))
		assert.Equal(t, []int{0, 1, 2}, got)
		assert.ErrorIs(t, err, errCause)
		assert.ErrorIs(t, emitErr, errCause)
	})
	t.Run("f's ctx ends after a break", func(t *testing.T) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			helperDone := make(chan struct{})
			take(pipe.Generate(ctx, func(ctx context.Context, emit func(int) error) error {
				// A helper goroutine of f's, which stops with f's ctx.
				go func() {
					<-ctx.Done()
					close(helperDone)
				}()
				for i := 0; ; i++ {
					if err := emit(i); err != nil {
						return err
					}
				}
			}), 2)
			synctest.Wait()
			select {
			case <-helperDone:
			default:
				t.Fatal("f's ctx is still live after the loop ended")
			}
		})
	})
	t.Run("emit after f returned", func(t *testing.T) {
		var emit func(int) error
		got := take(pipe.Generate(t.Context(), func(ctx context.Context, e func(int) error) error {
			emit = e
			return e(1)
		}), -1)
		assert.Equal(t, []pair[int]{{1, nil}}, got)
		assert.Error(t, emit(2))
	})
	t.Run("ranged twice runs f twice", func(t *testing.T) {
		calls := 0
		seq := pipe.Generate(t.Context(), func(ctx context.Context, emit func(int) error) error {
			calls++
			return emit(calls)
		})
		assert.Equal(t, []pair[int]{{1, nil}}, take(seq, -1))
		assert.Equal(t, []pair[int]{{2, nil}}, take(seq, -1))
	})
	t.Run("panic in f", func(t *testing.T) {
		seq := pipe.Generate(t.Context(), func(ctx context.Context, emit func(int) error) error {
			if err := emit(1); err != nil {
				return err
			}
			panic("generator broke")
		})
		pe := catch(t, func() { take(seq, -1) })
		require.IsType(t, &leakproof.PanicError{}, pe)
		assert.Equal(t, "generator broke", pe.(*leakproof.PanicError).Value)
	})
	t.Run("panic in the loop body passes through f", func(t *testing.T) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			seq := pipe.Generate(ctx, emitting(1, 2))
			v := catch(t, func() {
				for range seq {
					panic("body broke")
				}
			})
			assert.Equal(t, "body broke", v)
		})
	})
}

// catch calls f and returns what it panicked with.
func catch(t *testing.T, f func()) (v any) {
	t.Helper()
	defer func() { v = recover() }()
	f()
	t.Fatal("no panic")
	return nil
}
