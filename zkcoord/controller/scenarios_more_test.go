package controller

import (
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"gokafka/zkcoord"
)

// The imbalance check hands leadership back to preferred replicas (controller.md §10).
func TestAutoLeaderRebalance(t *testing.T) {
	integration(t)
	c := newCluster(t)
	c.cfg = func(cfg *Config) {
		cfg.AutoLeaderRebalanceEnable = true
		cfg.FirstRebalanceDelay = 50 * time.Millisecond
		cfg.LeaderImbalanceCheckIntervalSeconds = 1
	}
	c.startBroker(0)
	c.active()
	c.startBroker(1)
	c.createTopic("foo", map[int32][]int32{0: {1, 0}})
	c.waitState("foo", 0, "created", isrIs(1, 0))
	c.killBroker(1)
	c.waitState("foo", 0, "leader 0", func(s zkcoord.PartitionState) bool { return s.Leader == 0 && slices.Equal(s.ISR, []int32{0}) })
	c.startBroker(1)
	c.leaderSetsISR("foo", 0, 0, 1) // the leader lets 1 back in
	// Broker 1 should lead 1 partition and leads none: imbalance 100% > 10%.
	c.waitState("foo", 0, "preferred leader 1 back", func(s zkcoord.PartitionState) bool { return s.Leader == 1 })
}

// Unclean election through the API: the only live replica is out of the ISR.
func TestUncleanElection(t *testing.T) {
	integration(t)
	c := newCluster(t)
	c.startBroker(0)
	ctl := c.active()
	c.startBroker(1)
	c.createTopic("foo", map[int32][]int32{0: {1, 0}})
	s := c.waitState("foo", 0, "created", isrIs(1, 0))
	c.leaderSetsISR("foo", 0, 1) // leader 1 dropped 0 from the ISR
	c.killBroker(1)
	// No clean candidate: leader -1, the ISR keeps its last member.
	s = c.waitState("foo", 0, "offline", func(s zkcoord.PartitionState) bool { return s.Leader == -1 })
	if !slices.Equal(s.ISR, []int32{1}) {
		t.Errorf("offline partition ISR %v, want [1]", s.ISR)
	}
	res, err := ctl.ctrl.ElectLeaders(true, []TopicPartition{tp("foo", 0)})
	if err != nil || res[tp("foo", 0)].Err != kerr.PreferredLeaderNotAvailable {
		t.Errorf("preferred election: %+v, %v; want PREFERRED_LEADER_NOT_AVAILABLE", res, err)
	}
	res, err = ctl.ctrl.ElectLeaders(false, []TopicPartition{tp("foo", 0)})
	if err != nil || res[tp("foo", 0)].Err != nil || res[tp("foo", 0)].Leader != 0 {
		t.Fatalf("unclean election: %+v, %v", res, err)
	}
	s, _ = c.state("foo", 0)
	if s.Leader != 0 || !slices.Equal(s.ISR, []int32{0}) {
		t.Errorf("after unclean election %+v, want leader 0 ISR [0]", s)
	}
	res, _ = ctl.ctrl.ElectLeaders(false, []TopicPartition{tp("foo", 0)})
	if res[tp("foo", 0)].Err != kerr.ElectionNotNeeded {
		t.Errorf("second unclean election: %+v, want ELECTION_NOT_NEEDED", res)
	}
}

// The topic override unclean.leader.election.enable=true makes the failure path unclean.
func TestUncleanElectionTopicOverride(t *testing.T) {
	integration(t)
	c := newCluster(t)
	c.startBroker(0)
	c.active()
	c.startBroker(1)
	if err := c.admin.CreateTopic("foo", map[int32][]int32{0: {1, 0}}, map[string]string{"unclean.leader.election.enable": "true"}, false); err != nil {
		t.Fatal(err)
	}
	c.waitState("foo", 0, "created", isrIs(1, 0))
	c.leaderSetsISR("foo", 0, 1)
	c.killBroker(1)
	c.waitState("foo", 0, "unclean leader 0", func(s zkcoord.PartitionState) bool { return s.Leader == 0 && slices.Equal(s.ISR, []int32{0}) })
}

// A replica on a dead broker makes deletion wait; it finishes once the broker is back.
func TestTopicDeletionResumesWhenBrokerReturns(t *testing.T) {
	integration(t)
	c := newCluster(t)
	c.startBroker(0)
	c.active()
	c.startBroker(1)
	c.createTopic("doomed", map[int32][]int32{0: {0, 1}})
	c.waitState("doomed", 0, "created", isrIs(0, 1))
	c.killBroker(1)
	c.waitState("doomed", 0, "1 out of the ISR", isrIs(0))
	if err := c.admin.DeleteTopic("doomed"); err != nil {
		t.Fatal(err)
	}
	ctl := c.active()
	waitFor(t, 10*time.Second, "deletion halted", func() bool {
		var ineligible bool
		if err := ctl.ctrl.call("Peek", func() { ineligible = ctl.ctrl.cc.ineligible["doomed"] }); err != nil {
			t.Fatal(err)
		}
		return ineligible
	})
	if !c.exists("/brokers/topics/doomed") {
		t.Fatal("topic deleted while a replica's broker is down")
	}
	c.startBroker(1)
	waitFor(t, 20*time.Second, "topic removed", func() bool {
		return !c.exists("/brokers/topics/doomed") && !c.exists("/admin/delete_topics/doomed")
	})
}

