package broker

import (
	"crypto/rand"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/log"
)

// What kafka-reassign-partitions.sh --throttle does, through the admin API:
// rates on both brokers, the moving partition's current replica listed as
// leader-throttled and its new one as follower-throttled. Moving ~3 MB
// under a 300 kB/s throttle is still under way 2 s later (unthrottled it
// takes a fraction of a second); once the rates are removed the move
// completes. Each side holds the move back on its own too: the leader by
// sending no records, the follower by not asking for them.
func TestReplicationThrottleSlowsReassignment(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	bs := startTestCluster(t, 2)
	cl := newClient(t, kgo.SeedBrokers(bs[0].addr(), bs[1].addr()),
		kgo.ProducerBatchCompression(kgo.NoCompression()), kgo.ProducerBatchMaxBytes(256<<10))
	adm := kadm.NewClient(cl)
	for _, tc := range []struct {
		name             string
		leader, follower bool
	}{
		{"both", true, true},
		{"leader", true, false},
		{"follower", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			moveUnderThrottle(t, bs, cl, adm, "throttled-"+tc.name, tc.leader, tc.follower)
		})
	}
}

// moveUnderThrottle moves a one-partition topic holding ~3 MB to the other
// broker under a 300 kB/s leader and/or follower throttle.
func moveUnderThrottle(t *testing.T, bs []*Broker, cl *kgo.Client, adm *kadm.Client, topic string, leaderSide, followerSide bool) {
	const rate = 300000
	c := ctx(t)
	if r, err := adm.CreateTopics(c, 1, 1, nil, topic); err != nil || r[topic].Err != nil {
		t.Fatalf("create: %v %+v", err, r)
	}
	waitFor(t, 10*time.Second, func() error {
		if !bs[0].hasAllLeaders(topic, 1) {
			return fmt.Errorf("no leader yet")
		}
		return nil
	})
	ps, _ := bs[0].metadata.Partition(topic, 0)
	src := ps.Replicas[0]
	dst := 1 - src
	tp := log.TopicPartition{Topic: topic, Partition: 0}

	// ~3 MB of incompressible records.
	var recs []*kgo.Record
	for range 3000 {
		v := make([]byte, 1000)
		_, _ = rand.Read(v)
		recs = append(recs, &kgo.Record{Topic: topic, Value: v})
	}
	if err := cl.ProduceSync(c, recs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
	leaderLEO := bs[src].replicas.LocalLog(tp).LogEndOffset()

	var rates []kadm.AlterConfig
	if leaderSide {
		rates = append(rates, kadm.AlterConfig{Op: kadm.SetConfig, Name: leaderThrottledRateConfig, Value: kmsg.StringPtr(fmt.Sprint(rate))})
	}
	if followerSide {
		rates = append(rates, kadm.AlterConfig{Op: kadm.SetConfig, Name: followerThrottledRateConfig, Value: kmsg.StringPtr(fmt.Sprint(rate))})
	}
	if r, err := adm.AlterBrokerConfigs(c, rates, 0, 1); err != nil || alterErr(r) != nil {
		t.Fatalf("set rates: %v %v", err, alterErr(r))
	}
	lists := []kadm.AlterConfig{
		{Op: kadm.SetConfig, Name: leaderThrottledReplicasConfig, Value: kmsg.StringPtr(fmt.Sprintf("0:%d", src))},
		{Op: kadm.SetConfig, Name: followerThrottledReplicasConfig, Value: kmsg.StringPtr(fmt.Sprintf("0:%d", dst))},
	}
	if r, err := adm.AlterTopicConfigs(c, lists, topic); err != nil || alterErr(r) != nil {
		t.Fatalf("set throttled replicas: %v %v", err, alterErr(r))
	}
	// The config change notifications reach both brokers.
	waitFor(t, 10*time.Second, func() error {
		for _, b := range bs {
			q := b.replicas.replicationQuotas()
			if l := q.leader.upperBound(); (l == rate) != leaderSide {
				return fmt.Errorf("broker %d leader rate %v", b.cfg.BrokerID, l)
			}
			if f := q.follower.upperBound(); (f == rate) != followerSide {
				return fmt.Errorf("broker %d follower rate %v", b.cfg.BrokerID, f)
			}
		}
		if !bs[src].replicas.leaderQuota().isThrottled(tp) || !bs[dst].replicas.followerQuota().isThrottled(tp) {
			return fmt.Errorf("throttled lists not applied yet")
		}
		return nil
	})

	var req kadm.AlterPartitionAssignmentsReq
	req.Assign(topic, 0, []int32{dst})
	if ar, err := adm.AlterPartitionAssignments(c, req); err != nil || ar[topic][0].Err != nil {
		t.Fatalf("reassign: %v %+v", err, ar)
	}
	started := time.Now()
	dstLEO := func() int64 {
		if l := bs[dst].replicas.LocalLog(tp); l != nil {
			return l.LogEndOffset()
		}
		return 0
	}
	// For 2 s the new replica must stay behind: at 300 kB/s it can hold
	// little more than one 1 MB fetch of the 3 MB by then.
	for time.Since(started) < 2*time.Second {
		if got := dstLEO(); got >= leaderLEO {
			t.Fatalf("new replica caught up (%d of %d) %v after the reassignment began despite the throttle",
				got, leaderLEO, time.Since(started))
		}
		time.Sleep(50 * time.Millisecond)
	}
	mid := dstLEO()
	t.Logf("throttled: %d of %d records (%.0f%%) moved in %v",
		mid, leaderLEO, 100*float64(mid)/float64(leaderLEO), time.Since(started).Round(time.Millisecond))

	// Removing the rates lifts the throttle: the move completes.
	var unset []kadm.AlterConfig
	for _, r := range rates {
		unset = append(unset, kadm.AlterConfig{Op: kadm.DeleteConfig, Name: r.Name})
	}
	if r, err := adm.AlterBrokerConfigs(c, unset, 0, 1); err != nil || alterErr(r) != nil {
		t.Fatalf("remove rates: %v %v", err, alterErr(r))
	}
	lifted := time.Now()
	waitFor(t, 20*time.Second, func() error {
		p, _ := bs[dst].metadata.Partition(topic, 0)
		if len(p.Replicas) != 1 || p.Replicas[0] != dst || p.Leader != dst {
			return fmt.Errorf("partition %+v", p)
		}
		return nil
	})
	if got := dstLEO(); got != leaderLEO {
		t.Errorf("moved replica has %d records, want %d", got, leaderLEO)
	}
	for _, b := range bs {
		q := b.replicas.replicationQuotas()
		if l, f := q.leader.upperBound(), q.follower.upperBound(); !math.IsInf(l, 1) || !math.IsInf(f, 1) {
			t.Errorf("broker %d rates after removal: %v %v, want unthrottled", b.cfg.BrokerID, l, f)
		}
	}
	t.Logf("unthrottled: move completed %v after the rates were removed", time.Since(lifted).Round(time.Millisecond))
}

// alterErr is the first per-resource error of an alter configs answer.
func alterErr(rs kadm.AlterConfigsResponses) error {
	for _, r := range rs {
		if r.Err != nil {
			return fmt.Errorf("%s: %w %s", r.Name, r.Err, r.ErrMessage)
		}
	}
	return nil
}
