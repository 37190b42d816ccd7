package broker

// Metadata: v0-11
//
// Behavior:
// * Answered from the MetadataCache (what the controller last sent with
//   UpdateMetadata), never from ZooKeeper (replication.md §6.3).
// * brokers: every live broker with an endpoint on the listener the request
//   arrived on; controller_id; cluster_id.
// * Per partition: leader (-1 and LEADER_NOT_AVAILABLE when the leader is
//   not live), leader_epoch, replicas, isr, offline_replicas;
//   for v0 only, REPLICA_NOT_AVAILABLE when a replica is not live and the
//   dead ones dropped from the lists (Kafka's errorUnavailableEndpoints);
//   v1+ get no error (the reference says otherwise; Kafka's code wins).
// * Topics being deleted are left out: UpdateMetadata with leader -2 removes
//   them from the cache. is_internal for __consumer_offsets and
//   __transaction_state.
// * Unknown requested topics (controller.md §11.5): an internal topic is
//   created with its own settings (COORDINATOR_NOT_AVAILABLE while fewer
//   brokers live than its replication factor); others are created with
//   num.partitions and default.replication.factor when
//   auto.create.topics.enable and (v4+) allow_auto_topic_creation, answered
//   LEADER_NOT_AVAILABLE until the controller has elected leaders;
//   otherwise UNKNOWN_TOPIC_OR_PARTITION. An illegal name gives
//   INVALID_TOPIC_EXCEPTION.
// * Authorized operations (v8+): without an authorizer every operation is
//   allowed, so the bit set of every operation on the resource type.
//
// Version notes:
// * v1: controller_id, is_internal, rack; null topics = all (v0: empty = all).
// * v2: cluster_id. v3: throttle_time_ms. v4: allow_auto_topic_creation.
// * v5: offline_replicas. v6: no changes. v7: leader_epoch.
// * v8: authorized operations. v9: flexible. v10: topic ids in responses.
// * v11: cluster authorized operations removed.
//
// Not implemented (why):
// * Lookup by topic id (v10+ requests with a null name): Kafka 2.8 does not
//   support it either (UNKNOWN_TOPIC_ID is a 3.x feature).

import (
	"fmt"
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"

	"gokafka/protocol"
	"gokafka/zkcoord"
)

// Authorized-operation bits (Kafka's AclOperation codes) allowed on each
// resource type when there is no authorizer.
var (
	topicAuthorizedOps   = opBits(3, 4, 5, 6, 7, 8, 10, 11) // READ WRITE CREATE DELETE ALTER DESCRIBE DESCRIBE_CONFIGS ALTER_CONFIGS
	clusterAuthorizedOps = opBits(5, 7, 8, 9, 10, 11, 12)   // CREATE ALTER DESCRIBE CLUSTER_ACTION DESCRIBE_CONFIGS ALTER_CONFIGS IDEMPOTENT_WRITE
)

func opBits(ops ...int) int32 {
	var v int32
	for _, op := range ops {
		v |= 1 << op
	}
	return v
}

func (b *Broker) handleMetadata(r *Request) {
	req := r.Msg.(*kmsg.MetadataRequest)
	resp := req.ResponseKind().(*kmsg.MetadataResponse)

	for _, cb := range b.metadata.AliveBrokers() {
		ep, ok := cb.Endpoints[r.Listener]
		if !ok {
			continue
		}
		mb := kmsg.NewMetadataResponseBroker()
		mb.NodeID, mb.Host, mb.Port, mb.Rack = cb.ID, ep.Host, ep.Port, cb.Rack
		resp.Brokers = append(resp.Brokers, mb)
	}
	resp.ClusterID = &b.clusterID
	resp.ControllerID = b.metadata.ControllerID()
	if req.Version >= 8 && req.Version <= 10 && req.IncludeClusterAuthorizedOperations {
		resp.AuthorizedOperations = clusterAuthorizedOps
	}

	allTopics := req.Topics == nil || req.Version == 0 && len(req.Topics) == 0
	var names []string
	if allTopics {
		names = b.metadata.Topics()
	} else {
		for _, t := range req.Topics {
			if t.Topic != nil && !slices.Contains(names, *t.Topic) {
				names = append(names, *t.Topic)
			}
		}
	}
	allowAuto := req.Version < 4 || req.AllowAutoTopicCreation
	for _, name := range names {
		var mt kmsg.MetadataResponseTopic
		if b.metadata.Contains(name) {
			mt = b.topicMetadata(name, r.Listener, req.Version == 0)
		} else {
			mt = b.unknownTopicMetadata(name, allowAuto)
		}
		if req.Version >= 8 && req.IncludeTopicAuthorizedOperations {
			mt.AuthorizedOperations = topicAuthorizedOps
		}
		resp.Topics = append(resp.Topics, mt)
	}
	r.Respond(resp)
}

