package shutdown_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/leakproof/leakproof/shutdown"
)

// quiet keeps the examples' output to what they print; ExampleWithLogger
// shows the events.
var quiet = shutdown.WithLogger(slog.New(slog.DiscardHandler))

// A service stops in the reverse order it started, and its exit code says
// whether everything stopped well. A SIGTERM would trigger it; the examples
// listen for no signal and call Trigger instead.
func Example() {
	c := shutdown.New(shutdown.WithSignals(), quiet) // in main: shutdown.New()
	c.Add("logs", func(ctx context.Context) error {
		fmt.Println("flushing logs")
		return nil
	})
	c.Add("db", func(ctx context.Context) error {
		fmt.Println("closing the database")
		return nil
	})
	c.Add("http", func(ctx context.Context) error {
		fmt.Println("draining requests")
		return nil
	})

	c.Trigger(nil) // SIGTERM
	fmt.Println("exit code", c.ExitCode())
	// Output:
	// draining requests
	// closing the database
	// flushing logs
	// exit code 0
}

// Serve drains an HTTP server with the step's context. The common bug it
// removes is draining with the context that the signal has already
// cancelled, which cuts off every request in flight.
func ExampleCoordinator_Serve() {
	c := shutdown.New(shutdown.WithSignals(), quiet)
	started := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/report", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-c.Context().Done() // still working when SIGTERM comes
		fmt.Fprint(w, "report done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	c.Serve("http", &http.Server{Handler: mux}, ln)

	reply := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/report")
		if err != nil {
			reply <- err.Error()
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		reply <- fmt.Sprint(resp.StatusCode, " ", string(body))
	}()
	<-started
	c.Trigger(nil) // SIGTERM while the request runs
	err = c.Wait()
	fmt.Println("request:", <-reply)
	fmt.Println("shutdown error:", err)
	http.DefaultClient.CloseIdleConnections() // the example's own client
	// Output:
	// request: 200 report done
	// shutdown error: <nil>
}

// Each step gets its own fresh context. A step that times out is reported
// by name, and the steps after it still run.
func ExampleStepTimeout() {
	c := shutdown.New(shutdown.WithSignals(), quiet, shutdown.WithTimeout(10*time.Second))
	c.Add("logs", func(ctx context.Context) error {
		fmt.Println("flushing logs, context error:", ctx.Err())
		return nil
	})
	c.Add("db", func(ctx context.Context) error {
		<-ctx.Done() // a database that does not answer
		return ctx.Err()
	}, shutdown.StepTimeout(10*time.Millisecond))

	c.Trigger(nil)
	fmt.Println(c.Wait())
	fmt.Println("exit code", c.ExitCode())
	// Output:
	// flushing logs, context error: <nil>
	// shutdown: step "db" timed out after 10ms: context deadline exceeded
	// exit code 1
}

// Ready answers 503 from the moment shutdown begins, while requests are
// still served during the delay.
func ExampleCoordinator_Ready() {
	c := shutdown.New(shutdown.WithSignals(), quiet, shutdown.WithDelay(10*time.Millisecond))
	probe := func() {
		w := httptest.NewRecorder()
		c.Ready().ServeHTTP(w, httptest.NewRequest("GET", "/ready", nil))
		fmt.Print(w.Code, " ", w.Body.String())
	}
	probe()
	c.Trigger(nil)
	probe()
	c.Wait()
	// Output:
	// 200 ready
	// 503 shutting down
}

// Context ends when shutdown begins, with the trigger's cause: loops that
// take new work stop at once, while steps do the cleanup.
func ExampleCoordinator_Context() {
	c := shutdown.New(shutdown.WithSignals(), quiet)
	c.Trigger(errors.New("lost the database"))
	<-c.Context().Done()
	fmt.Println(context.Cause(c.Context()))
	c.Wait()
	// Output:
	// lost the database
}

// usageError asks for exit code 2, as a command-line usage error does.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }
func (e usageError) ExitCode() int { return 2 }

// A trigger's cause can choose the exit code; any other error gives 1.
func ExampleCoordinator_Trigger() {
	c := shutdown.New(shutdown.WithSignals(), quiet)
	c.Trigger(usageError{"missing -config"})
	fmt.Println("exit code", c.ExitCode())
	// Output:
	// exit code 2
}

// Every event is a structured record. Here, without times and durations.
func ExampleWithLogger() {
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.TimeKey, "duration", "timeout":
				return slog.Attr{}
			}
			return a
		},
	}))
	c := shutdown.New(shutdown.WithSignals(), shutdown.WithLogger(log))
	c.Add("db", func(ctx context.Context) error { return errors.New("connection reset") })
	c.Trigger(nil)
	c.Wait()
	// Output:
	// level=INFO msg="shutdown triggered" cause="shutdown requested" delay=0s budget=15s
	// level=INFO msg="shutdown step started" step=db
	// level=ERROR msg="shutdown step done" step=db error="shutdown: step \"db\": connection reset"
	// level=ERROR msg="shutdown done" code=1 error="shutdown: step \"db\": connection reset"
}

// Close releases a Coordinator that will not be waited for, as in a test
// or a command that returns early; Wait calls it too.
func ExampleCoordinator_Close() {
	c := shutdown.New(quiet) // listens for SIGINT and SIGTERM
	defer c.Close()
	c.Add("db", func(ctx context.Context) error { return nil })
	fmt.Println("shutting down:", c.Context().Err() != nil)
	// Output:
	// shutting down: false
}
