//go:build unix

package shutdown_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestService builds examples/service and stops it with real signals, as
// an orchestrator would. Each variant keeps its delays short.
func TestService(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs examples/service")
	}
	exe, err := buildService()
	require.NoError(t, err)
	bin := filepath.Join(t.TempDir(), "service")
	require.NoError(t, os.WriteFile(bin, exe, 0o755))

	t.Run("drains and exits 0", func(t *testing.T) {
		t.Parallel()
		const delay, budget = 300 * time.Millisecond, 5 * time.Second
		s := startService(t, bin, "-delay", delay.String(), "-budget", budget.String())

		// A request in flight when SIGTERM arrives: 10 lines over 720ms,
		// well past the delay.
		resp, err := s.client.Get(s.url("/stream?n=10&every=80ms"))
		require.NoError(t, err)
		defer resp.Body.Close()
		body := bufio.NewReader(resp.Body)
		first, err := body.ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, "1\n", first)

		sent := s.signal(t)
		s.waitFor(t, `msg="shutdown triggered"`, `cause="received signal terminated"`)

		// During the delay: not ready, yet new connections are served.
		code, text := s.get(t, "/ready")
		assert.Equal(t, http.StatusServiceUnavailable, code)
		assert.Equal(t, "shutting down\n", text)
		code, _ = s.get(t, "/quote")
		assert.Equal(t, http.StatusOK, code, "served during the delay")

		// The drain has begun: the request in flight completes in full.
		s.waitFor(t, `msg="shutdown step started"`, "step=http")
		rest, err := io.ReadAll(body)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", first+string(rest))

		// The listener closed when the drain began.
		_, err = net.Dial("tcp", s.addr)
		assert.ErrorIs(t, err, syscall.ECONNREFUSED)

		code, log := s.exit(t)
		assert.Equal(t, 0, code, "exit code; log:\n%s", log)
		assert.Less(t, time.Since(sent), delay+budget, "exits within the budget")
		assert.Equal(t, []string{"http", "loops", "jobs", "stats"}, stepsDone(log))
		assert.Contains(t, log, `msg="shutdown done" code=0`)
	})

	t.Run("stuck handler", func(t *testing.T) {
		t.Parallel()
		s := startService(t, bin, "-delay", "50ms", "-budget", "300ms", "-buggy")
		resp, err := s.client.Get(s.url("/stream?n=100&every=100ms")) // ignores its context
		require.NoError(t, err)
		defer resp.Body.Close()
		body := bufio.NewReader(resp.Body)
		_, err = body.ReadString('\n')
		require.NoError(t, err)

		s.signal(t)
		code, log := s.exit(t)
		assert.Equal(t, 1, code, "exit code; log:\n%s", log)
		_, err = io.ReadAll(body)
		assert.Error(t, err, "the connection is closed at the drain's deadline")

		stuck := regexp.MustCompile(`msg="shutdown step stuck" step=http .*stacks=.*main\.\(\*service\)\.stream`)
		assert.Regexp(t, stuck, log, "the stuck step and its handler's stack")
		after := log[strings.Index(log, `msg="shutdown step stuck"`):]
		assert.Equal(t, []string{"loops", "jobs", "stats"}, stepsDone(after), "later steps still run")
		assert.Contains(t, after, `msg="final counts"`)
		assert.Contains(t, log, `msg="shutdown done" code=1`)
	})

	t.Run("second signal forces exit", func(t *testing.T) {
		t.Parallel()
		s := startService(t, bin, "-delay", "1m")
		s.signal(t)
		s.waitFor(t, `msg="shutdown triggered"`)
		second := s.signal(t)
		code, log := s.exit(t)
		assert.Equal(t, 143, code, "exit code; log:\n%s", log)
		assert.Less(t, time.Since(second), time.Second, "exits at once")
		assert.Contains(t, log, `msg="shutdown forced" signal=terminated code=143`)
	})
}

// buildService returns the executable of examples/service. It is built
// once per test process, so that -count=N does not link it N times; each
// run of TestService writes it into a directory of its own.
var buildService = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "service")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "service")
	build := exec.Command("go", "build", "-o", bin, "./examples/service")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	return os.ReadFile(bin)
})

// child is a running examples/service.
type child struct {
	cmd    *exec.Cmd
	addr   string
	client *http.Client
	lines  <-chan string // stderr, line by line; closed at EOF
	log    strings.Builder
}

func startService(t *testing.T, bin string, args ...string) *child {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0", "-refresh", "50ms"}, args...)...)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20) // stuck-step records hold stacks
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	tr := &http.Transport{DisableKeepAlives: true}
	s := &child{cmd: cmd, lines: lines, client: &http.Client{Transport: tr}}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		_ = cmd.Process.Kill() // if a failed test left it running
		for range lines {
		}
		_ = cmd.Wait()
	})
	line := s.waitFor(t, "msg=listening")
	m := regexp.MustCompile(`addr=(\S+)`).FindStringSubmatch(line)
	require.NotNil(t, m, "no address in %q", line)
	s.addr = m[1]
	return s
}

func (s *child) url(path string) string { return "http://" + s.addr + path }

func (s *child) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := s.client.Get(s.url(path))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func (s *child) signal(t *testing.T) time.Time {
	t.Helper()
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	return time.Now()
}

// waitFor reads the child's log until a line contains every part, and
// returns that line.
func (s *child) waitFor(t *testing.T, parts ...string) string {
	t.Helper()
	for {
		select {
		case line, ok := <-s.lines:
			if !ok {
				require.FailNow(t, "service exited before logging "+strings.Join(parts, " "), s.log.String())
			}
			s.log.WriteString(line + "\n")
			if containsAll(line, parts) {
				return line
			}
		case <-time.After(guard):
			require.FailNow(t, "service did not log "+strings.Join(parts, " "), s.log.String())
		}
	}
}

// exit waits for the child to exit and returns its exit code and its
// whole log.
func (s *child) exit(t *testing.T) (int, string) {
	t.Helper()
	timer := time.NewTimer(guard)
	defer timer.Stop()
	for done := false; !done; {
		select {
		case line, ok := <-s.lines:
			if !ok {
				done = true
				break
			}
			s.log.WriteString(line + "\n")
		case <-timer.C:
			require.FailNow(t, "service did not exit", s.log.String())
		}
	}
	err := s.cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		require.NoError(t, err)
	}
	return s.cmd.ProcessState.ExitCode(), s.log.String()
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// stepsDone returns the steps the log reports done, in order.
func stepsDone(log string) []string {
	var steps []string
	for _, m := range regexp.MustCompile(`msg="shutdown step done" step=(\S+)`).FindAllStringSubmatch(log, -1) {
		steps = append(steps, m[1])
	}
	return steps
}
