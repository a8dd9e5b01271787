package conformance_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/group"
	"github.com/leakproof/leakproof/pipe"
	"github.com/leakproof/leakproof/ticker"
)

// The seed pitfalls: the leaks leakproof was written against. Their raw
// programs are ours (seedPrograms below), written like the corpora's: each
// returns once its leak is in place.
var seeds = []leak{
	{
		name: "UnclosedChannel",
		bug:  "a receiver ranges over a channel its producer never closes",
		uses: "pipe.Generate, pipe.ForEach, pipe.Workers",
		safe: func(t *testing.T) {
			ctx := t.Context()
			jobs := pipe.Generate(ctx, func(ctx context.Context, emit func(int) error) error {
				for i := range 3 {
					if err := emit(i); err != nil {
						return err
					}
				}
				return nil // the end of the jobs: there is no channel to close
			})
			var mu sync.Mutex
			var done []int
			require.NoError(t, pipe.ForEach(ctx, jobs, func(ctx context.Context, j int) error {
				mu.Lock()
				defer mu.Unlock()
				done = append(done, j)
				return nil
			}, pipe.Workers(2)))
			assert.ElementsMatch(t, []int{0, 1, 2}, done)
		},
	},
	{
		name: "UnclosedReachableChannel",
		bug:  "a service's worker ranges over the service's queue, which nobody closes and a package variable still reaches",
		uses: "group.New, pipe.ForEach, pipe.FromChan, pipe.Send",
		safe: func(t *testing.T) {
			ctx, stop := context.WithCancel(t.Context()) // the service's lifetime
			jobs := make(chan int)
			worker := group.New(ctx)
			worker.Go(func(ctx context.Context) error {
				return pipe.ForEach(ctx, pipe.FromChan(ctx, jobs), func(context.Context, int) error {
					return nil
				})
			})
			require.NoError(t, pipe.Send(ctx, jobs, 1))
			stop() // nobody closes jobs: the worker ends with the service's context
			require.ErrorIs(t, worker.Wait(), context.Canceled)
		},
	},
	{
		name: "UndrainedBuffer",
		bug:  "a producer fills a buffered channel whose consumer took one value and left",
		uses: "pipe.Generate, pipe.Buffer",
		safe: func(t *testing.T) {
			ctx := t.Context()
			results := pipe.Generate(ctx, func(ctx context.Context, emit func(int) error) error {
				for i := range 5 {
					if err := emit(i); err != nil {
						return err // nobody will receive: stop producing
					}
				}
				return nil
			})
			for v, err := range pipe.Buffer(ctx, results, 2) {
				require.NoError(t, err)
				assert.Equal(t, 0, v)
				break // take one and move on
			}
		},
	},
	{
		name: "SelectNoWayOut",
		bug:  "a select waits for a reply or an error, with no case for the caller giving up",
		uses: "group.New, pipe.Recv",
		safe: func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			replies := make(chan reply) // one channel carries a body or an error
			var body string
			g := group.New(ctx)
			g.Go(func(ctx context.Context) error {
				r, err := pipe.Recv(ctx, replies) // or the caller giving up
				if err != nil {
					return err
				}
				body = r.body
				return r.err
			})
			cancel() // the request is abandoned: nothing will ever be sent
			require.ErrorIs(t, g.Wait(), context.Canceled)
			assert.Empty(t, body)
		},
	},
	{
		name: "TickerLoop",
		bug:  "a goroutine polls on a time.Ticker in a loop that nothing ends",
		uses: "ticker.Run, group.New",
		safe: func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			g := group.New(ctx)
			polls := 0
			polled := make(chan struct{})
			g.Go(func(ctx context.Context) error {
				return ticker.Run(ctx, time.Millisecond, func(context.Context) error {
					if polls++; polls == 3 {
						close(polled)
					}
					return nil
				})
			})
			<-polled // the owner's work, which lasts three polls
			cancel()
			require.NoError(t, g.Wait())
			assert.GreaterOrEqual(t, polls, 3)
		},
	},
	{
		name: "WaitGroupAddInGoroutine",
		bug:  "WaitGroup.Add runs inside the goroutine, so Wait returns while the work still runs",
		uses: "group.New",
		safe: func(t *testing.T) {
			g := group.New(t.Context())
			setup := make(chan struct{})
			for range 2 {
				g.Go(func(context.Context) error {
					<-setup // some setup first
					return nil
				})
			}
			close(setup)
			require.NoError(t, g.Wait())
		},
	},
	{
		name: "WaitGroupMissingDone",
		bug:  "a worker skips WaitGroup.Done on its error path, so the goroutine that waits never wakes",
		uses: "group.New",
		safe: func(t *testing.T) {
			g := group.New(t.Context(), group.WithAllErrors())
			for i := range 3 {
				g.Go(func(context.Context) error { return work(i) }) // every path is counted
			}
			require.ErrorIs(t, g.Wait(), errWork)
		},
	},
}

