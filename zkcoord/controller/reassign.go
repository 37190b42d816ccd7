package controller

import (
	"errors"
	"fmt"
	"slices"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kerr"
	"go.uber.org/zap"

	"gokafka/zkcoord"
)

// Partition reassignment (controller.md §13, KIP-455; Kafka's onPartitionReassignment).
// ORS = origin replicas, TRS = target, RS = full set while moving, AR = adding, RR = removing.

// reassignTo is the assignment that moves a (possibly already moving) partition to target:
// RS = TRS followed by the ORS members not in TRS (Kafka's ReplicaAssignment.reassignTo).
func reassignTo(cur assignment, target []int32) assignment {
	origin := cur.origin()
	rs := slices.Clone(target)
	for _, r := range origin {
		if !slices.Contains(rs, r) {
			rs = append(rs, r)
		}
	}
	return assignment{Replicas: rs, Adding: without(rs, origin), Removing: without(rs, target)}
}

// Reassignment is a partition's replica sets as ListPartitionReassignments reports them.
type Reassignment struct {
	Replicas, Adding, Removing []int32
}

// AlterPartitionReassignments serves the AlterPartitionReassignments API (key 45). A nil target
// cancels the partition's reassignment. It returns an error per partition (nil or *kerr.Error)
// and blocks until the reassignments are started (not completed).
func (c *Controller) AlterPartitionReassignments(targets map[TopicPartition][]int32) (map[TopicPartition]error, error) {
	var (
		out map[TopicPartition]error
		err error
	)
	cerr := c.call("ApiPartitionReassignment", func() {
		if !c.active.Load() {
			err = ErrNotController
			return
		}
		out = map[TopicPartition]error{}
		for _, tp := range sortedTPKeys(targets) {
			out[tp] = c.apiReassign(tp, targets[tp])
		}
		c.sendBatch(c.batch)
		if c.moved {
			err = ErrNotController
		}
	})
	if cerr != nil {
		return nil, cerr
	}
	return out, err
}

func (c *Controller) apiReassign(tp TopicPartition, target []int32) error {
	cur, ok := c.cc.assignmentOf(tp)
	if !ok || c.cc.toDelete[tp.Topic] {
		return kerr.UnknownTopicOrPartition
	}
	if target == nil {
		if !c.cc.reassigning[tp] {
			return kerr.NoReassignmentInProgress
		}
		target = cur.origin()
	} else if err := c.validateTarget(cur, target); err != nil {
		return err
	}
	c.onPartitionReassignment(tp, reassignTo(cur, target))
	return nil
}

// validateTarget applies the API's checks (controller.md §13).
func (c *Controller) validateTarget(cur assignment, target []int32) error {
	if len(target) == 0 {
		return fmt.Errorf("%w: empty replica list", kerr.InvalidReplicaAssignment)
	}
	seen := map[int32]bool{}
	for _, r := range target {
		if r < 0 || seen[r] {
			return fmt.Errorf("%w: duplicate or negative replica ids in %v", kerr.InvalidReplicaAssignment, target)
		}
		seen[r] = true
	}
	for _, r := range without(target, cur.Replicas) {
		if !c.cc.isLive(r) {
			return fmt.Errorf("%w: replica assignment has brokers that are not alive: %v", kerr.InvalidReplicaAssignment, target)
		}
	}
	return nil
}

// ListPartitionReassignments serves ListPartitionReassignments (key 46): the partitions being
// reassigned, restricted to partitions when it is not nil.
func (c *Controller) ListPartitionReassignments(partitions []TopicPartition) (map[TopicPartition]Reassignment, error) {
	var (
		out map[TopicPartition]Reassignment
		err error
	)
	cerr := c.call("ListPartitionReassignments", func() {
		if !c.active.Load() {
			err = ErrNotController
			return
		}
		out = map[TopicPartition]Reassignment{}
		for tp := range c.cc.reassigning {
			if partitions != nil && !slices.Contains(partitions, tp) {
				continue
			}
			a, _ := c.cc.assignmentOf(tp)
			out[tp] = Reassignment{Replicas: slices.Clone(a.Replicas), Adding: slices.Clone(a.Adding), Removing: slices.Clone(a.Removing)}
		}
	})
	if cerr != nil {
		return nil, cerr
	}
	return out, err
}

// onPartitionReassignment runs phase U, then A (not all of TRS in the ISR yet) or B (complete).
func (c *Controller) onPartitionReassignment(tp TopicPartition, next assignment) {
	c.cc.ineligible[tp.Topic] = true // no deletion while moving
	if !c.updateCurrentReassignment(tp, next) {
		return
	}
	if !c.reassignmentComplete(tp, next) {
		// A1: bump the epoch so every replica in RS accepts the new RS/AR/RR.
		c.updateLeaderEpochAndSend(tp, next)
		// A2: adding replicas start fetching.
		var adding []partitionReplica
		for _, r := range next.Adding {
			adding = append(adding, partitionReplica{tp, r})
		}
		c.replicasToNew(adding)
		c.sendBatch(c.batch)
		return
	}
	c.completeReassignment(tp, next)
}

