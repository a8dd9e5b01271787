// Package leaktest is the harness every package's TestMain calls: the tests
// pass only if no goroutine outlives them.
//
// Two detectors run after a successful test run. goleak reports every
// goroutine still alive, whatever it is blocked on. When the test binary is
// built with GOEXPERIMENT=goroutineleakprofile, the runtime's goroutineleak
// profile must also be empty: it reports goroutines blocked forever on
// channels, mutexes or condition variables that nothing else can reach, as
// found by a garbage collection run when the profile is written. Tests that
// run inside testing/synctest have a third detector built in: a bubble whose
// goroutines remain blocked when its function returns fails the test.
package leaktest

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// Main runs the tests of m and exits. It fails a successful run if goleak
// finds goroutines left behind or, with the goroutineleakprofile experiment,
// if the goroutineleak profile reports leaked goroutines.
func Main(m *testing.M, opts ...goleak.Option) {
	r := &recorder{m: m}
	goleak.VerifyTestMain(r, append(opts, goleak.Cleanup(func(code int) {
		if r.code == 0 {
			if err := CheckLeakProfile(); err != nil {
				fmt.Fprintf(os.Stderr, "leaktest: %v\n", err)
				code = 1
			}
		}
		os.Exit(code)
	}))...)
}

// recorder remembers the tests' own exit code, so the leak profile is
// checked after every successful run even when goleak has failed it already
// and both detectors report.
type recorder struct {
	m    *testing.M
	code int
}

func (r *recorder) Run() int {
	r.code = r.m.Run()
	return r.code
}
