package pipe_test

import (
	"bytes"
	"context"
	"errors"
	"iter"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/leakproof/leakproof/internal/labels"
	"github.com/leakproof/leakproof/internal/leaktest"
	"github.com/leakproof/leakproof/pipe"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.ProfileCheck()) }

var (
	errSource = errors.New("source failed")
	errWork   = errors.New("work failed")
	errCause  = errors.New("cause of cancellation")
)

// A probe counts what the user code of a pipeline under test does.
type probe struct {
	pulls    atomic.Int64 // items the source produced
	calls    atomic.Int64 // calls of the stage's function
	inFlight atomic.Int64 // user functions running now
}

// source yields 0, 1, …, n-1 (forever if n < 0), counting each item.
func (p *probe) source(n int) pipe.Seq[int] {
	return pipe.FromSeq(func(yield func(int) bool) {
		for i := 0; n < 0 || i < n; i++ {
			p.pulls.Add(1)
			if !yield(i) {
				return
			}
		}
	})
}

// failingSource yields 0, 1, …, k-1 and then fails.
func (p *probe) failingSource(k int) pipe.Seq[int] {
	return func(yield func(int, error) bool) {
		for i := range k {
			p.pulls.Add(1)
			if !yield(i, nil) {
				return
			}
		}
		yield(0, errSource)
	}
}

// work returns a user function that takes v's latency in virtual time
// (a pseudo-random few milliseconds, ignoring ctx, as careless code does)
// and then calls then, if not nil.
func (p *probe) work(then func(ctx context.Context, v int) error) func(context.Context, int) error {
	return func(ctx context.Context, v int) error {
		p.calls.Add(1)
		p.inFlight.Add(1)
		defer p.inFlight.Add(-1)
		time.Sleep(latency(v))
		if then != nil {
			return then(ctx, v)
		}
		return nil
	}
}

// latency is a pseudo-random duration for item v, the same on every run.
func latency(v int) time.Duration {
	return time.Duration((v*7919)%13+1) * time.Millisecond
}

// assertSettled checks, in a bubble, right after a loop over a pipeline or
// a sink has returned, that no user code is running, that no goroutine of
// the package is left, and that no user code runs later on.
func assertSettled(t *testing.T, p *probe) {
	t.Helper()
	assert.Zero(t, p.inFlight.Load(), "user code still running after the loop returned")
	synctest.Wait()
	assert.Zero(t, pipeGoroutines(t), "goroutines of package pipe left behind")
	pulls, calls := p.pulls.Load(), p.calls.Load()
	time.Sleep(time.Hour)
	synctest.Wait()
	assert.Equal(t, pulls, p.pulls.Load(), "source ran after the loop returned")
	assert.Equal(t, calls, p.calls.Load(), "user function ran after the loop returned")
}

// pipeGoroutines counts the goroutines labelled as package pipe's.
func pipeGoroutines(t *testing.T) int {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, pprof.Lookup("goroutine").WriteTo(&buf, 1))
	return countLabelled(buf.String(), strconv.Quote(labels.PkgKey)+":"+strconv.Quote("pipe"))
}

// countLabelled counts the goroutines of a debug=1 goroutine profile that
// carry label.
func countLabelled(profile, label string) int {
	n, count := 0, 0
	for _, line := range strings.Split(profile, "\n") {
		if c, _, ok := strings.Cut(line, " @ "); ok {
			count, _ = strconv.Atoi(c)
		}
		if strings.HasPrefix(line, "# labels: ") && strings.Contains(line, label) {
			n += count
		}
	}
	return n
}

// A pair is what one iteration of a loop over a Seq received.
type pair[T any] struct {
	v   T
	err error
}

// take ranges over seq, breaking after n pairs if n >= 0, and returns the
// pairs received.
func take[T any](seq iter.Seq2[T, error], n int) []pair[T] {
	var got []pair[T]
	if n == 0 {
		return got
	}
	for v, err := range seq {
		if got = append(got, pair[T]{v, err}); len(got) == n {
			break
		}
	}
	return got
}

// split returns the items of pairs and checks that at most one error came,
// last, returning it.
func split[T any](t *testing.T, pairs []pair[T]) ([]T, error) {
	t.Helper()
	var items []T
	for i, p := range pairs {
		if p.err != nil {
			require.Equal(t, len(pairs)-1, i, "an error was followed by more pairs: %v", pairs)
			var zero T
			assert.Equal(t, zero, p.v, "an error came with an item")
			return items, p.err
		}
		items = append(items, p.v)
	}
	return items, nil
}

// seqOf returns 0, 1, …, n-1.
func seqOf(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// bubble runs f in a synctest bubble, with a context to use inside it.
func bubble(t *testing.T, f func(t *testing.T, ctx context.Context)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) { f(t, t.Context()) })
}
