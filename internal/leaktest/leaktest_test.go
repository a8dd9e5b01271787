package leaktest_test

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/leakproof/leakproof/internal/leaktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.ProfileCheck()) }

const plantEnv = "LEAKTEST_PLANT"

// TestPlantedLeak leaks a goroutine blocked forever on a channel that
// nothing else can reach. It does so only in the child process started by
// TestHarnessCatchesPlantedLeak, so the leak fails only that child.
func TestPlantedLeak(t *testing.T) {
	if os.Getenv(plantEnv) != "1" {
		t.Skip("runs only as the child of TestHarnessCatchesPlantedLeak")
	}
	plant()
}

//go:noinline
func plant() {
	ch := make(chan int)
	go func() { <-ch }()
}

// child runs TestPlantedLeak in a new process of this test binary, planting
// the leak if plant is set, and returns its output.
func child(plant bool) ([]byte, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestPlantedLeak$", "-test.count=1", "-test.v")
	// A binary built with -race sleeps a second before it exits, unless told not to.
	cmd.Env = append(os.Environ(), "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
	if plant {
		cmd.Env = append(cmd.Env, plantEnv+"=1")
	}
	return cmd.CombinedOutput()
}

func TestHarnessCatchesPlantedLeak(t *testing.T) {
	out, err := child(true)
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "child with a planted leak passed:\n%s", out)
	assert.Equal(t, 1, exit.ExitCode())
	// The test itself passed; the harness failed the run afterwards.
	assert.Contains(t, string(out), "--- PASS: TestPlantedLeak")
	assert.Contains(t, string(out), "goleak: Errors on successful test run")
	assert.Contains(t, string(out), "leaktest_test.plant")
	if leaktest.ProfileEnabled {
		assert.Contains(t, string(out), "goroutineleak profile reports 1 leaked goroutine")
	}
}

func TestHarnessPassesCleanChild(t *testing.T) {
	out, err := child(false)
	require.NoError(t, err, "child without a leak failed:\n%s", out)
	assert.Contains(t, string(out), "--- SKIP: TestPlantedLeak")
}

func TestCheckLeakProfileCleanNow(t *testing.T) {
	assert.NoError(t, leaktest.CheckLeakProfile())
}
