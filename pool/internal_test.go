// Tests of the pool's internals, which its API does not show.
package pool

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLockManyWaiters asks for the pool's lock from more goroutines than
// maxLockWaiters while it is held, so that some wait in Lock and the others
// yield, and checks that each gets it, one at a time.
func TestLockManyWaiters(t *testing.T) {
	p := New(1)
	const n = 4 * maxLockWaiters
	took := 0 // guarded by p.mu
	p.mu.Lock()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			p.lock()
			took++
			p.mu.Unlock()
		})
	}
	for p.contenders.Load() < n {
		runtime.Gosched() // until every goroutine waits or yields
	}
	p.mu.Unlock()
	wg.Wait()
	assert.Equal(t, n, took)
	assert.Zero(t, p.contenders.Load())
}

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
