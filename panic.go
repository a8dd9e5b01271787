package leakproof

import (
	"errors"
	"fmt"
)

// PanicError is a panic recovered from user code that ran on a goroutine
// started by this library. The goroutine that waits for that code (Wait, Run,
// the end of a range loop) re-raises it with panic(pe) once every sibling
// goroutine has returned, so a panic is never lost and never outlives the
// scope that caused it.
type PanicError struct {
	// Value is what was passed to panic.
	Value any
	// Stack is the stack of the goroutine that panicked, as debug.Stack
	// prints it, taken where the panic was recovered.
	Stack []byte
}

// Error reports the panic value followed by the stack of the goroutine that
// panicked, so that a re-raised panic still shows where it came from.
func (e *PanicError) Error() string {
	return fmt.Sprintf("panic: %v\n\ngoroutine stack at recover:\n%s", e.Value, e.Stack)
}

// Unwrap returns Value if it is an error, so errors.Is and errors.As see
// through a recovered panic(err). It returns nil otherwise.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// ErrGoexit is wrapped by the error reported for user code that called
// runtime.Goexit (for example through t.FailNow or t.SkipNow) on a goroutine
// started by this library. Such code did not succeed, and it is never counted
// as if it had.
var ErrGoexit = errors.New("leakproof: user code called runtime.Goexit")
