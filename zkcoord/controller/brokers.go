package controller

import (
	"maps"
	"slices"

	"go.uber.org/zap"
)

// Brokers joining and leaving (controller.md §7, Kafka's processBrokerChange).

func (c *Controller) onBrokerChange() {
	if !c.active.Load() {
		return
	}
	cur, err := c.readBrokers()
	if err != nil {
		c.logZkError("reading "+brokerIDsPath, err)
		return
	}
	var added, dead, bounced []int32
	for id, lb := range cur {
		old, ok := c.cc.live[id]
		switch {
		case !ok:
			added = append(added, id)
		case lb.epoch > old.epoch:
			bounced = append(bounced, id)
		}
	}
	for id := range c.cc.live {
		if _, ok := cur[id]; !ok {
			dead = append(dead, id)
		}
	}
	slices.Sort(added)
	slices.Sort(dead)
	slices.Sort(bounced)
	c.info("Newly added brokers: " + joinIDs(added) + ", deleted brokers: " + joinIDs(dead) + ", bounced brokers: " + joinIDs(bounced) +
		", all live brokers: " + joinIDs(slices.Sorted(maps.Keys(cur))))

	for _, id := range added {
		c.ch.AddBroker(cur[id].info)
	}
	for _, id := range bounced {
		c.ch.RemoveBroker(id)
		c.ch.AddBroker(cur[id].info)
	}
	for _, id := range dead {
		c.ch.RemoveBroker(id)
	}
	if len(added) > 0 {
		for _, id := range added {
			c.cc.live[id] = cur[id]
		}
		c.onBrokerStartup(added)
	}
	if len(bounced) > 0 {
		for _, id := range bounced {
			delete(c.cc.live, id)
		}
		c.onBrokerFailure(bounced)
		for _, id := range bounced {
			c.cc.live[id] = cur[id]
		}
		c.onBrokerStartup(bounced)
	}
	if len(dead) > 0 {
		for _, id := range dead {
			delete(c.cc.live, id)
			c.unwatch(brokerPath(id))
		}
		c.onBrokerFailure(dead)
	}
	c.sendBatch(c.batch)
}

// onBrokerStartup: existing brokers learn the new live set, new brokers get the full metadata,
// their replicas go Online (LeaderAndIsr), offline partitions they can serve get leaders, and
// reassignments and deletions involving them resume.
func (c *Controller) onBrokerStartup(ids []int32) {
	c.info("New broker startup callback for " + joinIDs(ids))
	existing := filter(c.cc.liveOrShuttingDownIDs(), func(id int32) bool { return !slices.Contains(ids, id) })
	c.batch.addUpdateMetadata(c.cc, existing, nil)
	c.sendBatch(c.batch)
	c.batch.addUpdateMetadata(c.cc, ids, c.cc.partitionsWithLeaders())
	c.sendBatch(c.batch)

	var replicas []partitionReplica
	for _, id := range ids {
		replicas = append(replicas, c.cc.replicasOnBroker(id)...)
	}
	c.replicasToOnline(replicas)
	c.triggerOnlinePartitionStateChange()
	c.sendBatch(c.batch)

	// Reassignments waiting for one of these brokers.
	for _, tp := range sortedTPKeys(c.cc.reassigning) {
		a, _ := c.cc.assignmentOf(tp)
		if slices.ContainsFunc(a.target(), func(r int32) bool { return slices.Contains(ids, r) }) {
			c.onPartitionReassignment(tp, a)
		}
	}
	// Deletions blocked by one of these brokers.
	resumed := false
	for topic := range c.cc.ineligible {
		for _, r := range c.cc.replicasOfTopic(topic) {
			if slices.Contains(ids, r.Replica) {
				delete(c.cc.ineligible, topic)
				resumed = true
				break
			}
		}
	}
	if resumed {
		c.tryTopicDeletion()
	}
	for _, id := range ids {
		id := id
		if _, _, err := c.watchData(brokerPath(id), "BrokerModification", func() { c.onBrokerModification(id) }); err != nil {
			c.logZkError("watching broker", err)
		}
	}
}

// onBrokerFailure: partitions led by the dead brokers go Offline and get new leaders, their
// replicas go Offline (out of the ISR), and if no leadership moved everyone still hears that the
// brokers are gone.
func (c *Controller) onBrokerFailure(ids []int32) {
	c.info("Broker failure callback for " + joinIDs(ids))
	for _, id := range ids {
		delete(c.cc.shuttingDown, id)
	}
	var replicas []partitionReplica
	for _, id := range ids {
		replicas = append(replicas, c.cc.replicasOnBroker(id)...)
	}
	c.onReplicasBecomeOffline(replicas)
}

func (c *Controller) onReplicasBecomeOffline(replicas []partitionReplica) {
	var forDeletion, notForDeletion []partitionReplica
	for _, r := range replicas {
		if c.cc.toDelete[r.Topic] {
			forDeletion = append(forDeletion, r)
		} else {
			notForDeletion = append(notForDeletion, r)
		}
	}
	var offlineLeader []TopicPartition
	for _, tp := range c.cc.allPartitions() {
		l, ok := c.cc.leadership[tp]
		if ok && !c.cc.isLiveOrShuttingDown(l.Leader) && !c.cc.toDelete[tp.Topic] {
			offlineLeader = append(offlineLeader, tp)
		}
	}
	c.partitionsToOffline(offlineLeader)
	c.triggerOnlinePartitionStateChange()
	c.replicasToOffline(notForDeletion)
	if len(forDeletion) > 0 {
		c.failReplicaDeletion(forDeletion)
	}
	if len(offlineLeader) == 0 {
		c.batch.addUpdateMetadata(c.cc, c.cc.liveOrShuttingDownIDs(), nil)
	}
	c.sendBatch(c.batch)
}

// onBrokerModification: a broker's endpoints changed; everyone gets the new live-broker list.
func (c *Controller) onBrokerModification(id int32) {
	if !c.active.Load() {
		return
	}
	data, st, err := c.watchData(brokerPath(id), "BrokerModification", func() { c.onBrokerModification(id) })
	if err != nil {
		return // gone: BrokerChange handles it
	}
	info, err := decodeBroker(id, data)
	if err != nil {
		c.warn("Ignoring unreadable broker registration", zap.Int32("broker_id", id), zap.Error(err))
		return
	}
	info.Epoch = st.Czxid
	old, ok := c.cc.live[id]
	if !ok || old.epoch != st.Czxid {
		return // a new registration: BrokerChange handles it
	}
	nb := newLiveBroker(info, st.Czxid)
	if slices.Equal(nb.endpoints, old.endpoints) && nb.rack == old.rack {
		return
	}
	c.info("Updated broker epochs cache / broker info", zap.Int32("broker_id", id))
	c.cc.live[id] = nb
	c.ch.RemoveBroker(id)
	c.ch.AddBroker(info)
	c.batch.addUpdateMetadata(c.cc, c.cc.liveOrShuttingDownIDs(), nil)
	c.sendBatch(c.batch)
}

func sortedTPKeys[V any](m map[TopicPartition]V) []TopicPartition {
	out := slices.Collect(maps.Keys(m))
	sortTPs(out)
	return out
}
