package broker_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"

	"gokafka/broker/brokertest"
	"gokafka/zkcoord"
	"gokafka/zkcoord/zktest"
)

// Replication across three broker processes (replication.md §2-3): with
// replication factor 3 and min.insync.replicas=2, acks=all produces complete
// only once followers have fetched the records and the leader's HW passed
// them; after the leader shuts down, a follower that was in the ISR leads
// and serves every acknowledged record.
func TestReplicationIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (starts ZooKeeper and three brokers)")
	}
	zk := zktest.StartZooKeeper(t)
	brokers := brokertest.StartCluster(t, zk, 3,
		brokertest.WithProps("default.replication.factor", "3"),
		brokertest.WithProps("min.insync.replicas", "2"),
		brokertest.WithProps("num.partitions", "1"),
		brokertest.WithProps("controlled.shutdown.retry.backoff.ms", "500"))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	seeds := strings.Split(brokertest.BootstrapServers(brokers...), ",")
	const topic = "replicated"
	createTopicAt(t, ctx, brokers[0].Addr, topic)

	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.DisableIdempotentWrite(), kgo.RecordRetries(20))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	const n = 1000
	var failed atomic.Value
	for i := 0; i < n; i++ {
		cl.Produce(ctx, &kgo.Record{Topic: topic, Value: []byte(fmt.Sprint(i))}, func(_ *kgo.Record, err error) {
			if err != nil {
				failed.Store(err)
			}
		})
	}
	if err := cl.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err, _ := failed.Load().(error); err != nil {
		t.Fatalf("acks=all produce: %v", err)
	}

	// Every replica is in the ISR once the followers caught up.
	adm := kadm.NewClient(cl)
	var leader int32
	waitForCondT(t, 30*time.Second, func() bool {
		md, err := adm.Metadata(ctx, topic)
		if err != nil {
			return false
		}
		p := md.Topics[topic].Partitions[0]
		leader = p.Leader
		return len(p.ISR) == 3
	})

	// The leader leaves (controlled shutdown); a follower from the ISR takes
	// over with every acknowledged record. The old leader then comes back
	// as a follower (its Metadata would otherwise carry an error for the
	// dead replica), and the records are read from the new leader.
	brokers[leader].Stop()
	newLeader := int32(-1)
	waitForCondT(t, 60*time.Second, func() bool {
		req := kmsg.NewPtrMetadataRequest()
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(topic)
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(ctx, cl)
		if err != nil || len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
			return false
		}
		newLeader = resp.Topics[0].Partitions[0].Leader
		return newLeader >= 0 && newLeader != leader
	})
	brokers[leader].Restart()
	c, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := 0
	for got < n {
		fs := c.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records after leader %d handed over to %d: %v", got, n, leader, newLeader, ctx.Err())
		}
		fs.EachRecord(func(r *kgo.Record) {
			if string(r.Value) != fmt.Sprint(r.Offset) {
				t.Fatalf("offset %d holds %q", r.Offset, r.Value)
			}
			got++
		})
	}
}

func waitForCondT(t *testing.T, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ISR shrink and expand by the leader itself (replication.md §3.3-3.4):
// a follower killed with SIGKILL keeps its ZooKeeper session for a while,
// so only the leader can notice it. After replica.lag.time.max.ms the
// leader removes it from the ISR (conditional write of the state znode plus
// an isr_change_notification, which makes the controller send
// UpdateMetadata); once restarted and caught up it is added back.
func TestISRShrinkAndExpandIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (starts ZooKeeper and three brokers)")
	}
	zk := zktest.StartZooKeeper(t)
	brokers := brokertest.StartCluster(t, zk, 3,
		brokertest.WithProps("default.replication.factor", "3"),
		brokertest.WithProps("num.partitions", "1"),
		brokertest.WithProps("replica.lag.time.max.ms", "2000"),
		brokertest.WithProps("zookeeper.session.timeout.ms", "20000"))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	seeds := strings.Split(brokertest.BootstrapServers(brokers...), ",")
	const topic = "isr"
	createTopicAt(t, ctx, brokers[0].Addr, topic)
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var controller int32
	isr := func() (leader int32, isr []int32) {
		req := kmsg.NewPtrMetadataRequest()
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(topic)
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(ctx, cl)
		if err != nil || len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
			return -1, nil
		}
		controller = resp.ControllerID
		p := resp.Topics[0].Partitions[0]
		return p.Leader, p.ISR
	}
	var leader int32
	waitForCondT(t, 30*time.Second, func() bool {
		var in []int32
		leader, in = isr()
		return len(in) == 3
	})
	// A follower that is not the controller: the controller must stay up to
	// turn the leader's ISR change notification into UpdateMetadata.
	var follower *brokertest.Broker
	for _, b := range brokers {
		if b.ID != leader && b.ID != controller {
			follower = b
			break
		}
	}
	follower.Kill()
	// Keep the leader's LEO moving so the dead follower falls behind.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
				cl.Produce(ctx, &kgo.Record{Topic: topic, Value: []byte("x")}, nil)
			}
		}
	}()
	// The leader shrinks the ISR itself, well before the dead broker's
	// session expires.
	var lb *brokertest.Broker
	for _, b := range brokers {
		if b.ID == leader {
			lb = b
		}
	}
	if !lb.WaitForOutput("ISR updated to", 15*time.Second) {
		t.Fatal("the leader did not shrink the ISR")
	}
	waitForCondT(t, 40*time.Second, func() bool {
		_, in := isr()
		return len(in) == 2 && !slices.Contains(in, follower.ID)
	})
	// Restart once the old session (and its /brokers/ids node) is gone.
	zc, err := zkcoord.Connect(follower.ZkConnect, 10*time.Second, 10*time.Second, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer zc.Close()
	waitForCondT(t, 60*time.Second, func() bool {
		ok, _, err := zc.Exists(fmt.Sprintf("/brokers/ids/%d", follower.ID))
		return err == nil && !ok
	})
	follower.Restart()
	waitForCondT(t, 60*time.Second, func() bool {
		_, in := isr()
		return len(in) == 3
	})
}
