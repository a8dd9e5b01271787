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

// ring is the FIFO of queued tasks. It grows by doubling as needed, so an
// unused queue costs nothing; the pool admits no more than its queue size
// plus the tasks that woken workers are about to take.
type ring struct {
	buf  []item
	head int
	n    int
}

func (r *ring) len() int { return r.n }

// push appends it.
func (r *ring) push(it item) {
	if r.n == len(r.buf) {
		buf := make([]item, max(2*len(r.buf), 8))
		for i := range r.n {
			buf[i] = r.buf[(r.head+i)%len(r.buf)]
		}
		r.buf, r.head = buf, 0
	}
	i := r.head + r.n
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	r.buf[i] = it
	r.n++
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
	old, _ := r.pop()
	r.push(it)
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
