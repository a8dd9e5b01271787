package shutdown

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"

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
// If srv.Serve fails, Serve triggers the shutdown with that error.
//
// Serve takes srv over: it sets srv.BaseContext (calling the one set, if
// any) and wraps srv.Handler (http.DefaultServeMux if nil); do not change
// srv afterwards, and do not call its Serve or Shutdown. The goroutines
// serving requests inherit the step's pprof labels (leakproof.pkg=shutdown,
// leakproof.name=name). Serve panics if srv or ln is nil, and for the
// reasons Add does.
func (c *Coordinator) Serve(name string, srv *http.Server, ln net.Listener, opts ...StepOption) {
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

// handlers counts the handlers running. A sync.WaitGroup does not fit: a
// handler may start, on a connection accepted just before the listener
// closed, while the step waits for the count to reach zero.
type handlers struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to zero; nil while nobody waits
}

func (r *handlers) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.n++
		r.mu.Unlock()
		defer r.done()
		h.ServeHTTP(w, req)
	})
}

func (r *handlers) done() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n--
	if r.n == 0 && r.idle != nil {
		close(r.idle)
		r.idle = nil
	}
}

func (r *handlers) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// wait returns when no handler is running, or context.Cause(ctx) if ctx
// ends first.
func (r *handlers) wait(ctx context.Context) error {
	r.mu.Lock()
	if r.n == 0 {
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
