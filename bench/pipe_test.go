package bench

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/destel/rill"
	"github.com/sourcegraph/conc/pool"
	"github.com/sourcegraph/conc/stream"

	"github.com/leakproof/leakproof/pipe"
)

var pipeSink int

func noop(_ context.Context, v int) (int, error) { return v, nil }

// BenchmarkPipeMap measures the cost per item of a Map stage whose function
// does nothing: one op is one item through source, stage and loop, so
// allocs/op is allocations per item.
func BenchmarkPipeMap(b *testing.B) {
	ctx := context.Background()
	for _, workers := range []int{1, 4} {
		for _, order := range []string{"ordered", "unordered"} {
			name := func(lib string) string { return fmt.Sprintf("%s/workers=%d/%s", lib, workers, order) }
			b.Run(name("leakproof"), func(b *testing.B) {
				opts := []pipe.Option{pipe.Workers(workers)}
				if order == "unordered" {
					opts = append(opts, pipe.Unordered())
				}
				b.ReportAllocs()
				sum := 0
				for v, err := range pipe.Map(ctx, pipe.FromSeq(ints(b.N)), noop, opts...) {
					if err != nil {
						b.Fatal(err)
					}
					sum += v
				}
				pipeSink = sum
			})
			b.Run(name("rill"), func(b *testing.B) {
				mapf := rill.Map[int, int]
				if order == "ordered" {
					mapf = rill.OrderedMap[int, int]
				}
				b.ReportAllocs()
				sum := 0
				for x := range mapf(rill.FromSeq(ints(b.N), nil), workers, func(v int) (int, error) { return v, nil }) {
					if x.Error != nil {
						b.Fatal(x.Error)
					}
					sum += x.Value
				}
				pipeSink = sum
			})
			if order == "ordered" {
				b.Run(name("conc-stream"), func(b *testing.B) {
					b.ReportAllocs()
					sum := 0
					s := stream.New().WithMaxGoroutines(workers)
					for i := range b.N {
						s.Go(func() stream.Callback {
							return func() { sum += i }
						})
					}
					s.Wait()
					pipeSink = sum
				})
			}
			b.Run(name("channels"), func(b *testing.B) {
				mapf := chanMap
				if order == "ordered" {
					mapf = chanOrderedMap
				}
				b.ReportAllocs()
				done := make(chan struct{})
				defer close(done)
				sum := 0
				for v := range mapf(done, b.N, workers, func(v int) int { return v }) {
					sum += v
				}
				pipeSink = sum
			})
		}
	}
}

// Skewed latency: every 16th item is slow. An ordered stage whose reorder
// window equals its worker count stalls behind each slow item.
const (
	skewItems   = 400
	skewWorkers = 8
	skewFast    = time.Millisecond
	skewSlow    = 16 * time.Millisecond
)

func skewWork(v int) int {
	if v%16 == 15 {
		time.Sleep(skewSlow)
	} else {
		time.Sleep(skewFast)
	}
	return v
}

// BenchmarkPipeSkew runs the skewed workload unordered and ordered and
// reports ordered throughput as a fraction of unordered (ordered-ratio).
func BenchmarkPipeSkew(b *testing.B) {
	ctx := context.Background()
	f := func(_ context.Context, v int) (int, error) { return skewWork(v), nil }
	libs := []struct {
		name string
		run  func(ordered bool)
	}{
		{"leakproof", func(ordered bool) {
			opts := []pipe.Option{pipe.Workers(skewWorkers)}
			if !ordered {
				opts = append(opts, pipe.Unordered())
			}
			for _, err := range pipe.Map(ctx, pipe.FromSeq(ints(skewItems)), f, opts...) {
				if err != nil {
					b.Fatal(err)
				}
			}
		}},
		{"rill", func(ordered bool) {
			mapf := rill.Map[int, int]
			if ordered {
				mapf = rill.OrderedMap[int, int]
			}
			g := func(v int) (int, error) { return skewWork(v), nil }
			if err := rill.Err(mapf(rill.FromSeq(ints(skewItems), nil), skewWorkers, g)); err != nil {
				b.Fatal(err)
			}
		}},
		{"conc", func(ordered bool) {
			if ordered {
				s := stream.New().WithMaxGoroutines(skewWorkers)
				for i := range skewItems {
					s.Go(func() stream.Callback {
						v := skewWork(i)
						return func() { pipeSink = v }
					})
				}
				s.Wait()
				return
			}
			p := pool.New().WithMaxGoroutines(skewWorkers)
			for i := range skewItems {
				p.Go(func() { skewWork(i) })
			}
			p.Wait()
		}},
	}
	for _, lib := range libs {
		b.Run(lib.name, func(b *testing.B) {
			var ordered, unordered time.Duration
			for b.Loop() {
				start := time.Now()
				lib.run(false)
				unordered += time.Since(start)
				start = time.Now()
				lib.run(true)
				ordered += time.Since(start)
			}
			b.ReportMetric(float64(unordered)/float64(ordered), "ordered-ratio")
			b.ReportMetric(float64(ordered.Milliseconds())/float64(b.N), "ordered-ms")
			b.ReportMetric(float64(unordered.Milliseconds())/float64(b.N), "unordered-ms")
		})
	}
}

