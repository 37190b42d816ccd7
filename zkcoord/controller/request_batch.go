package controller

import (
	"maps"
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"
)

// Request versions the controller sends with IBP 2.8-IV1 (controller.md §4.1).
const (
	leaderAndIsrVersion   = 5
	updateMetadataVersion = 7
	stopReplicaVersion    = 3
)

// epochDuringDelete is the leader epoch StopReplica carries for a partition of a topic being
// deleted (Kafka's LeaderAndIsr.EpochDuringDelete); noEpoch when the controller knows none.
const (
	epochDuringDelete int32 = -2
	noEpoch           int32 = -1
)

// lisrEntry is one partition of a pending LeaderAndIsr request.
type lisrEntry struct {
	state  leaderIsr
	assign assignment
	isNew  bool
}

// requestBatch accumulates the requests of one controller decision and sends them together
// (Kafka's ControllerBrokerRequestBatch): LeaderAndIsr first, then UpdateMetadata, then
// StopReplica, each broker's requests in generation order (BrokerChannel is FIFO per broker).
// Owned by the event goroutine.
type requestBatch struct {
	lisr       map[int32]map[TopicPartition]lisrEntry
	umBrokers  map[int32]bool
	umParts    map[TopicPartition]kmsg.UpdateMetadataRequestTopicPartition
	stop       map[int32]map[TopicPartition]bool // value: delete the log
	stopEpochs map[TopicPartition]int32
}

func newRequestBatch() *requestBatch {
	b := &requestBatch{}
	b.reset()
	return b
}

func (b *requestBatch) reset() {
	b.lisr = map[int32]map[TopicPartition]lisrEntry{}
	b.umBrokers = map[int32]bool{}
	b.umParts = map[TopicPartition]kmsg.UpdateMetadataRequestTopicPartition{}
	b.stop = map[int32]map[TopicPartition]bool{}
	b.stopEpochs = map[TopicPartition]int32{}
}

func (b *requestBatch) empty() bool {
	return len(b.lisr) == 0 && len(b.umBrokers) == 0 && len(b.stop) == 0
}

// addLeaderAndIsr queues the partition's state for brokers, and an UpdateMetadata for it to
// every registered broker (Kafka's addLeaderAndIsrRequestForBrokers).
func (b *requestBatch) addLeaderAndIsr(cc *controllerContext, brokers []int32, tp TopicPartition, st leaderIsr, a assignment, isNew bool) {
	for _, id := range brokers {
		if id < 0 {
			continue
		}
		m := b.lisr[id]
		if m == nil {
			m = map[TopicPartition]lisrEntry{}
			b.lisr[id] = m
		}
		prev, had := m[tp]
		m[tp] = lisrEntry{state: st, assign: a, isNew: isNew || (had && prev.isNew)}
	}
	b.addUpdateMetadata(cc, cc.liveOrShuttingDownIDs(), []TopicPartition{tp})
}

// addStopReplica queues StopReplica for tp to brokers; delete is sticky once requested.
func (b *requestBatch) addStopReplica(cc *controllerContext, brokers []int32, tp TopicPartition, del bool) {
	epoch := noEpoch
	if l, ok := cc.leadership[tp]; ok {
		epoch = l.LeaderEpoch
		if cc.toDelete[tp.Topic] {
			epoch = epochDuringDelete
		}
	}
	b.stopEpochs[tp] = epoch
	for _, id := range brokers {
		if id < 0 {
			continue
		}
		m := b.stop[id]
		if m == nil {
			m = map[TopicPartition]bool{}
			b.stop[id] = m
		}
		m[tp] = m[tp] || del
	}
}

