package shutdown_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/shutdown"
)

// pipeListener is an in-memory network for servers inside a synctest
// bubble, where loopback sockets would defeat the fake clock.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	server, client := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		return nil, syscall.ECONNREFUSED
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// client returns an HTTP client of l. Keep-alives are on, so a test can
// see the server turn them off; CloseIdleConnections runs at cleanup.
func (l *pipeListener) client(t *testing.T) *http.Client {
	tr := &http.Transport{DialContext: l.dial}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

func get(t *testing.T, client *http.Client, path string) (int, string, bool) {
	t.Helper()
	resp, err := client.Get("http://pipe" + path)
	if err != nil {
		t.Errorf("GET %s: %v", path, err)
		return 0, "", false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	assert.NoError(t, err, "reading the body of %s", path)
	return resp.StatusCode, string(body), resp.Close
}

func TestServeDrainsInFlightRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCoordinator(t, shutdown.WithDelay(time.Second), shutdown.WithTimeout(10*time.Second))
		trigger := time.Now()
		var handlerEnd, dbStart time.Duration
		c.Add("db", func(ctx context.Context) error {
			dbStart = time.Since(trigger)
			return nil
		})

		started := make(chan struct{})
		mux := http.NewServeMux()
		mux.Handle("/ready", c.Ready())
		mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "first half, ")
			w.(http.Flusher).Flush()
			close(started)
			time.Sleep(3 * time.Second)
			io.WriteString(w, "second half")
			handlerEnd = time.Since(trigger)
		})
		mux.HandleFunc("/fast", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "fast") })
		ln := newPipeListener()
		c.Serve("http", &http.Server{Handler: mux}, ln)
		client := ln.client(t)

		code, body, closed := get(t, client, "/ready")
		assert.Equal(t, http.StatusOK, code)
		assert.Equal(t, "ready\n", body)
		assert.False(t, closed, "keep-alive before the trigger")

		slow := make(chan string)
		go func() {
			code, body, _ := get(t, client, "/slow")
			assert.Equal(t, http.StatusOK, code)
			slow <- body
		}()
		<-started
		c.Trigger(nil)
		waited := make(chan error)
		go func() { waited <- c.Wait() }()

		// During the delay: still served, not ready, keep-alives off.
		time.Sleep(500 * time.Millisecond)
		code, body, closed = get(t, client, "/ready")
		assert.Equal(t, http.StatusServiceUnavailable, code)
		assert.Equal(t, "shutting down\n", body)
		assert.True(t, closed, "keep-alives are off once shutdown begins")
		code, body, _ = get(t, client, "/fast")
		assert.Equal(t, http.StatusOK, code)
		assert.Equal(t, "fast", body)

		// After the delay: no new connections; the request in flight ends well.
		time.Sleep(time.Second)
		_, err := ln.dial(t.Context(), "", "")
		assert.ErrorIs(t, err, syscall.ECONNREFUSED)
		assert.Equal(t, "first half, second half", <-slow)

		require.NoError(t, <-waited)
		assert.GreaterOrEqual(t, dbStart, handlerEnd, "db stops after the last request")
		assert.Equal(t, 0, c.ExitCode())
	})
}

func TestServeCancelsRequestsAtTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCoordinator(t, shutdown.WithTimeout(2*time.Second))
		trigger := time.Now()
		var dbStart time.Duration
		c.Add("db", func(ctx context.Context) error {
			dbStart = time.Since(trigger)
			return nil
		})
		started := make(chan struct{})
		var cause error
		ln := newPipeListener()
		c.Serve("http", &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(started)
			<-r.Context().Done() // a long poll, say
			cause = context.Cause(r.Context())
		})}, ln)
		client := ln.client(t)
		go func() {
			// An empty 200 or a closed connection: the handler's return
			// races with the server's Close.
			if resp, err := client.Get("http://pipe/poll"); err == nil {
				resp.Body.Close()
			}
		}()
		<-started
		c.Trigger(nil)
		err := c.Wait()

		assert.ErrorContains(t, err, `shutdown: step "http" timed out after 2s: draining: 1 handler(s) still running`)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorContains(t, cause, `shutdown: step "http" gave up draining`)
		assert.Equal(t, 2*time.Second, dbStart)
		assert.Equal(t, 1, c.ExitCode())
	})
}

func TestServeStuckHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, rec := newCoordinator(t, shutdown.WithTimeout(2*time.Second))
		release := make(chan struct{})
		defer func() {
			close(release)
			synctest.Wait()
		}()
		trigger := time.Now()
		var dbStart time.Duration
		c.Add("db", func(ctx context.Context) error {
			dbStart = time.Since(trigger)
			return nil
		})
		started := make(chan struct{})
		ln := newPipeListener()
		c.Serve("http", &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(started)
			ignoreContext(release)
		})}, ln)
		client := ln.client(t)
		go func() {
			_, err := client.Get("http://pipe/hang")
			assert.Error(t, err)
		}()
		<-started
		c.Trigger(nil)
		err := c.Wait()

		assert.ErrorContains(t, err, `shutdown: step "http" is stuck`)
		assert.Equal(t, 2500*time.Millisecond, dbStart, "the next step runs once the stuck one is abandoned")
		stuck := rec.find("shutdown step stuck")
		require.Len(t, stuck, 1)
		assert.Equal(t, "http", stuck[0]["step"])
		assert.Contains(t, stuck[0]["stacks"], "shutdown_test.ignoreContext", "the stuck handler's stack")
	})
}

// ignoreContext is a handler's work that does not watch the request's
// context.
//
//go:noinline
func ignoreContext(release <-chan struct{}) { <-release }

func TestServeErrorTriggersShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCoordinator(t)
		errAccept := errors.New("accept: too many open files")
		c.Serve("http", &http.Server{}, failingListener{errAccept})
		err := c.Wait() // triggered by Serve's error
		require.NoError(t, err)
		assert.ErrorIs(t, context.Cause(c.Context()), errAccept)
		assert.ErrorContains(t, context.Cause(c.Context()), `shutdown: step "http": serving: `)
		assert.Equal(t, 1, c.ExitCode())
	})
}

func TestServeKeepsBaseContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := newCoordinator(t)
		type key struct{}
		ln := newPipeListener()
		var got any
		c.Serve("http", &http.Server{
			BaseContext: func(net.Listener) context.Context {
				return context.WithValue(context.Background(), key{}, "value")
			},
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r.Context().Value(key{})
			}),
		}, ln)
		code, _, _ := get(t, ln.client(t), "/")
		assert.Equal(t, http.StatusOK, code)
		assert.Equal(t, "value", got)
		c.Trigger(nil)
		require.NoError(t, c.Wait())
	})
}

type failingListener struct{ err error }

func (l failingListener) Accept() (net.Conn, error) { return nil, l.err }
func (l failingListener) Close() error              { return nil }
func (l failingListener) Addr() net.Addr            { return pipeAddr{} }

func TestServeWaitsForHijackedConnections(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// http.Server.Shutdown does not wait for hijacked connections, such
		// as WebSockets; the step waits for their handlers all the same.
		c, _ := newCoordinator(t)
		trigger := time.Now()
		var dbStart time.Duration
		c.Add("db", func(ctx context.Context) error {
			dbStart = time.Since(trigger)
			return nil
		})
		started := make(chan struct{})
		ln := newPipeListener()
		c.Serve("http", &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if !assert.NoError(t, err) {
				return
			}
			defer conn.Close()
			close(started)
			time.Sleep(time.Second) // a WebSocket session ending
		})}, ln)

		conn, err := ln.dial(t.Context(), "", "")
		require.NoError(t, err)
		defer conn.Close()
		_, err = io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: pipe\r\n\r\n")
		require.NoError(t, err)
		<-started
		c.Trigger(nil)
		require.NoError(t, c.Wait())
		assert.Equal(t, time.Second, dbStart)
	})
}
