package labels_test

import (
	"context"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/leakproof/leakproof/internal/labels"
	"github.com/leakproof/leakproof/internal/leaktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.ProfileCheck()) }

// goroutineLabels returns the labels of the calling goroutine as a goroutine
// profile shows them.
func goroutineLabels(t *testing.T) map[string]string {
	t.Helper()
	got := map[string]string{}
	// A context that carries the goroutine's labels is not available
	// directly; the debug=1 goroutine profile prints them per stack.
	var sb strings.Builder
	assert.NoError(t, pprof.Lookup("goroutine").WriteTo(&sb, 1))
	for _, block := range strings.Split(sb.String(), "\n\n") {
		if !strings.Contains(block, "labels_test.TestApply") {
			continue
		}
		for _, line := range strings.Split(block, "\n") {
			if rest, ok := strings.CutPrefix(line, "# labels: "); ok {
				rest = strings.Trim(rest, "{}")
				for _, kv := range strings.Split(rest, ", ") {
					k, v, _ := strings.Cut(kv, ":")
					got[strings.Trim(k, `"`)] = strings.Trim(v, `"`)
				}
			}
		}
	}
	return got
}

func TestApply(t *testing.T) {
	parent := pprof.WithLabels(context.Background(), pprof.Labels("request", "r1"))
	nested := pprof.WithLabels(parent, pprof.Labels(labels.PkgKey, "pool", labels.NameKey, "mailer"))
	tests := []struct {
		name, pkg, label string
		parent           context.Context
		want             map[string]string
	}{
		{"pkg only", "group", "", context.Background(), map[string]string{labels.PkgKey: "group"}},
		{"named", "pool", "mailer", nil, map[string]string{labels.PkgKey: "pool", labels.NameKey: "mailer"}},
		{"keeps parent labels", "pipe", "ingest", parent, map[string]string{
			labels.PkgKey: "pipe", labels.NameKey: "ingest", "request": "r1"}},
		{"keeps parent labels without a name", "timeout", "", parent, map[string]string{
			labels.PkgKey: "timeout", "request": "r1"}},
		{"replaces an enclosing pool's labels", "pipe", "", nested, map[string]string{
			labels.PkgKey: "pipe", "request": "r1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := labels.Make(tt.parent, tt.pkg, tt.label)
			var got map[string]string
			var wg sync.WaitGroup
			wg.Go(func() {
				s.Apply()
				got = goroutineLabels(t)
			})
			wg.Wait()
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestZeroSetIsNoop(t *testing.T) {
	var s labels.Set
	s.Apply()
}

func TestMakeCommonCaseAllocatesNothing(t *testing.T) {
	ctx := context.WithValue(context.Background(), struct{}{}, 1)
	labels.Make(ctx, "group", "") // the first call makes the shared Set
	allocs := testing.AllocsPerRun(100, func() { labels.Make(ctx, "group", "") })
	assert.Zero(t, allocs)
}
