// Command service is a small HTTP service built from the leakproof
// packages that stops cleanly on SIGTERM or Ctrl-C. It answers quotes from
// a cache that a periodic job refreshes, calls a slow backend under a
// deadline, and runs accepted jobs on a bounded background pool.
//
//	go run ./examples/service -addr localhost:8080
//	curl localhost:8080/quote                   # a quote, from the cache
//	curl 'localhost:8080/quote?latency=500ms'   # the backend is too slow: 504
//	curl -X POST localhost:8080/jobs            # 202, run in the background; 503 when full
//	curl 'localhost:8080/stream?n=50&every=100ms'
//	curl localhost:8080/ready                   # 200; 503 once shutting down
//
// On the first signal it answers /ready with 503 but keeps serving for
// -delay, then stops in the reverse order of setup: it drains the HTTP
// server, stops the periodic jobs, finishes the background jobs, and logs
// its final counts, all within -budget; it exits 0 if every step went well
// and 1 otherwise. A second signal exits at once. With -buggy, /stream
// ignores its request's context, and the drain ends with a stuck step,
// named in the log with its stack.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/leakproof/leakproof/group"
	"github.com/leakproof/leakproof/pool"
	"github.com/leakproof/leakproof/shutdown"
	"github.com/leakproof/leakproof/ticker"
	"github.com/leakproof/leakproof/timeout"
)

func main() {
	addr := flag.String("addr", "localhost:8080", "address to listen on")
	delay := flag.Duration("delay", 5*time.Second, "how long to keep serving, reporting not ready, after the first signal")
	budget := flag.Duration("budget", 15*time.Second, "time for all the shutdown steps, after the delay")
	refresh := flag.Duration("refresh", time.Second, "period of the cache refresh")
	buggy := flag.Bool("buggy", false, "make /stream ignore its request's context, to show a stuck step")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	// First thing: a SIGTERM during startup must already stop the service
	// in order.
	c := shutdown.New(shutdown.WithDelay(*delay), shutdown.WithTimeout(*budget), shutdown.WithLogger(log))

	s := &service{log: log, buggy: *buggy}
	s.quotes.Store(&quotes[0])
	// Added first, so it runs last: the final counts, once nothing runs.
	c.Add("stats", s.report)

	// A bounded pool for background jobs: at most 4 at once and 16 waiting;
	// more are refused rather than piling up. Stopping it runs the queued
	// jobs within the step's time.
	s.jobs = pool.New(4, pool.WithQueue(16), pool.WithName("jobs"), pool.WithErrorHandler(func(err error) {
		log.Error("background job failed", "error", err)
	}))
	c.Add("jobs", s.jobs.Close)

	// Periodic work that the requests rely on keeps running while they are
	// drained, so it stops on its own step, not with c.Context().
	loops, stopLoops := context.WithCancel(context.Background())
	g := group.New(loops, group.WithName("loops"))
	g.Go(func(ctx context.Context) error {
		return ticker.Run(ctx, *refresh, s.refresh, ticker.OnError(func(err error) {
			log.Warn("cache refresh failed", "error", err)
		}))
	})
	c.Add("loops", func(ctx context.Context) error {
		stopLoops()
		return g.Wait()
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Error("cannot listen", "error", err)
		c.Trigger(err) // stops what has started, then exits 1
		os.Exit(c.ExitCode())
	}
	mux := http.NewServeMux()
	mux.Handle("GET /ready", c.Ready())
	mux.HandleFunc("GET /quote", s.quote)
	mux.HandleFunc("POST /jobs", s.submit)
	mux.HandleFunc("GET /stream", s.stream)
	c.Serve("http", &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}, ln)
	log.Info("listening", "addr", ln.Addr().String())

	os.Exit(c.ExitCode()) // waits for a signal, then for the steps
}

var quotes = []string{
	"Don't communicate by sharing memory, share memory by communicating.",
	"Concurrency is not parallelism.",
	"Channels orchestrate; mutexes serialize.",
	"Make the zero value useful.",
	"Clear is better than clever.",
}

type service struct {
	log   *slog.Logger
	buggy bool
	jobs  *pool.Pool

	quotes   atomic.Pointer[string] // refreshed by a periodic job
	version  atomic.Int64
	served   atomic.Int64
	accepted atomic.Int64
	done     atomic.Int64
}

// refresh stands for reloading a cache from a database.
func (s *service) refresh(ctx context.Context) error {
	v := s.version.Add(1)
	s.quotes.Store(&quotes[int(v)%len(quotes)])
	return nil
}

// quote answers from the cache after asking a backend that may be slow;
// the request gets at most 200ms of it, whatever the backend does.
func (s *service) quote(w http.ResponseWriter, r *http.Request) {
	latency := 20 * time.Millisecond
	if v := r.URL.Query().Get("latency"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			http.Error(w, "bad latency: "+err.Error(), http.StatusBadRequest)
			return
		}
		latency = d
	}
	q, err := timeout.DoValue(r.Context(), 200*time.Millisecond, func(ctx context.Context) (string, error) {
		return s.backend(ctx, latency)
	})
	if err != nil {
		http.Error(w, "backend: "+err.Error(), http.StatusGatewayTimeout)
		return
	}
	s.served.Add(1)
	fmt.Fprintln(w, q)
}

// backend stands for a call to another service that takes latency.
func (s *service) backend(ctx context.Context, latency time.Duration) (string, error) {
	t := time.NewTimer(latency)
	defer t.Stop()
	select {
	case <-t.C:
		return *s.quotes.Load(), nil
	case <-ctx.Done():
		return "", context.Cause(ctx)
	}
}

// submit accepts a background job, such as sending an email, and answers
// at once; the job outlives the request.
func (s *service) submit(w http.ResponseWriter, r *http.Request) {
	err := s.jobs.TrySubmit(func(ctx context.Context) error {
		t := time.NewTimer(200 * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
			s.done.Add(1)
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	})
	if err != nil {
		http.Error(w, "busy, retry later: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	s.accepted.Add(1)
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprintln(w, "accepted")
}

// stream writes n numbered lines, one every period: a long request, such
// as a report or a download, that a shutdown must let finish.
func (s *service) stream(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n < 1 {
		http.Error(w, "n must be a positive number", http.StatusBadRequest)
		return
	}
	every, err := time.ParseDuration(r.URL.Query().Get("every"))
	if err != nil || every <= 0 {
		http.Error(w, "every must be a positive duration", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	if s.buggy {
		ctx = context.Background() // the bug: this handler never stops early
	}
	line := 0
	for range ticker.Every(ctx, every, ticker.Immediate()) {
		line++
		fmt.Fprintln(w, line)
		w.(http.Flusher).Flush()
		if line == n {
			s.served.Add(1)
			return
		}
	}
}

// report logs the final counts; in a real service this step would flush
// the logs and metrics.
func (s *service) report(ctx context.Context) error {
	s.log.Info("final counts", "served", s.served.Load(), "jobs_accepted", s.accepted.Load(),
		"jobs_done", s.done.Load(), "refreshes", s.version.Load())
	return nil
}