// addUpdateMetadata queues an UpdateMetadata to brokers carrying partitions (none: only the
// live-broker list). States are captured now, as Kafka does: a partition of a topic being
// deleted is sent with leader -2 so brokers drop it from their metadata.
func (b *requestBatch) addUpdateMetadata(cc *controllerContext, brokers []int32, partitions []TopicPartition) {
	for _, id := range brokers {
		if id >= 0 {
			b.umBrokers[id] = true
		}
	}
	for _, tp := range partitions {
		l, ok := cc.leadership[tp]
		if !ok {
			continue
		}
		replicas := cc.replicasOf(tp)
		leader := l.Leader
		if cc.toDelete[tp.Topic] {
			leader = leaderDuringDelete
		}
		ps := kmsg.NewUpdateMetadataRequestTopicPartition()
		ps.Partition = tp.Partition
		ps.ControllerEpoch = l.ControllerEpoch
		ps.Leader = leader
		ps.LeaderEpoch = l.LeaderEpoch
		ps.ISR = slices.Clone(l.ISR)
		ps.ZKVersion = l.ZkVersion
		ps.Replicas = slices.Clone(replicas)
		ps.OfflineReplicas = filter(replicas, func(r int32) bool { return !cc.isLive(r) })
		b.umParts[tp] = ps
	}
}

// build turns the batch into per-broker requests, in send order. The controller's own broker is
// a recipient like any other.
func (b *requestBatch) build(cc *controllerContext, controllerID int32, interBrokerListener string) []outgoing {
	var out []outgoing
	for _, id := range slices.Sorted(maps.Keys(b.lisr)) {
		lb, ok := cc.live[id]
		if !ok {
			continue
		}
		out = append(out, outgoing{broker: id, req: b.leaderAndIsr(cc, controllerID, lb.epoch, b.lisr[id], interBrokerListener)})
	}
	if len(b.umBrokers) > 0 {
		for _, id := range slices.Sorted(maps.Keys(b.umBrokers)) {
			lb, ok := cc.live[id]
			if !ok {
				continue
			}
			out = append(out, outgoing{broker: id, req: b.updateMetadata(cc, controllerID, lb.epoch)})
		}
	}
	for _, id := range slices.Sorted(maps.Keys(b.stop)) {
		lb, ok := cc.live[id]
		if !ok {
			continue
		}
		out = append(out, outgoing{broker: id, req: b.stopReplica(cc, controllerID, lb.epoch, b.stop[id]), stopDeletes: deletes(b.stop[id])})
	}
	return out
}

// outgoing is one request for one broker; stopDeletes lists the partitions a StopReplica asks to
// delete, whose outcome feeds topic deletion.
type outgoing struct {
	broker      int32
	req         kmsg.Request
	stopDeletes []TopicPartition
}

func deletes(m map[TopicPartition]bool) []TopicPartition {
	var out []TopicPartition
	for tp, del := range m {
		if del {
			out = append(out, tp)
		}
	}
	sortTPs(out)
	return out
}

func (b *requestBatch) leaderAndIsr(cc *controllerContext, controllerID int32, brokerEpoch int64, parts map[TopicPartition]lisrEntry, listener string) *kmsg.LeaderAndISRRequest {
	req := kmsg.NewPtrLeaderAndISRRequest()
	req.Version = leaderAndIsrVersion
	req.ControllerID = controllerID
	req.ControllerEpoch = cc.epoch
	req.BrokerEpoch = brokerEpoch
	req.Type = 0 // 0 = incremental; a ZooKeeper-mode broker does not act on the type
	tps := slices.Collect(maps.Keys(parts))
	sortTPs(tps)
	leaders := map[int32]bool{}
	for _, tp := range tps {
		e := parts[tp]
		n := len(req.TopicStates)
		if n == 0 || req.TopicStates[n-1].Topic != tp.Topic {
			ts := kmsg.NewLeaderAndISRRequestTopicState()
			ts.Topic = tp.Topic
			ts.TopicID = cc.topicID(tp.Topic)
			req.TopicStates = append(req.TopicStates, ts)
			n++
		}
		ps := kmsg.NewLeaderAndISRRequestTopicPartition()
		ps.Partition = tp.Partition
		ps.ControllerEpoch = e.state.ControllerEpoch
		ps.Leader = e.state.Leader
		ps.LeaderEpoch = e.state.LeaderEpoch
		ps.ISR = slices.Clone(e.state.ISR)
		ps.ZKVersion = e.state.ZkVersion
		ps.Replicas = slices.Clone(e.assign.Replicas)
		ps.AddingReplicas = slices.Clone(e.assign.Adding)
		ps.RemovingReplicas = slices.Clone(e.assign.Removing)
		ps.IsNew = e.isNew
		req.TopicStates[n-1].PartitionStates = append(req.TopicStates[n-1].PartitionStates, ps)
		leaders[e.state.Leader] = true
	}
	for _, id := range slices.Sorted(maps.Keys(leaders)) {
		lb, ok := cc.live[id]
		if !ok {
			continue
		}
		ll := kmsg.NewLeaderAndISRRequestLiveLeader()
		ll.BrokerID = id
		ep, ok := lb.endpoint(listener)
		if !ok {
			continue
		}
		ll.Host, ll.Port = ep.Host, ep.Port
		req.LiveLeaders = append(req.LiveLeaders, ll)
	}
	return req
}

