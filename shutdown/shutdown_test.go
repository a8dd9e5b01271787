package shutdown_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/internal/leaktest"
	"github.com/leakproof/leakproof/shutdown"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.ProfileCheck()) }

// newCoordinator returns a Coordinator that listens for no signal and logs
// to the returned recorder.
func newCoordinator(t *testing.T, opts ...shutdown.Option) (*shutdown.Coordinator, *recorder) {
	t.Helper()
	rec := &recorder{}
	c := shutdown.New(append([]shutdown.Option{shutdown.WithSignals(), shutdown.WithLogger(slog.New(rec))}, opts...)...)
	t.Cleanup(c.Close)
	return c, rec
}

func TestStepsRunInReverseOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCoordinator(t)
		var order []string
		for _, name := range []string{"logs", "db", "http"} {
			c.Add(name, func(ctx context.Context) error {
				order = append(order, name)
				return nil
			})
		}
		c.Trigger(nil)
		require.NoError(t, c.Wait())
		assert.Equal(t, []string{"http", "db", "logs"}, order)
		assert.Equal(t, 0, c.ExitCode())
	})
}

// step records, in virtual time since the trigger, when a step started, the
// deadline of its context, and when it returned.
type timing struct {
	start, deadline, end time.Duration
	ctxErr               error // ctx.Err() when the step started
}