// topicMetadata describes a topic the cache knows.
func (b *Broker) topicMetadata(name, listener string, dropDead bool) kmsg.MetadataResponseTopic {
	mt := kmsg.NewMetadataResponseTopic()
	mt.Topic = kmsg.StringPtr(name)
	mt.TopicID = b.metadata.TopicID(name)
	mt.IsInternal = zkcoord.IsInternalTopic(name)
	live := func(id int32) bool {
		cb, ok := b.metadata.Broker(id)
		if !ok {
			return false
		}
		_, ok = cb.Endpoints[listener]
		return ok
	}
	for _, ps := range b.metadata.Partitions(name) {
		mp := kmsg.NewMetadataResponseTopicPartition()
		mp.Partition = ps.Partition
		mp.LeaderEpoch = ps.LeaderEpoch
		mp.Replicas = slices.Clone(ps.Replicas)
		mp.ISR = slices.Clone(ps.ISR)
		mp.OfflineReplicas = slices.Clone(ps.OfflineReplicas)
		if mp.OfflineReplicas == nil {
			mp.OfflineReplicas = []int32{}
		}
		if dropDead {
			mp.Replicas = keep(mp.Replicas, live)
			mp.ISR = keep(mp.ISR, live)
		}
		switch {
		case ps.Leader < 0 || !live(ps.Leader):
			mp.ErrorCode = kerr.LeaderNotAvailable.Code
			mp.Leader = -1
		default:
			mp.Leader = ps.Leader
			// Only v0 drops dead replicas, so only v0 can see fewer than
			// there are (MetadataCache.getPartitionMetadata).
			if len(mp.Replicas) < len(ps.Replicas) || len(mp.ISR) < len(ps.ISR) {
				mp.ErrorCode = kerr.ReplicaNotAvailable.Code
			}
		}
		mt.Partitions = append(mt.Partitions, mp)
	}
	return mt
}

// unknownTopicMetadata answers for a topic missing from the cache, creating
// it when allowed (KafkaApis.getTopicMetadata).
func (b *Broker) unknownTopicMetadata(name string, allowAuto bool) kmsg.MetadataResponseTopic {
	mt := kmsg.NewMetadataResponseTopic()
	mt.Topic = kmsg.StringPtr(name)
	mt.IsInternal = zkcoord.IsInternalTopic(name)
	mt.Partitions = []kmsg.MetadataResponseTopicPartition{}
	var err error
	switch {
	case name == zkcoord.GroupMetadataTopic:
		err = b.createOffsetsTopic()
	case allowAuto && b.cfg.AutoCreateTopicsEnable && !mt.IsInternal:
		err = b.autoCreateTopic(name, b.cfg.NumPartitions, int16(b.cfg.DefaultReplicationFactor), nil)
		if err == nil {
			b.lg.Info(fmt.Sprintf("Auto creation of topic %s with %d partitions and replication factor %d is successful",
				name, b.cfg.NumPartitions, b.cfg.DefaultReplicationFactor))
		}
	default:
		mt.ErrorCode = kerr.UnknownTopicOrPartition.Code
		return mt
	}
	switch {
	case err == nil || zkcoord.IsTopicExists(err):
		// Created (by us or by a racing broker); no leaders yet.
		mt.ErrorCode = kerr.LeaderNotAvailable.Code
	default:
		mt.ErrorCode = adminErrorCode(err)
		if mt.ErrorCode == kerr.UnknownServerError.Code {
			b.lg.Error("Error while creating topic "+name, zap.Error(err))
		}
	}
	return mt
}

