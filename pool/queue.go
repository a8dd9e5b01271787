package pool

import "context"

// An item is a task accepted by the pool.
type item struct {
	task func(context.Context) error
	ctx  *taskCtx
	// batch marks a task from a Group, which must be called even when Close
	// drops it.
	batch bool
}

// ring is the FIFO of queued tasks. It grows by doubling, never beyond
// limit, so an unused queue costs nothing and a full one no more than its
// size.
type ring struct {
	buf   []item
	head  int
	n     int
	limit int
}

func (r *ring) len() int { return r.n }

// push appends it. The caller makes sure the ring holds fewer than limit
// items.
func (r *ring) push(it item) {
	if r.n == len(r.buf) {
		r.grow()
	}
	i := r.head + r.n
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	r.buf[i] = it
	r.n++
}

func (r *ring) grow() {
	size := min(max(2*len(r.buf), 8), r.limit)
	buf := make([]item, size)
	for i := range r.n {
		buf[i] = r.buf[(r.head+i)%len(r.buf)]
	}
	r.buf, r.head = buf, 0
}

// pop removes and returns the oldest item.
func (r *ring) pop() (item, bool) {
	if r.n == 0 {
		return item{}, false
	}
	it := r.buf[r.head]
	r.buf[r.head] = item{}
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	r.n--
	return it, true
}

// swap appends it and removes and returns the oldest item, which must
// exist.
func (r *ring) swap(it item) item {
	old := r.buf[r.head]
	r.buf[r.head] = it
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	return old
}

// drain removes and returns every item.
func (r *ring) drain() []item {
	items := make([]item, 0, r.n)
	for {
		it, ok := r.pop()
		if !ok {
			return items
		}
		items = append(items, it)
	}
}
