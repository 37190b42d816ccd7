package controller

import (
	"slices"
)

// UnknownBrokerEpoch is the broker epoch of a ControlledShutdown v0/v1 request, which carries
// none (Kafka's AbstractControlRequest.UNKNOWN_BROKER_EPOCH); the epoch check is skipped.
const UnknownBrokerEpoch int64 = -1

// ControlledShutdown moves leadership away from broker id before it stops (controller.md §9) and
// returns the partitions it still leads: replicated partitions with no eligible successor.
// Empty means the broker may stop. It blocks until the controller processed the request.
//
// Errors: ErrNotController (NOT_CONTROLLER), ErrBrokerNotAvailable (BROKER_NOT_AVAILABLE),
// ErrStaleBrokerEpoch (STALE_BROKER_EPOCH), ErrClosed.
func (c *Controller) ControlledShutdown(id int32, brokerEpoch int64) (remaining []TopicPartition, err error) {
	cerr := c.call("ControlledShutdown", func() {
		remaining, err = c.doControlledShutdown(id, brokerEpoch)
	})
	if cerr != nil {
		return nil, cerr
	}
	return remaining, err
}

func (c *Controller) doControlledShutdown(id int32, brokerEpoch int64) ([]TopicPartition, error) {
	if !c.active.Load() {
		return nil, ErrNotController
	}
	lb, ok := c.cc.live[id]
	if !ok {
		return nil, ErrBrokerNotAvailable
	}
	if brokerEpoch != UnknownBrokerEpoch && brokerEpoch < lb.epoch {
		return nil, ErrStaleBrokerEpoch
	}
	c.info("Shutting down broker " + itoa(id))
	c.cc.shuttingDown[id] = true
	c.info("All shutting down brokers: " + joinIDs(sortedKeys(c.cc.shuttingDown)))
	c.info("Live brokers: " + joinIDs(c.cc.liveIDs()))

	var lead, follow []TopicPartition
	for _, tp := range c.cc.partitionsOnBroker(id) {
		l, ok := c.cc.leadership[tp]
		if !ok || len(c.cc.replicasOf(tp)) <= 1 || c.cc.toDelete[tp.Topic] {
			continue
		}
		if l.Leader == id {
			lead = append(lead, tp)
		} else {
			follow = append(follow, tp)
		}
	}
	c.partitionsToOnline(lead, electControlledShutdown)
	c.sendBatch(c.batch)
	for _, tp := range follow {
		c.batch.addStopReplica(c.cc, []int32{id}, tp, false)
	}
	c.sendBatch(c.batch)
	var rs []partitionReplica
	for _, tp := range follow {
		rs = append(rs, partitionReplica{tp, id})
	}
	c.replicasToOffline(rs)
	c.sendBatch(c.batch)

	var remaining []TopicPartition
	for _, tp := range c.cc.partitionsLedBy(id) {
		if !c.cc.toDelete[tp.Topic] && len(c.cc.replicasOf(tp)) > 1 {
			remaining = append(remaining, tp)
		}
	}
	if c.moved {
		return nil, ErrNotController
	}
	return slices.Clip(remaining), nil
}
