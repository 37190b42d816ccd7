package controller

import (
	"slices"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/zkcoord"
)

// testContext is a controller context with brokers 0..n-1 live (epoch 100+id, PLAINTEXT on
// 9092+id, an INTERNAL SSL listener, rack "r<id>") and controller epoch 3.
func testContext(n int32) *controllerContext {
	cc := newContext()
	cc.epoch = 3
	for id := int32(0); id < n; id++ {
		info := zkcoord.BrokerInfo{ID: id, Rack: "r" + itoa(id), Endpoints: []zkcoord.EndPoint{
			{ListenerName: "PLAINTEXT", Host: "127.0.0.1", Port: 9092 + id, SecurityProtocol: "PLAINTEXT"},
			{ListenerName: "INTERNAL", Host: "10.0.0.1", Port: 19092 + id, SecurityProtocol: "SSL"},
		}}
		cc.live[id] = newLiveBroker(info, 100+int64(id))
	}
	return cc
}

func TestLeaderAndIsrRequest(t *testing.T) {
	cc := testContext(3)
	id := zkcoord.NewTopicID()
	cc.topics["foo"] = &topicInfo{id: id, partitions: map[int32]assignment{
		0: {Replicas: []int32{1, 2, 0}},
		1: {Replicas: []int32{2, 0, 1}, Adding: []int32{0}, Removing: []int32{}},
	}}
	st0 := leaderIsr{Leader: 1, LeaderEpoch: 0, ISR: []int32{1, 2, 0}, ControllerEpoch: 3, ZkVersion: 0}
	st1 := leaderIsr{Leader: 2, LeaderEpoch: 4, ISR: []int32{2, 1}, ControllerEpoch: 2, ZkVersion: 9}
	tp0, tp1 := TopicPartition{Topic: "foo", Partition: 0}, TopicPartition{Topic: "foo", Partition: 1}
	cc.leadership[tp0], cc.leadership[tp1] = st0, st1

	b := newRequestBatch()
	b.addLeaderAndIsr(cc, []int32{1, 2, 0}, tp0, st0, cc.topics["foo"].partitions[0], true)
	b.addLeaderAndIsr(cc, []int32{0}, tp1, st1, cc.topics["foo"].partitions[1], false)
	out := b.build(cc, 7, "INTERNAL")

	// LeaderAndIsr to 0, 1, 2 (sorted), then UpdateMetadata to all three.
	var kinds []string
	for _, o := range out {
		kinds = append(kinds, kmsg.NameForKey(o.req.Key())+"→"+itoa(o.broker))
	}
	want := []string{"LeaderAndISR→0", "LeaderAndISR→1", "LeaderAndISR→2", "UpdateMetadata→0", "UpdateMetadata→1", "UpdateMetadata→2"}
	if !slices.Equal(kinds, want) {
		t.Fatalf("requests %v, want %v", kinds, want)
	}
	req := out[0].req.(*kmsg.LeaderAndISRRequest)
	if req.Version != 5 || req.ControllerID != 7 || req.ControllerEpoch != 3 || req.BrokerEpoch != 100 || req.Type != 0 {
		t.Errorf("header: version %d controller %d epoch %d broker epoch %d type %d", req.Version, req.ControllerID, req.ControllerEpoch, req.BrokerEpoch, req.Type)
	}
	if len(req.TopicStates) != 1 || req.TopicStates[0].Topic != "foo" || req.TopicStates[0].TopicID != id {
		t.Fatalf("topic states %+v", req.TopicStates)
	}
	ps := req.TopicStates[0].PartitionStates
	if len(ps) != 2 {
		t.Fatalf("broker 0 got %d partitions, want 2", len(ps))
	}
	if p := ps[0]; p.Partition != 0 || p.Leader != 1 || p.LeaderEpoch != 0 || !slices.Equal(p.ISR, []int32{1, 2, 0}) ||
		!slices.Equal(p.Replicas, []int32{1, 2, 0}) || !p.IsNew || p.ControllerEpoch != 3 || p.ZKVersion != 0 {
		t.Errorf("partition 0 state %+v", p)
	}
	if p := ps[1]; p.Partition != 1 || p.Leader != 2 || p.LeaderEpoch != 4 || p.ZKVersion != 9 || p.ControllerEpoch != 2 ||
		p.IsNew || !slices.Equal(p.AddingReplicas, []int32{0}) {
		t.Errorf("partition 1 state %+v", p)
	}
	// live_leaders: the leaders mentioned, on the inter-broker listener.
	var leaders []string
	for _, l := range req.LiveLeaders {
		leaders = append(leaders, itoa(l.BrokerID)+"@"+l.Host+":"+itoa(l.Port))
	}
	if !slices.Equal(leaders, []string{"1@10.0.0.1:19093", "2@10.0.0.1:19094"}) {
		t.Errorf("live leaders %v", leaders)
	}

	um := out[3].req.(*kmsg.UpdateMetadataRequest)
	if um.Version != 7 || um.ControllerID != 7 || um.ControllerEpoch != 3 || um.BrokerEpoch != 100 {
		t.Errorf("UpdateMetadata header %+v", um)
	}
	if len(um.TopicStates) != 1 || um.TopicStates[0].TopicID != id || len(um.TopicStates[0].PartitionStates) != 2 {
		t.Fatalf("UpdateMetadata topics %+v", um.TopicStates)
	}
	if len(um.LiveBrokers) != 3 {
		t.Fatalf("live brokers %+v", um.LiveBrokers)
	}
	lb := um.LiveBrokers[2]
	if lb.ID != 2 || lb.Rack == nil || *lb.Rack != "r2" || len(lb.Endpoints) != 2 ||
		lb.Endpoints[0].Port != 9094 || lb.Endpoints[0].Host != "127.0.0.1" || lb.Endpoints[0].ListenerName != "PLAINTEXT" || lb.Endpoints[0].SecurityProtocol != 0 ||
		lb.Endpoints[1].SecurityProtocol != 1 || lb.Endpoints[1].ListenerName != "INTERNAL" {
		t.Errorf("live broker 2 %+v", lb)
	}
	if !b.empty() {
		// build does not reset; sendBatch does.
		b.reset()
	}
}

