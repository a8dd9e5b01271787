package conformance_test

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/group"
	"github.com/leakproof/leakproof/pipe"
	"github.com/leakproof/leakproof/shutdown"
	"github.com/leakproof/leakproof/ticker"
	"github.com/leakproof/leakproof/timeout"
)

// The blocking bugs of GoBench's GoKer suite ("GoBench: A Benchmark Suite of
// Real-World Go Concurrency Bugs", CGO 2021, doi:10.1109/CGO51591.2021.9370317),
// as the Go toolchain ships them in runtime/testdata/testgoroutineleakprofile/goker.
// Each rewrite does what the kernel's code was trying to do, with the
// kernel's names where they help; README.md in that directory describes the
// original bugs.
var goker = []leak{
	{
		name: "Cockroach1055",
		bug:  "a task never finished, so Stop waited for it for ever while holding the lock StartTask needed",
		uses: "group.New",
		safe: func(t *testing.T) {
			// A Stopper is a group, and Quiesce then Stop is cancel then
			// Wait: no lock, and no task count that a task can forget to
			// decrement, since a task is finished when its function returns.
			var stoppers []*group.Group
			var stops []context.CancelFunc
			for range 2 {
				ctx, stop := context.WithCancel(t.Context())
				s := group.New(ctx)
				s.Go(func(ctx context.Context) error {
					task := func() {} // StartTask .. FinishTask
					task()
					<-ctx.Done() // <-s.ShouldStop()
					return nil
				})
				stoppers, stops = append(stoppers, s), append(stops, stop)
			}
			for i, s := range stoppers {
				stops[i]()
				// nil, or Canceled for a worker stopped before it began
				requireStopped(t, s.Wait())
			}
		},
	},
	{
		name: "Cockroach10790",
		bug:  "beginCmds gave up on cancellation and left a goroutine draining channels the sender had abandoned",
		uses: "group.Run, pipe.Send, pipe.Recv",
		safe: func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			chans := []chan bool{make(chan bool), make(chan bool)}
			err := group.Run(ctx, func(ctx context.Context, g *group.Group) error {
				g.Go(func(ctx context.Context) error { // sendChans
					for _, ch := range chans {
						if err := pipe.Send(ctx, ch, true); err != nil {
							return err
						}
					}
					return nil
				})
				g.Go(func(ctx context.Context) error { // beginCmds: no drainer needed
					for _, ch := range chans {
						if _, err := pipe.Recv(ctx, ch); err != nil {
							return err
						}
					}
					return nil
				})
				cancel()
				return nil
			})
			requireStopped(t, err)
		},
	},
	{
		name: "Cockroach1462",
		bug:  "a worker blocked sending an event the stopped consumer would never take, so Stop waited for it for ever",
		uses: "shutdown.New, group.New, pipe.Send, pipe.FromChan",
		safe: func(t *testing.T) {
			// The Stopper is a shutdown coordinator whose one step stops the
			// workers, which send and receive only while its context lives.
			stopper := shutdown.New(shutdown.WithSignals(), shutdown.WithLogger(quiet))
			workers := group.New(stopper.Context())
			events := make(chan int)
			running := make(chan struct{})
			workers.Go(func(ctx context.Context) error { // the transport
				for {
					if err := pipe.Send(ctx, events, 0); err != nil {
						return nil
					}
				}
			})
			workers.Go(func(ctx context.Context) error { // processEventsUntil
				n := 0
				for _, err := range pipe.FromChan(ctx, events) {
					if err != nil {
						return nil
					}
					if n++; n == 1 {
						close(running)
					}
				}
				return nil
			})
			stopper.Add("workers", func(context.Context) error { return workers.Wait() })
			<-running // the service runs for a while
			stopper.Trigger(nil)
			require.NoError(t, stopper.Wait())
			assert.Equal(t, 0, stopper.ExitCode())
		},
	},
	{
		name: "Cockroach18101",
		bug:  "restore stopped reading on cancellation and left the producer blocked on the full channel",
		uses: "pipe.Generate, pipe.Buffer",
		safe: func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			spans := pipe.Generate(ctx, func(ctx context.Context, emit func(bool) error) error {
				for i := range 8 { // splitAndScatter: more spans than the buffer holds
					if err := emit(i != 0); err != nil {
						return err
					}
				}
				return nil
			})
			for _, err := range pipe.Buffer(ctx, spans, 6) {
				if err != nil {
					require.ErrorIs(t, err, context.Canceled)
					break
				}
				cancel() // the restore is cancelled while spans keep coming
			}
		},
	},
	{
		name: "Cockroach24808",
		bug:  "Start signalled the compactor with a blocking send to a full channel before its worker ran",
		uses: "timeout.Send (no wait), group.New, pipe.Recv",
		safe: func(t *testing.T) {
			ctx, stop := context.WithCancel(t.Context())
			stopper := group.New(ctx)
			ch := make(chan struct{}, 1)
			ch <- struct{}{} // a suggestion is already pending
			// One pending signal is as good as two: signal without waiting.
			assert.ErrorIs(t, timeout.Send(ctx, ch, struct{}{}, 0), timeout.ErrTimeout)
			stopper.Go(func(ctx context.Context) error { // the compactor
				for {
					if _, err := pipe.Recv(ctx, ch); err != nil {
						return nil
					}
				}
			})
			stop()
			requireStopped(t, stopper.Wait())
		},
	},
	{
		name: "Cockroach25456",
		bug:  "the queue checked whether the store was draining with a receive that blocked until it was",
		uses: "timeout.Recv (no wait)",
		safe: func(t *testing.T) {
			quiesce := make(chan struct{}) // never closed: the store is not draining
			for range 2 {
				_, err := timeout.Recv(t.Context(), quiesce, 0)
				require.ErrorIs(t, err, timeout.ErrTimeout) // not draining: log the error
			}
		},
	},
	{
		name: "Cockroach35073",
		bug:  "Push blocked on the outbox's full channel after its consumer had closed",
		uses: "pipe.Send, group.New",
		safe: func(t *testing.T) {
			ctx, consumerClosed := context.WithCancel(t.Context())
			data := make(chan int, 16)
			for range 16 {
				require.NoError(t, pipe.Send(ctx, data, 0))
			}
			pushers := group.New(ctx)
			pushers.Go(func(ctx context.Context) error { return pipe.Send(ctx, data, 0) })
			consumerClosed()
			require.ErrorIs(t, pushers.Wait(), context.Canceled)
			require.ErrorIs(t, pipe.Send(ctx, data, 0), context.Canceled)
		},
	},
	{
		name: "Cockroach35931",
		bug:  "cancelling a flow pushed to each inbound stream in turn and blocked on the first, full one",
		uses: "timeout.Send (no wait)",
		safe: func(t *testing.T) {
			left, right := make(chan struct{}, 1), make(chan struct{}, 1)
			left <- struct{}{} // full: nobody is reading it
			var errs []error
			for _, stream := range []chan struct{}{left, right} {
				errs = append(errs, timeout.Send(t.Context(), stream, struct{}{}, 0))
			}
			assert.ErrorIs(t, errs[0], timeout.ErrTimeout) // a message is pending already
			assert.NoError(t, errs[1])                     // the stream actually read gets it
		},
	},
	{
		name: "Etcd6857",
		bug:  "Status sent its request to a node whose run loop had stopped",
		uses: "group.New, pipe.Send, pipe.Recv",
		safe: func(t *testing.T) {
			ctx, stop := context.WithCancel(t.Context())
			status := make(chan chan struct{})
			node := group.New(ctx)
			node.Go(func(ctx context.Context) error { // run
				for {
					c, err := pipe.Recv(ctx, status)
					if err != nil {
						return nil
					}
					if err := pipe.Send(ctx, c, struct{}{}); err != nil {
						return nil
					}
				}
			})
			callers := group.New(t.Context())
			callers.Go(func(context.Context) error { // Status
				c := make(chan struct{})
				if err := pipe.Send(ctx, status, c); err != nil {
					return err
				}
				_, err := pipe.Recv(ctx, c)
				return err
			})
			stop() // Stop
			requireStopped(t, node.Wait())
			requireStopped(t, callers.Wait())
		},
	},
	{
		name: "Grpc1275",
		bug:  "CloseStream did not wake the goroutine reading the stream",
		uses: "group.New, pipe.Recv",
		safe: func(t *testing.T) {
			stream, closeStream := context.WithCancel(t.Context())
			recv := make(chan bool)
			reader := group.New(stream)
			reader.Go(func(ctx context.Context) error { // stream.Read
				_, err := pipe.Recv(ctx, recv)
				return err
			})
			closeStream() // ends the stream's context, which the reader watches
			require.ErrorIs(t, reader.Wait(), context.Canceled)
		},
	},
	{
		name: "Grpc1424",
		bug:  "DialContext waited on a done channel the balancer watcher never closed",
		uses: "group.New, pipe.FromChan",
		safe: func(t *testing.T) {
			addrs := make(chan bool)
			watchers := group.New(t.Context())
			watchers.Go(func(ctx context.Context) error { // lbWatcher
				for _, err := range pipe.FromChan(ctx, addrs) {
					if err != nil {
						return err
					}
					// tear down the connections to the old addresses
				}
				return nil
			})
			close(addrs)
			require.NoError(t, watchers.Wait()) // instead of <-doneChan
		},
	},
	{
		name: "Grpc660",
		bug:  "the benchmark loop returned on stop and left its last call blocked sending the result",
		uses: "timeout.DoValue, group.New",
		safe: func(t *testing.T) {
			ctx, stop := context.WithCancel(t.Context())
			client := group.New(t.Context())
			client.Go(func(context.Context) error { // doCloseLoopUnary
				for {
					_, err := timeout.DoValue(ctx, time.Second, func(context.Context) (bool, error) {
						return rand.IntN(10) <= 7, nil // the unary call
					})
					if err != nil {
						return nil // stopped
					}
				}
			})
			stop()
			require.NoError(t, client.Wait())
		},
	},
	{
		name: "Grpc862",
		bug:  "DialContext returned no connection on cancellation without closing the one it had started",
		uses: "group.New",
		safe: func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			conn, err := dial(ctx)
			require.ErrorIs(t, err, context.Canceled)
			assert.Nil(t, conn)
			conn, err = dial(t.Context())
			require.NoError(t, err)
			require.NoError(t, conn.Close())
		},
	},
	{
		name: "Istio17860",
		bug:  "runWait reported an exit to an agent loop that had already returned",
		uses: "group.New, pipe.Send, pipe.Recv",
		safe: func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			status := make(chan int)
			delivered := make(chan struct{}, 2)
			agent := group.New(ctx)
			agent.Go(func(ctx context.Context) error { // Run: until no epoch is active
				_, err := pipe.Recv(ctx, status)
				return err
			})
			for epoch := range 2 { // Restart, twice
				agent.Go(func(ctx context.Context) error { // runWait
					// Run may have returned already: the send gives up
					// when the agent's context ends.
					if pipe.Send(ctx, status, epoch) == nil {
						delivered <- struct{}{}
					}
					return nil
				})
			}
			<-delivered // Run took one status and returned; the other send waits
			cancel()
			requireStopped(t, agent.Wait())
		},
	},
	{
		name: "Kubernetes5316",
		bug:  "finishRequest timed out and left the request's goroutine blocked sending its result",
		uses: "timeout.Do",
		safe: func(t *testing.T) {
			for range 10 {
				err := timeout.Do(t.Context(), time.Microsecond, func(ctx context.Context) error {
					// The original's fn sleeps whatever happens; Do would
					// return at the deadline all the same, and its goroutine
					// exit when fn returns. This fn stops when told to.
					select {
					case <-time.After(2 * time.Millisecond):
					case <-ctx.Done():
						return ctx.Err()
					}
					if rand.IntN(10) > 5 {
						return errors.New("Error")
					}
					return nil
				})
				require.ErrorIs(t, err, timeout.ErrTimeout)
			}
		},
	},
	{
		name: "Kubernetes25331",
		bug:  "the watcher sent its error result after Stop had stopped listening",
		uses: "group.New, pipe.Send, pipe.Recv",
		safe: func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			errc, results := make(chan error), make(chan bool)
			wc := group.New(ctx)
			wc.Go(func(ctx context.Context) error { // run
				werr, err := pipe.Recv(ctx, errc)
				if err != nil {
					return nil
				}
				// Nobody reads the result after Stop: the send gives up
				// when Stop cancels.
				_ = pipe.Send(ctx, results, werr != nil)
				return nil
			})
			// Stop
			require.NoError(t, pipe.Send(ctx, errc, errors.New("Error")))
			cancel()
			require.NoError(t, wc.Wait())
		},
	},
	{
		name: "Kubernetes38669",
		bug:  "the cache watcher sent its initial events to a result channel nobody read after Stop",
		uses: "group.New, pipe.Send",
		safe: func(t *testing.T) {
			ctx, stop := context.WithCancel(t.Context())
			result := make(chan int)
			watcher := group.New(ctx)
			watcher.Go(func(ctx context.Context) error { // process
				defer close(result)
				for _, event := range []int{1, 2} {
					if err := pipe.Send(ctx, result, event); err != nil {
						return nil
					}
				}
				<-ctx.Done() // then wait for input until stopped
				return nil
			})
			stop() // Stop
			requireStopped(t, watcher.Wait())
		},
	},
	{
		name: "Kubernetes70277",
		bug:  "the poller's goroutine waited for a done channel WaitFor never closed",
		uses: "ticker.Every",
		safe: func(t *testing.T) {
			// WaitFor(poller(interval, timeout), condition, stop): the poll
			// loop is the range loop, with no goroutine to stop.
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			defer cancel()
			polls := 0
			for range ticker.Every(ctx, time.Millisecond) {
				if polls++; polls == 3 {
					break // the condition holds
				}
			}
			assert.Equal(t, 3, polls)
		},
	},
	{
		name: "Moby21233",
		bug:  "the progress consumer stopped early and left the watchers blocked sending progress",
		uses: "group.Run, group.New, pipe.Send, pipe.FromChan",
		safe: func(t *testing.T) {
			errGone := errors.New("consumer stopped")
			err := group.Run(t.Context(), func(ctx context.Context, g *group.Group) error {
				progress := make(chan int)
				g.Go(func(ctx context.Context) error { // the consumer, which stops early
					for p, err := range pipe.FromChan(ctx, progress) {
						if err != nil {
							return err
						}
						if p == 1 {
							return errGone
						}
					}
					return nil
				})
				watchers := group.New(ctx)
				for i := range 3 {
					watchers.Go(func(ctx context.Context) error { return pipe.Send(ctx, progress, i) })
				}
				err := watchers.Wait() // Release
				close(progress)
				return err
			})
			require.ErrorIs(t, err, errGone)
		},
	},
	{
		name: "Moby25348",
		bug:  "WaitGroup.Wait inside the loop waited for tasks the loop had not started yet",
		uses: "group.New",
		safe: func(t *testing.T) {
			plugins := []string{"p1", "p2"}
			g := group.New(t.Context())
			for range plugins {
				g.Go(func(context.Context) error { return nil }) // init the plugin
			}
			require.NoError(t, g.Wait())
			// The original's misplaced Wait is no longer a silent hang.
			g = group.New(t.Context())
			assert.Panics(t, func() {
				for range plugins {
					g.Go(func(context.Context) error { return nil })
					_ = g.Wait()
				}
			})
		},
	},
	{
		name: "Moby33781",
		bug:  "the health monitor returned on stop without draining the probe that was still sending its result",
		uses: "ticker.Run, timeout.Do, group.New",
		safe: func(t *testing.T) {
			ctx, stop := context.WithCancel(t.Context())
			probed := make(chan struct{})
			probes := 0
			monitor := group.New(t.Context())
			monitor.Go(func(context.Context) error {
				return ticker.Run(ctx, time.Millisecond, func(ctx context.Context) error {
					err := timeout.Do(ctx, time.Millisecond, func(context.Context) error {
						return nil // the probe
					})
					if probes++; probes == 3 {
						close(probed)
					}
					if errors.Is(err, timeout.ErrTimeout) {
						return nil // a probe that timed out is a result, not a failure
					}
					return err
				})
			})
			<-probed // the monitor's life: three probes
			stop()
			require.NoError(t, monitor.Wait())
		},
	},
	{
		name: "Syncthing5795",
		bug:  "the dispatcher loop called Close, which waited for the dispatcher loop to stop",
		uses: "group.New, pipe.Send, pipe.Recv",
		safe: func(t *testing.T) {
			// Closing cancels; waiting is the owner's, outside the loop.
			ctx, closeConn := context.WithCancel(t.Context())
			inbox := make(chan any)
			conn := group.New(ctx)
			conn.Go(func(ctx context.Context) error { // dispatcherLoop
				for {
					msg, err := pipe.Recv(ctx, inbox)
					if err != nil {
						return nil
					}
					if msg != clusterConfig {
						return nil
					}
					closeConn() // the model's ClusterConfig closes the connection
				}
			})
			require.NoError(t, pipe.Send(ctx, inbox, any(clusterConfig)))
			require.NoError(t, conn.Wait()) // <-c.dispatcherLoopStopped
		},
	},
}

