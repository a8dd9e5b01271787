package shutdown

import (
	"fmt"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/leakproof/leakproof/internal/labels"
)

// stacks returns the stacks of the goroutines labelled as step name's: the
// step's own goroutine and every goroutine started from it, such as the
// request handlers of a server from Serve. Goroutines inherit their
// creator's labels, which is what makes them findable.
func stacks(name string) string {
	var profile strings.Builder
	if err := pprof.Lookup("goroutine").WriteTo(&profile, 1); err != nil {
		return fmt.Sprintf("(goroutine profile unavailable: %v)", err)
	}
	pkg := strconv.Quote(labels.PkgKey) + ":" + strconv.Quote("shutdown")
	step := strconv.Quote(labels.NameKey) + ":" + strconv.Quote(name)

	// The debug=1 profile is a header, then one block per distinct stack:
	// "N @ pcs", "# labels: {...}", then "#\tpc\tfunc+off\tfile:line" lines.
	var b strings.Builder
	for _, block := range strings.Split(profile.String(), "\n\n") {
		lines := strings.Split(block, "\n")
		if len(lines) < 3 || !strings.HasPrefix(lines[1], "# labels: ") ||
			!strings.Contains(lines[1], pkg) || !strings.Contains(lines[1], step) {
			continue
		}
		count, _, _ := strings.Cut(lines[0], " @")
		fmt.Fprintf(&b, "%s goroutine(s):\n", count)
		for _, l := range lines[2:] {
			// Keep the function and the file:line; drop the pc. The
			// columns are padded with a varying number of tabs.
			if f := strings.Fields(l); len(f) >= 4 {
				fmt.Fprintf(&b, "  %s\n      %s\n", f[2], strings.Join(f[3:], " "))
			}
		}
	}
	if b.Len() == 0 {
		return "(no goroutine of the step found)"
	}
	return b.String()
}
