package controller

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/zkcoord"
)

// Scenario tests against the real ZooKeeper (zktest), one chroot each. Brokers are registration
// sessions running the controller component with a recording BrokerChannel.

func integration(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
}

func tp(topic string, p int32) TopicPartition { return TopicPartition{Topic: topic, Partition: p} }

// The first broker becomes controller with epoch 1 and writes /feature; a second one sees it.
func TestControllerElectedOnFirstBroker(t *testing.T) {
	integration(t)
	c := newCluster(t)
	b0 := c.startBroker(0)
	if c.active() != b0 {
		t.Fatal("broker 0 is not the controller")
	}
	data, _, err := c.admin.Get("/controller")
	if err != nil {
		t.Fatal(err)
	}
	ci, err := zkcoord.DecodeControllerInfo(data)
	if err != nil || ci.BrokerID != 0 {
		t.Fatalf("/controller = %s (%v), want brokerid 0", data, err)
	}
	epoch, _, _ := c.admin.Get("/controller_epoch")
	if string(epoch) != "1" || b0.ctrl.Epoch() != 1 {
		t.Fatalf("/controller_epoch = %q, Epoch() = %d; want 1", epoch, b0.ctrl.Epoch())
	}
	feature, _, _ := c.admin.Get("/feature")
	if string(feature) != `{"features":{},"version":1,"status":1}` {
		t.Errorf("/feature = %s", feature)
	}
	// Failover step 5: an UpdateMetadata with only the live brokers, to itself too.
	waitFor(t, 10*time.Second, "UpdateMetadata to broker 0", func() bool { return len(b0.ch.requests(6)) > 0 })
	um := b0.ch.requests(6)[0].req.(*kmsg.UpdateMetadataRequest)
	if len(um.LiveBrokers) != 1 || um.LiveBrokers[0].ID != 0 || um.LiveBrokers[0].Endpoints[0].Port != 9092 || um.BrokerEpoch != b0.epoch {
		t.Errorf("UpdateMetadata %+v", um)
	}

	b1 := c.startBroker(1)
	waitFor(t, 10*time.Second, "broker 1 to see controller 0", func() bool { return b1.ctrl.ActiveControllerID() == 0 })
	if b1.ctrl.IsActive() {
		t.Error("broker 1 is active too")
	}
	// The controller learns of broker 1 and tells both.
	waitFor(t, 10*time.Second, "UpdateMetadata naming broker 1", func() bool {
		for _, s := range b0.ch.requests(6) {
			if s.to == 1 && len(s.req.(*kmsg.UpdateMetadataRequest).LiveBrokers) == 2 {
				return true
			}
		}
		return false
	})
}

// Topic creation (kafka-topics.sh --zookeeper path): the controller stamps a topic id, creates
// the state znodes with leader = first live replica and ISR = live replicas, sends LeaderAndIsr
// with is_new to the replicas and UpdateMetadata to all.
func TestTopicCreation(t *testing.T) {
	integration(t)
	c := newCluster(t)
	for id := int32(0); id < 3; id++ {
		c.startBroker(id)
	}
	ctl := c.active()
	c.createTopic("foo", map[int32][]int32{0: {1, 2, 0}, 1: {2, 0, 1}})

	s := c.waitState("foo", 0, "created", func(zkcoord.PartitionState) bool { return true })
	if s.Leader != 1 || s.LeaderEpoch != 0 || !slices.Equal(s.ISR, []int32{1, 2, 0}) || s.ControllerEpoch != 1 || s.ZkVersion != 0 {
		t.Errorf("foo-0 state %+v, want leader 1 epoch 0 ISR [1 2 0]", s)
	}
	s = c.waitState("foo", 1, "created", func(zkcoord.PartitionState) bool { return true })
	if s.Leader != 2 || !slices.Equal(s.ISR, []int32{2, 0, 1}) {
		t.Errorf("foo-1 state %+v", s)
	}
	var a zkcoord.TopicAssignment
	waitFor(t, 10*time.Second, "topic id", func() bool {
		var err error
		a, err = c.admin.TopicAssignment("foo")
		return err == nil && !a.TopicID.IsZero()
	})
	if len(a.TopicID.String()) != 22 {
		t.Errorf("topic id %q is not 22 characters", a.TopicID)
	}

	for _, id := range []int32{0, 1, 2} {
		waitFor(t, 10*time.Second, "LeaderAndIsr for foo-0 to broker "+strconv.Itoa(int(id)), func() bool { return len(ctl.ch.lisrFor(id, tp("foo", 0))) > 0 })
		ps := ctl.ch.lisrFor(id, tp("foo", 0))[0]
		if !ps.IsNew || ps.Leader != 1 || ps.LeaderEpoch != 0 || !slices.Equal(ps.Replicas, []int32{1, 2, 0}) {
			t.Errorf("LeaderAndIsr to %d: %+v", id, ps)
		}
		waitFor(t, 10*time.Second, "UpdateMetadata for foo-1 to broker "+strconv.Itoa(int(id)), func() bool { return len(ctl.ch.umFor(id, tp("foo", 1))) > 0 })
	}
	for _, s := range ctl.ch.requests(4) {
		r := s.req.(*kmsg.LeaderAndISRRequest)
		if r.Version != 5 || r.TopicStates[0].TopicID != [16]byte(a.TopicID) || len(r.LiveLeaders) == 0 {
			t.Errorf("LeaderAndIsr to %d: version %d topic id %v live leaders %v", s.to, r.Version, r.TopicStates[0].TopicID, r.LiveLeaders)
		}
	}
}

