package broker

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/zkcoord/zktest"
)

// A single broker: Metadata names it, as controller, with the cluster id
// from ZooKeeper; an unknown topic is auto-created and answered
// LEADER_NOT_AVAILABLE until the controller has elected its leaders.
func TestMetadataSingleBrokerAutoCreate(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	connect := zktest.Shared(t).ChrootConnect(t)
	b := startTestBroker(t, connect, 0, "num.partitions", "3")
	c := dialRaw(t, b.addr())

	// The controller's UpdateMetadata makes the broker know itself.
	var resp *kmsg.MetadataResponse
	waitFor(t, 15*time.Second, func() error {
		req := kmsg.NewPtrMetadataRequest()
		req.SetVersion(11)
		resp = c.roundTrip(req, 1).(*kmsg.MetadataResponse)
		if len(resp.Brokers) != 1 || resp.ControllerID != 0 {
			return fmt.Errorf("brokers %+v controller %d", resp.Brokers, resp.ControllerID)
		}
		return nil
	})
	if *resp.ClusterID != b.clusterID || resp.Brokers[0].Port != int32(portOf(t, b.addr())) {
		t.Fatalf("metadata %+v", resp)
	}

	req := kmsg.NewPtrMetadataRequest()
	req.SetVersion(9)
	req.AllowAutoTopicCreation = true
	tp := kmsg.NewMetadataRequestTopic()
	tp.Topic = kmsg.StringPtr("auto")
	req.Topics = append(req.Topics, tp)
	first := c.roundTrip(req, 2).(*kmsg.MetadataResponse)
	if got := first.Topics[0].ErrorCode; got != kerr.LeaderNotAvailable.Code {
		t.Fatalf("first lookup of a new topic: error %d, want LEADER_NOT_AVAILABLE", got)
	}
	waitFor(t, 15*time.Second, func() error {
		m := c.roundTrip(req, 3).(*kmsg.MetadataResponse)
		mt := m.Topics[0]
		if mt.ErrorCode != 0 || len(mt.Partitions) != 3 {
			return fmt.Errorf("topic error %d, %d partitions", mt.ErrorCode, len(mt.Partitions))
		}
		for _, p := range mt.Partitions {
			if p.ErrorCode != 0 || p.Leader != 0 || len(p.ISR) != 1 {
				return fmt.Errorf("partition %+v", p)
			}
		}
		return nil
	})

	// With auto-creation refused by the request (v4+), unknown stays unknown.
	req.AllowAutoTopicCreation = false
	req.Topics[0].Topic = kmsg.StringPtr("not-created")
	if got := c.roundTrip(req, 4).(*kmsg.MetadataResponse).Topics[0].ErrorCode; got != kerr.UnknownTopicOrPartition.Code {
		t.Fatalf("error %d, want UNKNOWN_TOPIC_OR_PARTITION", got)
	}
	// An illegal name cannot be created.
	req.AllowAutoTopicCreation = true
	req.Topics[0].Topic = kmsg.StringPtr("bad/name")
	if got := c.roundTrip(req, 5).(*kmsg.MetadataResponse).Topics[0].ErrorCode; got != kerr.InvalidTopicException.Code {
		t.Fatalf("error %d, want INVALID_TOPIC_EXCEPTION", got)
	}
	// More replicas than brokers.
	req.Topics[0].Topic = kmsg.StringPtr("too-many-replicas")
	b.cfg.DefaultReplicationFactor = 3
	defer func() { b.cfg.DefaultReplicationFactor = 1 }()
	if got := c.roundTrip(req, 6).(*kmsg.MetadataResponse).Topics[0].ErrorCode; got != kerr.InvalidReplicationFactor.Code {
		t.Fatalf("error %d, want INVALID_REPLICATION_FACTOR", got)
	}
}

// franz-go's client bootstraps from the broker (ApiVersions v4 answered by
// KIP-511's v0 fallback, then Metadata v11).
func TestMetadataWithFranzGo(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	connect := zktest.Shared(t).ChrootConnect(t)
	b := startTestBroker(t, connect, 7)
	cl := newClient(t, kgo.SeedBrokers(b.addr()))
	waitFor(t, 15*time.Second, func() error {
		req := kmsg.NewPtrMetadataRequest()
		resp, err := req.RequestWith(ctx(t), cl)
		if err != nil {
			return err
		}
		if resp.ControllerID != 7 || len(resp.Brokers) != 1 || resp.Brokers[0].NodeID != 7 {
			return errors.New("broker 7 not yet known as controller")
		}
		return nil
	})
}

