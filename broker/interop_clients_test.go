package broker

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"gokafka/zkcoord/zktest"
)

// Real clients beyond franz-go, kcat and sarama (which other tests cover),
// each producing 100 records and reading them back through a consumer group.
// They exercise the version quirks of protocol.md §5: kafka-go's
// FindCoordinator v0 / JoinGroup v2 / SyncGroup v0 / OffsetCommit v2 /
// OffsetFetch v1, kafka-python's ApiVersions v0 and Metadata v0 probes,
// librdkafka's idempotent producer.

func TestSegmentioKafkaGoIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	b := startTestBroker(t, zktest.Shared(t).ChrootConnect(t), 0, "group.initial.rebalance.delay.ms", "0")
	c, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	w := &kafkago.Writer{Addr: kafkago.TCP(b.addr()), Topic: "kafka-go", RequiredAcks: kafkago.RequireAll,
		AllowAutoTopicCreation: true, BatchTimeout: 10 * time.Millisecond}
	defer w.Close()
	var msgs []kafkago.Message
	for i := 0; i < 100; i++ {
		msgs = append(msgs, kafkago.Message{Key: []byte(fmt.Sprint(i)), Value: []byte(fmt.Sprintf("v%d", i))})
	}
	// The first write races the auto-created topic's leader election, as
	// it does against Kafka (LEADER_NOT_AVAILABLE, then a retry).
	waitFor(t, 30*time.Second, func() error { return w.WriteMessages(c, msgs...) })

	r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: []string{b.addr()}, GroupID: "kafka-go-group",
		Topic: "kafka-go", StartOffset: kafkago.FirstOffset})
	defer r.Close()
	for i := 0; i < 100; i++ {
		m, err := r.FetchMessage(c)
		if err != nil {
			t.Fatalf("fetch after %d records: %v", i, err)
		}
		if want := fmt.Sprintf("v%d", i); string(m.Value) != want {
			t.Fatalf("record %d = %q, want %q", i, m.Value, want)
		}
		if err := r.CommitMessages(c, m); err != nil {
			t.Fatalf("commit: %v", err)
		}
	}
}

func TestPythonClientsIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	b := startTestBroker(t, zktest.Shared(t).ChrootConnect(t), 0, "group.initial.rebalance.delay.ms", "0")
	for _, tc := range []struct{ module, script string }{
		{"kafka", "kafka_python.py"},
		{"confluent_kafka", "confluent_client.py"},
	} {
		t.Run(tc.module, func(t *testing.T) {
			// Debian's python3-kafka / python3-confluent-kafka (make deps).
			if err := exec.Command("/usr/bin/python3", "-c", "import "+tc.module).Run(); err != nil {
				t.Skipf("python module %s not installed", tc.module)
			}
			out, err := exec.Command("/usr/bin/python3", "testdata/interop/"+tc.script, b.addr(), "py-"+tc.module).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "OK") {
				t.Fatalf("%s: %v\n%s", tc.script, err, out)
			}
		})
	}
}