// updateCurrentReassignment writes RS/AR/RR to /brokers/topics/T and memory (U1–U3), stops
// replicas an overriding reassignment no longer needs, and watches the state znode so the ISR
// change that completes the move is seen at once.
func (c *Controller) updateCurrentReassignment(tp TopicPartition, next assignment) bool {
	cur, _ := c.cc.assignmentOf(tp)
	if !equalAssignment(cur, next) {
		if err := c.writeAssignment(tp, next); err != nil {
			c.logZkError("writing reassignment of "+tpString(tp), err)
			return false
		}
		if unneeded := without(cur.Replicas, next.Replicas); len(unneeded) > 0 {
			c.stopRemovedReplicas(tp, unneeded)
		}
	}
	c.cc.reassigning[tp] = true
	if _, _, err := c.watchData(statePath(tp), "PartitionReassignmentIsrChange", func() { c.maybeCompleteReassignment(tp) }); err != nil {
		c.logZkError("watching "+statePath(tp), err)
	}
	return true
}

// writeAssignment stores a partition's assignment in memory and in /brokers/topics/T.
func (c *Controller) writeAssignment(tp TopicPartition, a assignment) error {
	t := c.cc.topics[tp.Topic]
	old := t.partitions[tp.Partition]
	t.partitions[tp.Partition] = a
	if _, err := c.fenced(&zk.SetDataRequest{Path: topicPath(tp.Topic), Data: encodeTopic(t), Version: -1}); err != nil {
		t.partitions[tp.Partition] = old
		return err
	}
	return nil
}

func equalAssignment(a, b assignment) bool {
	return slices.Equal(a.Replicas, b.Replicas) && slices.Equal(a.Adding, b.Adding) && slices.Equal(a.Removing, b.Removing)
}

// reassignmentComplete: every TRS member is in the ISR now in ZooKeeper.
func (c *Controller) reassignmentComplete(tp TopicPartition, a assignment) bool {
	st, ok, err := c.readState(tp)
	if err != nil || !ok {
		return false
	}
	c.cc.leadership[tp] = st
	for _, r := range a.target() {
		if !slices.Contains(st.ISR, r) {
			return false
		}
	}
	return true
}

// maybeCompleteReassignment runs after an ISR change of a moving partition.
func (c *Controller) maybeCompleteReassignment(tp TopicPartition) {
	if !c.active.Load() || !c.cc.reassigning[tp] {
		return
	}
	a, ok := c.cc.assignmentOf(tp)
	if !ok {
		return
	}
	// Re-arm before reading, so an ISR change right after the read still fires.
	if _, _, err := c.watchData(statePath(tp), "PartitionReassignmentIsrChange", func() { c.maybeCompleteReassignment(tp) }); err != nil {
		c.logZkError("watching "+statePath(tp), err)
	}
	if c.reassignmentComplete(tp, a) {
		c.completeReassignment(tp, a)
	}
}

// completeReassignment is phase B.
func (c *Controller) completeReassignment(tp TopicPartition, a assignment) {
	var adding []partitionReplica
	for _, r := range a.Adding {
		adding = append(adding, partitionReplica{tp, r})
	}
	c.replicasToOnline(adding) // B1
	done := assignment{Replicas: a.target()}
	t := c.cc.topics[tp.Topic]
	t.partitions[tp.Partition] = done // B2
	// B3: move leadership if the leader leaves or is dead, else just bump the epoch.
	l := c.cc.leadership[tp]
	if !slices.Contains(done.Replicas, l.Leader) || !c.cc.isLive(l.Leader) {
		c.partitionsToOnline([]TopicPartition{tp}, electReassign)
	} else {
		c.updateLeaderEpochAndSend(tp, done)
	}
	c.stopRemovedReplicas(tp, a.Removing)               // B4, B5
	if err := c.writeAssignment(tp, done); err != nil { // B6
		c.logZkError("writing completed reassignment of "+tpString(tp), err)
	}
	delete(c.cc.reassigning, tp) // B7
	c.unwatch(statePath(tp))
	c.removeFromZkReassignment(tp)
	c.batch.addUpdateMetadata(c.cc, c.cc.liveOrShuttingDownIDs(), []TopicPartition{tp}) // B8
	c.sendBatch(c.batch)
	c.info("Completed reassignment of partition "+tpString(tp), zap.String("replicas", joinIDs(done.Replicas)))
	if !c.topicReassigning(tp.Topic) {
		delete(c.cc.ineligible, tp.Topic)
		if c.cc.toDelete[tp.Topic] {
			c.tryTopicDeletion()
		}
	}
}

