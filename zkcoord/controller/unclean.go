package controller

// EnableTopicUncleanLeaderElection is called by every broker when a topic's
// unclean.leader.election.enable override became true (Kafka's
// TopicConfigHandler -> KafkaController.enableTopicUncleanLeaderElection). On
// the active controller it retries the election of the topic's offline
// partitions, which may now pick a live replica outside the ISR; elsewhere
// it does nothing. It does not wait for the election.
func (c *Controller) EnableTopicUncleanLeaderElection(topic string) {
	c.enqueue(event{name: "TopicUncleanLeaderElectionEnable", fn: func() {
		if !c.active.Load() {
			return
		}
		c.triggerOnlinePartitionStateChangeForTopic(topic)
		c.sendBatch(c.batch)
	}})
}

// triggerOnlinePartitionStateChangeForTopic elects leaders for the New or
// Offline partitions of one topic (Kafka's
// triggerOnlinePartitionStateChange(topic)); electOffline reads the topic's
// unclean.leader.election.enable override when no ISR member is alive.
func (c *Controller) triggerOnlinePartitionStateChangeForTopic(topic string) {
	if c.cc.toDelete[topic] {
		return
	}
	var tps []TopicPartition
	for _, tp := range c.cc.allPartitions() {
		s := c.cc.partitionState(tp)
		if tp.Topic == topic && (s == partitionNew || s == partitionOffline) {
			tps = append(tps, tp)
		}
	}
	c.partitionsToOnline(tps, electOffline)
}
