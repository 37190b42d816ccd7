package tools

// Shared helpers of the client-tool tests: running a tool in-process with
// buffers for its streams, golden files, a polling waitFor, and a peer
// broker (franz-go's kfake as a process) for tests that need a cluster
// before gokafka's own broker runs.

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gokafka/broker/brokertest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// toolResult is what one tool run printed and returned.
type toolResult struct {
	Stdout, Stderr string
	Code           int
}

// runTool runs a tool in-process with stdin as its input.
func runTool(t *testing.T, run toolFunc, stdin string, args ...string) toolResult {
	t.Helper()
	return runToolCtx(t, context.Background(), run, stdin, args...)
}

func runToolCtx(t *testing.T, ctx context.Context, run toolFunc, stdin string, args ...string) toolResult {
	t.Helper()
	var out, errb bytes.Buffer
	env := &toolEnv{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb}
	code := run(ctx, env, args)
	return toolResult{Stdout: out.String(), Stderr: errb.String(), Code: code}
}

// lockedBuffer is a bytes.Buffer safe to read while a tool writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// golden compares got with testdata/<name>.golden (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// waitFor and freePort are the shared test helpers of broker/brokertest.
var waitFor = brokertest.WaitFor

var freePort = brokertest.FreePort

var (
	kfakeOnce sync.Once
	kfakeBin  string
	kfakeErr  error
)

// kfakePath returns a built kfake binary: $GOKAFKA_KFAKE, /tmp/kfake (the
// bench README's build), or one built from /work/shared/bench/kfake.
func kfakePath(t *testing.T) string {
	t.Helper()
	kfakeOnce.Do(func() {
		for _, p := range []string{os.Getenv("GOKAFKA_KFAKE"), "/tmp/kfake"} {
			if p == "" {
				continue
			}
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				kfakeBin = p
				return
			}
		}
		src := "/work/shared/bench/kfake"
		if _, err := os.Stat(src); err != nil {
			kfakeErr = err
			return
		}
		out := filepath.Join(os.TempDir(), "gokafka-tools-kfake")
		cmd := exec.Command("go", "build", "-o", out, ".")
		cmd.Dir = src
		if b, err := cmd.CombinedOutput(); err != nil {
			kfakeErr = err
			kfakeErr = &buildError{err: err, out: string(b)}
			return
		}
		kfakeBin = out
	})
	if kfakeErr != nil {
		t.Skipf("no kfake binary: %v", kfakeErr)
	}
	return kfakeBin
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// startKfake runs a one-broker kfake advertising Kafka 2.8's API versions
// on a free loopback port and returns its address; the process group is
// killed when the test ends.
func startKfake(t *testing.T, extra ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a broker process")
	}
	bin := kfakePath(t)
	port := freePort(t)
	args := append([]string{"-ports", strconv.Itoa(port), "-as-version", "2.8"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("kfake stderr:\n%s", stderr.String())
		}
	})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if sc.Text() == "ready" {
				ready <- true
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("kfake exited before ready: %s", stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("kfake did not print ready")
	}
	return "127.0.0.1:" + strconv.Itoa(port)
}