// A broker dies: partitions it led get the next live ISR member in assignment order with
// leader_epoch + 1, it leaves every ISR (the controller's write bumps the epoch on partitions it
// only followed too, so the leader accepts the new LeaderAndIsr), and everyone hears about it.
func TestBrokerFailureElectsFromISR(t *testing.T) {
	integration(t)
	c := newCluster(t)
	for id := int32(0); id < 3; id++ {
		c.startBroker(id)
	}
	ctl := c.active()
	if ctl.id == 1 {
		t.Skip("broker 1 won the election; the scenario kills broker 1") // never with ordered starts
	}
	c.createTopic("foo", map[int32][]int32{0: {1, 2, 0}, 1: {2, 1, 0}})
	c.waitState("foo", 0, "created", isrIs(1, 2, 0))
	c.waitState("foo", 1, "created", isrIs(2, 1, 0))
	ctl.sync(t)
	ctl.ch.reset()

	c.killBroker(1)
	s := c.waitState("foo", 0, "leader moved to 2", func(s zkcoord.PartitionState) bool { return s.Leader == 2 })
	if s.LeaderEpoch != 1 || !slices.Equal(s.ISR, []int32{2, 0}) {
		t.Errorf("foo-0 after failure %+v, want leader 2 epoch 1 ISR [2 0]", s)
	}
	s = c.waitState("foo", 1, "broker 1 out of the ISR", isrIs(2, 0))
	if s.Leader != 2 || s.LeaderEpoch != 1 {
		t.Errorf("foo-1 after failure %+v, want leader 2 epoch 1", s)
	}
	waitFor(t, 10*time.Second, "LeaderAndIsr with the new leader to broker 0", func() bool {
		for _, ps := range ctl.ch.lisrFor(0, tp("foo", 0)) {
			if ps.Leader == 2 && ps.LeaderEpoch == 1 {
				return true
			}
		}
		return false
	})
	waitFor(t, 10*time.Second, "UpdateMetadata without broker 1", func() bool {
		for _, s := range ctl.ch.requests(6) {
			r := s.req.(*kmsg.UpdateMetadataRequest)
			if s.to == 2 && len(r.LiveBrokers) == 2 {
				return true
			}
		}
		return false
	})
	for _, s := range ctl.ch.requests(-1) {
		if s.to == 1 {
			t.Errorf("%s sent to dead broker 1", kmsg.NameForKey(s.req.Key()))
		}
	}

}

