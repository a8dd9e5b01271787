package bench

import (
	"iter"
	"sync"
)

// ints yields 0, 1, …, n-1.
func ints(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

// chanMap is the hand-written pipeline the Go blog describes: a source
// goroutine, n workers and a results channel, all stopped by closing done.
// Nothing waits for its goroutines: the consumer closes done and moves on.
func chanMap(done <-chan struct{}, items, n int, f func(int) int) <-chan int {
	jobs := make(chan int)
	go func() {
		defer close(jobs)
		for i := range items {
			select {
			case jobs <- i:
			case <-done:
				return
			}
		}
	}()
	out := make(chan int)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for v := range jobs {
				select {
				case out <- f(v):
				case <-done:
					return
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// chanOrderedMap is chanMap keeping input order the usual hand-written way:
// the source queues a one-item channel per item, in order, and the consumer
// reads them in that order. The queue holds n items, so the reorder window
// is about the worker count.
func chanOrderedMap(done <-chan struct{}, items, n int, f func(int) int) <-chan int {
	type job struct {
		v   int
		res chan int
	}
	jobs := make(chan job)
	queue := make(chan chan int, n)
	go func() {
		defer close(jobs)
		defer close(queue)
		for i := range items {
			res := make(chan int, 1)
			select {
			case queue <- res:
			case <-done:
				return
			}
			select {
			case jobs <- job{i, res}:
			case <-done:
				return
			}
		}
	}()
	for range n {
		go func() {
			for j := range jobs {
				j.res <- f(j.v)
			}
		}()
	}
	out := make(chan int)
	go func() {
		defer close(out)
		for res := range queue {
			select {
			case v := <-res:
				select {
				case out <- v:
				case <-done:
					return
				}
			case <-done:
				return
			}
		}
	}()
	return out
}