func (b *requestBatch) updateMetadata(cc *controllerContext, controllerID int32, brokerEpoch int64) *kmsg.UpdateMetadataRequest {
	req := kmsg.NewPtrUpdateMetadataRequest()
	req.Version = updateMetadataVersion
	req.ControllerID = controllerID
	req.ControllerEpoch = cc.epoch
	req.BrokerEpoch = brokerEpoch
	tps := slices.Collect(maps.Keys(b.umParts))
	sortTPs(tps)
	for _, tp := range tps {
		n := len(req.TopicStates)
		if n == 0 || req.TopicStates[n-1].Topic != tp.Topic {
			ts := kmsg.NewUpdateMetadataRequestTopicState()
			ts.Topic = tp.Topic
			ts.TopicID = cc.topicID(tp.Topic)
			req.TopicStates = append(req.TopicStates, ts)
			n++
		}
		req.TopicStates[n-1].PartitionStates = append(req.TopicStates[n-1].PartitionStates, b.umParts[tp])
	}
	for _, id := range cc.liveOrShuttingDownIDs() {
		lb := cc.live[id]
		live := kmsg.NewUpdateMetadataRequestLiveBroker()
		live.ID = id
		for _, ep := range lb.endpoints {
			e := kmsg.NewUpdateMetadataRequestLiveBrokerEndpoint()
			e.Port = ep.Port
			e.Host = ep.Host
			e.ListenerName = ep.Listener
			e.SecurityProtocol = ep.SecurityProtocol
			live.Endpoints = append(live.Endpoints, e)
		}
		if r := lb.rack; r != "" {
			live.Rack = &r
		}
		req.LiveBrokers = append(req.LiveBrokers, live)
	}
	return req
}

func (b *requestBatch) stopReplica(cc *controllerContext, controllerID int32, brokerEpoch int64, parts map[TopicPartition]bool) *kmsg.StopReplicaRequest {
	req := kmsg.NewPtrStopReplicaRequest()
	req.Version = stopReplicaVersion
	req.ControllerID = controllerID
	req.ControllerEpoch = cc.epoch
	req.BrokerEpoch = brokerEpoch
	tps := slices.Collect(maps.Keys(parts))
	sortTPs(tps)
	for _, tp := range tps {
		n := len(req.Topics)
		if n == 0 || req.Topics[n-1].Topic != tp.Topic {
			t := kmsg.NewStopReplicaRequestTopic()
			t.Topic = tp.Topic
			req.Topics = append(req.Topics, t)
			n++
		}
		ps := kmsg.NewStopReplicaRequestTopicPartitionState()
		ps.Partition = tp.Partition
		ps.LeaderEpoch = b.stopEpochs[tp]
		ps.Delete = parts[tp]
		req.Topics[n-1].PartitionStates = append(req.Topics[n-1].PartitionStates, ps)
	}
	return req
}