// The controller znode goes away (the controller's session ended): another broker takes over
// with epoch + 1 and rebuilds its view from ZooKeeper.
func TestControllerFailover(t *testing.T) {
	integration(t)
	c := newCluster(t)
	c.startBroker(0)
	first := c.active()
	c.startBroker(1)
	c.startBroker(2)
	c.createTopic("foo", map[int32][]int32{0: {0, 1, 2}})
	c.waitState("foo", 0, "created", isrIs(0, 1, 2))

	c.killBroker(first.id)
	next := c.active()
	if next.ctrl.Epoch() != first.ctrl.Epoch()+1 {
		t.Errorf("new epoch %d, want %d", next.ctrl.Epoch(), first.ctrl.Epoch()+1)
	}
	epoch, _, _ := c.admin.Get("/controller_epoch")
	if string(epoch) != strconv.Itoa(int(next.ctrl.Epoch())) {
		t.Errorf("/controller_epoch = %s, want %d", epoch, next.ctrl.Epoch())
	}
	for _, b := range c.brokers {
		waitFor(t, 10*time.Second, "every broker to know the new controller", func() bool { return b.ctrl.ActiveControllerID() == next.id })
	}
	// The dead controller led foo-0. As in Kafka's failover, its replica goes Offline first (out
	// of the ISR, leader -1: epoch 1), then the offline partition gets a leader (epoch 2), both
	// written under the new controller epoch.
	s := c.waitState("foo", 0, "new leader", func(s zkcoord.PartitionState) bool { return s.Leader != first.id && s.Leader != -1 })
	if s.ControllerEpoch != next.ctrl.Epoch() || s.LeaderEpoch != 2 || s.Leader != 1 || !slices.Equal(s.ISR, []int32{1, 2}) {
		t.Errorf("foo-0 %+v, want leader 1 ISR [1 2] controller_epoch %d leader_epoch 2", s, next.ctrl.Epoch())
	}
	// Failover sends each live broker a LeaderAndIsr for its replicas.
	for _, id := range []int32{1, 2} {
		waitFor(t, 10*time.Second, "LeaderAndIsr after failover", func() bool { return len(next.ch.lisrFor(id, tp("foo", 0))) > 0 })
	}
}

// Another controller bumped /controller_epoch: this controller's next write fails its check on
// the epoch's zkVersion, changes nothing, and the controller resigns.
func TestFencedWriteResigns(t *testing.T) {
	integration(t)
	c := newCluster(t)
	b0 := c.startBroker(0)
	c.active()
	c.createTopic("foo", map[int32][]int32{0: {0}})
	before := c.waitState("foo", 0, "created", isrIs(0))

	// Hold the event goroutine, queue a controller write behind it, then let "broker 9" win an
	// election in one transaction, as it would after our session had (briefly) expired.
	hold, wrote := make(chan struct{}), make(chan struct{})
	b0.ctrl.enqueue(event{name: "Hold", fn: func() { <-hold }})
	b0.ctrl.enqueue(event{name: "Write", fn: func() {
		defer close(wrote)
		b0.ctrl.electLeaders([]TopicPartition{tp("foo", 0)}, electOffline)
	}})
	_, st, _ := c.admin.Get("/controller_epoch")
	if _, err := c.admin.Multi(
		zkcoord.DeleteOp("/controller", -1),
		zkcoord.CreateOp("/controller", zkcoord.ControllerInfo{BrokerID: 9}.Encode(), zkcoord.Ephemeral),
		zkcoord.SetDataOp("/controller_epoch", []byte("2"), st.Version),
	); err != nil {
		t.Fatal(err)
	}
	close(hold)
	<-wrote
	waitFor(t, 10*time.Second, "broker 0 to resign", func() bool { return !b0.ctrl.IsActive() && b0.ctrl.ActiveControllerID() == 9 })
	after, _ := c.state("foo", 0)
	if after.ZkVersion != before.ZkVersion || after.LeaderEpoch != before.LeaderEpoch {
		t.Errorf("fenced write went through: %+v → %+v", before, after)
	}
}

// Deletion: StopReplica(delete) to every replica, then the topic's znodes go.
func TestTopicDeletion(t *testing.T) {
	integration(t)
	c := newCluster(t)
	for id := int32(0); id < 2; id++ {
		c.startBroker(id)
	}
	ctl := c.active()
	c.createTopic("doomed", map[int32][]int32{0: {0, 1}, 1: {1, 0}})
	c.waitState("doomed", 1, "created", isrIs(1, 0))
	if err := c.admin.DeleteTopic("doomed"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "topic znodes removed", func() bool {
		return !c.exists("/brokers/topics/doomed") && !c.exists("/config/topics/doomed") && !c.exists("/admin/delete_topics/doomed")
	})
	for _, id := range []int32{0, 1} {
		var deletes int
		for _, s := range ctl.ch.requests(5) {
			if s.to != id {
				continue
			}
			for _, t := range s.req.(*kmsg.StopReplicaRequest).Topics {
				for _, p := range t.PartitionStates {
					if p.Delete && p.LeaderEpoch == -2 {
						deletes++
					}
				}
			}
		}
		if deletes != 2 {
			t.Errorf("broker %d got %d StopReplica(delete) partitions, want 2", id, deletes)
		}
	}
	// Brokers were told to drop it from metadata (leader -2) first.
	if ums := ctl.ch.umFor(0, tp("doomed", 0)); len(ums) == 0 || ums[len(ums)-1].Leader != -2 {
		t.Errorf("no UpdateMetadata with leader -2: %+v", ums)
	}
}

