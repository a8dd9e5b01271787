package conformance_test

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDetectorMatrix runs every raw program and every rewrite in child
// processes under each detector, one subtest per pattern, and fails if a raw
// program escapes all three detectors or a rewrite trips any. With -v it
// prints the matrix of the patterns it ran, as README.md shows it.
func TestDetectorMatrix(t *testing.T) {
	skipShort(t)
	h := newHarness(t)
	type row struct {
		corpus    string
		leak      leak
		raw, safe map[detector]verdict
	}
	var rows []*row
	for _, c := range corpora {
		for _, l := range c.leaks {
			rows = append(rows, &row{corpus: c.name, leak: l})
		}
	}
	t.Run("pattern", func(t *testing.T) {
		for _, r := range rows {
			t.Run(r.leak.name, func(t *testing.T) {
				t.Parallel()
				raw, err := h.verdicts(rawKind, r.leak.name)
				require.NoError(t, err)
				safe, err := h.verdicts(safeKind, r.leak.name)
				require.NoError(t, err)
				r.raw, r.safe = raw, safe
				if !caught(raw) {
					t.Errorf("no detector caught the raw program: %v", raw)
				}
				if caught(safe) {
					t.Errorf("a detector caught the rewrite: %v", safe)
				}
			})
		}
	})

	var w io.Writer = io.Discard
	if testing.Verbose() {
		w = os.Stdout
	}
	head := []string{"corpus", "pattern"}
	for _, d := range detectors {
		head = append(head, "raw: "+string(d))
	}
	for _, d := range detectors {
		head = append(head, "leakproof: "+string(d))
	}
	head = append(head, "rewrite uses")
	printRow(w, head...)
	printRow(w, slices.Repeat([]string{"---"}, len(head))...)
	for _, r := range rows {
		if r.raw == nil || r.safe == nil {
			continue // not run, or failed
		}
		cells := []string{r.corpus, r.leak.name}
		for _, d := range detectors {
			cells = append(cells, rawCell(r.raw[d]))
		}
		for _, d := range detectors {
			cells = append(cells, safeCell(r.safe[d]))
		}
		printRow(w, append(cells, r.leak.uses)...)
	}
}

func printRow(w io.Writer, cells ...string) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
}

func rawCell(v verdict) string {
	switch {
	case v.Fired && v.Runs > 1:
		return fmt.Sprintf("caught (run %d)", v.Runs)
	case v.Fired:
		return "caught"
	case v.Note != "":
		return "missed (" + v.Note + ")"
	}
	return "missed"
}

func safeCell(v verdict) string {
	if v.Fired {
		return "LEAK: " + v.Note
	}
	return "clean"
}

// TestReadme checks that README.md, which holds a copy of the matrix and the
// tables of patterns, names every pattern and every kernel not rewritten.
func TestReadme(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for _, l := range allLeaks() {
		assert.Contains(t, string(readme), "| "+l.name+" | "+l.bug+" | "+l.uses+" |")
	}
	for _, n := range gokerNotApplicable {
		assert.Contains(t, string(readme), "| "+n.name+" | "+n.why+" |")
	}
}