func TestSeed(t *testing.T) { testCorpus(t, seeds) }

// reply is what SelectNoWayOut waits for.
type reply struct {
	body string
	err  error
}

var errWork = errors.New("work failed")

// work fails for its first input.
func work(i int) error {
	if i == 0 {
		return errWork
	}
	return nil
}

// seedPrograms are the raw programs of the seed pitfalls, run only in a
// child process.
var seedPrograms = map[string]func(){
	"UnclosedChannel": func() {
		jobs := make(chan int)
		go func() {
			for j := range jobs { // waits for a close that never comes
				_ = j
			}
		}()
		for i := range 3 {
			jobs <- i
		}
		settle() // and returns without close(jobs)
	},
	"UnclosedReachableChannel": func() {
		jobs := make(chan int)
		services = append(services, jobs)
		go func() {
			for j := range jobs { // waits for a close that never comes
				_ = j
			}
		}()
		jobs <- 1
		settle()
	},
	"UndrainedBuffer": func() {
		results := make(chan int, 2)
		go func() {
			for i := range 5 {
				results <- i // blocks once the buffer is full
			}
			close(results)
		}()
		<-results // take one and move on
		settle()
	},
	"SelectNoWayOut": func() {
		replies := make(chan string)
		errs := make(chan error)
		go func() {
			select { // no case for the caller giving up
			case r := <-replies:
				_ = r
			case err := <-errs:
				_ = err
			}
		}()
		settle() // the request is abandoned: nothing will ever be sent
	},
	"TickerLoop": func() {
		go func() {
			t := time.NewTicker(time.Millisecond)
			defer t.Stop() // never runs: nothing ends the loop
			for range t.C {
				_ = work(1) // poll
			}
		}()
		time.Sleep(5 * time.Millisecond) // the owner's work
	},
	"WaitGroupAddInGoroutine": func() {
		var wg sync.WaitGroup
		for range 2 {
			go func() {
				time.Sleep(time.Millisecond) // some setup first
				// Too late: Wait may have returned already. go vet flags
				// wg.Add written here; a helper hides it.
				begin(&wg)
				defer wg.Done()
				time.Sleep(time.Hour) // work that outlives its owner
			}()
		}
		wg.Wait()
	},
	"WaitGroupMissingDone": func() {
		var wg sync.WaitGroup
		done := make(chan struct{})
		for i := range 3 {
			wg.Add(1)
			go func() {
				if err := work(i); err != nil {
					return // Done is skipped on the error path
				}
				wg.Done()
			}()
		}
		go func() {
			wg.Wait() // never returns
			close(done)
		}()
		settle()
	},
}

// services keeps the queues of UnclosedReachableChannel reachable, as a
// registry of services would.
var services []chan int

// begin is the Add a raw worker does too late.
func begin(wg *sync.WaitGroup) { wg.Add(1) }

// settle gives the goroutines a raw program started time to block, as the
// corpora's programs do before they return.
func settle() { time.Sleep(10 * time.Millisecond) }
