//go:build unix

package shutdown_test

import (
	"context"
	"log/slog"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/shutdown"
)

// These tests send real signals to the test process, so they cannot run in
// a synctest bubble. They use SIGUSR1, which nothing else in the test
// binary listens for, and they never send one while no Coordinator is
// subscribed: its default action would kill the process.

// guard bounds a wait that would otherwise hang the test if a signal were
// lost; it is not a measure of speed.
const guard = 10 * time.Second

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(guard):
		require.FailNow(t, "timed out waiting for "+what)
		panic("unreachable")
	}
}

func signalSelf(t *testing.T) {
	t.Helper()
	require.NoError(t, syscall.Kill(syscall.Getpid(), syscall.SIGUSR1))
}

func TestSignalsTriggerThenForceExit(t *testing.T) {
	exits := make(chan int, 1)
	rec := &recorder{}
	c := shutdown.New(
		shutdown.WithSignals(syscall.SIGUSR1),
		shutdown.WithExit(func(code int) { exits <- code }),
		shutdown.WithLogger(slog.New(rec)),
	)
	defer c.Close()
	busy, release := make(chan struct{}), make(chan struct{})
	c.Add("busy", func(ctx context.Context) error {
		close(busy)
		<-release
		return nil
	})

	signalSelf(t)
	receive(t, c.Context().Done(), "the first signal to trigger the shutdown")
	assert.Equal(t, "received signal user defined signal 1", context.Cause(c.Context()).Error())
	waited := make(chan error)
	go func() { waited <- c.Wait() }()
	receive(t, busy, "the step to start")

	signalSelf(t)
	assert.Equal(t, 128+10, receive(t, exits, "the forced exit"), "called while the step is still busy")
	forced := rec.find("shutdown forced")
	require.Len(t, forced, 1)
	assert.Equal(t, map[string]any{
		"msg": "shutdown forced", "level": slog.LevelError,
		"signal": "user defined signal 1", "code": int64(138), "step": "busy",
	}, forced[0])

	close(release)
	assert.NoError(t, receive(t, waited, "Wait"))
	assert.Equal(t, 138, c.ExitCode())
}

func TestSignalAfterTriggerDoesNotForce(t *testing.T) {
	exits := make(chan int, 1)
	logged := make(chan string, 64) // more than the events of one shutdown
	c := shutdown.New(
		shutdown.WithSignals(syscall.SIGUSR1),
		shutdown.WithExit(func(code int) { exits <- code }),
		shutdown.WithLogger(slog.New(messages(logged))),
	)
	defer c.Close()
	busy, release := make(chan struct{}), make(chan struct{})
	c.Add("busy", func(ctx context.Context) error {
		close(busy)
		<-release
		return nil
	})
	c.Trigger(exitError(3)) // programmatic: the first signal is not a second one
	waited := make(chan error)
	go func() { waited <- c.Wait() }()
	receive(t, busy, "the step to start")

	signalSelf(t)
	for msg := ""; msg != "shutdown already in progress; a second signal forces exit"; {
		msg = receive(t, logged, "the first signal to be logged")
	}
	select {
	case code := <-exits:
		t.Fatalf("the first signal forced the exit with %d", code)
	default:
	}
	signalSelf(t)
	assert.Equal(t, 138, receive(t, exits, "the forced exit"))
	close(release)
	assert.NoError(t, receive(t, waited, "Wait"))
	assert.Equal(t, 138, c.ExitCode(), "a forced exit wins over the trigger's code")
}

// messages is a slog.Handler that sends each record's message to ch.
type messages chan<- string

func (m messages) Enabled(context.Context, slog.Level) bool { return true }
func (m messages) WithAttrs([]slog.Attr) slog.Handler       { return m }
func (m messages) WithGroup(string) slog.Handler            { return m }
func (m messages) Handle(_ context.Context, r slog.Record) error {
	m <- r.Message
	return nil
}
