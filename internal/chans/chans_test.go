package chans_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/leakproof/leakproof/internal/chans"
	"github.com/leakproof/leakproof/internal/leaktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.ProfileCheck()) }

func TestReceived(t *testing.T) {
	ch := make(chan int, 1)
	ch <- 7
	close(ch)

	v, ok := <-ch
	v, err := chans.Received(v, ok)
	assert.NoError(t, err)
	assert.Equal(t, 7, v)

	v, ok = <-ch
	v, err = chans.Received(v, ok)
	assert.ErrorIs(t, err, chans.ErrClosed)
	assert.Zero(t, v)
}
