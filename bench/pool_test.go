package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alitto/pond/v2"
	"github.com/gammazero/workerpool"
	"github.com/panjf2000/ants/v2"
	concpool "github.com/sourcegraph/conc/pool"

	"github.com/leakproof/leakproof/pool"
)

// The pool benchmarks count one task as one op: ns/op is the cost of a task
// from submission to completion, and -benchtime 1x runs a single task per
// case. -benchtime 1000000x reproduces pond's workloads (1M tasks in all).

// poolTask is one task in the two signatures the pools take.
type poolTask struct {
	plain func()
	ctx   func(context.Context) error
}

var (
	noopTask = poolTask{plain: func() {}, ctx: func(context.Context) error { return nil }}

	floatSink atomic.Uint64
	randTask  = poolTask{
		plain: func() { randFloat() },
		ctx:   func(context.Context) error { randFloat(); return nil },
	}
	sleepTask = poolTask{
		plain: func() { time.Sleep(10 * time.Millisecond) },
		ctx:   func(context.Context) error { time.Sleep(10 * time.Millisecond); return nil },
	}
)

func randFloat() {
	if f := rand.Float64(); f > 2 {
		floatSink.Add(1) // never: keeps the call from being dropped
	}
}

// A poolSubject is one pool implementation under test.
type poolSubject struct {
	name string
	open func(workers int) poolHandle
}

// A poolHandle drives one open pool.
type poolHandle struct {
	submit func(t poolTask)
	// send submits a task that holds msg until it runs, allocating a
	// closure as real callers do.
	send func(msg *message, work func(*message))
	// wait waits for every submitted task and releases the pool.
	wait func()
}

type message [64]byte

var poolSubjects = []poolSubject{
	{name: "leakproof", open: func(workers int) poolHandle {
		p := pool.New(workers)
		ctx := context.Background()
		return poolHandle{
			submit: func(t poolTask) { check(p.Submit(ctx, t.ctx)) },
			send: func(msg *message, work func(*message)) {
				check(p.Submit(ctx, func(context.Context) error { work(msg); return nil }))
			},
			wait: func() { check(p.Close(ctx)) },
		}
	}},
	{name: "ants", open: func(workers int) poolHandle {
		p, err := ants.NewPool(workers)
		check(err)
		return poolHandle{
			submit: func(t poolTask) { check(p.Submit(t.plain)) },
			send:   func(msg *message, work func(*message)) { check(p.Submit(func() { work(msg) })) },
			wait:   func() { check(p.ReleaseTimeout(time.Hour)) },
		}
	}},
	{name: "pond", open: func(workers int) poolHandle {
		p := pond.NewPool(workers)
		return poolHandle{
			submit: func(t poolTask) { check(p.Go(t.plain)) },
			send:   func(msg *message, work func(*message)) { check(p.Go(func() { work(msg) })) },
			wait:   p.StopAndWait,
		}
	}},
	{name: "conc", open: func(workers int) poolHandle {
		p := concpool.New().WithMaxGoroutines(workers)
		return poolHandle{
			submit: func(t poolTask) { p.Go(t.plain) },
			send:   func(msg *message, work func(*message)) { p.Go(func() { work(msg) }) },
			wait:   p.Wait,
		}
	}},
	{name: "workerpool", open: func(workers int) poolHandle {
		p := workerpool.New(workers)
		return poolHandle{
			submit: func(t poolTask) { p.Submit(t.plain) },
			send:   func(msg *message, work func(*message)) { p.Submit(func() { work(msg) }) },
			wait:   p.StopWait,
		}
	}},
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}

// BenchmarkPoolSubmit measures the cost of a task itself: one submitter,
// no-op tasks, GOMAXPROCS workers. The final wait is timed, so that a pool
// with an unbounded queue cannot look fast by leaving the work queued when
// the clock stops.
func BenchmarkPoolSubmit(b *testing.B) {
	for _, s := range poolSubjects {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			h := s.open(runtime.GOMAXPROCS(0))
			b.ResetTimer()
			for range b.N {
				h.submit(noopTask)
			}
			h.wait()
		})
	}
}

// pondWorkers is the pool size of pond's benchmarks.
const pondWorkers = 200_000

// BenchmarkPoolWorkload runs pond's workloads: users goroutines share the
// b.N tasks and submit them as fast as they can to one pool of 200K workers,
// created and released inside the timed region.
func BenchmarkPoolWorkload(b *testing.B) {
	tasks := []struct {
		name string
		task poolTask
	}{
		{"rand", randTask},
		{"sleep10ms", sleepTask},
	}
	for _, t := range tasks {
		for _, users := range []int{1, 1_000, 10_000} {
			for _, s := range poolSubjects {
				b.Run(fmt.Sprintf("%s/users=%d/%s", t.name, users, s.name), func(b *testing.B) {
					b.ReportAllocs()
					defer reportAllocsPerTask(b)()
					h := s.open(pondWorkers)
					var wg sync.WaitGroup
					for u := range users {
						n := b.N / users
						if u < b.N%users {
							n++
						}
						wg.Go(func() {
							for range n {
								h.submit(t.task)
							}
						})
					}
					wg.Wait()
					h.wait()
				})
			}
		}
	}
}

// BenchmarkPoolBackpressure submits b.N tasks, each holding a 64-byte
// message, about ten times faster than GOMAXPROCS workers run them, and
// reports the peak growth of the live heap while it runs. A bounded queue
// makes the producer wait, so the heap stays flat; an unbounded one holds
// every pending message.
func BenchmarkPoolBackpressure(b *testing.B) {
	workers := runtime.GOMAXPROCS(0)
	// A task takes workers × 2µs, so the pool completes one every 2µs,
	// about ten times what a Submit costs.
	taskTime := time.Duration(workers) * 2 * time.Microsecond
	work := func(msg *message) {
		msg[0]++
		for start := time.Now(); time.Since(start) < taskTime; {
		}
	}
	for _, s := range poolSubjects {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			peak := watchHeap()
			h := s.open(workers)
			for range b.N {
				h.send(new(message), work)
			}
			h.wait()
			b.ReportMetric(float64(peak())/(1<<20), "peak-live-heap-MB")
		})
	}
}

// reportAllocsPerTask reports the heap allocations per op without the
// rounding of allocs/op, which hides the per-worker costs that a workload
// spreads over many tasks. Call the returned function once the work is done.
func reportAllocsPerTask(b *testing.B) func() {
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}}
	metrics.Read(sample)
	start := sample[0].Value.Uint64()
	return func() {
		metrics.Read(sample)
		b.ReportMetric(float64(sample[0].Value.Uint64()-start)/float64(b.N), "allocs/task")
	}
}

// watchHeap samples the live heap, as measured by each garbage collection,
// every 100µs until the returned function is called, which returns the
// largest growth seen over the live heap at the start. The live heap counts
// what the pools hold, such as queued tasks, and not the garbage the tasks
// leave.
func watchHeap() func() uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var peak uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			if h := read(); h > base && h-base > peak {
				peak = h - base
			}
			select {
			case <-t.C:
			case <-stop:
				return
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return peak
	}
}