// Brokers that are down show up as offline replicas; a topic being deleted is announced with
// leader -2 and StopReplica carries leader epoch -2.
func TestUpdateMetadataOfflineAndDeletion(t *testing.T) {
	cc := testContext(2) // broker 2 is not live
	cc.topics["gone"] = &topicInfo{partitions: map[int32]assignment{0: {Replicas: []int32{0, 2}}}}
	tp := TopicPartition{Topic: "gone", Partition: 0}
	cc.leadership[tp] = leaderIsr{Leader: 0, LeaderEpoch: 5, ISR: []int32{0}, ControllerEpoch: 3}

	b := newRequestBatch()
	b.addUpdateMetadata(cc, cc.liveOrShuttingDownIDs(), []TopicPartition{tp})
	um := b.build(cc, 0, "PLAINTEXT")[0].req.(*kmsg.UpdateMetadataRequest)
	p := um.TopicStates[0].PartitionStates[0]
	if p.Leader != 0 || !slices.Equal(p.OfflineReplicas, []int32{2}) {
		t.Errorf("leader %d offline %v, want 0 and [2]", p.Leader, p.OfflineReplicas)
	}

	cc.toDelete["gone"] = true
	b = newRequestBatch()
	b.addUpdateMetadata(cc, []int32{1}, []TopicPartition{tp})
	b.addStopReplica(cc, []int32{0}, tp, false)
	b.addStopReplica(cc, []int32{0}, tp, true)
	b.addStopReplica(cc, []int32{0}, tp, false) // delete stays requested
	out := b.build(cc, 0, "PLAINTEXT")
	if len(out) != 2 {
		t.Fatalf("%d requests, want UpdateMetadata and StopReplica", len(out))
	}
	um = out[0].req.(*kmsg.UpdateMetadataRequest)
	if l := um.TopicStates[0].PartitionStates[0].Leader; l != -2 {
		t.Errorf("leader during delete = %d, want -2", l)
	}
	sr := out[1].req.(*kmsg.StopReplicaRequest)
	if sr.Version != 3 || sr.BrokerEpoch != 100 || sr.ControllerEpoch != 3 || len(sr.Topics) != 1 {
		t.Fatalf("StopReplica %+v", sr)
	}
	ps := sr.Topics[0].PartitionStates[0]
	if !ps.Delete || ps.LeaderEpoch != -2 || ps.Partition != 0 {
		t.Errorf("StopReplica partition %+v, want delete with epoch -2", ps)
	}
	if !slices.Equal(out[1].stopDeletes, []TopicPartition{tp}) {
		t.Errorf("stopDeletes %v", out[1].stopDeletes)
	}
}

// Requests to brokers that are not registered are dropped, not queued.
func TestBatchSkipsDeadBrokers(t *testing.T) {
	cc := testContext(1)
	cc.topics["t"] = &topicInfo{partitions: map[int32]assignment{0: {Replicas: []int32{0, 5}}}}
	tp := TopicPartition{Topic: "t", Partition: 0}
	st := leaderIsr{Leader: 0, ISR: []int32{0}}
	cc.leadership[tp] = st
	b := newRequestBatch()
	b.addLeaderAndIsr(cc, []int32{0, 5}, tp, st, cc.topics["t"].partitions[0], false)
	b.addStopReplica(cc, []int32{5}, tp, false)
	for _, o := range b.build(cc, 0, "PLAINTEXT") {
		if o.broker != 0 {
			t.Errorf("request %s for unregistered broker %d", kmsg.NameForKey(o.req.Key()), o.broker)
		}
	}
}
