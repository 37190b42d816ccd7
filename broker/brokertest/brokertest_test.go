package brokertest

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gokafka/zkcoord/zktest"
)

// standIn writes a shell script that behaves like the broker as far as
// brokertest can see: it prints Kafka's started line for the broker.id in
// its properties file and exits 0 on SIGTERM after a shutdown line.
func standIn(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fake-gokafka")
	script := "#!/bin/sh\n" +
		"# $1 is the class (kafka.Kafka), $2 the properties file.\n" +
		"id=$(sed -n 's/^broker.id=//p' \"$2\")\n" + body
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

const serveUntilTERM = `echo "[2021-05-04 10:00:00,000] INFO [KafkaServer id=$id] starting (kafka.server.KafkaServer)"
trap 'echo "[2021-05-04 10:00:01,000] INFO [KafkaServer id=$id] shut down completed (kafka.server.KafkaServer)"; exit 0' TERM
echo "[2021-05-04 10:00:00,500] INFO [KafkaServer id=$id] started (kafka.server.KafkaServer)"
while :; do sleep 0.05; done
`

// The handle's life cycle, against a stand-in process: start waits for the
// started line; Stop is SIGTERM and a clean exit; Restart brings the same
// configuration back as a new process; Kill ends it at once.
func TestLifecycleWithStandIn(t *testing.T) {
	b := StartBroker(t, nil, WithBinary(standIn(t, serveUntilTERM)),
		WithZkConnect("127.0.0.1:1/unused"), WithID(3), WithProps("num.partitions", "4"))

	if b.ID != 3 || !b.Running() {
		t.Fatalf("ID = %d, running = %v; want 3, true", b.ID, b.Running())
	}
	props, err := os.ReadFile(b.ConfigFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"broker.id=3\n", "listeners=PLAINTEXT://" + b.Addr + "\n",
		"log.dirs=" + b.LogDir + "\n", "zookeeper.connect=127.0.0.1:1/unused\n", "num.partitions=4\n"} {
		if !strings.Contains(string(props), want) {
			t.Errorf("server.properties lacks %q:\n%s", want, props)
		}
	}

	firstPID := b.PID()
	b.Stop()
	if b.Running() || b.ExitError() != nil {
		t.Fatalf("after Stop: running = %v, exit = %v; want false, nil", b.Running(), b.ExitError())
	}
	if !strings.Contains(b.Output(), "[KafkaServer id=3] shut down completed") {
		t.Errorf("Stop did not deliver SIGTERM; output:\n%s", b.Output())
	}

	b.Restart()
	if !b.Running() || b.PID() == firstPID {
		t.Fatalf("after Restart: running = %v, pid %d (was %d)", b.Running(), b.PID(), firstPID)
	}
	if !strings.Contains(b.Output(), "=== brokertest: restart ===") {
		t.Errorf("output lacks the restart marker:\n%s", b.Output())
	}

	b.Kill()
	if b.Running() || b.ExitError() == nil {
		t.Fatalf("after Kill: running = %v, exit = %v; want false, signal: killed", b.Running(), b.ExitError())
	}
}

// Brokers started into one cluster without WithID get ids 0, 1, 2, ...
func TestIDsCountPerCluster(t *testing.T) {
	bin := standIn(t, serveUntilTERM)
	var ids []int32
	for i := 0; i < 3; i++ {
		ids = append(ids, StartBroker(t, nil, WithBinary(bin), WithZkConnect("127.0.0.1:1/ids")).ID)
	}
	if ids[0] != 0 || ids[1] != 1 || ids[2] != 2 {
		t.Fatalf("ids = %v, want [0 1 2]", ids)
	}
}

// A broker that exits during startup is reported with its output, which is
// what a developer needs to see ("Exiting Kafka due to fatal exception ...").
func TestStartReportsEarlyExit(t *testing.T) {
	bin := standIn(t, `echo "[2021-05-04 10:00:00,000] FATAL Exiting Kafka due to fatal exception (kafka.Kafka$)"; exit 1`+"\n")
	b, err := newBroker(t, nil, WithBinary(bin), WithZkConnect("127.0.0.1:1/x"))
	if err != nil {
		t.Fatal(err)
	}
	err = b.start()
	if err == nil || !strings.Contains(err.Error(), "exited before it started") ||
		!strings.Contains(err.Error(), "Exiting Kafka due to fatal exception") {
		t.Fatalf("start() = %v; want the early exit with the broker's output", err)
	}
}

// A broker that never logs the started line is killed after the start
// timeout.
func TestStartTimesOut(t *testing.T) {
	bin := standIn(t, "while :; do sleep 0.05; done\n")
	b, err := newBroker(t, nil, WithBinary(bin), WithZkConnect("127.0.0.1:1/x"),
		WithStartTimeout(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.start(); err == nil || !strings.Contains(err.Error(), "did not log") {
		t.Fatalf("start() = %v; want a timeout", err)
	}
	if b.Running() {
		t.Fatal("the broker is still running after the start timeout")
	}
}

// The real thing: the built gokafka binary against Debian's ZooKeeper. The
// broker accepts connections on Addr and exits 0 on SIGTERM.
func TestRealBroker(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (starts ZooKeeper and a broker)")
	}
	zk := zktest.StartZooKeeper(t)
	b, err := newBroker(t, zk)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.start(); err != nil {
		// TEMPORARY: until package broker has New/Start, kafka.Kafka says so.
		if strings.Contains(err.Error(), "not implemented yet") {
			t.Skip("the broker is not implemented yet")
		}
		t.Fatal(err)
	}
	c, err := net.DialTimeout("tcp", b.Addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", b.Addr, err)
	}
	c.Close()
	b.Stop()
	if err := b.ExitError(); err != nil {
		t.Fatalf("broker exit after SIGTERM: %v\n%s", err, b.Output())
	}
}

// A broker that cannot start says why and exits 1 (Kafka's
// "Exiting Kafka." after "Fatal error during KafkaServer startup"): its port
// is taken, its log dir cannot be written, or its broker.id is registered.
func TestStartupFailuresExit1(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (starts ZooKeeper and brokers)")
	}
	zk := zktest.StartZooKeeper(t)
	first := StartBroker(t, zk, WithID(0))

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o644); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		opts []Option
		want string
	}{
		{"port in use", []Option{WithID(1), WithPort(taken.Addr().(*net.TCPAddr).Port)}, "Address already in use"},
		{"log dir not writable", []Option{WithID(2), WithProps("log.dirs", filepath.Join(notADir, "logs"))}, "not a directory"},
		{"broker.id registered", []Option{WithID(first.ID)}, "/brokers/ids/0"},
		{"bad value", []Option{WithID(3), WithProps("num.partitions", "abc")}, "Invalid value abc for configuration num.partitions: Not a number of type INT"},
	}
	for _, tc := range cases {
		b, err := newBroker(t, zk, tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		err = b.start()
		if err == nil {
			t.Errorf("%s: the broker started", tc.name)
			continue
		}
		out := b.Output()
		if !strings.Contains(out, "FATAL Exiting Kafka") || !strings.Contains(out, tc.want) {
			t.Errorf("%s: output lacks the FATAL line or %q:\n%s", tc.name, tc.want, out)
		}
		if ee := b.ExitError(); ee == nil || !strings.Contains(ee.Error(), "exit status 1") {
			t.Errorf("%s: exit %v, want exit status 1", tc.name, ee)
		}
	}
}
