package broker

import (
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/zkcoord/zktest"
)

// A min.insync.replicas override set after creation reaches the replica
// manager (it is not a log setting): an acks=all produce to a one-replica
// topic then fails with NOT_ENOUGH_REPLICAS, as on Kafka.
func TestMinInsyncReplicasAlteredAtRuntime(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	b := startTestBroker(t, zktest.Shared(t).ChrootConnect(t), 0)
	cl := newClient(t, kgo.SeedBrokers(b.addr()), kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.RecordRetries(0), kgo.DefaultProduceTopic("misr"))
	adm := kadm.NewClient(cl)
	if _, err := adm.CreateTopic(ctx(t), 1, 1, nil, "misr"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, func() error {
		return cl.ProduceSync(ctx(t), &kgo.Record{Value: []byte("before")}).FirstErr()
	})
	if _, err := adm.AlterTopicConfigs(ctx(t), []kadm.AlterConfig{{Op: kadm.SetConfig,
		Name: "min.insync.replicas", Value: kmsg.StringPtr("2")}}, "misr"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, func() error {
		err := cl.ProduceSync(ctx(t), &kgo.Record{Value: []byte("after")}).FirstErr()
		if !errors.Is(err, kerr.NotEnoughReplicas) {
			return errors.New("produce still accepted: " + errString(err))
		}
		return nil
	})
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}
