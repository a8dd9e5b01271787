package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/leakproof/leakproof/shutdown"
)

// shutdownPatterns returns the leak patterns that package shutdown removes.
func shutdownPatterns() []pattern {
	return []pattern{
		{
			name: "http.Server.Shutdown given the signal's cancelled ctx",
			pkg:  "shutdown",
			raw: func() {
				// In main: ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
				ctx, sigterm := context.WithCancel(context.Background())
				srv, ln, started := uploadServer()
				go srv.Serve(ln)
				conn := startUpload(ln, started)
				defer conn.Close()

				sigterm()
				<-ctx.Done()
				// ctx is already cancelled: Shutdown returns at once and main
				// exits with the upload half done.
				_ = srv.Shutdown(ctx)
			},
			safe: func() {
				c := shutdown.New(shutdown.WithSignals(), shutdown.WithLogger(slog.New(slog.DiscardHandler)))
				srv, ln, started := uploadServer()
				c.Serve("http", srv, ln)
				conn := startUpload(ln, started)
				defer conn.Close()

				c.Trigger(nil) // SIGTERM
				// The drain gets a fresh context: the upload completes.
				_ = c.Wait()
			},
		},
	}
}

// uploadServer returns a server whose handler works for a while, as saving
// an upload does, and a channel that reports each request it starts.
func uploadServer() (*http.Server, net.Listener, <-chan struct{}) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	started := make(chan struct{}, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		time.Sleep(3 * settle) // saving the upload
		fmt.Fprintln(w, "saved")
	})}
	return srv, ln, started
}

// startUpload sends a request to ln and returns once its handler runs.
func startUpload(ln net.Listener, started <-chan struct{}) net.Conn {
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		panic(err)
	}
	fmt.Fprint(conn, "POST /upload HTTP/1.1\r\nHost: pitfalls\r\nContent-Length: 0\r\n\r\n")
	<-started
	return conn
}
