// Package leaktest completes the goleak check every package's TestMain runs:
// the tests pass only if no goroutine outlives them.
//
// Two detectors run after the tests. goleak reports every goroutine still
// alive, whatever it is blocked on. When the test binary is built with
// GOEXPERIMENT=goroutineleakprofile, the runtime's goroutineleak profile
// must also be empty: it reports goroutines blocked forever on
// channels, mutexes or condition variables that nothing else can reach, as
// found by a garbage collection run when the profile is written. Tests that
// run inside testing/synctest have a third detector built in: a bubble whose
// goroutines remain blocked when its function returns fails the test.
package leaktest

import (
	"fmt"
	"os"

	"go.uber.org/goleak"
)

// ProfileCheck is the option every package's TestMain passes to
// goleak.VerifyTestMain:
//
//	func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.ProfileCheck()) }
//
// After the run, and after goleak's own check, it fails the run if the
// goroutineleak profile reports leaked goroutines (only in a binary built
// with the goroutineleakprofile experiment), then exits.
func ProfileCheck() goleak.Option {
	return goleak.Cleanup(func(code int) {
		if err := CheckLeakProfile(); err != nil {
			fmt.Fprintf(os.Stderr, "leaktest: %v\n", err)
			code = 1
		}
		os.Exit(code)
	})
}
