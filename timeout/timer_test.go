package timeout

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Timers go back to a pool outside synctest bubbles only: a real timer
// serving a wait in a bubble would wait in real time, and a bubble's timer
// used outside it aborts the process.
func TestTimerPoolAndBubbles(t *testing.T) {
	ctx := context.Background()
	never := make(chan int)
	for range 3 { // fill the pool with real timers
		_, err := Recv(ctx, never, time.Nanosecond)
		require.ErrorIs(t, err, ErrTimeout)
	}
	synctest.Test(t, func(t *testing.T) {
		never := make(chan int) // the bubble's: a wait on it is durable
		start := time.Now()
		_, err := Recv(ctx, never, time.Hour)
		assert.ErrorIs(t, err, ErrTimeout)
		assert.Equal(t, time.Hour, time.Since(start), "the wait did not use the bubble's clock")
		assert.ErrorIs(t, Send(ctx, never, 1, time.Hour), ErrTimeout)
		assert.Equal(t, 2*time.Hour, time.Since(start))
	})
	for range 3 { // would abort if the bubble's timers had joined the pool
		_, err := Recv(ctx, never, time.Nanosecond)
		require.ErrorIs(t, err, ErrTimeout)
	}
}

// With GODEBUG asynctimerchan=1, in force when a program's main module
// predates Go 1.23, a timer that fired unread keeps its value in the
// channel after Stop; the next wait to take it from the pool must not
// find that value. The check runs in a child process with that setting.
func TestTimerPoolAsyncTimerChan(t *testing.T) {
	if os.Getenv("TIMEOUT_ASYNC_TIMER_CHILD") == "1" {
		for tries := 0; ; tries++ {
			fired := startTimer(time.Nanosecond)
			for len(fired.C) == 0 { // asynchronous: the value lands in the buffer
			}
			fired.stop()
			next := startTimer(time.Hour)
			if next.Timer != fired.Timer {
				// sync.Pool may drop what it is given (it does so at
				// random under the race detector): try again.
				next.stop()
				require.Less(t, tries, 100, "the pool never gave back its timer")
				continue
			}
			select {
			case <-next.C:
				t.Fatal("a reused timer delivered the value of its previous wait")
			default:
			}
			next.stop()
			return
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestTimerPoolAsyncTimerChan$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "TIMEOUT_ASYNC_TIMER_CHILD=1", "GODEBUG=asynctimerchan=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "--- PASS: TestTimerPoolAsyncTimerChan")
}