func portOf(t *testing.T, addr string) int {
	_, p, _ := splitHostPort(addr)
	return p
}

// Metadata from the cache alone (no ZooKeeper): a dead replica gives v0
// REPLICA_NOT_AVAILABLE with the dead broker dropped, and later versions
// the full lists without error; a dead leader gives LEADER_NOT_AVAILABLE;
// v0's empty topic list means all topics, v1's empty list none;
// __consumer_offsets is internal.
func TestMetadataFromCache(t *testing.T) {
	b, _ := newConnBroker(t)
	port := int32(portOf(t, b.addr()))
	um := kmsg.NewPtrUpdateMetadataRequest()
	um.SetVersion(7)
	um.ControllerID = 0
	lb := kmsg.NewUpdateMetadataRequestLiveBroker()
	lb.ID = 0
	ep := kmsg.NewUpdateMetadataRequestLiveBrokerEndpoint()
	ep.Host, ep.Port, ep.ListenerName = "127.0.0.1", port, "PLAINTEXT"
	lb.Endpoints = append(lb.Endpoints, ep)
	um.LiveBrokers = append(um.LiveBrokers, lb)
	for _, topic := range []string{"t", "__consumer_offsets"} {
		ts := kmsg.NewUpdateMetadataRequestTopicState()
		ts.Topic = topic
		for p, leader := range []int32{0, 1} { // broker 1 is dead
			ps := kmsg.NewUpdateMetadataRequestTopicPartition()
			ps.Partition, ps.Leader, ps.LeaderEpoch = int32(p), leader, 3
			ps.Replicas, ps.ISR = []int32{leader, 1 - leader}, []int32{leader, 1 - leader}
			ts.PartitionStates = append(ts.PartitionStates, ps)
		}
		um.TopicStates = append(um.TopicStates, ts)
	}
	b.metadata.Update(um)
	c := dialRaw(t, b.addr())

	for _, v := range []int16{0, 1, 9} {
		req := kmsg.NewPtrMetadataRequest()
		req.SetVersion(v)
		tp := kmsg.NewMetadataRequestTopic()
		tp.Topic = kmsg.StringPtr("t")
		req.Topics = append(req.Topics, tp)
		resp := c.roundTrip(req, int32(v)).(*kmsg.MetadataResponse)
		p0, p1 := resp.Topics[0].Partitions[0], resp.Topics[0].Partitions[1]
		if p1.ErrorCode != kerr.LeaderNotAvailable.Code || p1.Leader != -1 {
			t.Errorf("v%d: dead leader: %+v", v, p1)
		}
		if v == 0 {
			if p0.ErrorCode != kerr.ReplicaNotAvailable.Code || len(p0.Replicas) != 1 || len(p0.ISR) != 1 {
				t.Errorf("v0: dead follower: %+v", p0)
			}
		} else if p0.ErrorCode != 0 || len(p0.Replicas) != 2 || p0.Leader != 0 {
			t.Errorf("v%d: dead follower: %+v", v, p0)
		}
		if v >= 7 && p0.LeaderEpoch != 3 {
			t.Errorf("v%d: leader epoch %d", v, p0.LeaderEpoch)
		}
	}

	all := kmsg.NewPtrMetadataRequest()
	all.SetVersion(0)
	all.Topics = []kmsg.MetadataRequestTopic{}
	if n := len(c.roundTrip(all, 10).(*kmsg.MetadataResponse).Topics); n != 2 {
		t.Errorf("v0 with no topics listed: %d topics, want all 2", n)
	}
	all.SetVersion(1)
	resp := c.roundTrip(all, 11).(*kmsg.MetadataResponse)
	if len(resp.Topics) != 0 {
		t.Errorf("v1 with an empty list: %d topics, want none", len(resp.Topics))
	}
	all.Topics = nil // null: all
	resp = c.roundTrip(all, 12).(*kmsg.MetadataResponse)
	for _, mt := range resp.Topics {
		if mt.IsInternal != (*mt.Topic == "__consumer_offsets") {
			t.Errorf("%s: is_internal %v", *mt.Topic, mt.IsInternal)
		}
	}
	if resp.ControllerID != 0 || len(resp.Brokers) != 1 || resp.Brokers[0].Port != port {
		t.Errorf("brokers %+v controller %d", resp.Brokers, resp.ControllerID)
	}
}