// updateLeaderEpochAndSend rewrites the state znode with the same leader and ISR and leader
// epoch + 1, then sends LeaderAndIsr with a's sets to every replica in a.Replicas.
func (c *Controller) updateLeaderEpochAndSend(tp TopicPartition, a assignment) {
	for attempt := 0; attempt < 10; attempt++ {
		cur, ok, err := c.readState(tp)
		if err != nil || !ok {
			c.logZkError("reading partition state", err)
			return
		}
		if cur.ControllerEpoch > c.cc.epoch {
			return
		}
		next := cur.withLeader(cur.Leader, cur.ISR)
		next.ControllerEpoch = c.cc.epoch
		v, err := c.fencedSetState(tp, next)
		if errors.Is(err, zk.ErrBadVersion) {
			continue
		}
		if err != nil {
			c.logZkError("bumping leader epoch", err)
			return
		}
		next.ZkVersion = v
		c.cc.leadership[tp] = next
		c.batch.addLeaderAndIsr(c.cc, a.Replicas, tp, next, a, false)
		c.sendBatch(c.batch)
		return
	}
}

// stopRemovedReplicas: RR → Offline (out of the ISR, StopReplica) → deletion (StopReplica
// delete=true) → NonExistent, without waiting for the answers (as Kafka does).
func (c *Controller) stopRemovedReplicas(tp TopicPartition, removed []int32) {
	if len(removed) == 0 {
		return
	}
	var rs []partitionReplica
	for _, r := range removed {
		rs = append(rs, partitionReplica{tp, r})
	}
	c.replicasToOffline(rs)
	c.replicasToDeletionStarted(rs)
	c.replicasToState(rs, replicaDeletionSuccessful)
	c.sendBatch(c.batch)
	for _, r := range rs {
		delete(c.cc.replStates, r)
	}
}

// removeFromZkReassignment drops tp from /admin/reassign_partitions, deleting the znode once
// empty.
func (c *Controller) removeFromZkReassignment(tp TopicPartition) {
	data, st, err := c.zk.Get(reassignPartitionsPath)
	if err != nil {
		return
	}
	left, err := zkcoord.DecodeReassignPartitions(data)
	if _, ok := left[tp]; err != nil || !ok {
		return
	}
	delete(left, tp)
	if len(left) == 0 {
		_, err = c.fenced(&zk.DeleteRequest{Path: reassignPartitionsPath, Version: st.Version})
	} else {
		_, err = c.fenced(&zk.SetDataRequest{Path: reassignPartitionsPath, Data: left.Encode(), Version: st.Version})
	}
	c.logZkError("updating "+reassignPartitionsPath, err)
}

// onZkReassignment handles /admin/reassign_partitions (the legacy tool's path).
func (c *Controller) onZkReassignment() {
	if !c.active.Load() {
		return
	}
	exists, err := c.watchExists(reassignPartitionsPath, "ZkPartitionReassignment", c.onZkReassignment)
	if err != nil || !exists {
		c.logZkError("reading "+reassignPartitionsPath, err)
		return
	}
	data, _, err := c.zk.Get(reassignPartitionsPath)
	if err != nil {
		return
	}
	targets, err := zkcoord.DecodeReassignPartitions(data)
	if err != nil {
		c.warn("Ignoring unreadable "+reassignPartitionsPath, zap.Error(err))
		return
	}
	for _, tp := range sortedTPKeys(targets) {
		cur, ok := c.cc.assignmentOf(tp)
		if ok && c.cc.reassigning[tp] && slices.Equal(cur.target(), targets[tp]) {
			continue // already moving there
		}
		var rerr error
		if !ok || c.cc.toDelete[tp.Topic] {
			rerr = kerr.UnknownTopicOrPartition
		} else {
			rerr = c.validateTarget(cur, targets[tp])
		}
		if rerr != nil {
			c.warn("Failed to reassign partition "+tpString(tp), zap.Error(rerr))
			c.removeFromZkReassignment(tp)
			continue
		}
		c.onPartitionReassignment(tp, reassignTo(cur, targets[tp]))
	}
	c.sendBatch(c.batch)
}

// resumeReassignments continues, at failover, the moves recorded in topic znodes, then those
// requested in /admin/reassign_partitions.
func (c *Controller) resumeReassignments() {
	for _, tp := range sortedTPKeys(c.cc.reassigning) {
		a, _ := c.cc.assignmentOf(tp)
		c.onPartitionReassignment(tp, a)
	}
	c.onZkReassignment()
}
