package pipe

import (
	"context"
	"fmt"

	"github.com/leakproof/leakproof/internal/labels"
)

// An Option configures a stage: Map, Filter, FlatMap or ForEach.
type Option interface {
	apply(*config)
}

type config struct {
	workers   int
	window    int // 0: windowPerWorker per worker
	unordered bool
	name      string
}

// windowPerWorker sizes the default reorder window. With 16 slots per
// worker, the other workers keep going while one item takes up to about 16
// times as long as a typical one, instead of stalling behind it.
const windowPerWorker = 16

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// Workers makes a stage call its function on up to n items at once. When
// the sequence is ranged, the stage starts n goroutines that call it and
// one that ranges over the input, and joins them all before the loop
// returns. The default, 1, starts no goroutine: the function runs in the
// goroutine that ranges, one item at a time, and stages overlap only
// through Buffer. Workers panics if n < 1.
func Workers(n int) Option {
	if n < 1 {
		panic(fmt.Sprintf("pipe: workers must be at least 1, got %d", n))
	}
	return optionFunc(func(c *config) { c.workers = n })
}

// Unordered makes a stage with several workers emit results as they
// complete instead of in input order. It saves the reorder window; use it
// when order does not matter. ForEach is always unordered.
func Unordered() Option {
	return optionFunc(func(c *config) { c.unordered = true })
}

// Window sets the reorder window of an ordered stage with several workers:
// at most n items are being worked on or waiting for an earlier one to be
// emitted. A slow item holds back the emission of later ones, but workers
// go on with the next items until the window is full, so throughput holds up
// as long as the window covers what the other workers finish meanwhile. The
// default is 16 per worker; the stage keeps one result slot per window
// entry. A window smaller than the worker count leaves workers idle. Window
// panics if n < 1.
func Window(n int) Option {
	if n < 1 {
		panic(fmt.Sprintf("pipe: window must be at least 1, got %d", n))
	}
	return optionFunc(func(c *config) { c.window = n })
}

// Name names a stage in the runtime/pprof labels of its goroutines
// (leakproof.name=name, next to leakproof.pkg=pipe), so a goroutine profile
// shows which stage owns them.
func Name(name string) Option {
	return optionFunc(func(c *config) { c.name = name })
}

func newConfig(opts []Option) config {
	c := config{workers: 1}
	for _, o := range opts {
		o.apply(&c)
	}
	if c.window == 0 {
		c.window = windowPerWorker * c.workers
	}
	return c
}

// labels computes the labels of a stage's goroutines once, when the
// stage is built; a stage without goroutines needs none.
func (c config) labels(ctx context.Context) labels.Set {
	if c.workers == 1 {
		return labels.Set{}
	}
	return labels.Make(ctx, "pipe", c.name)
}
