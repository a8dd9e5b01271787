//go:build goexperiment.goroutineleakprofile

package leaktest

import (
	"bytes"
	"fmt"
	"runtime/pprof"
)

// ProfileEnabled reports whether the binary was built with
// GOEXPERIMENT=goroutineleakprofile, so that CheckLeakProfile looks.
const ProfileEnabled = true

// CheckLeakProfile writes the goroutineleak profile and returns an error
// holding it if it reports any leaked goroutine. Writing the profile runs the
// garbage collection that finds leaks; the profile's Count alone is stale
// until then, so the text is what is checked.
func CheckLeakProfile() error {
	p := pprof.Lookup("goroutineleak")
	if p == nil {
		return fmt.Errorf("goroutineleak profile missing although the experiment is enabled")
	}
	var buf bytes.Buffer
	if err := p.WriteTo(&buf, 1); err != nil {
		return fmt.Errorf("writing the goroutineleak profile: %w", err)
	}
	var n int
	if _, err := fmt.Sscanf(buf.String(), "goroutineleak profile: total %d", &n); err != nil {
		return fmt.Errorf("unexpected goroutineleak profile: %w\n%s", err, buf.Bytes())
	}
	if n != 0 {
		return fmt.Errorf("goroutineleak profile reports %d leaked goroutine(s):\n%s", n, buf.Bytes())
	}
	return nil
}
