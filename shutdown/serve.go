package shutdown

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/leakproof/leakproof/internal/labels"
)

// Serve serves srv on ln, on a goroutine of the Coordinator, and adds the
// step name that stops it, as Add would at this point. Listen first and
// pass the listener, so a taken port is an error of main's, before anything
// is served:
//
//	ln, err := net.Listen("tcp", ":8080")
//	if err != nil { ... }
//	c.Serve("http", &http.Server{Handler: mux}, ln)
//
// From the trigger on, srv disables keep-alives, so clients open new
// connections, which the load balancer sends elsewhere once it has seen
// Ready turn 503. The step then drains srv: it calls srv.Shutdown with the
// step's context, which stops accepting connections and waits for the
// requests in flight. If that context ends first, the step cancels the
// requests' contexts, closes every connection, and waits for the handlers
// to return; one that ignores its context makes the step stuck, and the
// stuck report shows its stack. The step returns once srv.Serve has
// returned and no handler is running, so steps added before Serve, such
// as a database the handlers use, stop only after the last request.
//
// If srv.Serve fails, Serve triggers the shutdown with that error. For
// TLS, pass a listener from tls.NewListener.
//
// Serve takes srv over: it sets srv.BaseContext (calling the one set, if
// any) and wraps srv.Handler (http.DefaultServeMux if nil); do not change
// srv afterwards, and do not call its Serve or Shutdown. The goroutines
// serving requests inherit the step's pprof labels (leakproof.pkg=shutdown,
// leakproof.name=name). Serve panics if srv or ln is nil, and for the
// reasons Add does.
func (c *Coordinator) Serve(name string, srv *http.Server, ln net.Listener, opts ...StepOption) {
	c.check("Serve")
	if srv == nil || ln == nil {
		panic(fmt.Sprintf("shutdown: Serve called with a nil server or listener for step %q", name))
	}
	parent := context.Background()
	if srv.BaseContext != nil {
		parent = srv.BaseContext(ln)
	}
	base, cancel := context.WithCancelCause(parent)
	srv.BaseContext = func(net.Listener) context.Context { return base }
	h := srv.Handler
	if h == nil {
		h = http.DefaultServeMux
	}
	var running handlers
	srv.Handler = running.wrap(h)

	served := make(chan struct{})
	c.Add(name, func(ctx context.Context) error {
		defer cancel(nil)
		err := srv.Shutdown(ctx)
		if err == nil {
			// Shutdown does not wait for hijacked connections.
			err = running.wait(ctx)
		}
		if err != nil {
			err = fmt.Errorf("draining: %d handler(s) still running: %w", running.count(), err)
			cancel(fmt.Errorf("shutdown: step %q gave up draining: %w", name, context.Cause(ctx)))
			srv.Close()
			running.wait(context.Background())
		}
		<-served
		return err
	}, opts...)

	c.whenTriggered(func() { srv.SetKeepAlivesEnabled(false) })
	l := labels.Make(context.Background(), "shutdown", name)
	go func() {
		defer close(served)
		l.Apply()
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			c.Trigger(fmt.Errorf("shutdown: step %q: serving: %w", name, err))
		}
	}()
}

// handlers counts the handlers running, with an atomic add at each end of
// a request, and lets the drain wait for the count to reach zero. A
// sync.WaitGroup does not fit: a handler may start, on a connection
// accepted just before the listener closed, while the drain waits.
type handlers struct {
	n       atomic.Int64
	waiting atomic.Bool // set once the drain waits; then done looks at idle

	mu   sync.Mutex
	idle chan struct{} // closed when n drops to zero while the drain waits
}

func (r *handlers) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.n.Add(1)
		defer r.done()
		h.ServeHTTP(w, req)
	})
}

func (r *handlers) done() {
	// wait sets waiting before it reads n, and done decrements n before
	// it reads waiting: one of the two sees the other.
	if r.n.Add(-1) != 0 || !r.waiting.Load() {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.idle != nil && r.n.Load() == 0 {
		close(r.idle)
		r.idle = nil
	}
}

func (r *handlers) count() int { return int(r.n.Load()) }

// wait returns when no handler is running, or context.Cause(ctx) if ctx
// ends first.
func (r *handlers) wait(ctx context.Context) error {
	r.mu.Lock()
	r.waiting.Store(true)
	if r.n.Load() == 0 {
		r.mu.Unlock()
		return nil
	}
	if r.idle == nil {
		r.idle = make(chan struct{})
	}
	idle := r.idle
	r.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
