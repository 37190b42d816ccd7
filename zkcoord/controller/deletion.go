package controller

import (
	"errors"
	"slices"

	"github.com/go-zookeeper/zk"
	"go.uber.org/zap"
)

// Topic deletion (controller.md §12, Kafka's TopicDeletionManager).

// onTopicDeletion handles the children of /admin/delete_topics.
func (c *Controller) onTopicDeletion() {
	if !c.active.Load() {
		return
	}
	markers, err := c.watchChildren(deleteTopicsPath, "TopicDeletion", c.onTopicDeletion)
	if err != nil {
		c.logZkError("reading "+deleteTopicsPath, err)
		return
	}
	c.queueDeletions(markers)
	c.sendBatch(c.batch)
}

// queueDeletions drops markers of unknown topics, or all of them when deletion is disabled, and
// queues the rest.
func (c *Controller) queueDeletions(markers []string) {
	slices.Sort(markers)
	var unknown, known []string
	for _, t := range markers {
		if _, ok := c.cc.topics[t]; ok {
			known = append(known, t)
		} else {
			unknown = append(unknown, t)
		}
	}
	if len(unknown) > 0 {
		c.info("Deleting non-existing topics: [" + joinStrings(unknown) + "]")
		for _, t := range unknown {
			c.logZkError("deleting marker", c.fencedDelete(deleteTopicsPath+"/"+t))
		}
	}
	if len(known) == 0 {
		return
	}
	if !c.cfg.DeleteTopicEnable {
		c.info("Removing [" + joinStrings(known) + "] since delete topic is disabled")
		for _, t := range known {
			c.logZkError("deleting marker", c.fencedDelete(deleteTopicsPath+"/"+t))
		}
		return
	}
	c.info("Starting topic deletion for topics " + joinStrings(known))
	for _, t := range known {
		if c.topicReassigning(t) {
			c.cc.ineligible[t] = true
		}
		c.cc.toDelete[t] = true
	}
	c.tryTopicDeletion()
}

// initializeDeletion reads the markers at failover; topics with a replica on a dead broker or a
// reassignment in progress start ineligible.
func (c *Controller) initializeDeletion() {
	markers, _, err := c.zk.Children(deleteTopicsPath)
	if err != nil {
		c.logZkError("reading "+deleteTopicsPath, err)
		return
	}
	if !c.cfg.DeleteTopicEnable {
		c.queueDeletions(markers) // removes them
		return
	}
	for _, t := range markers {
		if _, ok := c.cc.topics[t]; !ok {
			c.logZkError("deleting marker", c.fencedDelete(deleteTopicsPath+"/"+t))
			continue
		}
		c.cc.toDelete[t] = true
		if c.topicReassigning(t) {
			c.cc.ineligible[t] = true
		}
		for _, r := range c.cc.replicasOfTopic(t) {
			if !c.cc.isLiveOrShuttingDown(r.Replica) {
				c.cc.ineligible[t] = true
			}
		}
	}
}

func (c *Controller) topicReassigning(topic string) bool {
	for _, tp := range c.cc.partitionsOf(topic) {
		if c.cc.reassigning[tp] {
			return true
		}
	}
	return false
}

func (c *Controller) anyReplicaIn(topic string, s replicaState) bool {
	for _, r := range c.cc.replicasOfTopic(topic) {
		if c.cc.replicaState(r) == s {
			return true
		}
	}
	return false
}

func (c *Controller) allReplicasIn(topic string, s replicaState) bool {
	for _, r := range c.cc.replicasOfTopic(topic) {
		if c.cc.replicaState(r) != s {
			return false
		}
	}
	return true
}