// A broker failing StopReplica blocks deletion (the topic stays, marker kept).
func TestTopicDeletionWaitsForStopReplica(t *testing.T) {
	integration(t)
	c := newCluster(t)
	b0 := c.startBroker(0)
	c.active()
	b0.ch.mu.Lock()
	b0.ch.failStopReplica = true
	b0.ch.mu.Unlock()
	c.createTopic("sticky", map[int32][]int32{0: {0}})
	c.waitState("sticky", 0, "created", isrIs(0))
	if err := c.admin.DeleteTopic("sticky"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "StopReplica(delete)", func() bool { return len(b0.ch.requests(5)) > 0 })
	waitFor(t, 10*time.Second, "the failed StopReplica to make the topic ineligible", func() bool {
		var ineligible bool
		if err := b0.ctrl.call("Peek", func() { ineligible = b0.ctrl.cc.ineligible["sticky"] }); err != nil {
			t.Fatal(err)
		}
		return ineligible
	})
	if !c.exists("/brokers/topics/sticky") || !c.exists("/admin/delete_topics/sticky") {
		t.Error("topic deleted although its replica failed to delete")
	}
}

func TestTopicDeletionDisabled(t *testing.T) {
	integration(t)
	c := newCluster(t)
	c.cfg = func(cfg *Config) { cfg.DeleteTopicEnable = false }
	c.startBroker(0)
	c.active()
	c.createTopic("kept", map[int32][]int32{0: {0}})
	c.waitState("kept", 0, "created", isrIs(0))
	if err := c.admin.DeleteTopic("kept"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "marker removed", func() bool { return !c.exists("/admin/delete_topics/kept") })
	if !c.exists("/brokers/topics/kept") {
		t.Error("topic deleted although delete.topic.enable=false")
	}
}

// Controlled shutdown moves leadership off the broker, drops it from every ISR and reports the
// replicated partitions it still leads (none here; RF 1 partitions are not reported, as Kafka).
func TestControlledShutdown(t *testing.T) {
	integration(t)
	c := newCluster(t)
	for id := int32(0); id < 3; id++ {
		c.startBroker(id)
	}
	ctl := c.active()
	c.createTopic("foo", map[int32][]int32{0: {1, 2, 0}, 1: {2, 1, 0}})
	c.createTopic("single", map[int32][]int32{0: {1}})
	c.waitState("foo", 0, "created", isrIs(1, 2, 0))
	c.waitState("foo", 1, "created", isrIs(2, 1, 0))
	c.waitState("single", 0, "created", isrIs(1))

	if _, err := ctl.ctrl.ControlledShutdown(1, c.brokers[1].epoch-1); err != ErrStaleBrokerEpoch {
		t.Errorf("stale epoch: err %v, want ErrStaleBrokerEpoch", err)
	}
	if _, err := ctl.ctrl.ControlledShutdown(7, -1); err != ErrBrokerNotAvailable {
		t.Errorf("unknown broker: err %v, want ErrBrokerNotAvailable", err)
	}
	other := c.brokers[(ctl.id+1)%3]
	if _, err := other.ctrl.ControlledShutdown(1, -1); err != ErrNotController {
		t.Errorf("non-controller: err %v, want ErrNotController", err)
	}

	remaining, err := ctl.ctrl.ControlledShutdown(1, c.brokers[1].epoch)
	if err != nil || len(remaining) != 0 {
		t.Fatalf("ControlledShutdown = %v, %v; want no remaining partitions", remaining, err)
	}
	s, _ := c.state("foo", 0)
	if s.Leader != 2 || !slices.Equal(s.ISR, []int32{2, 0}) || s.LeaderEpoch != 1 {
		t.Errorf("foo-0 %+v, want leader 2 ISR [2 0] epoch 1", s)
	}
	s, _ = c.state("foo", 1)
	if s.Leader != 2 || !slices.Equal(s.ISR, []int32{2, 0}) || s.LeaderEpoch != 1 {
		t.Errorf("foo-1 %+v, want leader 2 ISR [2 0] epoch 1", s)
	}
	if s, _ := c.state("single", 0); s.Leader != 1 {
		t.Errorf("single-0 %+v: RF 1 partitions keep their leader", s)
	}
	// The follower replica was stopped without deletion.
	stopped := false
	for _, r := range ctl.ch.requests(5) {
		if r.to == 1 {
			for _, t := range r.req.(*kmsg.StopReplicaRequest).Topics {
				if t.Topic == "foo" && !t.PartitionStates[0].Delete {
					stopped = true
				}
			}
		}
	}
	if !stopped {
		t.Error("no StopReplica(delete=false) to broker 1 for foo-1")
	}
}