// send builds the batch, hands every request to the channel and empties the batch. Responses
// come back through callbacks that only enqueue events.
func (c *Controller) sendBatch(b *requestBatch) {
	if b.empty() {
		return
	}
	reqs := b.build(c.cc, c.cfg.BrokerID, c.cfg.InterBrokerListenerName)
	b.reset()
	for _, o := range reqs {
		c.logRequest(o)
		var cb func(kmsg.Response, error)
		switch o.req.(type) {
		case *kmsg.LeaderAndISRRequest:
			cb = c.leaderAndIsrResponseCallback(o.broker)
		case *kmsg.StopReplicaRequest:
			if len(o.stopDeletes) > 0 {
				cb = c.stopReplicaDeleteCallback(o.broker, o.stopDeletes)
			}
		}
		c.ch.Send(o.broker, o.req, cb)
	}
}

func (c *Controller) logRequest(o outgoing) {
	sc := c.stateChange
	switch r := o.req.(type) {
	case *kmsg.LeaderAndISRRequest:
		n := 0
		for _, t := range r.TopicStates {
			n += len(t.PartitionStates)
		}
		sc.Debug("Sending LeaderAndIsr request", zap.Int32("controller_id", r.ControllerID), zap.Int32("controller_epoch", r.ControllerEpoch),
			zap.Int32("broker_id", o.broker), zap.Int("partitions", n))
	case *kmsg.UpdateMetadataRequest:
		n := 0
		for _, t := range r.TopicStates {
			n += len(t.PartitionStates)
		}
		sc.Debug("Sending UpdateMetadata request", zap.Int32("controller_id", r.ControllerID), zap.Int32("controller_epoch", r.ControllerEpoch),
			zap.Int32("broker_id", o.broker), zap.Int("partitions", n), zap.Int("live_brokers", len(r.LiveBrokers)))
	case *kmsg.StopReplicaRequest:
		n := 0
		for _, t := range r.Topics {
			n += len(t.PartitionStates)
		}
		sc.Debug("Sending StopReplica request", zap.Int32("controller_id", r.ControllerID), zap.Int32("controller_epoch", r.ControllerEpoch),
			zap.Int32("broker_id", o.broker), zap.Int("partitions", n), zap.Int("deletes", len(o.stopDeletes)))
	}
}

// leaderAndIsrResponseCallback logs per-partition errors. Kafka also uses this response to learn
// about offline log directories (KIP-112), which gokafka does not model.
func (c *Controller) leaderAndIsrResponseCallback(broker int32) func(kmsg.Response, error) {
	return func(resp kmsg.Response, err error) {
		if err != nil {
			return
		}
		r, ok := resp.(*kmsg.LeaderAndISRResponse)
		if !ok {
			return
		}
		if r.ErrorCode != 0 {
			c.lg.Warn("LeaderAndIsr response with error", zap.Int32("broker_id", broker), zap.Error(kerr.ErrorForCode(r.ErrorCode)))
		}
	}
}

// stopReplicaDeleteCallback reports, per partition asked to be deleted, whether the broker
// succeeded, as an event for topic deletion (Kafka's TopicDeletionStopReplicaResponseReceived).
func (c *Controller) stopReplicaDeleteCallback(broker int32, dels []TopicPartition) func(kmsg.Response, error) {
	return func(resp kmsg.Response, err error) {
		failed := map[TopicPartition]bool{}
		if err != nil {
			for _, tp := range dels {
				failed[tp] = true
			}
		} else if r, ok := resp.(*kmsg.StopReplicaResponse); ok {
			for _, p := range r.Partitions {
				if r.ErrorCode != 0 || p.ErrorCode != 0 {
					failed[TopicPartition{Topic: p.Topic, Partition: p.Partition}] = true
				}
			}
			if r.ErrorCode != 0 {
				for _, tp := range dels {
					failed[tp] = true
				}
			}
		}
		c.enqueue(event{name: "TopicDeletionStopReplicaResponseReceived", fn: func() {
			c.onStopReplicaDeleteResponse(broker, dels, failed)
		}})
	}
}
