package group_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/leakproof/leakproof/group"
)

// The pitfall: with sync.WaitGroup, the Add belongs before the go statement,
// and an Add inside the goroutine lets Wait return while work still runs.
// Go counts the task before the goroutine exists, so Wait cannot miss it.
func Example() {
	sizes := []int{3, 1, 4}
	var total atomic.Int64

	g := group.New(context.Background())
	for _, n := range sizes {
		g.Go(func(ctx context.Context) error {
			total.Add(int64(n))
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		fmt.Println("error:", err)
	}
	fmt.Println("total:", total.Load())
	// Output: total: 8
}

// The pitfall: a loop that returns on the first error strands the workers
// still sending their results. Run cancels the group when its body returns an
// error and joins every task before it returns.
func ExampleRun() {
	errNotFound := errors.New("not found")
	lookup := func(ctx context.Context, id int) (string, error) {
		if id == 2 {
			return "", errNotFound
		}
		return fmt.Sprintf("user-%d", id), nil
	}

	results := make(chan string)
	var running atomic.Int32 // tasks that have started and not yet returned
	err := group.Run(context.Background(), func(ctx context.Context, g *group.Group) error {
		for _, id := range []int{1, 2, 3} {
			g.Go(func(ctx context.Context) error {
				running.Add(1)
				defer running.Add(-1)
				name, err := lookup(ctx, id)
				if err != nil {
					return err
				}
				select {
				case results <- name:
					return nil
				case <-ctx.Done(): // the body stopped receiving
					return ctx.Err()
				}
			})
		}
		for range 3 {
			select {
			case <-results:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
		return nil
	})
	fmt.Println(err, "- tasks still running:", running.Load())
	// Output: not found - tasks still running: 0
}

// WithLimit bounds how many tasks run at once. Go blocks while the group is
// full and TryGo declines, so a loop over a million items holds at most n
// goroutines, and they are reused from one task to the next.
func ExampleWithLimit() {
	g := group.New(context.Background(), group.WithLimit(2))
	release := make(chan struct{})
	for i := range 3 {
		started := g.TryGo(func(ctx context.Context) error {
			<-release // hold the slot
			return nil
		})
		fmt.Println("task", i, "started:", started)
	}
	close(release)
	fmt.Println("wait:", g.Wait())
	// Output:
	// task 0 started: true
	// task 1 started: true
	// task 2 started: false
	// wait: <nil>
}

// TryGo never blocks, which makes it the way for a task to spawn more tasks in
// a limited group: when no slot is free, the task does the work itself rather
// than waiting for a slot that its own siblings may be holding.
func ExampleGroup_TryGo() {
	var visited atomic.Int32
	err := group.Run(context.Background(), func(ctx context.Context, g *group.Group) error {
		var walk func(depth int) func(context.Context) error
		walk = func(depth int) func(context.Context) error {
			return func(ctx context.Context) error {
				visited.Add(1)
				for range 2 {
					if depth == 0 {
						break
					}
					if child := walk(depth - 1); !g.TryGo(child) {
						if err := child(ctx); err != nil {
							return err
						}
					}
				}
				return nil
			}
		}
		g.Go(walk(3)) // a binary tree of depth 3 has 15 nodes
		return nil
	}, group.WithLimit(2))
	fmt.Println(visited.Load(), err)
	// Output: 15 <nil>
}

// The pitfall: by default the first failure cancels the other tasks, so a
// check that should list every broken dependency names only one. WithAllErrors
// runs every task to the end and reports every failure.
func ExampleWithAllErrors() {
	check := func(ctx context.Context, dep string) error {
		if dep == "db" {
			return nil
		}
		return fmt.Errorf("%s: unavailable", dep)
	}
	g := group.New(context.Background(), group.WithAllErrors())
	for _, dep := range []string{"config", "cache", "db"} {
		g.Go(func(ctx context.Context) error { return check(ctx, dep) })
	}
	err := g.Wait()
	// Tasks end in any order; sort the lines to print them the same each time.
	lines := strings.Split(err.Error(), "\n")
	slices.Sort(lines)
	fmt.Println(strings.Join(lines, "\n"))
	// Output:
	// cache: unavailable
	// config: unavailable
}
