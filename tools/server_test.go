package tools

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"go.uber.org/zap"

	"gokafka/broker"
)

// fakeBroker stands in for broker.Broker to test kafka.Kafka's process
// behaviour: its Start can fail or deliver a signal to the process.
type fakeBroker struct {
	startErr  error
	onStart   func()
	once      sync.Once
	done      chan struct{}
	shutdowns int
}

func (f *fakeBroker) Start() error {
	if f.onStart != nil {
		f.onStart()
	}
	return f.startErr
}
func (f *fakeBroker) Shutdown() { f.shutdowns++; f.once.Do(func() { close(f.done) }) }
func (f *fakeBroker) Wait()     { <-f.done }

// withFakeBroker substitutes newBroker for the test and records the config
// it was given.
func withFakeBroker(t *testing.T, f *fakeBroker) **broker.Config {
	t.Helper()
	t.Setenv("LOG_DIR", t.TempDir())
	f.done = make(chan struct{})
	var got *broker.Config
	old := newBroker
	newBroker = func(cfg *broker.Config, lg *zap.Logger) (brokerProcess, error) {
		got = cfg
		return f, nil
	}
	t.Cleanup(func() { newBroker = old })
	return &got
}

func writeProps(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "server.properties")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Without arguments kafka.Kafka prints Kafka.scala's usage and exits 1.
func TestServerUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"--help"}, {"server.properties", "extra"}, {"server.properties", "--override"}} {
		var stdout, stderr bytes.Buffer
		if code := runServer(args, &stdout, &stderr); code != 1 {
			t.Errorf("%q: exit %d, want 1", args, code)
		}
		if !strings.Contains(stderr.String(), "--override <String>") {
			t.Errorf("%q: stderr lacks the option table:\n%s", args, stderr.String())
		}
	}
	var stderr bytes.Buffer
	runServer(nil, &bytes.Buffer{}, &stderr)
	if first := strings.SplitN(stderr.String(), "\n", 2)[0]; first != serverUsage {
		t.Errorf("first line %q, want %q", first, serverUsage)
	}
}

func TestServerVersion(t *testing.T) {
	var stdout bytes.Buffer
	if code := runServer([]string{"--version"}, &stdout, &bytes.Buffer{}); code != 0 || !strings.HasPrefix(stdout.String(), kafkaVersion+" (Commit:") {
		t.Errorf("exit %d, stdout %q", code, stdout.String())
	}
}

// --override beats the file; unknown keys are warned about in Kafka's words;
// SIGTERM shuts the broker down and the process exits 0.
func TestServerRunsUntilSIGTERM(t *testing.T) {
	f := &fakeBroker{onStart: func() { _ = syscall.Kill(os.Getpid(), syscall.SIGTERM) }}
	got := withFakeBroker(t, f)
	props := writeProps(t, "zookeeper.connect=localhost:2181\nbroker.id=0\nno.such.key=1\n")

	var stdout bytes.Buffer
	code := runServer([]string{props, "--override", "broker.id=7", "--override=num.partitions=3"}, &stdout, &bytes.Buffer{})
	if code != 0 || f.shutdowns != 1 {
		t.Fatalf("exit %d, shutdowns %d; want 0, 1\n%s", code, f.shutdowns, stdout.String())
	}
	if (*got).BrokerID != 7 || (*got).NumPartitions != 3 {
		t.Errorf("broker.id %d, num.partitions %d; want the overrides 7, 3", (*got).BrokerID, (*got).NumPartitions)
	}
	out := stdout.String()
	for _, want := range []string{
		"INFO KafkaConfig values: \n\tadvertised.host.name = null",
		"\tbroker.id = 7\n",
		"WARN The configuration 'no.such.key' was supplied but isn't a known config. (kafka.server.KafkaConfig)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// A bad configuration or a failed start is logged as FATAL with the reason on
// the next line, and the process exits 1.
func TestServerStartupFailures(t *testing.T) {
	f := &fakeBroker{startErr: errors.New("Socket server failed to bind to 0.0.0.0:9092: Address already in use.")}
	withFakeBroker(t, f)

	var stdout bytes.Buffer
	bad := writeProps(t, "zookeeper.connect=localhost:2181\nnum.partitions=abc\n")
	if code := runServer([]string{bad}, &stdout, &bytes.Buffer{}); code != 1 {
		t.Errorf("bad config: exit %d, want 1", code)
	}
	if !strings.Contains(stdout.String(), "FATAL Exiting Kafka due to fatal exception (kafka.Kafka$)\nInvalid value abc for configuration num.partitions: Not a number of type INT\n") {
		t.Errorf("bad config output:\n%s", stdout.String())
	}

	stdout.Reset()
	good := writeProps(t, "zookeeper.connect=localhost:2181\n")
	if code := runServer([]string{good}, &stdout, &bytes.Buffer{}); code != 1 {
		t.Errorf("failed start: exit %d, want 1", code)
	}
	// The broker logs why it failed ("Fatal error during KafkaServer
	// startup"); kafka.Kafka adds only the FATAL line, without repeating it.
	if !strings.HasSuffix(stdout.String(), "FATAL Exiting Kafka. (kafka.Kafka$)\n") {
		t.Errorf("failed start output:\n%s", stdout.String())
	}

	stdout.Reset()
	if code := runServer([]string{filepath.Join(t.TempDir(), "missing.properties")}, &stdout, &bytes.Buffer{}); code != 1 {
		t.Errorf("missing file: exit %d, want 1", code)
	}
}
