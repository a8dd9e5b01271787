package pipe_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/leakproof/leakproof/pipe"
)

// A loop that stops early owns the pipeline it stops: the break cancels
// the workers and the stages upstream, and the loop returns only once they
// have all exited. Written by hand with channels, the same early return
// leaves the workers blocked on their sends forever.
func Example() {
	ctx := context.Background()
	lines := pipe.FromSlice([]string{"7", "12", "x", "40"})
	numbers := pipe.Map(ctx, lines, func(ctx context.Context, s string) (int, error) {
		return strconv.Atoi(s)
	}, pipe.Workers(4))
	for n, err := range numbers {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		if n > 10 {
			fmt.Println("found", n)
			break // stops the workers; nothing of the pipeline is left running
		}
	}
	// Output: found 12
}

func ExampleMap() {
	ctx := context.Background()
	// Four calls at once; the results still come in input order.
	squares := pipe.Map(ctx, pipe.FromSlice([]int{1, 2, 3, 4, 5}), func(ctx context.Context, n int) (int, error) {
		return n * n, nil
	}, pipe.Workers(4))
	for sq, err := range squares {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Print(sq, " ")
	}
	// Output: 1 4 9 16 25
}

// The first error ends the sequence: it comes once, last.
func ExampleMap_error() {
	ctx := context.Background()
	for n, err := range pipe.Map(ctx, pipe.FromSlice([]string{"1", "2", "three", "4"}), func(ctx context.Context, s string) (int, error) {
		return strconv.Atoi(s)
	}) {
		fmt.Println(n, err)
	}
	// Output:
	// 1 <nil>
	// 2 <nil>
	// 0 strconv.Atoi: parsing "three": invalid syntax
}

func ExampleFilter() {
	ctx := context.Background()
	even, err := pipe.Collect(pipe.Filter(ctx, pipe.FromSlice([]int{1, 2, 3, 4, 5, 6}), func(ctx context.Context, n int) (bool, error) {
		return n%2 == 0, nil
	}, pipe.Workers(2)))
	fmt.Println(even, err)
	// Output: [2 4 6] <nil>
}

func ExampleFlatMap() {
	ctx := context.Background()
	words, err := pipe.Collect(pipe.FlatMap(ctx, pipe.FromSlice([]string{"a b", "c", "d e f"}), func(ctx context.Context, line string) ([]string, error) {
		return strings.Fields(line), nil
	}, pipe.Workers(3)))
	fmt.Println(words, err)
	// Output: [a b c d e f] <nil>
}

func ExampleUnordered() {
	ctx := context.Background()
	// Results come as they complete; sort them if order matters after all.
	doubled, err := pipe.Collect(pipe.Map(ctx, pipe.FromSlice([]int{3, 1, 2}), func(ctx context.Context, n int) (int, error) {
		return 2 * n, nil
	}, pipe.Workers(3), pipe.Unordered()))
	slices.Sort(doubled)
	fmt.Println(doubled, err)
	// Output: [2 4 6] <nil>
}

// With eight workers and a window of 256, the workers can run up to 256
// items ahead of a slow one before the stage waits for it.
func ExampleWindow() {
	ctx := context.Background()
	ids := pipe.FromSeq(slices.Values([]int{1, 2, 3}))
	names := pipe.Map(ctx, ids, func(ctx context.Context, id int) (string, error) {
		return fmt.Sprint("user-", id), nil
	}, pipe.Workers(8), pipe.Window(256), pipe.Name("lookup"))
	got, err := pipe.Collect(names)
	fmt.Println(got, err)
	// Output: [user-1 user-2 user-3] <nil>
}

func ExampleForEach() {
	ctx := context.Background()
	var total atomic.Int64
	err := pipe.ForEach(ctx, pipe.FromSlice([]int64{1, 2, 3, 4}), func(ctx context.Context, n int64) error {
		total.Add(n)
		return nil
	}, pipe.Workers(2))
	fmt.Println(total.Load(), err)
	// Output: 10 <nil>
}

// An endless generator is safe to break out of: emit fails once nobody
// will receive, and the generator returns.
func ExampleGenerate() {
	ctx := context.Background()
	pages := pipe.Generate(ctx, func(ctx context.Context, emit func(int) error) error {
		for page := 1; ; page++ {
			if err := emit(page); err != nil {
				fmt.Println("generator returns:", err)
				return err
			}
		}
	})
	for page, err := range pages {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("page", page)
		if page == 2 {
			break
		}
	}
	// Output:
	// page 1
	// page 2
	// generator returns: pipe: the loop over the sequence has ended
}

