package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/leakproof/leakproof/internal/leaktest"
)

// The raw programs leak on purpose, so they never run in the test process:
// each runs in a child process, a build of this package's tests with the
// corpora added from GOROOT and the goroutineleak profile enabled, and the
// child reports what one detector saw. The rewrites run both in the test
// process, under -race like any test, and in the child, where the leak
// profile is available whatever the test process was built with.

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		// A child runs a program that may leak on purpose and reports what
		// its detector saw; the leak is the result, not a failure.
		os.Exit(m.Run())
	}
	goleak.VerifyTestMain(m, leaktest.ProfileCheck())
}

// A leak is one goroutine leak pattern: a program that leaks, run as a
// positive control, and the same job written with leakproof.
type leak struct {
	name string             // the name the program is registered under
	bug  string             // what leaks in the original, in one line
	uses string             // the leakproof packages the rewrite uses
	safe func(t *testing.T) // the rewrite; nothing it starts outlives it
}

// testCorpus runs the rewrites of a corpus in this process, each under the
// three detectors. The raw programs run in child processes, in
// TestDetectorMatrix.
func testCorpus(t *testing.T, leaks []leak) {
	for _, l := range leaks {
		t.Run(l.name, func(t *testing.T) { checkSafe(t, l.safe) })
	}
}

// checkSafe runs a rewrite in a synctest bubble, which fails if any
// goroutine it started is still blocked when it returns, and then checks
// that goleak and, when built in, the goroutineleak profile find nothing.
func checkSafe(t *testing.T, safe func(t *testing.T)) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	synctest.Test(t, safe)
	goleak.VerifyNone(t, ignore)
	assert.NoError(t, leaktest.CheckLeakProfile())
}

// skipShort skips tests that start child processes: they build this
// package with the goroutineleak profile, which takes a while the first
// time, and run a few hundred programs.
func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("the child processes do not run with -short")
	}
}

// A detector is one way to find goroutines left behind.
type detector string

const (
	// goleak lists the goroutines still alive once the program has
	// returned, retrying for a while as goleak.Find does.
	goleakDetector detector = "goleak"
	// synctest runs the program in a bubble: Test panics if goroutines of
	// the bubble remain durably blocked once it has returned.
	synctestDetector detector = "synctest"
	// profile writes the goroutineleak profile once the program has
	// returned: the goroutines blocked on channels or locks that nothing
	// running can reach any more.
	profileDetector detector = "profile"
)

var detectors = []detector{goleakDetector, synctestDetector, profileDetector}

// A verdict is what one detector made of one program.
type verdict struct {
	Fired bool   `json:"fired"`
	Note  string `json:"note,omitempty"` // what it saw, e.g. "3 goroutines"
	Runs  int    `json:"-"`              // the child runs it took
}

func (v verdict) String() string {
	s := "no"
	if v.Fired {
		s = "yes"
	}
	if v.Note != "" {
		s += " (" + v.Note + ")"
	}
	return s
}

// caught reports whether any detector fired.
func caught(vs map[detector]verdict) bool {
	for _, v := range vs {
		if v.Fired {
			return true
		}
	}
	return false
}

const (
	rawKind  = "raw"
	safeKind = "leakproof"
)

// A run is one program for a child process: a raw program or a rewrite,
// under one detector.
type run struct {
	kind string
	name string
	det  detector
}

func (r run) String() string { return r.kind + "/" + r.name + "/" + string(r.det) }

func parseRun(s string) (run, error) {
	kind, rest, _ := strings.Cut(s, "/")
	name, det, _ := strings.Cut(rest, "/")
	r := run{kind: kind, name: name, det: detector(det)}
	if r.String() != s || (kind != rawKind && kind != safeKind) {
		return run{}, fmt.Errorf("bad child run %q", s)
	}
	return r, nil
}

