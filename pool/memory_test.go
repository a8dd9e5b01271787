package pool

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Once a burst is over and its workers have gone idle and exited, the pool
// keeps nothing it grew for the burst.
func TestIdlePoolGivesBackBurstMemory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(100, WithQueue(50))
		release := make(chan struct{})
		for range 150 {
			require.NoError(t, p.TrySubmit(func(context.Context) error {
				<-release
				return nil
			}))
		}
		close(release)
		time.Sleep(3 * defaultIdleTimeout) // every worker swept
		synctest.Wait()

		p.mu.Lock()
		defer p.mu.Unlock()
		assert.Zero(t, p.alive)
		assert.Nil(t, p.idle)
		assert.Nil(t, p.starting)
		assert.Nil(t, p.spare)
		assert.Zero(t, cap(p.queue.buf))
	})
}