// A source that waits on the outside world can only be interrupted through
// its ctx. Here the subscription goes quiet and is never closed: if the
// failing worker did not cancel ctx, FromChan would wait for the next event
// forever, and ForEach with it.
func ExampleFromChan() {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)

	events := make(chan int)
	go func() { // the subscription: three events, then silence until ctx ends
		for i := range 3 {
			if pipe.Send(ctx, events, i) != nil {
				return
			}
		}
		<-ctx.Done()
	}()

	err := pipe.ForEach(ctx, pipe.FromChan(ctx, events), func(ctx context.Context, e int) error {
		if e == 2 {
			err := fmt.Errorf("event %d: cannot handle it", e)
			cancel(err) // interrupts FromChan
			return err
		}
		return nil
	}, pipe.Workers(2))
	fmt.Println(err)
	// Output: event 2: cannot handle it
}

func ExampleBatch() {
	ctx := context.Background()
	// Up to 2 rows per insert, and no row waits more than a minute.
	for rows, err := range pipe.Batch(ctx, pipe.FromSlice([]string{"a", "b", "c", "d", "e"}), 2, time.Minute) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(rows)
	}
	// Output:
	// [a b]
	// [c d]
	// [e]
}

func ExampleMerge() {
	ctx := context.Background()
	a := pipe.FromSlice([]string{"a1", "a2"})
	b := pipe.FromSlice([]string{"b1"})
	all, err := pipe.Collect(pipe.Merge(ctx, a, b))
	slices.Sort(all) // Merge interleaves in arrival order
	fmt.Println(all, err)
	// Output: [a1 a2 b1] <nil>
}

// With one worker, stages run in the goroutine that ranges. Buffer runs
// the stages upstream on a goroutine of their own, so that they overlap
// with the ones downstream.
func ExampleBuffer() {
	ctx := context.Background()
	parsed := pipe.Map(ctx, pipe.FromSlice([]string{"1", "2", "3"}), func(ctx context.Context, s string) (int, error) {
		return strconv.Atoi(s)
	})
	sum, err := pipe.Reduce(pipe.Buffer(ctx, parsed, 16), 0, func(acc, n int) int { return acc + n })
	fmt.Println(sum, err)
	// Output: 6 <nil>
}

func ExampleCollect() {
	got, err := pipe.Collect(pipe.FromSeq(maps.Keys(map[string]int{"only": 1})))
	fmt.Println(got, err)
	// Output: [only] <nil>
}

func ExampleReduce() {
	counts, err := pipe.Reduce(pipe.FromSlice(strings.Fields("a b a c a")), map[string]int{}, func(m map[string]int, w string) map[string]int {
		m[w]++
		return m
	})
	fmt.Println(counts, err)
	// Output: map[a:3 b:1 c:1] <nil>
}

func ExampleFromSlice() {
	for s, err := range pipe.FromSlice([]string{"x", "y"}) {
		fmt.Println(s, err)
	}
	// Output:
	// x <nil>
	// y <nil>
}

func ExampleFromSeq() {
	got, err := pipe.Collect(pipe.FromSeq(slices.Values([]int{1, 2})))
	fmt.Println(got, err)
	// Output: [1 2] <nil>
}

// A send that nobody will ever receive gives up when its ctx ends, instead
// of blocking its goroutine forever.
func ExampleSend() {
	ctx, cancel := context.WithTimeoutCause(context.Background(), 10*time.Millisecond, errors.New("consumer gone"))
	defer cancel()
	results := make(chan int) // nobody receives
	err := pipe.Send(ctx, results, 42)
	fmt.Println(err)
	// Output: consumer gone
}

func ExampleRecv() {
	ctx := context.Background()
	ch := make(chan int, 1)
	ch <- 1
	close(ch)
	for {
		v, err := pipe.Recv(ctx, ch)
		if errors.Is(err, pipe.ErrClosed) {
			fmt.Println("closed")
			return
		}
		fmt.Println(v)
	}
	// Output:
	// 1
	// closed
}
