package bench

import (
	"sync"
	"time"
)

// spin burns CPU for n rounds of a cheap hash, without allocating or
// blocking, and returns the hash so the work cannot be optimized away.
//
//go:noinline
func spin(n int) uint64 {
	h := uint64(14695981039346656037)
	for i := range n {
		h ^= uint64(i)
		h *= 1099511628211
	}
	return h
}

// spinPerMicrosecond is how many rounds of spin take about a microsecond on
// this machine, measured once.
var spinPerMicrosecond = sync.OnceValue(func() int {
	const rounds = 10_000_000
	start := time.Now()
	spin(rounds)
	perMicro := float64(rounds) / float64(time.Since(start).Microseconds())
	return max(1, int(perMicro))
})
