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
