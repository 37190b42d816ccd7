package controller

import (
	"testing"

	"gokafka/zkcoord"
)

// A partition whose only ISR member died stays offline while a live replica
// outside the ISR exists and unclean election is disabled; once the topic's
// unclean.leader.election.enable override is set and every broker calls
// EnableTopicUncleanLeaderElection, the active controller elects that
// replica, alone in the ISR.
func TestTopicUncleanLeaderElectionEnable(t *testing.T) {
	integration(t)
	c := newCluster(t)
	for id := int32(0); id < 3; id++ {
		c.startBroker(id)
	}
	ctl := c.active()
	if ctl.id != 0 {
		t.Skip("broker 0 did not win the election") // never with ordered starts
	}
	c.createTopic("foo", map[int32][]int32{0: {1, 2}})
	c.waitState("foo", 0, "created", isrIs(1, 2))
	c.leaderSetsISR("foo", 0, 1) // broker 2 fell behind
	c.waitState("foo", 0, "shrunk", isrIs(1))

	c.killBroker(1)
	s := c.waitState("foo", 0, "offline", func(s zkcoord.PartitionState) bool { return s.Leader == -1 })
	if !isrIs(1)(s) {
		t.Errorf("offline state %+v, want ISR [1] (ZooKeeper's ISR is never emptied)", s)
	}
	// Without the override the trigger changes nothing.
	for _, b := range c.brokers {
		b.ctrl.EnableTopicUncleanLeaderElection("foo")
	}
	ctl.sync(t)
	if s, _ := c.state("foo", 0); s.Leader != -1 {
		t.Fatalf("elected %d with unclean election disabled", s.Leader)
	}

	if err := c.admin.SetEntityConfig("topics", "foo", map[string]string{"unclean.leader.election.enable": "true"}); err != nil {
		t.Fatal(err)
	}
	for _, b := range c.brokers {
		b.ctrl.EnableTopicUncleanLeaderElection("foo")
	}
	s = c.waitState("foo", 0, "unclean leader 2", func(s zkcoord.PartitionState) bool { return s.Leader == 2 })
	if !isrIs(2)(s) || s.LeaderEpoch != 2 {
		t.Errorf("after unclean election %+v, want leader 2 alone in the ISR, epoch 2", s)
	}
}