func TestGoKer(t *testing.T) { testCorpus(t, goker) }

// requireStopped checks that err is nil or reports the cancellation that
// stopped the work early.
func requireStopped(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		require.ErrorIs(t, err, context.Canceled)
	}
}

// quiet is the logger of the coordinators the rewrites use.
var quiet = slog.New(slog.DiscardHandler)

const clusterConfig = "ClusterConfig"

// conn is grpc862's ClientConn: its goroutines belong to a group that
// Close cancels and joins.
type conn struct {
	cancel context.CancelFunc
	g      *group.Group
}

// dial starts a connection, or closes it again and returns nil if ctx has
// ended meanwhile: the original returned nil without closing.
func dial(ctx context.Context) (*conn, error) {
	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c := &conn{cancel: cancel, g: group.New(cctx)}
	c.g.Go(func(ctx context.Context) error { // resetAddrConn
		<-ctx.Done()
		return nil
	})
	if err := ctx.Err(); err != nil {
		return nil, errors.Join(err, c.Close())
	}
	return c, nil
}

// Close stops the connection's goroutines and waits for them.
func (c *conn) Close() error {
	c.cancel()
	if err := c.g.Wait(); !errors.Is(err, context.Canceled) {
		return err // nil, or a failure of the connection
	}
	return nil // Canceled: resetAddrConn was stopped before it began
}

