package controller

import (
	"errors"
	"maps"
	"slices"

	"github.com/go-zookeeper/zk"
	"go.uber.org/zap"
)

// Topic creation and partition additions (controller.md §11, Kafka's processTopicChange and
// processPartitionModifications).

func (c *Controller) onTopicChange() {
	if !c.active.Load() {
		return
	}
	names, err := c.watchChildren(brokerTopicsPath, "TopicChange", c.onTopicChange)
	if err != nil {
		c.logZkError("reading "+brokerTopicsPath, err)
		return
	}
	var added []string
	for _, n := range names {
		if _, ok := c.cc.topics[n]; !ok {
			added = append(added, n)
		}
	}
	gone := map[string]bool{}
	for n := range c.cc.topics {
		gone[n] = true
	}
	for _, n := range names {
		delete(gone, n)
	}
	for n := range gone {
		c.cc.removeTopic(n)
		c.unwatch(topicPath(n))
	}
	slices.Sort(added)
	if len(added) == 0 {
		return
	}
	c.info("New topics: [" + joinStrings(added) + "], deleted topics: [" + joinStrings(slices.Sorted(maps.Keys(gone))) + "]")
	var fresh []TopicPartition
	for _, n := range added {
		if err := c.loadTopic(n); err != nil {
			c.logZkError("reading topic "+n, err)
			continue
		}
		fresh = append(fresh, c.cc.partitionsOf(n)...)
	}
	c.onNewPartitionCreation(fresh)
}

// onNewPartitionCreation takes partitions NonExistent → New → Online with their replicas.
func (c *Controller) onNewPartitionCreation(tps []TopicPartition) {
	if len(tps) == 0 {
		return
	}
	c.info("New partition creation callback for " + tpList(tps))
	var replicas []partitionReplica
	for _, tp := range tps {
		for _, r := range c.cc.replicasOf(tp) {
			replicas = append(replicas, partitionReplica{tp, r})
		}
	}
	c.partitionsToNew(tps)
	c.replicasToNew(replicas)
	c.partitionsToOnline(tps, electOffline)
	c.replicasToOnline(replicas)
	c.sendBatch(c.batch)
}

// onPartitionModifications handles a data change of /brokers/topics/T: new partitions (the
// topic tool's --alter --partitions) go Online. Changes the controller made itself (topic ids,
// reassignment sets) find nothing new.
func (c *Controller) onPartitionModifications(topic string) {
	if !c.active.Load() {
		return
	}
	t, ok := c.cc.topics[topic]
	if !ok {
		return
	}
	data, _, err := c.watchData(topicPath(topic), "PartitionModifications", func() { c.onPartitionModifications(topic) })
	if errors.Is(err, zk.ErrNoNode) {
		return
	}
	if err != nil {
		c.logZkError("reading topic "+topic, err)
		return
	}
	zt, err := decodeTopic(topic, data)
	if err != nil {
		c.warn("Ignoring unreadable topic assignment", zap.String("topic", topic), zap.Error(err))
		return
	}
	if t.id == ([16]byte{}) {
		// A topic whose id stamping lost a race: adopt the writer's id or stamp one now.
		if zt.id == ([16]byte{}) {
			if err := c.loadTopic(topic); err != nil {
				c.logZkError("stamping the topic id of "+topic, err)
			}
			if nt, ok := c.cc.topics[topic]; ok {
				nt.partitions = t.partitions
				t = nt
			}
		} else {
			t.id = zt.id
		}
	}
	var added []TopicPartition
	for p, a := range zt.partitions {
		if _, ok := t.partitions[p]; !ok {
			added = append(added, TopicPartition{Topic: topic, Partition: p})
			t.partitions[p] = assignment{Replicas: a.Replicas}
		}
	}
	if len(added) == 0 {
		return
	}
	sortTPs(added)
	if c.cc.toDelete[topic] {
		c.info("Skipping adding partitions " + tpList(added) + " for topic " + topic + " since it is currently being deleted")
		for _, tp := range added {
			delete(t.partitions, tp.Partition)
		}
		return
	}
	c.info("New partitions to be added " + tpList(added))
	c.onNewPartitionCreation(added)
}

func joinStrings(xs []string) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += ","
		}
		s += x
	}
	return s
}

func tpList(tps []TopicPartition) string {
	s := "["
	for i, tp := range tps {
		if i > 0 {
			s += ","
		}
		s += tpString(tp)
	}
	return s + "]"
}
