package broker

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// UpdateMetadata of every layout fills the cache the same way: v0 brokers
// have host/port only (PLAINTEXT), v1-v2 name endpoints by security
// protocol, v3+ by listener; v5+ group partitions by topic.
func TestMetadataCacheUpdateVersions(t *testing.T) {
	for _, v := range []int16{0, 2, 4, 5, 7} {
		req := kmsg.NewPtrUpdateMetadataRequest()
		req.SetVersion(v)
		req.ControllerID = 2
		lb := kmsg.NewUpdateMetadataRequestLiveBroker()
		lb.ID = 2
		if v == 0 {
			lb.Host, lb.Port = "h", 9092
		} else {
			ep := kmsg.NewUpdateMetadataRequestLiveBrokerEndpoint()
			ep.Host, ep.Port, ep.SecurityProtocol = "h", 9092, 0
			if v >= 3 {
				ep.ListenerName = "PLAINTEXT"
			}
			lb.Endpoints = append(lb.Endpoints, ep)
		}
		req.LiveBrokers = append(req.LiveBrokers, lb)
		p := kmsg.NewUpdateMetadataRequestTopicPartition()
		p.Partition, p.Leader, p.LeaderEpoch, p.ISR, p.Replicas = 1, 2, 7, []int32{2}, []int32{2, 3}
		p.OfflineReplicas = []int32{3}
		if v >= 5 {
			ts := kmsg.NewUpdateMetadataRequestTopicState()
			ts.Topic = "t"
			ts.TopicID = [16]byte{1}
			ts.PartitionStates = append(ts.PartitionStates, p)
			req.TopicStates = append(req.TopicStates, ts)
		} else {
			p.Topic = "t"
			req.PartitionStates = append(req.PartitionStates, p)
		}

		// Through the wire format, as the controller sends it.
		dec := kmsg.NewPtrUpdateMetadataRequest()
		dec.SetVersion(v)
		if err := dec.ReadFrom(req.AppendTo(nil)); err != nil {
			t.Fatalf("v%d: %v", v, err)
		}
		m := newMetadataCache(2)
		changed := m.Changed()
		m.Update(dec)
		select {
		case <-changed:
		default:
			t.Errorf("v%d: Changed not signalled", v)
		}
		if m.ControllerID() != 2 {
			t.Errorf("v%d: controller %d", v, m.ControllerID())
		}
		cb, ok := m.Broker(2)
		if !ok || cb.Endpoints["PLAINTEXT"].Host != "h" || cb.Endpoints["PLAINTEXT"].Port != 9092 {
			t.Errorf("v%d: broker %+v", v, cb)
		}
		ps, ok := m.Partition("t", 1)
		if !ok || ps.Leader != 2 || ps.LeaderEpoch != 7 || len(ps.Replicas) != 2 {
			t.Errorf("v%d: partition %+v", v, ps)
		}
		if v >= 4 && (len(ps.OfflineReplicas) != 1 || ps.OfflineReplicas[0] != 3) {
			t.Errorf("v%d: offline replicas %v", v, ps.OfflineReplicas)
		}
		if v >= 7 && m.TopicID("t") != [16]byte{1} {
			t.Errorf("v%d: topic id %v", v, m.TopicID("t"))
		}
	}
}

// A partition with leader -2 belongs to a topic being deleted: it leaves
// the cache (and the topic with its last partition), and is reported.
func TestMetadataCacheDeletion(t *testing.T) {
	m := newMetadataCache(0)
	upd := func(leaders ...int32) []PartitionState {
		req := kmsg.NewPtrUpdateMetadataRequest()
		req.SetVersion(7)
		ts := kmsg.NewUpdateMetadataRequestTopicState()
		ts.Topic = "gone"
		for i, l := range leaders {
			p := kmsg.NewUpdateMetadataRequestTopicPartition()
			p.Partition, p.Leader = int32(i), l
			ts.PartitionStates = append(ts.PartitionStates, p)
		}
		req.TopicStates = append(req.TopicStates, ts)
		return m.Update(req)
	}
	upd(0, 0)
	if m.PartitionCount("gone") != 2 || len(m.Topics()) != 1 {
		t.Fatal("topic not cached")
	}
	deleted := upd(-2, -2)
	if len(deleted) != 2 || m.Contains("gone") || len(m.Topics()) != 0 {
		t.Fatalf("deleted %v, still there: %v", deleted, m.Contains("gone"))
	}
}
