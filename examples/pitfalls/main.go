// Command pitfalls is leakproof's main demo. For each goroutine leak pattern
// it runs the usual hand-written code and the same job written with
// leakproof, and counts the goroutines each leaves behind once it has
// returned. It exits with status 1 if a leakproof version leaves anything.
//
//	go run ./examples/pitfalls
package main

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"text/tabwriter"
	"time"
)

// pattern is one leak pattern, written twice. Both versions do the same job
// and return; goroutines still alive afterwards are left behind.
type pattern struct {
	name string // the leak pattern
	pkg  string // the leakproof package that removes it
	raw  func() // the hand-written version
	safe func() // the version written with leakproof
}

// settle is how long a version's goroutines get to exit after it returned
// before the ones still alive are counted as left behind. Raw versions leak
// goroutines blocked forever, or leave work running past the return of the
// call that started it; either way they are still there after settle.
const settle = 100 * time.Millisecond

func main() {
	patterns := slices.Concat(
		groupPatterns(),
		poolPatterns(),
		pipePatterns(),
		tickerPatterns(),
		timeoutPatterns(),
		shutdownPatterns(),
	)

	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "pattern\traw: goroutines left\tleakproof: goroutines left\tfixed by")
	failed := false
	for _, p := range patterns {
		raw := leftBehind(p.raw)
		safe := leftBehind(p.safe)
		fmt.Fprintf(w, "%s\t%d\t%d\t%s\n", p.name, raw, safe, p.pkg)
		if safe != 0 {
			failed = true
		}
	}
	w.Flush()
	if failed {
		fmt.Fprintln(os.Stderr, "pitfalls: a leakproof version left goroutines behind")
		os.Exit(1)
	}
}

// leftBehind runs f and returns how many more goroutines exist once f has
// returned and settle has passed, or as soon as the count is back to where
// it was.
func leftBehind(f func()) int {
	before := runtime.NumGoroutine()
	f()
	deadline := time.Now().Add(settle)
	for {
		n := runtime.NumGoroutine() - before
		if n <= 0 || time.Now().After(deadline) {
			return max(n, 0)
		}
		time.Sleep(time.Millisecond)
	}
}
