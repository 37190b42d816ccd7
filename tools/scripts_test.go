package tools

// Tests of the bin/ scripts: they are thin wrappers, so these check that they
// name real classes, print Kafka's usage lines, and reach Debian's ZooKeeper.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gokafka/zkcoord/zktest"
)

// Every bin/ wrapper is executable and runs a class that the binary knows,
// so a script can never name a command that does not exist.
func TestScriptsRunKnownClasses(t *testing.T) {
	known := map[string]bool{}
	for _, c := range commands() {
		known[c.Name] = true
	}
	scripts, err := filepath.Glob("../bin/*.sh")
	if err != nil || len(scripts) < 15 {
		t.Fatalf("bin/*.sh: %v, %d scripts", err, len(scripts))
	}
	wrappers := 0
	for _, s := range scripts {
		st, err := os.Stat(s)
		if err != nil || st.Mode()&0o111 == 0 {
			t.Errorf("%s is not executable", s)
		}
		body, _ := os.ReadFile(s)
		for _, line := range strings.Split(string(body), "\n") {
			f := strings.Fields(line)
			if len(f) == 0 || f[0] != "exec" {
				continue
			}
			for i := 1; i+1 < len(f); i++ {
				if !strings.HasSuffix(f[i], `/kafka-run-class.sh"`) {
					continue
				}
				wrappers++
				class := f[i+1]
				if class == "$EXTRA_ARGS" && i+2 < len(f) {
					class = f[i+2]
				}
				if !known[class] {
					t.Errorf("%s runs %s, which gokafka does not know", filepath.Base(s), class)
				}
			}
		}
	}
	if wrappers < 11 {
		t.Errorf("found %d kafka-run-class.sh wrappers, want at least 11", wrappers)
	}
}

func runScript(t *testing.T, dir, script string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{filepath.Join(dir, script)}, args...)...)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code = cmd.ProcessState.ExitCode()
	if err != nil && code < 0 {
		t.Fatalf("%s: %v", script, err)
	}
	return o.String(), e.String(), code
}

// Without arguments the start scripts print Kafka's USAGE lines and exit 1;
// without a built binary the wrappers say to run make.
func TestScriptUsageAndMissingBinary(t *testing.T) {
	dir := t.TempDir()
	scripts, _ := filepath.Glob("../bin/*.sh")
	for _, s := range scripts {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(s)), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out, _, code := runScript(t, dir, "kafka-server-start.sh")
	if want := "USAGE: " + filepath.Join(dir, "kafka-server-start.sh") + " [-daemon] server.properties [--override property=value]*\n"; out != want || code != 1 {
		t.Errorf("kafka-server-start.sh: exit %d, stdout %q; want 1, %q", code, out, want)
	}
	out, _, code = runScript(t, dir, "zookeeper-server-start.sh")
	if want := "USAGE: " + filepath.Join(dir, "zookeeper-server-start.sh") + " [-daemon] zookeeper.properties\n"; out != want || code != 1 {
		t.Errorf("zookeeper-server-start.sh: exit %d, stdout %q; want 1, %q", code, out, want)
	}
	_, errOut, code := runScript(t, dir, "kafka-topics.sh", "--list")
	if code != 1 || !strings.Contains(errOut, "gokafka is not built") || !strings.Contains(errOut, "Run 'make'") {
		t.Errorf("kafka-topics.sh without the binary: exit %d, stderr %q", code, errOut)
	}
}

// zookeeper-shell.sh runs ZooKeeper's own CLI: "get" prints the data, as
// the quickstart's "zookeeper-shell.sh localhost:2181 get /brokers/ids/0"
// prints the broker's JSON, without ZooKeeper 3.8's exit chatter.
func TestZookeeperShell(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (starts ZooKeeper)")
	}
	zk := zktest.Shared(t)
	path := zktest.ChrootPath(t)
	if _, errOut, code := runScript(t, "../bin", "zookeeper-shell.sh", zk.Addr, "create", path, `{"version":5,"port":9092}`); code != 0 {
		t.Fatalf("create: exit %d\n%s", code, errOut)
	}
	out, errOut, code := runScript(t, "../bin", "zookeeper-shell.sh", zk.Addr, "get", path)
	if code != 0 || !strings.Contains(out, "\n{\"version\":5,\"port\":9092}\n") {
		t.Errorf("get: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "Exiting JVM") {
		t.Errorf("ZooKeeper's exit chatter was not dropped:\n%s%s", out, errOut)
	}
}
