// Package labels gives the goroutines this library starts runtime/pprof
// labels, so a goroutine profile shows which package, and which named group,
// pool or pipeline, owns each one.
package labels

import (
	"context"
	"runtime/pprof"
	"sync/atomic"
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
// if name is not empty, leakproof.name=name. The leakproof labels of an
// enclosing group, pool or pipeline in parent are replaced, not inherited.
//
// In the common case, a parent without labels and no name, Make allocates
// nothing: the Set is made once per package and shared.
func Make(parent context.Context, pkg, name string) Set {
	if parent == nil {
		parent = context.Background()
	}
	var all []string
	pprof.ForLabels(parent, func(k, v string) bool {
		if k != PkgKey && k != NameKey {
			all = append(all, k, v)
		}
		return true
	})
	if len(all) == 0 && name == "" {
		return plain(pkg)
	}
	all = append(all, PkgKey, pkg)
	if name != "" {
		all = append(all, NameKey, name)
	}
	// Keep only the labels: the context handed to SetGoroutineLabels is
	// searched by Value, and a one-level context makes that lookup cheap.
	return Set{ctx: pprof.WithLabels(context.Background(), pprof.Labels(all...))}
}

// plainSets maps a package name to its Set without other labels. It is
// copied on write; there is one entry per package of the library.
var plainSets atomic.Pointer[map[string]Set]

func plain(pkg string) Set {
	old := plainSets.Load()
	if old != nil {
		if s, ok := (*old)[pkg]; ok {
			return s
		}
	}
	s := Set{ctx: pprof.WithLabels(context.Background(), pprof.Labels(PkgKey, pkg))}
	for {
		m := make(map[string]Set, 8)
		if old != nil {
			for k, v := range *old {
				m[k] = v
			}
		}
		m[pkg] = s
		if plainSets.CompareAndSwap(old, &m) {
			return s
		}
		old = plainSets.Load()
		if s, ok := (*old)[pkg]; ok {
			return s
		}
	}
}

// Apply sets the labels on the calling goroutine. It is a no-op for the zero
// Set. Call it first thing in a goroutine the library starts.
func (s Set) Apply() {
	if s.ctx != nil {
		pprof.SetGoroutineLabels(s.ctx)
	}
}
