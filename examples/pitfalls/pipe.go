package main

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"github.com/leakproof/leakproof/pipe"
)

// pipePatterns returns the leak patterns that package pipe removes.
func pipePatterns() []pattern {
	return []pattern{
		{
			name: "receiver ranges over a channel nobody closes",
			pkg:  "pipe",
			raw: func() {
				lines := make(chan string)
				var got []int
				var mu sync.Mutex
				go func() { // the receiver
					for l := range lines {
						n, _ := strconv.Atoi(l)
						mu.Lock()
						got = append(got, n)
						mu.Unlock()
					}
				}()
				for _, l := range pipeLines {
					if l == "" {
						return // bad input: the sender returns without close(lines)
					}
					lines <- l
				}
				close(lines)
			},
			safe: func() {
				// The sender is a Generate: its return ends the sequence,
				// so there is no channel to forget to close.
				lines := pipe.Generate(context.Background(), func(ctx context.Context, emit func(string) error) error {
					for _, l := range pipeLines {
						if l == "" {
							return errBadLine
						}
						if err := emit(l); err != nil {
							return err
						}
					}
					return nil
				})
				var got []int
				var mu sync.Mutex
				_ = pipe.ForEach(context.Background(), lines, func(ctx context.Context, l string) error {
					n, err := strconv.Atoi(l)
					mu.Lock()
					got = append(got, n)
					mu.Unlock()
					return err
				}, pipe.Workers(2))
			},
		},
		{
			name: "producer blocked on a buffered channel nobody drains",
			pkg:  "pipe",
			raw: func() {
				ids := make(chan int, 8)
				go func() { // the producer
					defer close(ids)
					for id := range 100 {
						ids <- id // blocks for ever once the buffer is full
					}
				}()
				for id := range ids {
					if id == 3 {
						return // found it; nobody drains the rest
					}
				}
			},
			safe: func() {
				ids := pipe.Buffer(context.Background(), pipe.FromSeq(func(yield func(int) bool) {
					for id := range 100 {
						if !yield(id) {
							return
						}
					}
				}), 8)
				for id := range ids {
					if id == 3 {
						return // stops the producer and waits for it
					}
				}
			},
		},
		{
			name: "consumer returns early, stranding the workers",
			pkg:  "pipe",
			raw: func() {
				jobs := make(chan string)
				results := make(chan parsed)
				go func() {
					defer close(jobs)
					for _, l := range pipeLines {
						jobs <- l
					}
				}()
				for range 4 {
					go func() {
						for l := range jobs {
							n, err := parseLine(l)
							results <- parsed{n, err} // blocks once the consumer is gone
						}
					}()
				}
				for r := range results {
					if r.err != nil {
						return // the workers and the sender block for ever
					}
				}
			},
			safe: func() {
				nums := pipe.Map(context.Background(), pipe.FromSlice(pipeLines), func(ctx context.Context, l string) (int, error) {
					return parseLine(l)
				}, pipe.Workers(4))
				for _, err := range nums {
					if err != nil {
						return // the loop has stopped and joined the workers
					}
				}
			},
		},
	}
}

// pipeLines are lines to parse; the empty one is bad.
var pipeLines = []string{"1", "2", "", "4", "5", "6", "7", "8", "9", "10", "11", "12"}

var errBadLine = errors.New("empty line")

type parsed struct {
	n   int
	err error
}

// parse fails on the bad line, as parsing real lines might.
func parseLine(l string) (int, error) {
	if l == "" {
		return 0, errBadLine
	}
	return strconv.Atoi(l)
}
