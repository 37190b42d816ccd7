package connect_test

// Quickstart step 7, verbatim, against Debian's real ZooKeeper and a real
// gokafka broker: bin/connect-standalone.sh with the shipped config files
// (only bootstrap.servers, the offsets file and the REST listener pointed
// at the test's own), run from a scratch working directory as a user runs
// it. Skipped with -short.

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"gokafka/broker/brokertest"
	"gokafka/zkcoord/zktest"
)

func TestMain(m *testing.M) { os.Exit(zktest.Main(m)) }

// waitFor and freePort are the shared test helpers of broker/brokertest.
var waitFor = brokertest.WaitFor

var freePort = brokertest.FreePort

// install lays out a Kafka-like directory: bin/ with the two scripts and
// the gokafka binary, config/ with the shipped Connect files, the worker
// file pointed at the test's broker, offsets file and REST port.
func install(t *testing.T, bootstrap string, restPort int) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"bin", "config"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []string{"connect-standalone.sh", "kafka-run-class.sh"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "bin", s))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "bin", s), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(brokertest.Binary(t), filepath.Join(dir, "bin", "gokafka")); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"connect-file-source.properties", "connect-file-sink.properties"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "config", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "config", f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	worker, err := os.ReadFile(filepath.Join("..", "..", "config", "connect-standalone.properties"))
	if err != nil {
		t.Fatal(err)
	}
	w := strings.Replace(string(worker), "bootstrap.servers=localhost:9092", "bootstrap.servers="+bootstrap, 1)
	w = strings.Replace(w, "offset.storage.file.filename=/tmp/connect.offsets", "offset.storage.file.filename="+filepath.Join(dir, "connect.offsets"), 1)
	w += "listeners=http://127.0.0.1:" + strconv.Itoa(restPort) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "config", "connect-standalone.properties"), []byte(w), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// worker is one connect-standalone.sh process.
type worker struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  strings.Builder
	done chan struct{}
}

func (w *worker) output() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.String()
}

// startWorker runs bin/connect-standalone.sh config/connect-standalone.properties
// with the connector files (default: the quickstart's source and sink).
func startWorker(t *testing.T, dir string, connectors ...string) *worker {
	t.Helper()
	if len(connectors) == 0 {
		connectors = []string{"config/connect-file-source.properties", "config/connect-file-sink.properties"}
	}
	cmd := exec.Command("bash", append([]string{"bin/connect-standalone.sh", "config/connect-standalone.properties"}, connectors...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LOG_DIR="+filepath.Join(dir, "logs"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &worker{cmd: cmd, done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			w.mu.Lock()
			w.out.WriteString(sc.Text() + "\n")
			w.mu.Unlock()
		}
	}()
	go func() { cmd.Wait(); pw.Close(); close(w.done) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-w.done
		if t.Failed() {
			t.Logf("worker output:\n%s", w.output())
		}
	})
	return w
}

// stop sends SIGTERM, as Ctrl-C or kill does, and waits for the exit.
func (w *worker) stop(t *testing.T) {
	t.Helper()
	w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.done:
	case <-time.After(20 * time.Second):
		t.Fatal("worker did not stop within 20 s of SIGTERM")
	}
	if code := w.cmd.ProcessState.ExitCode(); code != 143 && !strings.Contains(w.cmd.ProcessState.String(), "terminated") {
		t.Errorf("exit: %v, want 143 (128+SIGTERM, as the JVM)", w.cmd.ProcessState)
	}
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode
}

// topicValues reads connect-test from the beginning to its end, as
// kafka-console-consumer.sh --from-beginning prints it.
func topicValues(t *testing.T, bootstrap string) []string {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.ConsumeTopics("connect-test"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, "connect-test")
	if err != nil {
		t.Fatal(err)
	}
	end, _ := ends.Lookup("connect-test", 0)
	var out []string
	for int64(len(out)) < end.Offset && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			if r.Key != nil {
				t.Errorf("record key %q, want null", r.Key)
			}
			out = append(out, string(r.Value))
		})
	}
	return out
}

func envelope(s string) string {
	b, _ := json.Marshal(s)
	return `{"schema":{"type":"string","optional":false},"payload":` + string(b) + `}`
}