func TestBudgets(t *testing.T) {
	// blockFor returns a stop function that works for d or until its
	// context ends, whichever comes first.
	blockFor := func(d time.Duration) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			select {
			case <-time.After(d):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	type stepSpec struct {
		name string
		work time.Duration
		opts []shutdown.StepOption
	}
	tests := []struct {
		name  string
		opts  []shutdown.Option
		late  time.Duration // Wait is called this long after the trigger
		steps []stepSpec    // in the order of Add
		want  map[string]timing
		fail  []string // steps that time out
	}{
		{
			name:  "step timeout within the budget",
			opts:  []shutdown.Option{shutdown.WithTimeout(10 * time.Second)},
			steps: []stepSpec{{"b", time.Second, nil}, {"a", time.Hour, []shutdown.StepOption{shutdown.StepTimeout(2 * time.Second)}}},
			want: map[string]timing{
				"a": {0, 2 * time.Second, 2 * time.Second, nil},
				"b": {2 * time.Second, 10 * time.Second, 3 * time.Second, nil},
			},
			fail: []string{"a"},
		},
		{
			name:  "budget shared by the steps",
			opts:  []shutdown.Option{shutdown.WithTimeout(10 * time.Second)},
			steps: []stepSpec{{"b", time.Hour, nil}, {"a", 8 * time.Second, nil}},
			want: map[string]timing{
				"a": {0, 10 * time.Second, 8 * time.Second, nil},
				"b": {8 * time.Second, 10 * time.Second, 10 * time.Second, nil},
			},
			fail: []string{"b"},
		},
		{
			name: "steps after the budget still get one second",
			opts: []shutdown.Option{shutdown.WithTimeout(10 * time.Second)},
			steps: []stepSpec{
				{"c", time.Hour, nil},
				{"b", time.Hour, []shutdown.StepOption{shutdown.StepTimeout(300 * time.Millisecond)}},
				{"a", time.Hour, nil},
			},
			want: map[string]timing{
				"a": {0, 10 * time.Second, 10 * time.Second, nil},
				"b": {10 * time.Second, 10*time.Second + 300*time.Millisecond, 10*time.Second + 300*time.Millisecond, nil},
				"c": {10*time.Second + 300*time.Millisecond, 11*time.Second + 300*time.Millisecond, 11*time.Second + 300*time.Millisecond, nil},
			},
			fail: []string{"a", "b", "c"},
		},
		{
			name:  "a budget under a second is also the late steps' slice",
			opts:  []shutdown.Option{shutdown.WithTimeout(500 * time.Millisecond)},
			steps: []stepSpec{{"b", time.Hour, nil}, {"a", time.Hour, nil}},
			want: map[string]timing{
				"a": {0, 500 * time.Millisecond, 500 * time.Millisecond, nil},
				"b": {500 * time.Millisecond, time.Second, time.Second, nil},
			},
			fail: []string{"a", "b"},
		},
		{
			name:  "a step in the budget's last second still gets a second",
			opts:  []shutdown.Option{shutdown.WithTimeout(10 * time.Second)},
			steps: []stepSpec{{"b", time.Hour, nil}, {"a", 9900 * time.Millisecond, nil}},
			want: map[string]timing{
				"a": {0, 10 * time.Second, 9900 * time.Millisecond, nil},
				"b": {9900 * time.Millisecond, 10900 * time.Millisecond, 10900 * time.Millisecond, nil},
			},
			fail: []string{"b"},
		},
		{
			name:  "step timeout longer than the budget left",
			opts:  []shutdown.Option{shutdown.WithTimeout(5 * time.Second)},
			steps: []stepSpec{{"b", time.Hour, []shutdown.StepOption{shutdown.StepTimeout(4 * time.Second)}}, {"a", 3 * time.Second, nil}},
			want: map[string]timing{
				"a": {0, 5 * time.Second, 3 * time.Second, nil},
				"b": {3 * time.Second, 5 * time.Second, 5 * time.Second, nil},
			},
			fail: []string{"b"},
		},
		{
			name:  "budget counts from the end of the delay",
			opts:  []shutdown.Option{shutdown.WithDelay(3 * time.Second), shutdown.WithTimeout(5 * time.Second)},
			steps: []stepSpec{{"a", time.Hour, nil}},
			want:  map[string]timing{"a": {3 * time.Second, 8 * time.Second, 8 * time.Second, nil}},
			fail:  []string{"a"},
		},
		{
			name:  "late Wait keeps the trigger and its time",
			opts:  []shutdown.Option{shutdown.WithDelay(3 * time.Second), shutdown.WithTimeout(5 * time.Second)},
			late:  4 * time.Second,
			steps: []stepSpec{{"a", time.Second, nil}},
			want:  map[string]timing{"a": {4 * time.Second, 8 * time.Second, 5 * time.Second, nil}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, _ := newCoordinator(t, tt.opts...)
				var (
					mu  sync.Mutex
					got = map[string]timing{}
				)
				trigger := time.Now()
				for _, s := range tt.steps {
					work := blockFor(s.work)
					c.Add(s.name, func(ctx context.Context) error {
						var tm timing
						tm.start, tm.ctxErr = time.Since(trigger), ctx.Err()
						dl, _ := ctx.Deadline()
						tm.deadline = dl.Sub(trigger)
						err := work(ctx)
						tm.end = time.Since(trigger)
						mu.Lock()
						got[s.name] = tm
						mu.Unlock()
						return err
					}, s.opts...)
				}
				c.Trigger(nil)
				time.Sleep(tt.late)
				err := c.Wait()

				assert.Equal(t, tt.want, got)
				for _, name := range tt.fail {
					assert.ErrorContains(t, err, fmt.Sprintf("shutdown: step %q timed out", name))
				}
				if len(tt.fail) == 0 {
					assert.NoError(t, err)
				} else {
					assert.ErrorIs(t, err, context.DeadlineExceeded)
					assert.Equal(t, 1, c.ExitCode())
				}
			})
		})
	}
}