// The legacy /admin/reassign_partitions path: the znode is consumed as partitions complete.
func TestZkReassignment(t *testing.T) {
	integration(t)
	c := newCluster(t)
	for id := int32(0); id < 3; id++ {
		c.startBroker(id)
	}
	c.active()
	c.createTopic("foo", map[int32][]int32{0: {0, 1}})
	c.waitState("foo", 0, "created", isrIs(0, 1))
	req := zkcoord.ReassignPartitions{tp("foo", 0): {0, 2}}
	if _, err := c.admin.Create("/admin/reassign_partitions", req.Encode(), zkcoord.Persistent); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "phase A", func() bool {
		a, _ := c.admin.TopicAssignment("foo")
		return slices.Equal(a.AddingReplicas[0], []int32{2})
	})
	c.leaderSetsISR("foo", 0, 0, 1, 2)
	waitFor(t, 10*time.Second, "znode consumed and assignment [0 2]", func() bool {
		a, _ := c.admin.TopicAssignment("foo")
		return !c.exists("/admin/reassign_partitions") && slices.Equal(a.Partitions[0], []int32{0, 2})
	})
	s, _ := c.state("foo", 0)
	if s.Leader != 0 || !slices.Equal(s.ISR, []int32{0, 2}) {
		t.Errorf("after reassignment %+v, want leader 0 ISR [0 2]", s)
	}
}

// Session expiry: the controller resigns at once; the cluster ends with one controller and a
// higher epoch, and the expired broker knows who it is after re-registering.
func TestSessionExpiryResigns(t *testing.T) {
	integration(t)
	c := newCluster(t)
	b0 := c.startBroker(0)
	c.active()
	b1 := c.startBroker(1)
	b0.ctrl.OnSessionExpired()
	waitFor(t, 10*time.Second, "broker 0 to resign", func() bool { return !b0.ctrl.IsActive() })
	// What ZooKeeper does when the session really expires: the ephemeral node goes.
	if err := c.admin.Delete("/controller", -1); err != nil {
		t.Fatal(err)
	}
	b0.ctrl.OnSessionReestablished()
	waitFor(t, 10*time.Second, "a new controller", func() bool {
		return (b0.ctrl.IsActive() || b1.ctrl.IsActive()) && b0.ctrl.ActiveControllerID() == b1.ctrl.ActiveControllerID()
	})
	if b0.ctrl.IsActive() && b1.ctrl.IsActive() {
		t.Fatal("two active controllers")
	}
	epoch, _, _ := c.admin.Get("/controller_epoch")
	if string(epoch) != "2" {
		t.Errorf("/controller_epoch = %s, want 2", epoch)
	}
}

// Deleting /controller by hand (as an operator forcing a re-election does) makes every broker
// run the election; exactly one wins with the next epoch and repeats the failover.
func TestControllerZNodeDeleted(t *testing.T) {
	integration(t)
	c := newCluster(t)
	c.startBroker(0)
	c.active()
	c.startBroker(1)
	c.startBroker(2)
	c.createTopic("foo", map[int32][]int32{0: {0, 1, 2}})
	c.waitState("foo", 0, "created", isrIs(0, 1, 2))
	c.active().sync(t)
	for _, b := range c.brokers {
		b.ch.reset()
	}
	if err := c.admin.Delete("/controller", -1); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "a controller with epoch 2", func() bool {
		epoch, _, _ := c.admin.Get("/controller_epoch")
		a := c.activeOrNil()
		return string(epoch) == "2" && a != nil && a.ctrl.Epoch() == 2
	})
	a := c.active()
	for _, b := range c.brokers {
		waitFor(t, 10*time.Second, "every broker to agree", func() bool { return b.ctrl.ActiveControllerID() == a.id })
		if b != a && b.ctrl.IsActive() {
			t.Errorf("broker %d is active too", b.id)
		}
	}
	// The new controller's failover told every broker about foo-0 again (unchanged state).
	for _, id := range []int32{0, 1, 2} {
		waitFor(t, 10*time.Second, "LeaderAndIsr after re-election", func() bool { return len(a.ch.lisrFor(id, tp("foo", 0))) > 0 })
	}
	if s, _ := c.state("foo", 0); s.Leader != 0 || s.LeaderEpoch != 0 {
		t.Errorf("foo-0 %+v changed although every broker is alive", s)
	}
}
