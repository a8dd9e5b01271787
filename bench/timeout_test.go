package bench

import (
	"context"
	"testing"
	"time"

	"github.com/leakproof/leakproof/timeout"
)

// timeoutOps are the ways to send on a channel and receive from it with a
// time limit and a context: leakproof's, the two hand-written ones it
// replaces, and (where it makes sense) a plain channel operation with no
// limit at all.
var timeoutOps = []struct {
	name string
	send func(ctx context.Context, ch chan int, d time.Duration) error
	recv func(ctx context.Context, ch chan int, d time.Duration) error
}{
	{"lib=leakproof",
		func(ctx context.Context, ch chan int, d time.Duration) error {
			return timeout.Send(ctx, ch, 1, d)
		},
		func(ctx context.Context, ch chan int, d time.Duration) error {
			_, err := timeout.Recv(ctx, ch, d)
			return err
		}},
	{"lib=select-time.After",
		func(ctx context.Context, ch chan int, d time.Duration) error {
			select {
			case ch <- 1:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(d):
				return context.DeadlineExceeded
			}
		},
		func(ctx context.Context, ch chan int, d time.Duration) error {
			select {
			case <-ch:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(d):
				return context.DeadlineExceeded
			}
		}},
	{"lib=context.WithTimeout",
		func(ctx context.Context, ch chan int, d time.Duration) error {
			ctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			select {
			case ch <- 1:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
		func(ctx context.Context, ch chan int, d time.Duration) error {
			ctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			select {
			case <-ch:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}},
}

// BenchmarkTimeoutFast measures a send followed by a receive on a channel
// with room, so neither has to wait: the cost every call pays. lib=chan is
// the same pair of plain channel operations, with no limit and no context.
func BenchmarkTimeoutFast(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.Run("lib=chan", func(b *testing.B) {
		b.ReportAllocs()
		ch := make(chan int, 1)
		for b.Loop() {
			ch <- 1
			<-ch
		}
	})
	// Called directly rather than through timeoutOps, like the plain pair:
	// the indirect call would cost more than the difference measured here.
	b.Run("lib=leakproof", func(b *testing.B) {
		b.ReportAllocs()
		ch := make(chan int, 1)
		for b.Loop() {
			if err := timeout.Send(ctx, ch, 1, time.Second); err != nil {
				b.Fatal(err)
			}
			if _, err := timeout.Recv(ctx, ch, time.Second); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, op := range timeoutOps[1:] {
		b.Run(op.name, func(b *testing.B) {
			b.ReportAllocs()
			ch := make(chan int, 1)
			for b.Loop() {
				if err := op.send(ctx, ch, time.Second); err != nil {
					b.Fatal(err)
				}
				if err := op.recv(ctx, ch, time.Second); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTimeoutExpire measures receives that time out on a channel
// nobody sends on. A single wait measures little but how late this
// machine's timers fire, the same for everyone; so a thousand goroutines
// per CPU wait 100µs each at once, and the time per op is the CPU that
// setting up, firing and tearing down one expiry costs.
func BenchmarkTimeoutExpire(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, op := range timeoutOps {
		b.Run(op.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(1000)
			b.RunParallel(func(pb *testing.PB) {
				ch := make(chan int) // one each: a shared one would measure its lock
				for pb.Next() {
					if err := op.recv(ctx, ch, 100*time.Microsecond); err == nil {
						panic("received from a channel nobody sends on")
					}
				}
			})
		})
	}
}

// BenchmarkTimeoutHandoff measures sends on an unbuffered channel to a
// goroutine that receives them in a loop: some sends find the receiver
// waiting, the others wait for it, with a limit that never expires.
func BenchmarkTimeoutHandoff(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.Run("lib=chan", func(b *testing.B) {
		b.ReportAllocs()
		ch, done := receiver()
		for b.Loop() {
			ch <- 1
		}
		close(ch)
		<-done
	})
	for _, op := range timeoutOps {
		b.Run(op.name, func(b *testing.B) {
			b.ReportAllocs()
			ch, done := receiver()
			for b.Loop() {
				if err := op.send(ctx, ch, time.Hour); err != nil {
					b.Fatal(err)
				}
			}
			close(ch)
			<-done
		})
	}
}

// receiver starts a goroutine that receives from the returned channel
// until it is closed, then closes done.
func receiver() (ch chan int, done chan struct{}) {
	ch, done = make(chan int), make(chan struct{})
	go func() {
		defer close(done)
		for range ch {
		}
	}()
	return ch, done
}

// BenchmarkTimeoutDo measures a call bounded by a time limit that it
// meets: Do against the hand-written version (a goroutine sending on a
// buffered channel, a select on it and context.WithTimeout), which is the
// leak-free form of that pattern but does not recover panics or label its
// goroutine.
func BenchmarkTimeoutDo(b *testing.B) {
	ctx := context.Background()
	f := func(context.Context) error { return nil }
	b.Run("lib=leakproof", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := timeout.Do(ctx, time.Second, f); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("lib=goroutine+context.WithTimeout", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ctx, cancel := context.WithTimeout(ctx, time.Second)
			res := make(chan error, 1)
			go func() { res <- f(ctx) }()
			var err error
			select {
			case err = <-res:
			case <-ctx.Done():
				err = ctx.Err()
			}
			cancel()
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
