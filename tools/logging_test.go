package tools

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
)

// log4jLine is "[%d] %p %m (%c)" with %d as "2021-05-04 10:00:00,123".
var log4jLine = regexp.MustCompile(`^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] (INFO|WARN|ERROR|DEBUG|FATAL) (.*) \(([^()]+)\)$`)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The broker's lines have Kafka's layout, on stdout and in server.log.
func TestBrokerLogLinesHaveKafkasPattern(t *testing.T) {
	dir := t.TempDir()
	var stdout bytes.Buffer
	lg, logs := newBrokerLogger(dir, &stdout)
	lg.Named("kafka.server.KafkaServer").Info("[KafkaServer id=0] started")
	_ = logs.Close()

	line := strings.TrimSuffix(stdout.String(), "\n")
	m := log4jLine.FindStringSubmatch(line)
	if m == nil || m[1] != "INFO" || m[2] != "[KafkaServer id=0] started" || m[3] != "kafka.server.KafkaServer" {
		t.Fatalf("stdout line %q does not match [date] INFO msg (logger)", line)
	}
	if got := readFile(t, filepath.Join(dir, "server.log")); got != stdout.String() {
		t.Errorf("server.log = %q, want the stdout line %q", got, stdout.String())
	}
}

// log4j.properties routes kafka.controller and state.change.logger to their
// own files and not to stdout or server.log (additivity=false); the
// controller logs at TRACE (zap's Debug), the root at INFO.
func TestBrokerLoggersAreRoutedLikeLog4jProperties(t *testing.T) {
	dir := t.TempDir()
	var stdout bytes.Buffer
	lg, logs := newBrokerLogger(dir, &stdout)
	lg.Named("kafka.controller.KafkaController").Info("[Controller id=0] 0 successfully elected as the controller")
	lg.Named("kafka.controller").Debug("[Controller id=0] trace detail")
	lg.Named("state.change.logger").Info("[Broker id=0] Add 1 partitions")
	lg.Named("kafka.server.ReplicaManager").Debug("not shown at INFO")
	lg.Named("kafka.server.ReplicaManager").Warn("shown")
	_ = logs.Close()

	if s := stdout.String(); strings.Contains(s, "Controller") || strings.Contains(s, "partitions") ||
		strings.Contains(s, "not shown") || !strings.Contains(s, "WARN shown (kafka.server.ReplicaManager)") {
		t.Errorf("stdout:\n%s", s)
	}
	ctl := readFile(t, filepath.Join(dir, "controller.log"))
	if !strings.Contains(ctl, "(kafka.controller.KafkaController)") || !strings.Contains(ctl, "DEBUG [Controller id=0] trace detail (kafka.controller)") {
		t.Errorf("controller.log:\n%s", ctl)
	}
	if sc := readFile(t, filepath.Join(dir, "state-change.log")); !strings.Contains(sc, "INFO [Broker id=0] Add 1 partitions (state.change.logger)") {
		t.Errorf("state-change.log:\n%s", sc)
	}
	if srv := readFile(t, filepath.Join(dir, "server.log")); srv != stdout.String() {
		t.Errorf("server.log differs from stdout:\n%s", srv)
	}
}

// Structured fields follow the message; an error goes on the next line, as
// log4j prints a Throwable; fields given to With stay with the logger.
func TestFieldsAndErrors(t *testing.T) {
	var buf bytes.Buffer
	lg := newToolLogger(&buf).Named("kafka.tools.ConsoleProducer").With(zap.String("topic", "t"))
	lg.Info("dropped: tools log at WARN")
	lg.Warn("Error while producing", zap.Int32("partition", 0), zap.Error(errors.New("boom")))
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines:\n%s", len(lines), buf.String())
	}
	m := log4jLine.FindStringSubmatch(lines[0])
	if m == nil || m[2] != `Error while producing [topic=t, partition=0]` || m[3] != "kafka.tools.ConsoleProducer" {
		t.Errorf("line %q", lines[0])
	}
	if lines[1] != "boom" {
		t.Errorf("error line %q, want boom", lines[1])
	}
}

// kafka.Kafka's fatal exit is logged as FATAL, as log4j's fatal() prints it.
func TestDPanicIsFatal(t *testing.T) {
	var buf bytes.Buffer
	newToolLogger(&buf).Named("kafka.Kafka$").DPanic("Exiting Kafka.")
	if !strings.Contains(buf.String(), "] FATAL Exiting Kafka. (kafka.Kafka$)") {
		t.Errorf("got %q", buf.String())
	}
}

// An unwritable log directory does not stop the broker from logging to
// stdout (log4j reports the appender error and goes on).
func TestUnwritableLogDir(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	lg, logs := newBrokerLogger(filepath.Join(blocker, "logs"), &stdout)
	defer logs.Close()
	lg.Named("kafka").Info("still logging")
	if !strings.Contains(stdout.String(), "still logging") {
		t.Errorf("stdout = %q", stdout.String())
	}
}

// Nested Named calls collapse to the innermost log4j category, so routing
// and the "(logger)" suffix see the component's own name.
func TestLoggerCategory(t *testing.T) {
	for in, want := range map[string]string{
		"kafka.server.KafkaServer":                        "kafka.server.KafkaServer",
		"kafka.log.LogManager.kafka.log.LogManager":       "kafka.log.LogManager",
		"kafka.server.KafkaServer.state.change.logger":    "state.change.logger",
		"ReplicaManager.kafka.controller.KafkaController": "kafka.controller.KafkaController",
		"org.apache.kafka.clients.NetworkClient":          "org.apache.kafka.clients.NetworkClient",
		"ReplicaManager":                                  "ReplicaManager",
		"":                                                "",
	} {
		if got := loggerCategory(in); got != want {
			t.Errorf("loggerCategory(%q) = %q, want %q", in, got, want)
		}
	}
	dir := t.TempDir()
	var stdout bytes.Buffer
	lg, logs := newBrokerLogger(dir, &stdout)
	lg.Named("kafka.server.KafkaServer").Named("kafka.controller.KafkaController").Info("elected")
	_ = logs.Close()
	if stdout.Len() != 0 || !strings.Contains(readFile(t, filepath.Join(dir, "controller.log")), "INFO elected (kafka.controller.KafkaController)") {
		t.Errorf("stdout %q; controller.log %q", stdout.String(), readFile(t, filepath.Join(dir, "controller.log")))
	}
}

// Every kind of zap field reads as Kafka's log idents do: key=value pairs,
// durations in milliseconds, sequences as [a, b].
func TestFieldFormats(t *testing.T) {
	var buf bytes.Buffer
	lg := newToolLogger(&buf).Named("kafka.tools.X")
	lg.Warn("Rolled", zap.Int64("offset", 35), zap.Duration("took", 1500*time.Millisecond),
		zap.Int32s("isr", []int32{1, 2}), zap.Strings("dirs", []string{"/a", "/b"}), zap.Bool("ok", true),
		zap.Namespace("peer"), zap.String("host", "h"))
	want := "WARN Rolled [offset=35, took=1500 ms, isr=[1, 2], dirs=[/a, /b], ok=true, peer.host=h] (kafka.tools.X)\n"
	if !strings.HasSuffix(buf.String(), want) {
		t.Errorf("got %q, want suffix %q", buf.String(), want)
	}
}
