// Command pitfalls is leakproof's main demo. For each goroutine leak pattern
// it runs the usual hand-written code and the same job written with
// leakproof, and counts the goroutines each leaves behind once it has
// returned. It exits with status 1 if a leakproof version leaves anything.
//
//	go run ./examples/pitfalls
package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
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
		cgo2024Patterns(),
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

// leftBehind runs f and returns how many of the goroutines that did not
// exist before f remain once f has returned and settle has passed, or as
// soon as none remains. Goroutines are told apart by their IDs, so goroutines
// of earlier rows that exit meanwhile do not hide this row's.
func leftBehind(f func()) int {
	before := goroutines()
	f()
	deadline := time.Now().Add(settle)
	for {
		n := 0
		for id := range goroutines() {
			if !before[id] {
				n++
			}
		}
		if n == 0 || time.Now().After(deadline) {
			return n
		}
		time.Sleep(time.Millisecond)
	}
}

// goroutines returns the IDs of all live goroutines, read from the
// "goroutine N [state]:" headers of a full stack dump.
func goroutines() map[int]bool {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	ids := make(map[int]bool)
	for _, line := range bytes.Split(buf, []byte("\n")) {
		rest, ok := bytes.CutPrefix(line, []byte("goroutine "))
		if !ok {
			continue
		}
		id, _, _ := bytes.Cut(rest, []byte(" "))
		if n, err := strconv.Atoi(string(id)); err == nil {
			ids[n] = true
		}
	}
	return ids
}