func TestStuckStep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, rec := newCoordinator(t, shutdown.WithTimeout(10*time.Second))
		release := make(chan struct{})
		defer func() {
			close(release) // the abandoned step returns at last
			synctest.Wait()
		}()
		var lastStarted time.Duration
		trigger := time.Now()
		c.Add("logs", func(ctx context.Context) error {
			lastStarted = time.Since(trigger)
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("context already done: %w", err)
			}
			return nil
		})
		c.Add("hung", func(ctx context.Context) error {
			<-release // ignores ctx
			return nil
		}, shutdown.StepTimeout(2*time.Second))

		c.Trigger(nil)
		err := c.Wait()

		require.Error(t, err)
		assert.ErrorContains(t, err, `shutdown: step "hung" is stuck`)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotContains(t, err.Error(), `"logs"`)
		// Stuck half a second after its two seconds; the next step runs then.
		assert.Equal(t, 2500*time.Millisecond, lastStarted)
		assert.Equal(t, 1, c.ExitCode())

		stuck := rec.find("shutdown step stuck")
		require.Len(t, stuck, 1)
		assert.Equal(t, "hung", stuck[0]["step"])
		assert.Contains(t, stuck[0]["stacks"], "TestStuckStep", "the stacks show where the step hangs")
	})
}

func TestStuckStepStacksIncludeItsGoroutines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, rec := newCoordinator(t)
		release := make(chan struct{})
		defer func() {
			close(release)
			synctest.Wait()
		}()
		c.Add("spawner", func(ctx context.Context) error {
			done := make(chan struct{})
			go func() { // started by the step: inherits its labels
				defer close(done)
				helperBlockedOn(release)
			}()
			<-done
			return nil
		}, shutdown.StepTimeout(time.Second))
		c.Trigger(nil)
		require.Error(t, c.Wait())

		stuck := rec.find("shutdown step stuck")
		require.Len(t, stuck, 1)
		assert.Contains(t, stuck[0]["stacks"], "helperBlockedOn")
		assert.Equal(t, 2, strings.Count(stuck[0]["stacks"].(string), "1 goroutine(s):"), "the step and the goroutine it started")
	})
}

//go:noinline
func helperBlockedOn(ch <-chan struct{}) { <-ch }

func TestStepContextIsFresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The budget is spent by the first step; the second still gets a
		// live context.
		c, _ := newCoordinator(t, shutdown.WithTimeout(time.Second))
		var errs []error
		for _, name := range []string{"second", "first"} {
			c.Add(name, func(ctx context.Context) error {
				errs = append(errs, ctx.Err())
				<-ctx.Done()
				return nil
			})
		}
		c.Trigger(errors.New("fatal")) // Context is cancelled, steps' are not
		require.NoError(t, c.Wait())
		assert.Equal(t, []error{nil, nil}, errs)
	})
}

func TestContextCancelledAtTrigger(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCoordinator(t, shutdown.WithDelay(time.Minute))
		require.NoError(t, c.Context().Err())
		cause := errors.New("database lost")
		c.Trigger(cause)
		assert.ErrorIs(t, c.Context().Err(), context.Canceled)
		assert.Equal(t, cause, context.Cause(c.Context()))

		c.Trigger(errors.New("second trigger")) // ignored
		assert.Equal(t, cause, context.Cause(c.Context()))
		require.NoError(t, c.Wait())
		assert.Equal(t, 1, c.ExitCode())
	})
}

func TestReady(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCoordinator(t, shutdown.WithDelay(5*time.Second))
		probe := func() int {
			w := httptest.NewRecorder()
			c.Ready().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/ready", nil))
			return w.Code
		}
		var during []int
		c.Add("probe", func(ctx context.Context) error {
			during = append(during, probe())
			return nil
		})

		assert.Equal(t, http.StatusOK, probe())
		c.Trigger(nil)
		assert.Equal(t, http.StatusServiceUnavailable, probe())
		done := make(chan struct{})
		go func() {
			defer close(done)
			assert.NoError(t, c.Wait())
		}()
		time.Sleep(4 * time.Second) // within the delay
		assert.Equal(t, http.StatusServiceUnavailable, probe())
		<-done
		assert.Equal(t, []int{http.StatusServiceUnavailable}, during)
		assert.Equal(t, http.StatusServiceUnavailable, probe())
	})
}

func TestTriggerRunsStepsOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, rec := newCoordinator(t)
		runs := 0
		c.Add("once", func(ctx context.Context) error {
			runs++
			return errors.New("boom")
		})
		c.Trigger(nil)
		c.Trigger(nil)
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			wg.Go(func() { errs[i] = c.Wait() })
		}
		wg.Wait()
		c.Trigger(nil) // after the shutdown: ignored too
		assert.Equal(t, 1, runs)
		require.Error(t, errs[0])
		assert.Equal(t, errs[0], errs[1])
		assert.Equal(t, errs[0], errs[2])
		assert.Equal(t, errs[0], c.Wait())
		assert.Len(t, rec.find("shutdown triggered"), 1)
		assert.Len(t, rec.find("shutdown done"), 1)
	})
}

// Calls of Wait that come while another runs the shutdown wait for it in a
// way synctest sees as durably blocked, so virtual time still advances
// through the delay and the steps.
func TestConcurrentWaitInBubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCoordinator(t, shutdown.WithDelay(time.Second))
		c.Add("db", func(ctx context.Context) error {
			time.Sleep(time.Second)
			return nil
		})
		start := time.Now()
		c.Trigger(nil)
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() { assert.NoError(t, c.Wait()) })
		}
		assert.Equal(t, 0, c.ExitCode())
		wg.Wait()
		assert.Equal(t, 2*time.Second, time.Since(start))
	})
}

func TestFailedStepsAreJoined(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCoordinator(t)
		errDB := errors.New("db: close failed")
		var ran []string
		c.Add("logs", func(ctx context.Context) error { ran = append(ran, "logs"); return nil })
		c.Add("db", func(ctx context.Context) error { ran = append(ran, "db"); return errDB })
		c.Add("panics", func(ctx context.Context) error { ran = append(ran, "panics"); panic("boom") })
		c.Add("exits", func(ctx context.Context) error { ran = append(ran, "exits"); runtime.Goexit(); return nil })
		c.Trigger(nil)
		err := c.Wait()

		assert.Equal(t, []string{"exits", "panics", "db", "logs"}, ran, "failed steps do not stop the next ones")
		assert.ErrorIs(t, err, errDB)
		assert.ErrorContains(t, err, `shutdown: step "db": db: close failed`)
		var pe *leakproof.PanicError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "boom", pe.Value)
		assert.ErrorContains(t, err, `shutdown: step "panics": panic: boom`)
		assert.ErrorIs(t, err, leakproof.ErrGoexit)
		assert.ErrorContains(t, err, `shutdown: step "exits": `)
		assert.NotContains(t, err.Error(), `"logs"`)
		assert.Equal(t, 1, c.ExitCode())
	})
}

type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit %d", int(e)) }
func (e exitError) ExitCode() int { return int(e) }

func TestExitCode(t *testing.T) {
	tests := []struct {
		name  string
		cause error
		fail  bool
		want  int
	}{
		{"clean", nil, false, 0},
		{"step failed", nil, true, 1},
		{"cause with a code", exitError(3), false, 3},
		{"wrapped cause with a code", fmt.Errorf("config: %w", exitError(2)), false, 2},
		{"cause code wins over a failed step", exitError(3), true, 3},
		{"cause with code 0 and a failed step", exitError(0), true, 1},
		{"plain error cause", errors.New("fatal"), false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, rec := newCoordinator(t)
				c.Add("step", func(ctx context.Context) error {
					if tt.fail {
						return errors.New("failed")
					}
					return nil
				})
				c.Trigger(tt.cause)
				assert.Equal(t, tt.want, c.ExitCode())
				assert.Equal(t, tt.fail, c.Wait() != nil)
				done := rec.find("shutdown done")
				require.Len(t, done, 1)
				assert.Equal(t, int64(tt.want), done[0]["code"])
			})
		})
	}
}

func TestExitCodeWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCoordinator(t)
		c.Add("step", func(ctx context.Context) error { return errors.New("failed") })
		code := make(chan int)
		go func() { code <- c.ExitCode() }()
		synctest.Wait()
		select {
		case <-code:
			t.Fatal("ExitCode returned before the trigger")
		default:
		}
		c.Trigger(nil)
		assert.Equal(t, 1, <-code)
	})
}

func TestEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, rec := newCoordinator(t, shutdown.WithDelay(time.Second), shutdown.WithTimeout(10*time.Second))
		c.Add("db", func(ctx context.Context) error {
			time.Sleep(2 * time.Second)
			return errors.New("close failed")
		})
		c.Add("http", func(ctx context.Context) error {
			time.Sleep(time.Second)
			return nil
		})
		c.Trigger(nil)
		require.Error(t, c.Wait())

		var got []string
		for _, r := range rec.all() {
			got = append(got, fmt.Sprint(r["msg"], " ", r["step"]))
		}
		assert.Equal(t, []string{
			"shutdown triggered <nil>",
			"shutdown step started http",
			"shutdown step done http",
			"shutdown step started db",
			"shutdown step done db",
			"shutdown done <nil>",
		}, got)

		triggered := rec.find("shutdown triggered")[0]
		assert.Equal(t, "shutdown requested", triggered["cause"])
		assert.Equal(t, time.Second, triggered["delay"])
		assert.Equal(t, 10*time.Second, triggered["budget"])

		steps := rec.find("shutdown step done")
		assert.Equal(t, time.Second, steps[0]["duration"])
		assert.Nil(t, steps[0]["error"])
		assert.Equal(t, slog.LevelInfo, steps[0]["level"])
		assert.Equal(t, 2*time.Second, steps[1]["duration"])
		assert.Equal(t, `shutdown: step "db": close failed`, steps[1]["error"])
		assert.Equal(t, slog.LevelError, steps[1]["level"])

		started := rec.find("shutdown step started")
		assert.Equal(t, 10*time.Second, started[0]["timeout"])
		assert.Equal(t, 9*time.Second, started[1]["timeout"])

		done := rec.find("shutdown done")[0]
		assert.Equal(t, int64(1), done["code"])
		assert.Equal(t, 4*time.Second, done["duration"])
		assert.Equal(t, `shutdown: step "db": close failed`, done["error"])
	})
}

// With Wait already waiting and no delay, the steps start the moment the
// trigger lands. Still, the trigger's record comes first, even when the log
// is slow to take it, and by then Context is cancelled and Ready says 503.
func TestTriggerLoggedBeforeSteps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		var c *shutdown.Coordinator
		var ctxErr error
		log := &hooked{recorder: rec, hook: func(r slog.Record) {
			if r.Message == "shutdown triggered" {
				ctxErr = c.Context().Err()
				time.Sleep(time.Millisecond) // a slow log
			}
		}}
		c = shutdown.New(shutdown.WithSignals(), shutdown.WithLogger(slog.New(log)))
		defer c.Close()
		c.Add("db", func(ctx context.Context) error { return nil })
		waited := make(chan error)
		go func() { waited <- c.Wait() }()
		synctest.Wait()
		c.Trigger(nil)
		require.NoError(t, <-waited)

		var got []string
		for _, r := range rec.all() {
			got = append(got, r["msg"].(string))
		}
		assert.Equal(t, []string{"shutdown triggered", "shutdown step started", "shutdown step done", "shutdown done"}, got)
		assert.Error(t, ctxErr, "Context not yet cancelled when the trigger was logged")
	})
}

// hooked is a log sink that calls hook before it keeps a record.
type hooked struct {
	*recorder
	hook func(slog.Record)
}

func (h *hooked) Handle(ctx context.Context, r slog.Record) error {
	h.hook(r)
	return h.recorder.Handle(ctx, r)
}

func TestAddDuringStepsPanics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCoordinator(t)
		c.Add("adds", func(ctx context.Context) error {
			c.Add("late", func(ctx context.Context) error { return nil })
			return nil
		})
		c.Trigger(nil)
		err := c.Wait()
		var pe *leakproof.PanicError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, `shutdown: Add called for step "late" after the steps began`, pe.Value)
	})
}

func TestAddAfterTriggerBeforeWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// A signal during startup: main still adds its steps, then waits.
		c, _ := newCoordinator(t)
		c.Trigger(nil)
		ran := false
		c.Add("db", func(ctx context.Context) error { ran = true; return nil })
		require.NoError(t, c.Wait())
		assert.True(t, ran)
	})
}

func TestAddDuringDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCoordinator(t, shutdown.WithDelay(time.Second))
		c.Trigger(nil)
		waited := make(chan error)
		go func() { waited <- c.Wait() }()
		time.Sleep(500 * time.Millisecond) // Wait is in the delay
		ran := false
		c.Add("late", func(ctx context.Context) error { ran = true; return nil })
		require.NoError(t, <-waited)
		assert.True(t, ran)
	})
}

func TestBadArguments(t *testing.T) {
	noop := func(ctx context.Context) error { return nil }
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"negative timeout", func() { shutdown.WithTimeout(-time.Second) }, "shutdown: timeout must be positive, got -1s"},
		{"zero timeout", func() { shutdown.WithTimeout(0) }, "shutdown: timeout must be positive, got 0s"},
		{"negative delay", func() { shutdown.WithDelay(-time.Second) }, "shutdown: delay must not be negative, got -1s"},
		{"zero step timeout", func() { shutdown.StepTimeout(0) }, "shutdown: step timeout must be positive, got 0s"},
		{"nil logger", func() { shutdown.WithLogger(nil) }, "shutdown: WithLogger called with a nil logger"},
		{"nil exit", func() { shutdown.WithExit(nil) }, "shutdown: WithExit called with a nil function"},
		{"nil signal", func() { shutdown.WithSignals(nil) }, "shutdown: WithSignals called with a nil signal"},
		{"empty step name", func() { shutdown.New(shutdown.WithSignals()).Add("", noop) }, "shutdown: Add called with an empty step name"},
		{"nil stop", func() { shutdown.New(shutdown.WithSignals()).Add("db", nil) }, `shutdown: Add called with a nil stop function for step "db"`},
		{"duplicate name", func() {
			c := shutdown.New(shutdown.WithSignals())
			c.Add("db", noop)
			c.Add("db", noop)
		}, `shutdown: Add called twice with step name "db"`},
		{"zero Coordinator", func() { new(shutdown.Coordinator).Wait() }, "shutdown: Wait called on a Coordinator not made by New"},
		{"zero Coordinator Add", func() { new(shutdown.Coordinator).Add("db", noop) }, "shutdown: Add called on a Coordinator not made by New"},
		{"zero Coordinator ExitCode", func() { new(shutdown.Coordinator).ExitCode() }, "shutdown: ExitCode called on a Coordinator not made by New"},
		{"nil server", func() { shutdown.New(shutdown.WithSignals()).Serve("http", nil, nil) }, `shutdown: Serve called with a nil server or listener for step "http"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.want, tt.f)
		})
	}
}

func TestCloseWithoutTrigger(t *testing.T) {
	// Listens for SIGINT and SIGTERM; Close must leave nothing behind, which
	// TestMain checks.
	c := shutdown.New(shutdown.WithLogger(slog.New(slog.DiscardHandler)))
	c.Add("never", func(ctx context.Context) error {
		t.Error("a step ran without a trigger")
		return nil
	})
	c.Close()
	c.Close()
	assert.NoError(t, c.Context().Err())
}

// recorder is a slog.Handler that keeps every record.
type recorder struct {
	mu      sync.Mutex
	records []map[string]any
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }

func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	m := map[string]any{"msg": rec.Message, "level": rec.Level}
	rec.Attrs(func(a slog.Attr) bool {
		v := a.Value.Resolve().Any()
		if err, ok := v.(error); ok {
			v = err.Error()
		}
		m[a.Key] = v
		return true
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, m)
	return nil
}

func (r *recorder) all() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.records)
}

func (r *recorder) find(msg string) []map[string]any {
	var out []map[string]any
	for _, m := range r.all() {
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}
