package panics_test

import (
	"errors"
	"io"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/internal/leaktest"
	"github.com/leakproof/leakproof/internal/panics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.ProfileCheck()) }

func TestTryReturnsError(t *testing.T) {
	assert.NoError(t, panics.Try(func() error { return nil }))
	assert.Same(t, io.EOF, panics.Try(func() error { return io.EOF }))
}

func panicker(v any) func() error {
	return func() error { panic(v) }
}

func TestTryCapturesPanic(t *testing.T) {
	err := panics.Try(panicker("boom"))

	var pe *leakproof.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "boom", pe.Value)
	// The stack is the panicking goroutine's, taken at recover: it names
	// the function that panicked.
	assert.Contains(t, string(pe.Stack), "panicker.func1")
	assert.Contains(t, pe.Error(), "boom")
	assert.Contains(t, pe.Error(), "panicker.func1")
	assert.Nil(t, pe.Unwrap())
}

func TestTryPanicWithErrorUnwraps(t *testing.T) {
	err := panics.Try(panicker(io.ErrUnexpectedEOF))
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestTryPanicNil(t *testing.T) {
	t.Run("default", func(t *testing.T) {
		err := panics.Try(panicker(nil))
		var pe *leakproof.PanicError
		require.ErrorAs(t, err, &pe)
		var pn *runtime.PanicNilError
		assert.ErrorAs(t, err, &pn)
	})
	// A program whose go.mod says go 1.20 or older runs with panicnil=1,
	// where recover returns nil for panic(nil), as if nothing had panicked.
	t.Run("panicnil=1", func(t *testing.T) {
		t.Setenv("GODEBUG", "panicnil=1")
		err := panics.Try(panicker(nil))
		var pe *leakproof.PanicError
		require.ErrorAs(t, err, &pe, "panic(nil) counted as success")
		assert.Nil(t, pe.Value)
	})
}

func TestTryGoexitIsReported(t *testing.T) {
	var wg sync.WaitGroup
	var got error
	after := false
	wg.Go(func() {
		err := leakproof.ErrGoexit
		defer func() { got = err }()
		err = panics.Try(func() error {
			runtime.Goexit()
			return nil
		})
		after = true
	})
	wg.Wait()
	assert.True(t, errors.Is(got, leakproof.ErrGoexit))
	assert.False(t, after, "Try returned after runtime.Goexit")
}