// Child runs. A raw program that leaks only under some interleavings runs
// again, up to rawRuns times, until the detector fires; the matrix says how
// many runs it took. A rewrite runs safeRepeats times in one child, and the
// detector looks after the last: anything left behind by any of them is
// still there.
const (
	rawRuns     = 5
	safeRepeats = 5
	hangAfter   = 3 * time.Second // a bubble still running after this hangs
	childEnv    = "LEAKPROOF_CONFORMANCE_CHILD"
	verdictMark = "conformance verdict: "
)

// corpusPrograms holds the programs of the corpora in a child process, by
// the name each registers. The child is built with an overlay that adds the
// corpora as package corpus and a file that sets this; it is nil here.
var corpusPrograms map[string]func()

// program returns the function a child runs for r, or nil.
func program(r run) func(t *testing.T) {
	if r.kind == safeKind {
		for _, l := range allLeaks() {
			if l.name == r.name {
				return l.safe
			}
		}
		return nil
	}
	f := corpusPrograms[r.name]
	if f == nil {
		f = seedPrograms[r.name]
	}
	if f == nil {
		return nil
	}
	return func(*testing.T) { f() }
}

// A corpus is a set of leak patterns from one source.
type corpus struct {
	name  string
	leaks []leak
}

var corpora = []corpus{
	{"CGO 2024", cgo2024},
	{"seed pitfalls", seeds},
	{"GoKer", goker},
}

func allLeaks() []leak {
	var all []leak
	for _, c := range corpora {
		all = append(all, c.leaks...)
	}
	return all
}

// TestChild is the child process's side: it runs one program under one
// detector and prints the verdict.
func TestChild(t *testing.T) {
	spec := os.Getenv(childEnv)
	if spec == "" {
		t.Skip("runs only in the child processes started by the raw controls and the matrix")
	}
	r, err := parseRun(spec)
	require.NoError(t, err)
	f := program(r)
	require.NotNil(t, f, "no program for %s", r)

	stdout := os.Stdout
	report := func(v verdict) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(stdout, "%s%s\n", verdictMark, b)
	}
	// The corpora print leak profiles of their own.
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	os.Stdout = devnull

	repeats := 1
	if r.kind == safeKind {
		repeats = safeRepeats
	}
	switch r.det {
	case goleakDetector:
		ignore := goleak.IgnoreCurrent()
		for range repeats {
			f(t)
		}
		err := goleak.Find(ignore)
		report(verdict{Fired: err != nil, Note: goroutines(err)})
	case profileDetector:
		require.True(t, leaktest.ProfileEnabled, "child built without the goroutineleak profile")
		for range repeats {
			f(t)
		}
		report(leakProfile())
	case synctestDetector:
		var v verdict
		for range repeats {
			if v = inBubble(t, f, report); v.Fired {
				break
			}
		}
		report(v)
	default:
		t.Fatalf("unknown detector %q", r.det)
	}
}

var goleakGoroutine = regexp.MustCompile(`Goroutine \d+ in state`)

// goroutines says how many goroutines a goleak error lists.
func goroutines(err error) string {
	if err == nil {
		return ""
	}
	n := len(goleakGoroutine.FindAllString(err.Error(), -1))
	if n == 1 {
		return "1 goroutine"
	}
	return fmt.Sprintf("%d goroutines", n)
}

// leakProfile checks the goroutineleak profile once the program has
// settled: a goroutine still running, runnable or asleep may yet block for
// good, so the check waits, yielding, until every goroutine but this one
// waits on something or has exited, for up to hangAfter.
func leakProfile() verdict {
	stacks := make([]byte, 1<<20)
	for deadline := time.Now().Add(hangAfter); !settled(stacks) && time.Now().Before(deadline); {
		runtime.Gosched()
	}
	if err := leaktest.CheckLeakProfile(); err != nil {
		var n int
		if _, serr := fmt.Sscanf(err.Error(), "goroutineleak profile reports %d", &n); serr != nil {
			return verdict{Fired: true, Note: err.Error()}
		}
		return verdict{Fired: true, Note: fmt.Sprintf("%d leaked", n)}
	}
	return verdict{}
}

