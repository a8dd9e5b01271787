// Package chans holds what the context-aware channel operations of pipe
// and timeout share, so that both report a closed channel with one error.
package chans

import "errors"

// ErrClosed is the error of a receive from a closed, drained channel. It is
// exported as both pipe.ErrClosed and timeout.ErrClosed.
var ErrClosed = errors.New("leakproof: receive from closed channel")

// Received turns the result of a receive, v, ok := <-ch, into v and nil, or
// into the zero value and ErrClosed once ch is closed and drained.
func Received[T any](v T, ok bool) (T, error) {
	if !ok {
		return v, ErrClosed
	}
	return v, nil
}
