package broker

// LeaderAndIsr: v0-5, StopReplica: v0-3, UpdateMetadata: v0-7, ControlledShutdown: v0-3
//
// Behavior:
// * The first three come from the controller (controller.md §4.1) over the
//   inter-broker listener. A request whose broker_epoch is older than this
//   broker's registration is refused with STALE_BROKER_EPOCH (it was meant
//   for a previous incarnation of this broker); one whose controller_epoch is
//   below the highest seen is refused with STALE_CONTROLLER_EPOCH (a deposed
//   controller, §2).
// * LeaderAndIsr and StopReplica are carried out by the ReplicaManager;
//   UpdateMetadata replaces the MetadataCache's view (live brokers, partition
//   states; partitions with leader -2 belong to a topic being deleted and
//   are dropped), and the group coordinator is told of deleted partitions.
// * ControlledShutdown comes from a broker that is stopping (§9): only the
//   active controller answers (NOT_CONTROLLER otherwise); the answer lists
//   the partitions the broker still leads. It waits for the controller's
//   event goroutine, so it finishes off the reader goroutine.
//
// Version notes:
// * LeaderAndIsr v1 is_new, v2 broker_epoch and topic grouping, v3
//   adding/removing replicas, v4 flexible, v5 topic ids and type.
// * UpdateMetadata v1 endpoints, v2 rack, v3 listener names, v4 offline
//   replicas, v5 broker_epoch and topic grouping, v6 flexible, v7 topic ids.
// * StopReplica v1 broker_epoch and topic grouping, v2 flexible, v3
//   per-partition delete flag and leader epoch.
// * ControlledShutdown v0 uses request header v0; v2 broker_epoch; v3 flexible.

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/protocol"
	"gokafka/zkcoord/controller"
)

// staleControlRequest checks a controller request's epochs (Kafka's
// isBrokerEpochStale and the controllerEpoch checks of ReplicaManager) and,
// when it is current, records its controller epoch.
func (b *Broker) staleControlRequest(controllerEpoch int32, brokerEpoch int64, hasBrokerEpoch bool) *kerr.Error {
	if hasBrokerEpoch && brokerEpoch != -1 && brokerEpoch < b.currentBrokerEpoch() {
		return kerr.StaleBrokerEpoch
	}
	for {
		cur := b.controllerEpoch.Load()
		if controllerEpoch < cur {
			return kerr.StaleControllerEpoch
		}
		if b.controllerEpoch.CompareAndSwap(cur, controllerEpoch) {
			return nil
		}
	}
}

func (b *Broker) handleLeaderAndIsr(r *Request) {
	req := r.Msg.(*kmsg.LeaderAndISRRequest)
	if kerrCode := b.staleControlRequest(req.ControllerEpoch, req.BrokerEpoch, req.Version >= 2); kerrCode != nil {
		b.stateChangeLog().Warn("Ignoring LeaderAndIsr request from controller " + itoa(req.ControllerID) +
			" with correlation id " + itoa(r.CorrelationID) + " since its controller epoch " + itoa(req.ControllerEpoch) +
			" is old or it was sent to a previous broker epoch. Latest known controller epoch is " + itoa(b.controllerEpoch.Load()))
		r.Respond(leaderAndIsrError(req, kerrCode.Code))
		return
	}
	resp := b.replicas.BecomeLeaderOrFollower(req)
	r.Respond(resp)
}

// leaderAndIsrError answers every partition of req with code.
func leaderAndIsrError(req *kmsg.LeaderAndISRRequest, code int16) *kmsg.LeaderAndISRResponse {
	resp := req.ResponseKind().(*kmsg.LeaderAndISRResponse)
	resp.ErrorCode = code
	part := func(topic string, p int32) kmsg.LeaderAndISRResponseTopicPartition {
		rp := kmsg.NewLeaderAndISRResponseTopicPartition()
		rp.Topic, rp.Partition, rp.ErrorCode = topic, p, code
		return rp
	}
	for _, p := range req.PartitionStates {
		resp.Partitions = append(resp.Partitions, part(p.Topic, p.Partition))
	}
	for _, ts := range req.TopicStates {
		if req.Version >= 5 {
			rt := kmsg.NewLeaderAndISRResponseTopic()
			rt.TopicID = ts.TopicID
			for _, p := range ts.PartitionStates {
				rt.Partitions = append(rt.Partitions, part(ts.Topic, p.Partition))
			}
			resp.Topics = append(resp.Topics, rt)
			continue
		}
		for _, p := range ts.PartitionStates {
			resp.Partitions = append(resp.Partitions, part(ts.Topic, p.Partition))
		}
	}
	return resp
}

func (b *Broker) handleStopReplica(r *Request) {
	req := r.Msg.(*kmsg.StopReplicaRequest)
	if code := b.staleControlRequest(req.ControllerEpoch, req.BrokerEpoch, req.Version >= 1); code != nil {
		resp := req.ResponseKind().(*kmsg.StopReplicaResponse)
		resp.ErrorCode = code.Code
		r.Respond(resp)
		return
	}
	r.Respond(b.replicas.StopReplicas(req))
}

func (b *Broker) handleUpdateMetadata(r *Request) {
	req := r.Msg.(*kmsg.UpdateMetadataRequest)
	resp := req.ResponseKind().(*kmsg.UpdateMetadataResponse)
	if code := b.staleControlRequest(req.ControllerEpoch, req.BrokerEpoch, req.Version >= 5); code != nil {
		b.stateChangeLog().Warn("Received UpdateMetadata request with stale controller epoch " + itoa(req.ControllerEpoch) +
			" from controller " + itoa(req.ControllerID) + "; latest known controller epoch is " + itoa(b.controllerEpoch.Load()))
		resp.ErrorCode = code.Code
		r.Respond(resp)
		return
	}
	deleted := b.metadata.Update(req)
	b.groupsOnPartitionsDeleted(deleted)
	r.Respond(resp)
}

func (b *Broker) handleControlledShutdown(r *Request) {
	req := r.Msg.(*kmsg.ControlledShutdownRequest)
	epoch := int64(-1)
	if req.Version >= 2 {
		epoch = req.BrokerEpoch
	}
	b.goAsync(r, func() {
		resp := req.ResponseKind().(*kmsg.ControlledShutdownResponse)
		remaining, err := b.controllerControlledShutdown(req.BrokerID, epoch)
		resp.ErrorCode = protocol.ErrorCode(err, controllerErrors...)
		for _, tp := range remaining {
			p := kmsg.NewControlledShutdownResponsePartitionsRemaining()
			p.Topic, p.Partition = tp.Topic, tp.Partition
			resp.PartitionsRemaining = append(resp.PartitionsRemaining, p)
		}
		r.Respond(resp)
	})
}

// controllerErrors maps the controller's entry-point errors to Kafka codes.
var controllerErrors = []protocol.ErrorMapping{
	{Target: controller.ErrNotController, Code: kerr.NotController},
	{Target: controller.ErrClosed, Code: kerr.NotController},
	{Target: controller.ErrStaleBrokerEpoch, Code: kerr.StaleBrokerEpoch},
	{Target: controller.ErrBrokerNotAvailable, Code: kerr.BrokerNotAvailable},
}

// controllerControlledShutdown calls the local controller component.
func (b *Broker) controllerControlledShutdown(id int32, epoch int64) ([]controller.TopicPartition, error) {
	if b.controller == nil {
		return nil, controller.ErrNotController
	}
	return b.controller.ControlledShutdown(id, epoch)
}
