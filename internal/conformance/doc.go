// Package conformance holds no code, only tests: it proves leakproof against
// goroutine leak patterns written by other people, the six patterns of Uber's
// CGO 2024 study of goroutine leaks and the blocking-bug kernels of GoBench's
// GoKer suite, both shipped with the Go toolchain under
// $GOROOT/src/runtime/testdata/testgoroutineleakprofile, plus the seed
// pitfalls leakproof was written against.
//
// Each leak pattern is tested twice. The original program is a positive
// control: it runs in a child process built with
// GOEXPERIMENT=goroutineleakprofile, under each of three detectors (goleak,
// testing/synctest, the runtime's goroutineleak profile), and at least one of
// them must catch it. The same job written with leakproof's packages must pass
// all three, in the child and in the test process.
//
//	go test -v -run Matrix ./internal/conformance/
//
// prints the detector matrix; README.md in this directory has it, with the list
// of rewritten kernels and the kernels no leakproof package addresses.
package conformance