// goroutineState matches the header of a goroutine in a stack dump and
// captures its state: "goroutine 7 [chan receive, 2 minutes]:".
var goroutineState = regexp.MustCompile(`(?m)^goroutine \d+ \[([^,\]]+)`)

// settled reports whether every goroutine but the caller is blocked: none
// is running, runnable, asleep or in a system call. buf holds the stack
// dump it reads.
func settled(buf []byte) bool {
	buf = buf[:runtime.Stack(buf, true)]
	states := goroutineState.FindAllSubmatch(buf, -1)
	for _, m := range states[1:] { // the caller's comes first
		switch string(m[1]) {
		case "running", "runnable", "sleep", "syscall":
			return false
		}
	}
	return true
}

// inBubble runs f in a synctest bubble and reports whether synctest found
// goroutines of the bubble blocked for good. Goroutines blocked on a mutex
// are not durably blocked to synctest: the bubble then waits for ever, and
// after hangAfter the child reports a hang and exits.
func inBubble(t *testing.T, f func(*testing.T), report func(verdict)) (v verdict) {
	watchdog := time.AfterFunc(hangAfter, func() {
		report(verdict{Note: "hangs"})
		os.Exit(0)
	})
	defer func() {
		if !watchdog.Stop() {
			select {} // the watchdog is reporting and exiting
		}
	}()
	defer func() {
		if p := recover(); p != nil {
			msg := fmt.Sprint(p)
			if !strings.HasPrefix(msg, "deadlock: ") {
				panic(p)
			}
			v = verdict{Fired: true, Note: strings.TrimPrefix(msg, "deadlock: ")}
		}
	}()
	synctest.Test(t, f)
	return verdict{}
}

// A harness starts child processes, from a binary it builds the first time
// it needs one. The verdicts are kept for the life of the test process, so
// that with -count=N each child runs once.
type harness struct {
	dir   string
	build func() (string, error)
}

func newHarness(t *testing.T) *harness {
	h := &harness{dir: t.TempDir()}
	h.build = sync.OnceValues(func() (string, error) { return buildChild(h.dir) })
	return h
}

var (
	verdictsMu sync.Mutex
	verdicts   = map[run]func() (verdict, error){}
)

// verdicts returns what each detector made of the program of kind and name.
func (h *harness) verdicts(kind, name string) (map[detector]verdict, error) {
	vs := make(map[detector]verdict, len(detectors))
	for _, d := range detectors {
		r := run{kind: kind, name: name, det: d}
		verdictsMu.Lock()
		get, ok := verdicts[r]
		if !ok {
			get = sync.OnceValues(func() (verdict, error) { return h.judge(r) })
			verdicts[r] = get
		}
		verdictsMu.Unlock()
		v, err := get()
		if err != nil {
			return nil, err
		}
		vs[d] = v
	}
	return vs, nil
}

// judge runs r in child processes: a raw program until the detector fires,
// at most rawRuns times, or until it hangs; a rewrite once.
func (h *harness) judge(r run) (verdict, error) {
	bin, err := h.build()
	if err != nil {
		return verdict{}, err
	}
	runs := 1
	if r.kind == rawKind {
		runs = rawRuns
	}
	var v verdict
	for i := 1; i <= runs; i++ {
		// Odd runs on one P, where the corpora's own yields are
		// meant to let the leaking goroutines block first.
		procs := ""
		if i%2 == 1 {
			procs = "GOMAXPROCS=1"
		}
		v, err = runChild(bin, r, procs)
		if err != nil {
			return verdict{}, err
		}
		v.Runs = i
		if v.Fired || v.Note == "hangs" {
			break
		}
	}
	return v, nil
}