// createOffsetsTopic creates __consumer_offsets with the offsets.topic.*
// settings; with fewer live brokers than its replication factor it answers
// COORDINATOR_NOT_AVAILABLE, as KafkaApis.createInternalTopic does.
func (b *Broker) createOffsetsTopic() error {
	rf := b.cfg.OffsetsTopicReplicationFactor
	if alive := len(b.metadata.AliveBrokers()); alive < int(rf) {
		b.lg.Error(fmt.Sprintf("Number of alive brokers '%d' does not meet the required replication factor '%d' for the offsets topic (configured via 'offsets.topic.replication.factor'). This error can be ignored if the cluster is starting up and not all brokers are up yet.", alive, rf))
		return kerr.CoordinatorNotAvailable
	}
	return b.autoCreateTopic(zkcoord.GroupMetadataTopic, b.cfg.OffsetsTopicNumPartitions, rf, offsetsTopicConfigs(b.cfg))
}

// offsetsTopicConfigs are GroupCoordinator.offsetsTopicConfigs.
func offsetsTopicConfigs(cfg *Config) map[string]string {
	return map[string]string{
		"cleanup.policy":   "compact",
		"compression.type": "producer",
		"segment.bytes":    fmt.Sprint(cfg.OffsetsTopicSegmentBytes),
	}
}

// autoCreateTopic creates a topic through ZooKeeper with a replica
// assignment over the registered brokers (rack-aware when every broker has
// a rack), as AdminZkClient.createTopic with RackAwareMode.Safe. The broker
// list comes from /brokers/ids, as in Kafka, not from the metadata cache:
// right after start-up the cache may not yet know this broker itself, and
// a client auto-creating its topic then must not get
// INVALID_REPLICATION_FACTOR. The controller picks the topic up and elects
// leaders; callers answer LEADER_NOT_AVAILABLE meanwhile. Used by Metadata
// auto-creation and by the group coordinator for __consumer_offsets.
func (b *Broker) autoCreateTopic(name string, partitions int32, rf int16, configs map[string]string) error {
	var metas []zkcoord.BrokerMeta
	if registered, err := b.zk.Brokers(); err == nil {
		for _, bi := range registered {
			metas = append(metas, bi.Meta())
		}
	} else {
		for _, cb := range b.metadata.AliveBrokers() {
			m := zkcoord.BrokerMeta{ID: cb.ID}
			if cb.Rack != nil {
				m.Rack = *cb.Rack
			}
			metas = append(metas, m)
		}
	}
	if !allHaveRack(metas) {
		for i := range metas {
			metas[i].Rack = ""
		}
	}
	if err := zkcoord.ValidateTopicName(name); err != nil {
		return protocol.Wrap(kerr.InvalidTopicException, err)
	}
	assign, err := zkcoord.AssignReplicas(metas, int(partitions), int(rf), -1, 0)
	if err != nil {
		return err
	}
	if configs == nil {
		configs = map[string]string{}
	}
	return b.zk.CreateTopic(name, assign, configs, b.usesTopicIDs())
}

func allHaveRack(ms []zkcoord.BrokerMeta) bool {
	for _, m := range ms {
		if m.Rack == "" {
			return false
		}
	}
	return true
}

// adminErrorCode maps zkcoord admin errors (which carry Kafka's error name)
// and protocol errors to a code.
func adminErrorCode(err error) int16 {
	if ae, ok := err.(*zkcoord.AdminError); ok {
		if e := protocol.ErrorForName(ae.Code); e != nil {
			return e.Code
		}
	}
	if _, ok := err.(*zkcoord.InvalidTopicError); ok {
		return kerr.InvalidTopicException.Code
	}
	return protocol.ErrorCode(err)
}

func keep(ids []int32, f func(int32) bool) []int32 {
	out := make([]int32, 0, len(ids))
	for _, id := range ids {
		if f(id) {
			out = append(out, id)
		}
	}
	return out
}
