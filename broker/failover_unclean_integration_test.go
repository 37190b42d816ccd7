package broker_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Unclean leader election (replication.md §5, controller.md §6): a
// partition on brokers A and B, min.insync.replicas=1. B stops, so A alone
// is in the ISR and takes records B never sees; then A dies. B comes back,
// but it is not in the ISR: with unclean.leader.election.enable=false (the
// default) the partition stays offline, leader -1, and kafka-topics
// --describe --unavailable-partitions lists it. Once the topic's
// unclean.leader.election.enable is set to true the controller elects B,
// alone in the ISR, and the records only A had are gone.
func TestUncleanLeaderElectionIntegration(t *testing.T) {
	c := startFailoverCluster(t, 3)
	const topic = "unclean"
	// Keep the controller out of the partition, so killing A does not also
	// move the controller.
	ctl := c.controllerID()
	var ab []int32
	for _, b := range c.brokers {
		if b.ID != ctl {
			ab = append(ab, b.ID)
		}
	}
	a, b := c.brokers[ab[0]], c.brokers[ab[1]]
	c.createAssigned(topic, [][]int32{{a.ID, b.ID}}, map[string]string{"min.insync.replicas": "1"})
	c.waitISR(topic, 0, 2)

	produceSync(t, c.ctx, c.seeds(), topic, 0, 100)
	b.Stop()
	c.waitFor("B to leave the ISR", time.Minute, func() bool {
		return slices.Equal(c.state(topic, 0).ISR, []int32{a.ID})
	})
	produceSync(t, c.ctx, c.seeds(), topic, 100, 100) // only A has these

	c.kill(a)
	c.waitFor("the partition to go offline", time.Minute, func() bool { return c.state(topic, 0).Leader == -1 })
	b.Restart()
	// The controller tries an election as soon as B registers (and fails):
	// wait until B is live in the cluster metadata, then the partition is
	// still without a leader.
	c.waitFor("B to be live again", time.Minute, func() bool {
		md, err := c.adm.BrokerMetadata(c.ctx)
		return err == nil && slices.ContainsFunc(md.Brokers, func(m kadm.BrokerDetail) bool { return m.NodeID == b.ID })
	})
	if st := c.state(topic, 0); st.Leader != -1 || !slices.Equal(st.ISR, []int32{a.ID}) {
		t.Fatalf("with unclean election disabled the state is %+v; want leader -1, ISR [%d]", st, a.ID)
	}
	out := c.topicsCommand("--describe", "--topic", topic, "--unavailable-partitions")
	t.Logf("kafka-topics --describe --unavailable-partitions:\n%s", out)
	if !strings.Contains(out, "Partition: 0") || !strings.Contains(out, "Leader: none") {
		t.Errorf("the offline partition is not listed as unavailable")
	}

	// Enabling unclean election for the topic elects B.
	v := "true"
	resps, err := c.adm.AlterTopicConfigs(c.ctx, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "unclean.leader.election.enable", Value: &v}}, topic)
	if err == nil {
		_, err = resps.On(topic, nil)
	}
	if err != nil {
		t.Fatalf("alter config: %v", err)
	}
	c.waitFor("B to be elected", time.Minute, func() bool {
		st := c.state(topic, 0)
		return st.Leader == b.ID && slices.Equal(st.ISR, []int32{b.ID})
	})
	if out := c.topicsCommand("--describe", "--topic", topic, "--unavailable-partitions"); strings.Contains(out, "Partition: 0") {
		t.Errorf("the partition is still listed as unavailable:\n%s", out)
	}
	var end int64
	c.waitFor("B to serve the partition", time.Minute, func() bool {
		ends, err := c.adm.ListEndOffsets(c.ctx, topic)
		if err != nil {
			return false
		}
		o, ok := ends.Lookup(topic, 0)
		end = o.Offset
		return ok && o.Err == nil
	})
	if end != 100 {
		t.Errorf("the unclean leader's log ends at %d; want 100 (the 100 records only A had are lost)", end)
	}
}

// createAssigned creates a topic with an explicit replica assignment, one
// list per partition.
func (c *failoverCluster) createAssigned(topic string, assignment [][]int32, configs map[string]string) {
	c.t.Helper()
	req := kmsg.NewPtrCreateTopicsRequest()
	req.TimeoutMillis = 30000
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic = topic
	rt.NumPartitions, rt.ReplicationFactor = -1, -1
	for p, replicas := range assignment {
		ra := kmsg.NewCreateTopicsRequestTopicReplicaAssignment()
		ra.Partition = int32(p)
		ra.Replicas = replicas
		rt.ReplicaAssignment = append(rt.ReplicaAssignment, ra)
	}
	for k, v := range configs {
		cfg := kmsg.NewCreateTopicsRequestTopicConfig()
		cfg.Name, cfg.Value = k, kmsg.StringPtr(v)
		rt.Configs = append(rt.Configs, cfg)
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(c.ctx, c.admCl)
	if err == nil {
		err = kerr.ErrorForCode(resp.Topics[0].ErrorCode)
	}
	if err != nil {
		c.t.Fatalf("create topic %s: %v", topic, err)
	}
}

// produceSync writes n records "first".."first+n-1" to partition 0 and
// waits for their acknowledgements (acks=all).
func produceSync(t *testing.T, ctx context.Context, seeds []string, topic string, first, n int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.DefaultProduceTopic(topic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.RequiredAcks(kgo.AllISRAcks()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	for i := first; i < first+n; i++ {
		recs = append(recs, &kgo.Record{Value: []byte(fmt.Sprint(i))})
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
}