func TestQuickstartConnectStandalone(t *testing.T) {
	if testing.Short() {
		t.Skip("needs ZooKeeper and a broker process")
	}
	zk := zktest.Shared(t)
	b := brokertest.StartBroker(t, zk, brokertest.WithZkConnect(zk.ChrootConnect(t)))
	restPort := freePort(t)
	dir := install(t, b.Addr, restPort)
	rest := "http://127.0.0.1:" + strconv.Itoa(restPort)
	sink := filepath.Join(dir, "test.sink.txt")

	// echo -e "foo\nbar" > test.txt
	if err := os.WriteFile(filepath.Join(dir, "test.txt"), []byte("foo\nbar\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := startWorker(t, dir)
	waitFor(t, 30*time.Second, "test.sink.txt to hold foo and bar", func() bool { return readFile(sink) == "foo\nbar\n" })

	// The REST API on the configured port.
	var names []string
	if code := getJSON(t, rest+"/connectors", &names); code != 200 || strings.Join(names, ",") != "local-file-sink,local-file-source" {
		t.Errorf("GET /connectors: %d %v", code, names)
	}
	var status struct {
		Name      string
		Connector struct {
			State    string
			WorkerID string `json:"worker_id"`
		}
		Tasks []struct {
			ID    int
			State string
		}
		Type string
	}
	getJSON(t, rest+"/connectors/local-file-source/status", &status)
	if status.Name != "local-file-source" || status.Type != "source" || status.Connector.State != "RUNNING" ||
		status.Connector.WorkerID != "127.0.0.1:"+strconv.Itoa(restPort) || len(status.Tasks) != 1 || status.Tasks[0].State != "RUNNING" {
		t.Errorf("source status: %+v", status)
	}

	// echo Another line>> test.txt
	f, err := os.OpenFile(filepath.Join(dir, "test.txt"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("Another line\n")
	f.Close()
	waitFor(t, 15*time.Second, "Another line in test.sink.txt", func() bool { return readFile(sink) == "foo\nbar\nAnother line\n" })

	// kafka-console-consumer.sh --topic connect-test --from-beginning
	got := topicValues(t, b.Addr)
	want := []string{envelope("foo"), envelope("bar"), envelope("Another line")}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("connect-test holds\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	w.stop(t)
	out := w.output()
	for _, line := range []string{
		"INFO Kafka Connect started (org.apache.kafka.connect.runtime.Connect)",
		"INFO Created connector local-file-source (org.apache.kafka.connect.cli.ConnectStandalone)",
		"INFO [local-file-source|task-0] WorkerSourceTask{id=local-file-source-0} Source task finished initialization and start (org.apache.kafka.connect.runtime.WorkerSourceTask)",
		"INFO [local-file-sink|task-0] WorkerSinkTask{id=local-file-sink-0} Sink task finished initialization and start (org.apache.kafka.connect.runtime.WorkerSinkTask)",
		"INFO Stopped FileOffsetBackingStore (org.apache.kafka.connect.storage.FileOffsetBackingStore)",
		"INFO Kafka Connect stopped (org.apache.kafka.connect.runtime.Connect)",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q", line)
		}
	}
	if !strings.Contains(readFile(filepath.Join(dir, "logs", "connect.log")), "Kafka Connect stopped") {
		t.Error("logs/connect.log lacks the shutdown lines")
	}
	// The source's position covers the three lines (4+4+13 bytes).
	if offs := readFile(filepath.Join(dir, "connect.offsets")); !strings.Contains(offs, `["local-file-source",{"filename":"test.txt"}],"value":{"position":21}`) {
		t.Errorf("connect.offsets: %s", offs)
	}

	// Restarted, the source resumes at its stored position and the sink
	// at its group's committed offset: one new line, no repeats.
	f, _ = os.OpenFile(filepath.Join(dir, "test.txt"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("written while stopped\n")
	f.Close()
	w2 := startWorker(t, dir)
	waitFor(t, 30*time.Second, "the line written while stopped", func() bool {
		return strings.HasSuffix(readFile(sink), "written while stopped\n")
	})
	if got := readFile(sink); got != "foo\nbar\nAnother line\nwritten while stopped\n" {
		t.Errorf("test.sink.txt after restart:\n%s", got)
	}
	w2.stop(t)
	if got := topicValues(t, b.Addr); len(got) != 4 || got[3] != envelope("written while stopped") {
		t.Errorf("connect-test after restart: %q", got)
	}
}

// A connector file naming an unknown class stops the worker with exit 3
// and Kafka's messages; the script without arguments prints its usage.
func TestConnectStandaloneBadConnector(t *testing.T) {
	if testing.Short() {
		t.Skip("needs ZooKeeper and a broker process")
	}
	zk := zktest.Shared(t)
	b := brokertest.StartBroker(t, zk, brokertest.WithZkConnect(zk.ChrootConnect(t)))
	restPort := freePort(t)
	dir := install(t, b.Addr, restPort)

	out, err := exec.Command("bash", filepath.Join(dir, "bin", "connect-standalone.sh")).CombinedOutput()
	if want := "USAGE: " + filepath.Join(dir, "bin", "connect-standalone.sh") + " [-daemon] connect-standalone.properties\n"; string(out) != want || err == nil {
		t.Errorf("no arguments: %v %q", err, out)
	}

	os.WriteFile(filepath.Join(dir, "config", "bad.properties"), []byte("name=bad\nconnector.class=FileStreamSrc\ntopic=t\n"), 0o644)
	cmd := exec.Command("bash", "bin/connect-standalone.sh", "config/connect-standalone.properties", "config/bad.properties")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LOG_DIR="+filepath.Join(dir, "logs"))
	out, _ = cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Errorf("exit %d, want 3\n%s", code, out)
	}
	for _, want := range []string{
		"ERROR Failed to create job for config/bad.properties (org.apache.kafka.connect.cli.ConnectStandalone)\n",
		"ERROR Stopping after connector error (org.apache.kafka.connect.cli.ConnectStandalone)\n" +
			"java.util.concurrent.ExecutionException: org.apache.kafka.connect.errors.ConnectException: Failed to find any class that implements Connector and which name matches FileStreamSrc, available connectors are: PluginDesc{",
		"INFO Kafka Connect stopped (org.apache.kafka.connect.runtime.Connect)\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// -daemon: the same run in the background, its output in
	// $LOG_DIR/connectStandalone.out.
	cmd = exec.Command("bash", "bin/connect-standalone.sh", "-daemon", "config/connect-standalone.properties", "config/bad.properties")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LOG_DIR="+filepath.Join(dir, "logs"))
	if out, err := cmd.CombinedOutput(); err != nil || len(out) != 0 {
		t.Fatalf("-daemon: %v %q", err, out)
	}
	waitFor(t, 20*time.Second, "the daemon's output", func() bool {
		return strings.Contains(readFile(filepath.Join(dir, "logs", "connectStandalone.out")), "Kafka Connect stopped")
	})

	// A record the sink's JsonConverter cannot read fails the task
	// (errors.tolerance=none): its status says FAILED with the reason,
	// the worker goes on, and a task restart runs it again.
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: "connect-test", Value: []byte("plain text")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	w := startWorker(t, dir, "config/connect-file-sink.properties")
	rest := "http://127.0.0.1:" + strconv.Itoa(restPort) + "/connectors/local-file-sink"
	var status struct {
		Tasks []struct{ State, Trace string }
	}
	waitFor(t, 30*time.Second, "the sink task to fail", func() bool {
		resp, err := http.Get(rest + "/status")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		return json.NewDecoder(resp.Body).Decode(&status) == nil && len(status.Tasks) == 1 && status.Tasks[0].State == "FAILED"
	})
	if !strings.Contains(status.Tasks[0].Trace, "Tolerance exceeded in error handler") ||
		!strings.Contains(status.Tasks[0].Trace, "DataException: Converting byte[] to Kafka Connect data failed due to serialization error") {
		t.Errorf("trace: %q", status.Tasks[0].Trace)
	}
	if !strings.Contains(w.output(), "ERROR [local-file-sink|task-0] WorkerSinkTask{id=local-file-sink-0} Task threw an uncaught and unrecoverable exception. Task is being killed and will not recover until manually restarted (org.apache.kafka.connect.runtime.WorkerTask)") {
		t.Errorf("no task failure line in the output")
	}
	resp, err := http.Post(rest+"/tasks/0/restart", "application/json", nil)
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("restart: %v %v", resp, err)
	}
	resp.Body.Close()
	w.stop(t)
}
