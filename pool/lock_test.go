package pool

import (
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
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