// gokerNotApplicable lists the GoKer kernels not rewritten, with the reason:
// their bug is in locks or condition variables, which no leakproof package
// replaces.
var gokerNotApplicable = []struct{ name, why string }{
	{"Cockroach584", "missing Mutex.Unlock before a break"},
	{"Cockroach2448", "two event loops each blocked sending to the other: a protocol cycle, not a lifetime bug"},
	{"Cockroach3710", "RWMutex.RLock taken twice in one call chain"},
	{"Cockroach6181", "the same RWMutex locked recursively for reading and writing"},
	{"Cockroach7504", "AB-BA deadlock between two mutexes"},
	{"Cockroach9935", "Mutex locked twice"},
	{"Cockroach10214", "AB-BA deadlock between two mutexes"},
	{"Cockroach13197", "Tx.awaitDone only waits for a context to roll back, and Rollback was never called: call it, or use context.AfterFunc, which needs no goroutine; no leakproof package adds to that"},
	{"Cockroach13755", "Rows.awaitDone, the same as Cockroach13197: call Close, or use context.AfterFunc"},
	{"Cockroach16167", "RWMutex locked for writing, then for reading, through two names"},
	{"Etcd5509", "an error path returns holding an RLock"},
	{"Etcd6708", "RWMutex locked twice"},
	{"Etcd6873", "stop holds the mutex while waiting for a goroutine that needs it"},
	{"Etcd7492", "a channel send made while holding a mutex the receiver needs"},
	{"Etcd7902", "the leader needs the mutex a follower holds while blocked on the leader's channel"},
	{"Etcd10492", "Mutex locked twice"},
	{"Grpc795", "an execution path misses Mutex.Unlock"},
	{"Grpc1460", "keepalive blocks on a channel while holding the mutex its sender needs"},
	{"Grpc3017", "an execution path misses Mutex.Unlock"},
	{"Hugo3251", "Lock held while waiting for an RLock of the same RWMutex"},
	{"Hugo5379", "Mutex locked twice through a callback"},
	{"Istio16224", "an event handler holds a mutex while blocked on a channel the other side drains under the same mutex"},
	{"Istio18454", "concurrent time.Timer.Stop and receive on the timer's channel: a timer misuse inside a correctly stopped worker"},
	{"Kubernetes1321", "distribute holds the mutex while sending; stopWatching needs the mutex to close the channel"},
	{"Kubernetes6632", "WriteFrame holds the mutex while sending; monitor needs it to close the channel"},
	{"Kubernetes10182", "SetPodStatus holds the mutex while sending; the receiver then needs the mutex"},
	{"Kubernetes11298", "sync.Cond signalled before anyone waits"},
	{"Kubernetes13135", "AB-BA deadlock between two mutexes"},
	{"Kubernetes26980", "sync.Cond wait under a mutex another goroutine takes"},
	{"Kubernetes30872", "Mutex locked twice"},
	{"Kubernetes58107", "sync.Cond wait holding an RLock that a pending writer blocks"},
	{"Kubernetes62464", "RWMutex.RLock taken recursively"},
	{"Moby4951", "AB-BA deadlock between two mutexes"},
	{"Moby7559", "missing Mutex.Unlock on a continue"},
	{"Moby17176", "missing Mutex.Unlock on an early path"},
	{"Moby27782", "sync.Cond wait that no signal matches"},
	{"Moby28462", "StateChanged holds the container's mutex while sending; the monitor needs it"},
	{"Moby30408", "sync.Cond.Wait with no Signal or Broadcast"},
	{"Moby36114", "Mutex locked twice"},
	{"Serving2137", "a request goroutine blocks on a mutex the test holds while the breaker's channels fill"},
	{"Syncthing4829", "RWMutex locked for writing, then for reading"},
}

// TestGoKerCoverage checks that every kernel of the GoKer suite shipped with
// the Go toolchain is either rewritten or listed, with a reason, as not
// applicable.
func TestGoKerCoverage(t *testing.T) {
	testdata, err := gorootTestdata()
	require.NoError(t, err)
	files, err := filepath.Glob(filepath.Join(testdata, "goker", "*.go"))
	require.NoError(t, err)
	registered := regexp.MustCompile(`register\("(\w+)"`)
	var shipped []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range registered.FindAllSubmatch(src, -1) {
			shipped = append(shipped, string(m[1]))
		}
	}
	var listed []string
	for _, l := range goker {
		listed = append(listed, l.name)
	}
	for _, n := range gokerNotApplicable {
		assert.NotEmpty(t, n.why, n.name)
		listed = append(listed, n.name)
	}
	slices.Sort(shipped)
	slices.Sort(listed)
	assert.Equal(t, shipped, listed)
	assert.GreaterOrEqual(t, len(goker), 20)
}
