package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/leakproof/leakproof/shutdown"
)

// quietShutdown is a Coordinator that listens for no signal and logs
// nothing, as benchmarks need.
func quietShutdown() *shutdown.Coordinator {
	return shutdown.New(shutdown.WithSignals(), shutdown.WithLogger(slog.New(slog.DiscardHandler)))
}

// BenchmarkShutdownServeHandler measures what Serve adds to each request:
// the count of running handlers that lets the drain wait for them. It calls
// the server's handler directly, in parallel, so the shared count's
// contention shows; lib=net/http is the bare handler.
func BenchmarkShutdownServeHandler(b *testing.B) {
	noop := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	run := func(b *testing.B, h http.Handler) {
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			for pb.Next() {
				h.ServeHTTP(w, r)
			}
		})
		b.StopTimer()
	}
	b.Run("lib=net/http", func(b *testing.B) { run(b, noop) })
	b.Run("lib=leakproof", func(b *testing.B) {
		c := quietShutdown()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := &http.Server{Handler: noop}
		c.Serve("http", srv, ln)
		run(b, srv.Handler) // wrapped by Serve
		c.Trigger(nil)
		if err := c.Wait(); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkShutdownServeRequest measures whole requests over loopback with
// keep-alives, served by srv.Serve (lib=net/http) or by Serve.
func BenchmarkShutdownServeRequest(b *testing.B) {
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })
	run := func(b *testing.B, addr string) {
		tr := &http.Transport{MaxIdleConnsPerHost: 64}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr}
		url := "http://" + addr + "/"
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				resp, err := client.Get(url)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
		b.StopTimer()
	}
	listen := func(b *testing.B) net.Listener {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		return ln
	}
	b.Run("lib=net/http", func(b *testing.B) {
		ln := listen(b)
		srv := &http.Server{Handler: hello}
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ln) }()
		run(b, ln.Addr().String())
		srv.Shutdown(context.Background())
		<-served
	})
	b.Run("lib=leakproof", func(b *testing.B) {
		ln := listen(b)
		c := quietShutdown()
		c.Serve("http", &http.Server{Handler: hello}, ln)
		run(b, ln.Addr().String())
		c.Trigger(nil)
		if err := c.Wait(); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkShutdownSteps measures a whole shutdown of n steps that return
// at once: New, Add, Trigger and Wait. Each step runs on a goroutine of its
// own, with a fresh context and timer.
func BenchmarkShutdownSteps(b *testing.B) {
	noop := func(context.Context) error { return nil }
	for _, n := range []int{1, 10} {
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprint("step", i)
		}
		b.Run(fmt.Sprintf("steps=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c := quietShutdown()
				for _, name := range names {
					c.Add(name, noop)
				}
				c.Trigger(nil)
				if err := c.Wait(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
