package main

import (
	"context"

	"github.com/leakproof/leakproof/pipe"
	"github.com/leakproof/leakproof/pool"
)

// cgo2024Patterns returns the patterns of the CGO 2024 study of goroutine
// leaks that the other rows do not show.
func cgo2024Patterns() []pattern {
	return []pattern{
		{
			name: "worker started and never stopped",
			pkg:  "pool",
			raw: func() {
				jobs, done := make(chan int), make(chan struct{})
				go func() { // Start
					for {
						select {
						case j := <-jobs:
							_ = j * j
						case <-done: // closed by Stop, which nobody calls
							return
						}
					}
				}()
				for j := range 10 {
					jobs <- j
				}
			},
			safe: func() {
				p := pool.New(1, pool.WithIdleTimeout(settle/4))
				for j := range 10 {
					_ = p.Submit(context.Background(), func(context.Context) error {
						_ = j * j
						return nil
					})
				}
				// No Close either: an idle pool's worker exits on its own.
			},
		},
		{
			name: "missing return after sending an error",
			pkg:  "pipe",
			raw: func() {
				replies := make(chan string)
				go func() {
					if err := work(0); err != nil {
						replies <- "failed"
						// the return is missing
					}
					replies <- "done" // a second reply nobody receives
				}()
				<-replies
			},
			safe: func() {
				replies := pipe.Generate(context.Background(), func(ctx context.Context, emit func(string) error) error {
					if err := work(0); err != nil {
						if err := emit("failed"); err != nil {
							return err
						}
						// the return is still missing
					}
					return emit("done") // fails instead of blocking: nobody will receive
				})
				for range replies {
					break // the caller takes one reply
				}
			},
		},
		{
			name: "first reply wins, the other senders block",
			pkg:  "pipe",
			raw: func() {
				replies := make(chan string)
				for _, r := range replicas {
					go func() { replies <- query(r) }()
				}
				<-replies // the fastest replica wins; the others block forever
			},
			safe: func() {
				ctx := context.Background()
				var queries []pipe.Seq[string]
				for _, r := range replicas {
					queries = append(queries, pipe.Generate(ctx, func(ctx context.Context, emit func(string) error) error {
						return emit(query(r))
					}))
				}
				for range pipe.Merge(ctx, queries...) {
					break // the fastest replica wins; Merge stops and joins the others
				}
			},
		},
	}
}

// replicas serve the same data; query asks one of them.
var replicas = []string{"replica-a", "replica-b", "replica-c"}

func query(replica string) string { return "reply from " + replica }
