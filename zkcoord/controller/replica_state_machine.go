package controller

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/go-zookeeper/zk"
)

// The replica state machine (controller.md §5.2, Kafka's ZkReplicaStateMachine).

func (c *Controller) setReplicaState(r partitionReplica, s replicaState) {
	old := c.cc.replStates[r]
	if old != s {
		c.stateChange.Debug(fmt.Sprintf("Changed state of replica %d for partition %s from %s to %s", r.Replica, tpString(r.TopicPartition), old, s))
	}
	c.cc.replStates[r] = s
}

// replicasToNew: a replica that is about to join (topic creation, reassignment). A replica
// added to an existing partition is told the current state with is_new.
func (c *Controller) replicasToNew(rs []partitionReplica) {
	for _, r := range rs {
		if l, ok := c.cc.leadership[r.TopicPartition]; ok {
			if l.Leader == r.Replica {
				c.stateChange.Error(fmt.Sprintf("Replica %d for partition %s cannot be moved to NewReplica state as it is being requested to become leader", r.Replica, tpString(r.TopicPartition)))
				continue
			}
			a, _ := c.cc.assignmentOf(r.TopicPartition)
			c.batch.addLeaderAndIsr(c.cc, []int32{r.Replica}, r.TopicPartition, l, a, true)
		}
		c.setReplicaState(r, replicaNew)
	}
}

// replicasToOnline: the replica's broker is told the partition's current state.
func (c *Controller) replicasToOnline(rs []partitionReplica) {
	for _, r := range rs {
		if c.cc.replicaState(r) != replicaNew {
			if l, ok := c.cc.leadership[r.TopicPartition]; ok {
				a, _ := c.cc.assignmentOf(r.TopicPartition)
				c.batch.addLeaderAndIsr(c.cc, []int32{r.Replica}, r.TopicPartition, l, a, false)
			}
		}
		c.setReplicaState(r, replicaOnline)
	}
}

// replicasToOffline: StopReplica(delete=false) to each replica, then remove it from the ISR in
// ZooKeeper (a controller write: leader epoch + 1, leader -1 if it led) and tell the remaining
// replicas; partitions without state only get UpdateMetadata.
func (c *Controller) replicasToOffline(rs []partitionReplica) {
	byBroker := map[int32][]TopicPartition{}
	for _, r := range rs {
		c.batch.addStopReplica(c.cc, []int32{r.Replica}, r.TopicPartition, false)
		byBroker[r.Replica] = append(byBroker[r.Replica], r.TopicPartition)
	}
	for _, id := range sortedKeys(byBroker) {
		tps := byBroker[id]
		var withState, without []TopicPartition
		for _, tp := range tps {
			if _, ok := c.cc.leadership[tp]; ok {
				withState = append(withState, tp)
			} else {
				without = append(without, tp)
			}
		}
		updated := c.removeReplicaFromIsr(id, withState)
		for _, tp := range withState {
			if st, ok := updated[tp]; ok && !c.cc.toDelete[tp.Topic] {
				a, _ := c.cc.assignmentOf(tp)
				recipients := filter(a.Replicas, func(x int32) bool { return x != id })
				c.batch.addLeaderAndIsr(c.cc, recipients, tp, st, a, false)
			}
			c.setReplicaState(partitionReplica{tp, id}, replicaOffline)
		}
		for _, tp := range without {
			c.batch.addUpdateMetadata(c.cc, c.cc.liveOrShuttingDownIDs(), []TopicPartition{tp})
			c.setReplicaState(partitionReplica{tp, id}, replicaOffline)
		}
	}
}

// removeReplicaFromIsr rewrites the state znodes of tps without replica id (Kafka's
// removeReplicasFromIsr) and returns the new states of the partitions it changed.
func (c *Controller) removeReplicaFromIsr(id int32, tps []TopicPartition) map[TopicPartition]leaderIsr {
	out := map[TopicPartition]leaderIsr{}
	for _, tp := range tps {
		for attempt := 0; attempt < 10; attempt++ {
			cur, ok, err := c.readState(tp)
			if err != nil || !ok {
				if err == nil && !c.cc.toDelete[tp.Topic] {
					c.stateChange.Warn(fmt.Sprintf("Failed to change state of replica %d for partition %s since the leader and isr path in zookeeper is empty", id, tpString(tp)))
				}
				c.logZkError("reading partition state", err)
				break
			}
			if cur.ControllerEpoch > c.cc.epoch {
				c.stateChange.Error(fmt.Sprintf("Leader and isr path written by another controller. This probably means the current controller with epoch %d went through a soft failure and another controller was elected with epoch %d. Aborting state change by this controller", c.cc.epoch, cur.ControllerEpoch))
				break
			}
			c.cc.leadership[tp] = cur
			if !slices.Contains(cur.ISR, id) {
				break
			}
			leader, isr := isrWithout(cur, id)
			next := cur.withLeader(leader, isr)
			next.ControllerEpoch = c.cc.epoch
			v, err := c.fencedSetState(tp, next)
			if errors.Is(err, zk.ErrBadVersion) {
				continue
			}
			if err != nil {
				c.logZkError("removing replica from ISR", err)
				break
			}
			next.ZkVersion = v
			c.cc.leadership[tp] = next
			out[tp] = next
			if leader == noLeader {
				c.setPartitionState(tp, partitionOffline)
			}
			break
		}
	}
	return out
}

// replicasToDeletionStarted: StopReplica(delete=true).
func (c *Controller) replicasToDeletionStarted(rs []partitionReplica) {
	for _, r := range rs {
		c.batch.addStopReplica(c.cc, []int32{r.Replica}, r.TopicPartition, true)
		c.setReplicaState(r, replicaDeletionStarted)
	}
}

func (c *Controller) replicasToState(rs []partitionReplica, s replicaState) {
	for _, r := range rs {
		c.setReplicaState(r, s)
	}
}

// replicasToNonExistent forgets replicas and drops them from their partition's assignment.
func (c *Controller) replicasToNonExistent(rs []partitionReplica) {
	for _, r := range rs {
		delete(c.cc.replStates, r)
		if t, ok := c.cc.topics[r.Topic]; ok {
			if a, ok := t.partitions[r.Partition]; ok {
				a.Replicas = without(a.Replicas, []int32{r.Replica})
				t.partitions[r.Partition] = a
			}
		}
	}
}

// topicUncleanEnabled reads the topic's unclean.leader.election.enable override.
func (c *Controller) topicUncleanEnabled(topic string) bool {
	data, _, err := c.zk.Get(configTopicsPath + "/" + topic)
	if err != nil {
		return c.cfg.UncleanLeaderElectionEnable
	}
	var z struct {
		Config map[string]string `json:"config"`
	}
	if json.Unmarshal(data, &z) != nil {
		return c.cfg.UncleanLeaderElectionEnable
	}
	if v, ok := z.Config["unclean.leader.election.enable"]; ok {
		return v == "true"
	}
	return c.cfg.UncleanLeaderElectionEnable
}

func sortedKeys[V any](m map[int32]V) []int32 {
	keys := make([]int32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
