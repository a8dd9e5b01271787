// Package panics runs user code so that a panic is captured as a
// *leakproof.PanicError instead of crashing the program, and so that a call to
// runtime.Goexit can be reported by the caller.
package panics

import (
	"runtime/debug"

	"github.com/leakproof/leakproof"
)

// Try calls f and returns its error, or a *leakproof.PanicError holding the
// panic value and the panicking goroutine's stack if f panicked.
//
// runtime.Goexit cannot be stopped: if f calls it, Try does not return and the
// goroutine goes on exiting. Callers that must report that case preset the
// result to leakproof.ErrGoexit and report it from a deferred call:
//
//	err := leakproof.ErrGoexit
//	defer func() { report(err) }()
//	err = panics.Try(f)
func Try(f func() error) (err error) {
	returned := false
	defer func() {
		if returned {
			return
		}
		// f panicked or called runtime.Goexit. recover returns nil for
		// Goexit, and also for panic(nil) under GODEBUG=panicnil=1 (the
		// default of go.mod files older than go 1.21), which it does stop:
		// Try then returns a PanicError whose Value is nil. After Goexit,
		// Try does not return, whatever err holds.
		err = &leakproof.PanicError{Value: recover(), Stack: debug.Stack()}
	}()
	err = f()
	returned = true
	return err
}
