package pipe_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/pipe"
	"github.com/leakproof/leakproof/timeout"
)

func TestSend(t *testing.T) {
	t.Run("room in the buffer", func(t *testing.T) {
		ch := make(chan int, 1)
		require.NoError(t, pipe.Send(t.Context(), ch, 1))
		assert.Equal(t, 1, <-ch)
	})
	t.Run("receiver arrives", func(t *testing.T) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			ch := make(chan int)
			go func() {
				time.Sleep(time.Second)
				<-ch
			}()
			require.NoError(t, pipe.Send(ctx, ch, 1))
		})
	})
	t.Run("ctx ends first", func(t *testing.T) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			ctx, cancel := context.WithCancelCause(ctx)
			time.AfterFunc(time.Second, func() { cancel(errCause) })
			err := pipe.Send(ctx, make(chan int), 1) // nobody receives
			assert.ErrorIs(t, err, errCause)
		})
	})
}

func TestRecv(t *testing.T) {
	t.Run("value waiting", func(t *testing.T) {
		ch := make(chan int, 1)
		ch <- 7
		v, err := pipe.Recv(t.Context(), ch)
		require.NoError(t, err)
		assert.Equal(t, 7, v)
	})
	t.Run("sender arrives", func(t *testing.T) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			ch := make(chan int)
			go func() {
				time.Sleep(time.Second)
				ch <- 7
			}()
			v, err := pipe.Recv(ctx, ch)
			require.NoError(t, err)
			assert.Equal(t, 7, v)
		})
	})
	t.Run("closed", func(t *testing.T) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			ch := make(chan int)
			time.AfterFunc(time.Second, func() { close(ch) })
			_, err := pipe.Recv(ctx, ch)
			assert.ErrorIs(t, err, pipe.ErrClosed)
			_, err = pipe.Recv(ctx, ch)
			assert.ErrorIs(t, err, pipe.ErrClosed)
		})
	})
	t.Run("ctx ends first", func(t *testing.T) {
		bubble(t, func(t *testing.T, ctx context.Context) {
			ctx, cancel := context.WithCancelCause(ctx)
			time.AfterFunc(time.Second, func() { cancel(errCause) })
			_, err := pipe.Recv(ctx, make(chan int)) // nobody sends
			assert.ErrorIs(t, err, errCause)
		})
	})
}

type big struct{ a, b, c, d, e, f, g, h int }

func TestSendRecvDoNotAllocate(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	t.Run("ready", func(t *testing.T) {
		ch := make(chan big, 1)
		allocs := testing.AllocsPerRun(100, func() {
			_ = pipe.Send(ctx, ch, big{a: 1})
			_, _ = pipe.Recv(ctx, ch)
		})
		assert.Zero(t, allocs)
	})
	t.Run("waiting", func(t *testing.T) {
		ch := make(chan big)
		back := make(chan big)
		go func() {
			for v := range ch {
				back <- v
			}
			close(back)
		}()
		defer close(ch)
		allocs := testing.AllocsPerRun(100, func() {
			_ = pipe.Send(ctx, ch, big{a: 1})
			_, _ = pipe.Recv(ctx, back)
		})
		assert.Zero(t, allocs)
	})
}

func TestReadyChannelDoesNotLookAtContext(t *testing.T) {
	ctx, cancel := context.WithCancelCause(t.Context())
	cancel(errCause)

	ch := make(chan int, 1)
	require.NoError(t, pipe.Send(ctx, ch, 1), "a send that need not wait is a plain send")
	assert.ErrorIs(t, pipe.Send(ctx, ch, 2), errCause, "a send that would wait watches ctx")

	v, err := pipe.Recv(ctx, ch)
	require.NoError(t, err)
	assert.Equal(t, 1, v)
	_, err = pipe.Recv(ctx, ch)
	assert.ErrorIs(t, err, errCause)
}

func TestErrClosedIsShared(t *testing.T) {
	assert.Same(t, pipe.ErrClosed, timeout.ErrClosed)
}
