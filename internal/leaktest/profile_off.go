//go:build !goexperiment.goroutineleakprofile

package leaktest

// ProfileEnabled reports whether the binary was built with
// GOEXPERIMENT=goroutineleakprofile, so that CheckLeakProfile looks.
const ProfileEnabled = false

// CheckLeakProfile returns nil: without GOEXPERIMENT=goroutineleakprofile
// the runtime has no goroutineleak profile to read.
func CheckLeakProfile() error { return nil }
