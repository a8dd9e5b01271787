// Package labels gives the goroutines this library starts runtime/pprof
// labels, so a goroutine profile shows which package, and which named group,
// pool or pipeline, owns each one.
package labels

import (
	"context"
	"runtime/pprof"
)

// Label keys set on every goroutine this library starts.
const (
	PkgKey  = "leakproof.pkg"
	NameKey = "leakproof.name"
)

// Set is a label set computed once, when a group, pool or pipeline is built,
// and applied to each goroutine it starts for about the cost of a pointer
// store.
type Set struct{ ctx context.Context }

// Make returns the labels of parent's pprof labels plus leakproof.pkg=pkg and,
// if name is not empty, leakproof.name=name.
func Make(parent context.Context, pkg, name string) Set {
	if parent == nil {
		parent = context.Background()
	}
	l := pprof.Labels(PkgKey, pkg)
	if name != "" {
		l = pprof.Labels(PkgKey, pkg, NameKey, name)
	}
	// Keep only the labels: the context handed to SetGoroutineLabels is
	// searched by Value, and a one-level context makes that lookup cheap.
	labeled := pprof.WithLabels(parent, l)
	var all []string
	pprof.ForLabels(labeled, func(k, v string) bool {
		all = append(all, k, v)
		return true
	})
	return Set{ctx: pprof.WithLabels(context.Background(), pprof.Labels(all...))}
}

// Apply sets the labels on the calling goroutine. It is a no-op for the zero
// Set. Call it first thing in a goroutine the library starts.
func (s Set) Apply() {
	if s.ctx != nil {
		pprof.SetGoroutineLabels(s.ctx)
	}
}
