package pipe

import "context"

// ForEach calls f for each item of in and returns the first error, from in
// or f, or context.Cause(ctx) if ctx ends first. It returns only once every
// goroutine of the pipeline has exited.
//
// With Workers(n), n calls of f run at once, each with a context that ends
// as soon as one fails; calls start in input order and may finish in any
// order. With one worker, the default, f runs in the calling goroutine,
// with ctx. A panic in f is re-raised as a *leakproof.PanicError once the
// pipeline has stopped.
func ForEach[T any](ctx context.Context, in Seq[T], f func(context.Context, T) error, opts ...Option) error {
	check(ctx, in, f == nil, "ForEach")
	cfg := newConfig(opts)
	cfg.unordered = true
	// Nothing is kept: only an error ever reaches the loop.
	for _, err := range stage(ctx, in, func(ctx context.Context, v T) (struct{}, bool, error) {
		return struct{}{}, false, f(ctx, v)
	}, cfg) {
		return err
	}
	return nil
}

// Collect returns the items of in. If in ends with an error, Collect
// returns the items received before it, and the error.
func Collect[T any](in Seq[T]) ([]T, error) {
	var out []T
	for v, err := range in {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Reduce folds the items of in into acc, in order, with f, which runs in
// the calling goroutine. If in ends with an error, Reduce returns the value
// folded so far, and the error.
func Reduce[T, A any](in Seq[T], acc A, f func(A, T) A) (A, error) {
	if f == nil {
		panic("pipe: Reduce called with a nil function")
	}
	for v, err := range in {
		if err != nil {
			return acc, err
		}
		acc = f(acc, v)
	}
	return acc, nil
}