// Early exit: the loop takes 3 of 20,000 items and stops.
const (
	exitItems   = 20_000
	exitTake    = 3
	exitWorkers = 8
	exitLatency = 100 * time.Microsecond
)

// BenchmarkPipeEarlyExit reports, for a loop that stops after 3 of 20,000
// items: goroutines still alive when the loop's function has returned
// (goroutines-left), how long that return took after the break
// (return-µs), and how many calls of the user function started after the
// break (calls-after-break) and in all (calls-total, read-ahead included),
// counted once everything has settled.
func BenchmarkPipeEarlyExit(b *testing.B) {
	ctx := context.Background()
	var calls atomic.Int64
	work := func(v int) int {
		calls.Add(1)
		time.Sleep(exitLatency)
		return v
	}
	// Each run takes exitTake items, calls brk at the break, and returns.
	libs := []struct {
		name string
		run  func(brk func())
	}{
		{"leakproof", func(brk func()) {
			n := 0
			f := func(_ context.Context, v int) (int, error) { return work(v), nil }
			for _, err := range pipe.Map(ctx, pipe.FromSeq(ints(exitItems)), f, pipe.Workers(exitWorkers)) {
				if err != nil {
					b.Fatal(err)
				}
				if n++; n == exitTake {
					brk()
					break
				}
			}
		}},
		{"rill", func(brk func()) {
			n := 0
			f := func(v int) (int, error) { return work(v), nil }
			for _, err := range rill.ToSeq2(rill.OrderedMap(rill.FromSeq(ints(exitItems), nil), exitWorkers, f)) {
				if err != nil {
					b.Fatal(err)
				}
				if n++; n == exitTake {
					brk()
					break
				}
			}
		}},
		{"conc", func(brk func()) {
			n := 0
			var stop atomic.Bool
			s := stream.New().WithMaxGoroutines(exitWorkers)
			for i := range exitItems {
				if stop.Load() {
					break
				}
				s.Go(func() stream.Callback {
					work(i)
					return func() {
						if n++; n == exitTake {
							brk()
							stop.Store(true)
						}
					}
				})
			}
			s.Wait()
		}},
		{"channels", func(brk func()) {
			done := make(chan struct{})
			defer close(done)
			n := 0
			for range chanOrderedMap(done, exitItems, exitWorkers, work) {
				if n++; n == exitTake {
					brk()
					break
				}
			}
		}},
	}
	for _, lib := range libs {
		b.Run(lib.name, func(b *testing.B) {
			var left, afterBreak, total int64
			var toReturn time.Duration
			for b.Loop() {
				before := runtime.NumGoroutine()
				start := calls.Load()
				var brokeAt time.Time
				var callsAtBreak int64
				lib.run(func() {
					brokeAt = time.Now()
					callsAtBreak = calls.Load()
				})
				toReturn += time.Since(brokeAt)
				left += int64(max(runtime.NumGoroutine()-before, 0))
				settle(before)
				afterBreak += calls.Load() - callsAtBreak
				total += calls.Load() - start
			}
			n := float64(b.N)
			b.ReportMetric(float64(left)/n, "goroutines-left")
			b.ReportMetric(float64(toReturn.Microseconds())/n, "return-µs")
			b.ReportMetric(float64(afterBreak)/n, "calls-after-break")
			b.ReportMetric(float64(total)/n, "calls-total")
		})
	}
}

// settle waits until no more than want goroutines are alive, giving up
// after a few seconds.
func settle(want int) {
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > want && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
}
