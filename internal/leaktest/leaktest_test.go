package leaktest_test

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leakproof/leakproof/internal/leaktest"
)

func TestMain(m *testing.M) { leaktest.Main(m) }

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

func TestHarnessCatchesPlantedLeak(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestPlantedLeak$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), plantEnv+"=1")
	out, err := cmd.CombinedOutput()

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
	cmd := exec.Command(os.Args[0], "-test.run=^TestPlantedLeak$", "-test.count=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child without a leak failed:\n%s", out)
}

func TestCheckLeakProfileCleanNow(t *testing.T) {
	assert.NoError(t, leaktest.CheckLeakProfile())
}