// tryTopicDeletion advances every queued topic (Kafka's resumeDeletions).
func (c *Controller) tryTopicDeletion() {
	for _, t := range sortedStrings(c.cc.toDelete) {
		if _, ok := c.cc.topics[t]; !ok {
			continue
		}
		switch {
		case c.allReplicasIn(t, replicaDeletionSuccessful):
			c.completeDeleteTopic(t)
			continue
		case c.anyReplicaIn(t, replicaDeletionStarted):
			continue // in progress: wait for StopReplica responses
		case c.anyReplicaIn(t, replicaDeletionIneligible):
			// Retry replicas that failed before, once the topic is eligible again.
			var retry []partitionReplica
			for _, r := range c.cc.replicasOfTopic(t) {
				if c.cc.replicaState(r) == replicaDeletionIneligible {
					retry = append(retry, r)
				}
			}
			if !c.cc.ineligible[t] {
				c.replicasToState(retry, replicaOffline)
			}
		}
		if !c.cc.ineligible[t] {
			c.startTopicDeletion(t)
		}
	}
	c.sendBatch(c.batch)
}

// startTopicDeletion: brokers drop the topic from metadata (leader -2), partitions go Offline →
// NonExistent, replicas on live brokers Offline → DeletionStarted (StopReplica delete=true),
// replicas on dead brokers DeletionIneligible.
func (c *Controller) startTopicDeletion(t string) {
	tps := c.cc.partitionsOf(t)
	if !c.cc.deletionStarted[t] {
		c.partitionsToOffline(tps)
		c.partitionsToNonExistent(tps)
		c.cc.deletionStarted[t] = true
	}
	c.batch.addUpdateMetadata(c.cc, c.cc.liveOrShuttingDownIDs(), tps)
	var dead, retry []partitionReplica
	for _, r := range c.cc.replicasOfTopic(t) {
		switch {
		case c.cc.replicaState(r) == replicaDeletionSuccessful:
		case !c.cc.isLiveOrShuttingDown(r.Replica):
			dead = append(dead, r)
		default:
			retry = append(retry, r)
		}
	}
	c.replicasToState(dead, replicaDeletionIneligible)
	c.replicasToOffline(retry)
	c.replicasToDeletionStarted(retry)
	if len(dead) > 0 {
		c.info("Halted deletion of topic "+t+" since some replicas are on dead brokers", zap.String("topic", t))
		c.cc.ineligible[t] = true
	}
}

// onStopReplicaDeleteResponse records a broker's answer to StopReplica(delete=true).
func (c *Controller) onStopReplicaDeleteResponse(broker int32, tps []TopicPartition, failed map[TopicPartition]bool) {
	if !c.active.Load() {
		return
	}
	var ok, bad []partitionReplica
	for _, tp := range tps {
		r := partitionReplica{tp, broker}
		if c.cc.replicaState(r) != replicaDeletionStarted {
			continue
		}
		if failed[tp] {
			bad = append(bad, r)
		} else {
			ok = append(ok, r)
		}
	}
	if len(bad) > 0 {
		c.failReplicaDeletion(bad)
	}
	if len(ok) > 0 {
		c.replicasToState(ok, replicaDeletionSuccessful)
		c.tryTopicDeletion()
	}
}

// failReplicaDeletion marks replicas (and their topics) ineligible until their broker returns.
func (c *Controller) failReplicaDeletion(rs []partitionReplica) {
	for _, r := range rs {
		if c.cc.toDelete[r.Topic] {
			c.setReplicaState(r, replicaDeletionIneligible)
			c.cc.ineligible[r.Topic] = true
		}
	}
	c.tryTopicDeletion()
}

// completeDeleteTopic removes /brokers/topics/T (recursively), /config/topics/T and the marker,
// then forgets the topic.
func (c *Controller) completeDeleteTopic(t string) {
	c.replicasToNonExistent(c.cc.replicasOfTopic(t))
	c.unwatch(topicPath(t))
	ops, err := c.deleteTreeOps(topicPath(t))
	if err == nil && len(ops) > 0 {
		_, err = c.fenced(ops...)
	}
	if err != nil && !errors.Is(err, zk.ErrNoNode) {
		c.logZkError("deleting topic "+t, err)
		return
	}
	if err := c.fencedDelete(configTopicsPath+"/"+t, deleteTopicsPath+"/"+t); err != nil {
		c.logZkError("deleting topic "+t, err)
	}
	c.cc.removeTopic(t)
	c.info("Deletion of topic "+t+" successfully completed", zap.String("topic", t))
}

func sortedStrings(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