// A broker coming back gets the full metadata and LeaderAndIsr for its replicas; a preferred
// election then hands leadership back (ElectLeaders API).
func TestBrokerRestartAndPreferredElection(t *testing.T) {
	integration(t)
	c := newCluster(t)
	c.startBroker(0)
	ctl := c.active()
	c.startBroker(1)
	c.createTopic("foo", map[int32][]int32{0: {1, 0}, 1: {0, 1}})
	c.waitState("foo", 0, "created", isrIs(1, 0))
	c.killBroker(1)
	c.waitState("foo", 0, "leader 0", func(s zkcoord.PartitionState) bool { return s.Leader == 0 && slices.Equal(s.ISR, []int32{0}) })

	ctl.sync(t)
	ctl.ch.reset()
	c.startBroker(1)
	waitFor(t, 10*time.Second, "full UpdateMetadata to the new broker", func() bool { return len(ctl.ch.umFor(1, tp("foo", 1))) > 0 })
	waitFor(t, 10*time.Second, "LeaderAndIsr to the new broker", func() bool {
		ps := ctl.ch.lisrFor(1, tp("foo", 0))
		return len(ps) > 0 && ps[0].Leader == 0
	})
	// The leader would add 1 back to the ISR; do it as the leader does (direct path).
	c.leaderSetsISR("foo", 0, 0, 1)

	res, err := ctl.ctrl.ElectLeaders(true, []TopicPartition{tp("foo", 0), tp("foo", 1), tp("nope", 0)})
	if err != nil {
		t.Fatal(err)
	}
	if r := res[tp("foo", 0)]; r.Err != nil || r.Leader != 1 {
		t.Errorf("foo-0: %+v, want leader 1", r)
	}
	if r := res[tp("foo", 1)]; r.Err != kerr.ElectionNotNeeded {
		t.Errorf("foo-1: %+v, want ELECTION_NOT_NEEDED", r)
	}
	if r := res[tp("nope", 0)]; r.Err != kerr.UnknownTopicOrPartition {
		t.Errorf("nope-0: %+v, want UNKNOWN_TOPIC_OR_PARTITION", r)
	}
	if s, _ := c.state("foo", 0); s.Leader != 1 || s.LeaderEpoch != 2 {
		t.Errorf("foo-0 %+v, want leader 1 epoch 2", s)
	}
}

// Leaders write ISR changes themselves and leave a notification; the controller re-reads the
// state, tells every broker with UpdateMetadata and deletes the notification.
func TestIsrChangeNotification(t *testing.T) {
	integration(t)
	c := newCluster(t)
	c.startBroker(0)
	ctl := c.active()
	c.startBroker(1)
	c.createTopic("foo", map[int32][]int32{0: {0, 1}})
	s := c.waitState("foo", 0, "created", isrIs(0, 1))
	c.leaderSetsISR("foo", 0, 0)
	waitFor(t, 10*time.Second, "UpdateMetadata with the shrunk ISR", func() bool {
		for _, ps := range ctl.ch.umFor(1, tp("foo", 0)) {
			if slices.Equal(ps.ISR, []int32{0}) && ps.ZKVersion == s.ZkVersion+1 && ps.LeaderEpoch == 0 {
				return true
			}
		}
		return false
	})
	waitFor(t, 10*time.Second, "notification deleted", func() bool {
		kids, err := c.admin.Children(zkcoord.IsrChangeNotificationPath)
		return err == nil && len(kids) == 0
	})
}

// kafka-topics.sh --alter --partitions: new partitions come online.
func TestPartitionAddition(t *testing.T) {
	integration(t)
	c := newCluster(t)
	c.startBroker(0)
	c.startBroker(1)
	c.active()
	c.createTopic("foo", map[int32][]int32{0: {0, 1}})
	c.waitState("foo", 0, "created", isrIs(0, 1))
	if _, err := c.admin.AddPartitions("foo", []zkcoord.BrokerMeta{{ID: 0}, {ID: 1}}, 3, nil); err != nil {
		t.Fatal(err)
	}
	for p := int32(1); p < 3; p++ {
		s := c.waitState("foo", p, "created", func(zkcoord.PartitionState) bool { return true })
		if len(s.ISR) != 2 || s.LeaderEpoch != 0 {
			t.Errorf("foo-%d %+v", p, s)
		}
	}
}

