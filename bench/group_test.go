package bench

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"

	"github.com/leakproof/leakproof/group"
)

// groupTasks are the task bodies the group benchmarks run: the bare cost of
// the mechanism, and a short task of about a microsecond of CPU work.
var groupTasks = []struct {
	name string
	f    func()
}{
	{"noop", func() {}},
	{"1us", func() { spin(spinPerMicrosecond()) }},
}

// groupLibs start one task per b.Loop iteration and wait for all of them at
// the end, each the idiomatic way for its library. limit 0 means none.
var groupLibs = []struct {
	name string
	run  func(b *testing.B, limit int, task func())
}{
	{"lib=leakproof", func(b *testing.B, limit int, task func()) {
		var opts []group.Option
		if limit > 0 {
			opts = append(opts, group.WithLimit(limit))
		}
		g := group.New(context.Background(), opts...)
		f := func(context.Context) error { task(); return nil }
		for b.Loop() {
			g.Go(f)
		}
		_ = g.Wait()
	}},
	{"lib=errgroup", func(b *testing.B, limit int, task func()) {
		g, _ := errgroup.WithContext(context.Background())
		if limit > 0 {
			g.SetLimit(limit)
		}
		f := func() error { task(); return nil }
		for b.Loop() {
			g.Go(f)
		}
		_ = g.Wait()
	}},
	{"lib=conc", func(b *testing.B, limit int, task func()) {
		p := pool.New().WithErrors().WithContext(context.Background()).WithCancelOnError()
		if limit > 0 {
			p = p.WithMaxGoroutines(limit)
		}
		f := func(context.Context) error { task(); return nil }
		for b.Loop() {
			p.Go(f)
		}
		_ = p.Wait()
	}},
	{"lib=waitgroup", func(b *testing.B, limit int, task func()) {
		if limit > 0 {
			b.Skip("sync.WaitGroup has no limit")
		}
		var wg sync.WaitGroup
		for b.Loop() {
			wg.Go(task)
		}
		wg.Wait()
	}},
	{"lib=semaphore", func(b *testing.B, limit int, task func()) {
		// The mechanism group could have used for its limit: a weighted
		// semaphore acquired before each goroutine starts.
		if limit == 0 {
			b.Skip("the semaphore variant exists only with a limit")
		}
		ctx := context.Background()
		sem := semaphore.NewWeighted(int64(limit))
		var wg sync.WaitGroup
		for b.Loop() {
			if err := sem.Acquire(ctx, 1); err != nil {
				b.Fatal(err)
			}
			wg.Go(func() {
				defer sem.Release(1)
				task()
			})
		}
		wg.Wait()
	}},
}

// BenchmarkGroup measures the cost per task of starting it and waiting for
// it, without a limit and with a limit of GOMAXPROCS.
func BenchmarkGroup(b *testing.B) {
	limits := []struct {
		name  string
		limit int
	}{
		{"limit=none", 0},
		{"limit=GOMAXPROCS", runtime.GOMAXPROCS(0)},
	}
	for _, l := range limits {
		for _, task := range groupTasks {
			for _, lib := range groupLibs {
				b.Run(l.name+"/task="+task.name+"/"+lib.name, func(b *testing.B) {
					b.ReportAllocs()
					lib.run(b, l.limit, task.f)
				})
			}
		}
	}
}
