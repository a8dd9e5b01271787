package pool_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/pool"
)

// A service sends its emails in the background. Starting a goroutine per
// request (go send(msg)) has no bound: a traffic spike starts as many
// goroutines as requests, and nothing waits for them at shutdown. One
// shared pool bounds both, and Close lets nothing run past it.
func Example() {
	p := pool.New(4, pool.WithQueue(100), pool.WithName("mailer"))

	var sent atomic.Int64
	for range 10 { // ten requests
		err := p.Submit(context.Background(), func(ctx context.Context) error {
			sent.Add(1) // send the email
			return nil
		})
		if err != nil {
			fmt.Println("request refused:", err)
		}
	}

	// At shutdown: send what is queued, then return with no goroutine left.
	if err := p.Close(context.Background()); err != nil {
		fmt.Println("close:", err)
	}
	fmt.Println("sent:", sent.Load())
	fmt.Printf("%+v\n", p.Stats())
	// Output:
	// sent: 10
	// {Submitted:10 Rejected:0 Succeeded:10 Failed:0 Panicked:0 Dropped:0 Running:0 Queued:0 Workers:0}
}

// Submit blocks while the queue is full, and gives up when the caller's
// context ends, so a slow backend slows its callers down instead of piling
// up work in memory.
func ExamplePool_Submit() {
	p := pool.New(1, pool.WithQueue(1))
	release := make(chan struct{})
	slow := func(context.Context) error { <-release; return nil }
	_ = p.Submit(context.Background(), slow) // runs
	_ = p.Submit(context.Background(), slow) // waits in the queue

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err := p.Submit(ctx, slow)
	fmt.Println(errors.Is(err, context.DeadlineExceeded))

	close(release)
	_ = p.Close(context.Background())
	// Output:
	// true
}

// TrySubmit sheds load: when every worker is busy and the queue is full, it
// returns ErrFull at once and the request can be answered with a 503.
func ExamplePool_TrySubmit() {
	p := pool.New(1, pool.WithQueue(0))
	release := make(chan struct{})
	_ = p.TrySubmit(func(context.Context) error { <-release; return nil })

	err := p.TrySubmit(func(context.Context) error { return nil })
	if errors.Is(err, pool.ErrFull) {
		fmt.Println("503 Service Unavailable")
	}

	close(release)
	_ = p.Close(context.Background())
	// Output:
	// 503 Service Unavailable
}

// Close with a deadline: when the budget runs out, the queued tasks are
// dropped, the running ones see their context cancelled, and Close still
// waits for them before it returns, so nothing runs past it.
func ExamplePool_Close() {
	p := pool.New(1, pool.WithQueue(10))
	started := make(chan struct{})
	_ = p.Submit(context.Background(), func(ctx context.Context) error {
		close(started)
		<-ctx.Done() // a long task that honours its context
		fmt.Println("task stopped:", errors.Is(context.Cause(ctx), pool.ErrClosed))
		return ctx.Err()
	})
	<-started
	for range 3 {
		_ = p.Submit(context.Background(), func(context.Context) error { return nil })
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err := p.Close(ctx)
	fmt.Println("close:", err)
	fmt.Println("dropped:", p.Stats().Dropped)
	// Output:
	// task stopped: true
	// close: context deadline exceeded
	// dropped: 3
}

// A request handler fans out on the shared pool and waits for just its own
// tasks: the first error cancels the others, and Wait returns it. The
// handler never starts goroutines of its own, and the pool's bound holds
// across all requests.
func ExamplePool_Group() {
	p := pool.New(8)
	defer p.Close(context.Background())

	var mu sync.Mutex
	var fetched []string
	g := p.Group(context.Background())
	for _, u := range []string{"a", "b", "c", "broken"} {
		g.Go(func(ctx context.Context) error {
			if u == "broken" {
				return fmt.Errorf("fetch %s: not found", u)
			}
			mu.Lock()
			defer mu.Unlock()
			fetched = append(fetched, u)
			return nil
		})
	}
	fmt.Println(g.Wait())
	// Output:
	// fetch broken: not found
}

// A task may submit to its own pool with the context it was given, even
// when every worker is busy and the queue is full: the new task then runs
// in the submitting task. Had it waited for a worker, the parent waiting for
// its children would hold that worker forever.
func ExamplePool_Submit_nested() {
	p := pool.New(1, pool.WithQueue(0))
	var mu sync.Mutex
	var out []string
	err := p.Submit(context.Background(), func(ctx context.Context) error {
		var children sync.WaitGroup
		for _, name := range []string{"x", "y"} {
			children.Add(1)
			err := p.Submit(ctx, func(context.Context) error {
				defer children.Done()
				mu.Lock()
				defer mu.Unlock()
				out = append(out, name)
				return nil
			})
			if err != nil {
				return err
			}
		}
		children.Wait()
		return nil
	})
	fmt.Println(err)
	_ = p.Close(context.Background())
	sort.Strings(out)
	fmt.Println(out)
	// Output:
	// <nil>
	// [x y]
}

// Nobody waits for a task submitted on its own, so its error or panic goes
// to the error handler; the default one logs it through slog.
func ExampleWithErrorHandler() {
	p := pool.New(1, pool.WithErrorHandler(func(err error) {
		var pe *leakproof.PanicError
		if errors.As(err, &pe) {
			fmt.Println("task panicked:", pe.Value)
			return
		}
		fmt.Println("task failed:", err)
	}))
	_ = p.Submit(context.Background(), func(context.Context) error { panic("nil map") })
	_ = p.Close(context.Background())
	// Output:
	// task panicked: nil map
}

// Resize changes the bound at run time, for example from configuration.
func ExamplePool_Resize() {
	p := pool.New(1, pool.WithQueue(10))
	release := make(chan struct{})
	var started sync.WaitGroup
	started.Add(3)
	for range 3 {
		_ = p.Submit(context.Background(), func(context.Context) error {
			started.Done()
			<-release
			return nil
		})
	}
	p.Resize(3) // the two queued tasks start at once
	started.Wait()
	fmt.Println("running:", p.Stats().Running)
	close(release)
	_ = p.Close(context.Background())
	// Output:
	// running: 3
}

// Workers start as tasks arrive and exit once idle for the idle timeout,
// so a pool that is not in use holds no goroutine, even before Close: a
// pool can live in a package variable or a long-lived struct at no cost.
func ExampleWithIdleTimeout() {
	p := pool.New(64, pool.WithIdleTimeout(30*time.Second))
	fmt.Println("workers before any task:", p.Stats().Workers)
	_ = p.Close(context.Background())
	// Output:
	// workers before any task: 0
}
