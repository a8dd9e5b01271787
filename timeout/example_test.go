package timeout_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/leakproof/leakproof/timeout"
)

// The usual hand-written timeout runs the call on a goroutine that sends
// its result on an unbuffered channel, and selects on that channel and
// time.After. When the timer wins, nobody ever receives: the goroutine
// blocks on its send for ever. Do returns at the deadline too, but the
// goroutine running f exits as soon as f returns, and f's context tells it
// when to give up.
func ExampleDo() {
	err := timeout.Do(context.Background(), 10*time.Millisecond, func(ctx context.Context) error {
		select {
		case <-time.After(time.Second): // a slow call
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	fmt.Println(err)
	fmt.Println("a deadline:", errors.Is(err, context.DeadlineExceeded))
	// Output:
	// timeout: time limit exceeded
	// a deadline: true
}

// DoValue hands back what f returns, if it returns in time.
func ExampleDoValue() {
	price, err := timeout.DoValue(context.Background(), time.Second, func(ctx context.Context) (int, error) {
		return 42, nil // a quick lookup
	})
	fmt.Println(price, err)
	// Output: 42 <nil>
}

// A send in a select with time.After allocates a timer on every call, even
// when the channel has room. Send tries at once first, and waits, with one
// timer, only when it must.
func ExampleSend() {
	queue := make(chan string, 1)
	ctx := context.Background()
	fmt.Println(timeout.Send(ctx, queue, "first", 10*time.Millisecond))
	fmt.Println(timeout.Send(ctx, queue, "second", 10*time.Millisecond)) // the queue is full
	// Output:
	// <nil>
	// timeout: time limit exceeded
}

// A receive in a select with no case for cancellation keeps the goroutine
// waiting after its caller has given up. Recv also watches ctx, reports a
// closed channel, and tells a timeout from the caller's own cancellation.
func ExampleRecv() {
	replies := make(chan string, 1)
	replies <- "pong"
	close(replies)

	ctx, cancel := context.WithCancelCause(context.Background())
	v, err := timeout.Recv(ctx, replies, time.Second)
	fmt.Println(v, err)
	_, err = timeout.Recv(ctx, replies, time.Second)
	fmt.Println(err)

	cancel(errors.New("client went away"))
	_, err = timeout.Recv(ctx, make(chan string), time.Second)
	fmt.Println(err, errors.Is(err, timeout.ErrTimeout))
	// Output:
	// pong <nil>
	// leakproof: receive from closed channel
	// client went away false
}