// The legacy /admin/preferred_replica_election znode is processed and deleted.
func TestPreferredReplicaElectionZNode(t *testing.T) {
	integration(t)
	c := newCluster(t)
	c.startBroker(0)
	c.startBroker(1)
	c.active()
	c.createTopic("foo", map[int32][]int32{0: {1, 0}})
	c.waitState("foo", 0, "created", isrIs(1, 0))
	// Broker 1 fails and returns; its leader (0) lets it back into the ISR.
	c.killBroker(1)
	c.waitState("foo", 0, "leader 0", func(s zkcoord.PartitionState) bool { return s.Leader == 0 && slices.Equal(s.ISR, []int32{0}) })
	c.startBroker(1)
	c.leaderSetsISR("foo", 0, 0, 1)
	if _, err := c.admin.Create("/admin/preferred_replica_election", zkcoord.EncodePreferredReplicaElection([]zkcoord.TopicPartition{tp("foo", 0)}), zkcoord.Persistent); err != nil {
		t.Fatal(err)
	}
	c.waitState("foo", 0, "preferred leader back", func(s zkcoord.PartitionState) bool { return s.Leader == 1 && s.LeaderEpoch == 2 })
	waitFor(t, 10*time.Second, "znode deleted", func() bool { return !c.exists("/admin/preferred_replica_election") })
}

// KIP-455 reassignment through the API: [0,1] → [1,2]. Phase A writes RS/AR/RR and starts the
// new replica; once the leader reports 2 in the ISR, phase B finishes the move.
func TestReassignment(t *testing.T) {
	integration(t)
	c := newCluster(t)
	for id := int32(0); id < 3; id++ {
		c.startBroker(id)
	}
	ctl := c.active()
	c.createTopic("foo", map[int32][]int32{0: {0, 1}})
	c.waitState("foo", 0, "created", isrIs(0, 1))

	errs, err := ctl.ctrl.AlterPartitionReassignments(map[TopicPartition][]int32{tp("foo", 0): {1, 2}, tp("foo", 9): {1}})
	if err != nil || errs[tp("foo", 0)] != nil || errs[tp("foo", 9)] == nil {
		t.Fatalf("AlterPartitionReassignments = %v, %v", errs, err)
	}
	a, _ := c.admin.TopicAssignment("foo")
	if !slices.Equal(a.Partitions[0], []int32{1, 2, 0}) || !slices.Equal(a.AddingReplicas[0], []int32{2}) || !slices.Equal(a.RemovingReplicas[0], []int32{0}) {
		t.Errorf("phase A assignment %+v", a)
	}
	list, _ := ctl.ctrl.ListPartitionReassignments(nil)
	if r, ok := list[tp("foo", 0)]; !ok || !slices.Equal(r.Adding, []int32{2}) {
		t.Errorf("ListPartitionReassignments = %+v", list)
	}
	if ps := ctl.ch.lisrFor(2, tp("foo", 0)); len(ps) == 0 || !slices.Equal(ps[0].AddingReplicas, []int32{2}) {
		t.Errorf("no LeaderAndIsr with adding_replicas to broker 2: %+v", ps)
	}
	// The leader (0) sees 2 catch up and writes the ISR (the data watch fires).
	c.leaderSetsISR("foo", 0, 0, 1, 2)
	s := c.waitState("foo", 0, "leader moved into the target set", func(s zkcoord.PartitionState) bool { return s.Leader == 1 })
	if slices.Contains(s.ISR, 0) {
		t.Errorf("foo-0 %+v: removed replica 0 still in the ISR", s)
	}
	waitFor(t, 10*time.Second, "assignment [1 2]", func() bool {
		a, _ = c.admin.TopicAssignment("foo")
		return slices.Equal(a.Partitions[0], []int32{1, 2}) && len(a.AddingReplicas) == 0 && len(a.RemovingReplicas) == 0
	})
	list, _ = ctl.ctrl.ListPartitionReassignments(nil)
	if len(list) != 0 {
		t.Errorf("still reassigning: %+v", list)
	}
	// Cancelling with nothing in progress.
	errs, _ = ctl.ctrl.AlterPartitionReassignments(map[TopicPartition][]int32{tp("foo", 0): nil})
	if errs[tp("foo", 0)] == nil {
		t.Error("cancel without a reassignment succeeded")
	}
}