func runChild(bin string, r run, env ...string) (verdict, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run=^TestChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+r.String(), "GODEBUG=asyncpreemptoff=1")
	for _, e := range env {
		if e != "" {
			cmd.Env = append(cmd.Env, e)
		}
	}
	out, err := cmd.CombinedOutput()
	_, line, found := bytes.Cut(out, []byte(verdictMark))
	if !found {
		return verdict{}, fmt.Errorf("child %s reported no verdict (%v):\n%s", r, err, out)
	}
	line, _, _ = bytes.Cut(line, []byte("\n"))
	var v verdict
	if jerr := json.Unmarshal(line, &v); jerr != nil {
		return verdict{}, fmt.Errorf("child %s: %v:\n%s", r, jerr, out)
	}
	if err != nil && r.kind == safeKind {
		return verdict{}, fmt.Errorf("child %s failed (%v):\n%s", r, err, out)
	}
	return v, nil
}

// buildChild builds this package's tests into dir with the goroutineleak
// profile enabled and the corpora added from GOROOT: each corpus file is
// copied into dir with its package clause changed from main to corpus, and
// an overlay makes the copies a package corpus next to this one, plus a file
// of this package that hands the corpus's programs to corpusPrograms.
// Nothing is written into the module; the build works offline.
func buildChild(dir string) (string, error) {
	testdata, err := gorootTestdata()
	if err != nil {
		return "", err
	}
	files, err := filepath.Glob(filepath.Join(testdata, "goker", "*.go"))
	if err != nil {
		return "", err
	}
	files = append(files, filepath.Join(testdata, "commonpatterns.go"))

	pkgDir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	replace := map[string]string{}
	add := func(name string, src []byte) error {
		path := filepath.Join(dir, "src", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		replace[filepath.Join(pkgDir, name)] = path
		return os.WriteFile(path, src, 0o644)
	}
	for _, f := range files {
		if filepath.Base(f) == "main.go" { // the corpus's own main and register
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		i := bytes.Index(src, []byte(mainClause))
		if i < 0 {
			return "", fmt.Errorf("%s: no package main clause", f)
		}
		src = slices.Concat(src[:i], []byte("\npackage corpus\n"), src[i+len(mainClause):])
		if err := add(filepath.Join("corpus", filepath.Base(f)), src); err != nil {
			return "", err
		}
	}
	if err := add(filepath.Join("corpus", "register.go"), []byte(registerSrc)); err != nil {
		return "", err
	}
	if err := add("corpus_child_test.go", []byte(glueSrc)); err != nil {
		return "", err
	}
	overlay, err := json.Marshal(struct{ Replace map[string]string }{replace})
	if err != nil {
		return "", err
	}
	overlayPath := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlayPath, overlay, 0o644); err != nil {
		return "", err
	}

	bin := filepath.Join(dir, "child.test")
	cmd := exec.Command("go", "test", "-c", "-vet=off", "-overlay", overlayPath, "-o", bin, ".")
	cmd.Env = append(os.Environ(), "GOEXPERIMENT=goroutineleakprofile", "GOPROXY=off", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the child: %v\n%s", err, out)
	}
	return bin, nil
}

const mainClause = "\npackage main\n"

// gorootTestdata returns the directory of the corpora in the GOROOT of the
// go command.
func gorootTestdata() (string, error) {
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("the controls need the go command: go env GOROOT: %w", err)
	}
	return filepath.Join(strings.TrimSpace(string(goroot)), "src", "runtime", "testdata", "testgoroutineleakprofile"), nil
}

// registerSrc stands in for the corpora's main.go, which registers each
// program by name for its own main.
const registerSrc = `package corpus

// Programs holds the corpora's programs by name.
var Programs = map[string]func(){}

// yieldCount is how often the corpora yield to let leaking goroutines block.
const yieldCount = 10

func register(name string, f func()) {
	if Programs[name] != nil {
		panic("duplicate registration: " + name)
	}
	Programs[name] = f
}
`

const glueSrc = `package conformance_test

import fromgoroot "github.com/leakproof/leakproof/internal/conformance/corpus"

func init() { corpusPrograms = fromgoroot.Programs }
`
