package broker

// The group APIs, answered by the group coordinator (broker/group).
//
// FindCoordinator: v0-3
// JoinGroup: v0-7        SyncGroup: v0-5        Heartbeat: v0-4
// LeaveGroup: v0-4       OffsetCommit: v1-8     OffsetFetch: v1-7
// DescribeGroups: v0-5   ListGroups: v0-4       DeleteGroups: v0-2
// OffsetDelete: v0
//
// Behavior:
// * FindCoordinator with key_type 0 (group): the partition of
//   __consumer_offsets is Utils.abs(groupId.hashCode) % its partition count;
//   the coordinator is that partition's leader, with its endpoint on the
//   listener the request came in on. The first lookup creates
//   __consumer_offsets (offsets.topic.num.partitions,
//   offsets.topic.replication.factor, compacted); until its leader is known,
//   or with fewer live brokers than its replication factor, the answer is
//   COORDINATOR_NOT_AVAILABLE with node -1. error_message is Kafka's text
//   ("NONE" on success, as Errors.NONE.message()).
// * Every group API is a thin adapter: assert the request type, call the
//   coordinator, respond. JoinGroup, SyncGroup and OffsetCommit answer from
//   the coordinator's callback (delayed until the rebalance or the write
//   allows). Member hosts are Java-style ("/127.0.0.1").
// * OffsetCommit answers UNKNOWN_TOPIC_OR_PARTITION for partitions missing
//   from the metadata cache, before the coordinator sees them (KafkaApis).
//
// Version notes:
// * JoinGroup v4: MEMBER_ID_REQUIRED round trip (KIP-394); v5: group
//   instance ids (KIP-345); v7: protocol type in the response, protocol name
//   nullable. SyncGroup v5: protocol type and name required (KIP-559).
// * LeaveGroup v3: batch of members. OffsetCommit v2-4: retention_time_ms;
//   v6: leader epochs; v7: group instance id. OffsetFetch v2: null topics =
//   all, top-level error; v5: leader epochs; v7: require_stable.
// * DescribeGroups v3: authorized operations; v4: group instance ids.
//   ListGroups v4: states filter and group_state.
//
// Not implemented (why):
// * OffsetCommit v0 and OffsetFetch v0 stored offsets in ZooKeeper
//   (/consumers/<group>/offsets); no client of ours needs them, so they are
//   not advertised rather than answered with different semantics.
// * FindCoordinator key_type 1 (transactional id): answered
//   COORDINATOR_NOT_AVAILABLE until the transaction coordinator exists.
// * Coordinator failover between brokers follows partition leadership; the
//   loading on election and unloading on resignation are here, the rest
//   belongs to replication.

import (
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"

	"gokafka/broker/group"
	"gokafka/zkcoord"
)

// startGroupCoordinator builds and starts the group coordinator over
// __consumer_offsets (GroupCoordinator.startup) and subscribes it to the
// replica manager's leadership changes, so that offsets partitions are
// loaded on election and unloaded on resignation.
func (b *Broker) startGroupCoordinator() (*group.Coordinator, error) {
	cfg := group.DefaultConfig()
	cfg.BrokerID = b.cfg.BrokerID
	cfg.OffsetsTopicPartitions = b.cfg.OffsetsTopicNumPartitions
	if b.zk != nil {
		// An existing topic's partition count wins over the config, as
		// GroupMetadataManager.getGroupMetadataTopicPartitionCount does.
		if a, err := b.zk.TopicAssignment(zkcoord.GroupMetadataTopic); err == nil && len(a.Partitions) > 0 {
			cfg.OffsetsTopicPartitions = int32(len(a.Partitions))
		}
	}
	cfg.GroupMinSessionTimeout = millis(int64(b.cfg.GroupMinSessionTimeoutMs))
	cfg.GroupMaxSessionTimeout = millis(int64(b.cfg.GroupMaxSessionTimeoutMs))
	cfg.GroupInitialRebalanceDelay = millis(int64(b.cfg.GroupInitialRebalanceDelayMs))
	cfg.GroupMaxSize = int(b.cfg.GroupMaxSize)
	cfg.OffsetMetadataMaxBytes = int(b.cfg.OffsetMetadataMaxBytes)
	cfg.OffsetsRetention = millis(int64(b.cfg.OffsetsRetentionMinutes) * 60_000)
	cfg.OffsetsRetentionCheckInterval = millis(b.cfg.OffsetsRetentionCheckIntervalMs)
	c := group.New(cfg, b.groupStorage(), b.lg)
	c.Start()
	b.watchOffsetsLeadership(c, cfg.OffsetsTopicPartitions)
	return c, nil
}

// groupCoord returns the running coordinator, nil before it starts.
func (b *Broker) groupCoord() *group.Coordinator { return b.groups }

// groupsOnPartitionsDeleted removes the committed offsets of deleted
// partitions (GroupCoordinator.handleDeletedPartitions); the broker calls it
// when UpdateMetadata reports deleted topics.
func (b *Broker) groupsOnPartitionsDeleted(deleted []PartitionState) {
	c := b.groupCoord()
	if c == nil {
		return
	}
	byTopic := map[string][]int32{}
	for _, p := range deleted {
		byTopic[p.Topic] = append(byTopic[p.Topic], p.Partition)
	}
	for t, ps := range byTopic {
		c.OnPartitionsDeleted(t, ps)
	}
}

func (b *Broker) handleFindCoordinator(r *Request) {
	req := r.Msg.(*kmsg.FindCoordinatorRequest)
	resp := req.ResponseKind().(*kmsg.FindCoordinatorResponse)
	fail := func(e *kerr.Error) {
		resp.ErrorCode = e.Code
		resp.ErrorMessage = kmsg.StringPtr(e.Description)
		resp.NodeID, resp.Host, resp.Port = -1, "", -1
		r.Respond(resp)
	}
	c := b.groupCoord()
	switch {
	case req.CoordinatorType == 1:
		fail(kerr.CoordinatorNotAvailable) // no transaction coordinator yet
		return
	case req.CoordinatorType != 0:
		fail(kerr.InvalidRequest)
		return
	case c == nil:
		fail(kerr.CoordinatorNotAvailable)
		return
	}
	partition := c.PartitionFor(req.CoordinatorKey)
	if !b.metadata.Contains(zkcoord.GroupMetadataTopic) {
		if err := b.createOffsetsTopic(); err != nil && !zkcoord.IsTopicExists(err) && err != kerr.CoordinatorNotAvailable {
			b.lg.Error("Error while creating topic "+zkcoord.GroupMetadataTopic, zap.Error(err))
		}
		fail(kerr.CoordinatorNotAvailable)
		return
	}
	ps, ok := b.metadata.Partition(zkcoord.GroupMetadataTopic, partition)
	if !ok || ps.Leader < 0 {
		fail(kerr.CoordinatorNotAvailable)
		return
	}
	leader, ok := b.metadata.Broker(ps.Leader)
	if !ok {
		fail(kerr.CoordinatorNotAvailable)
		return
	}
	ep, ok := leader.Endpoints[r.Listener]
	if !ok {
		fail(kerr.CoordinatorNotAvailable)
		return
	}
	resp.ErrorMessage = kmsg.StringPtr("NONE")
	resp.NodeID, resp.Host, resp.Port = ps.Leader, ep.Host, ep.Port
	r.Respond(resp)
}

func millis(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }

// clientOf is the member identity the coordinator records.
func clientOf(r *Request) group.Client {
	return group.Client{ID: r.ClientID, Host: "/" + r.ClientHost}
}

// noCoordinator answers a group request while the coordinator is not running.
func noCoordinator(r *Request) {
	resp := r.Msg.ResponseKind()
	switch resp := resp.(type) {
	case *kmsg.JoinGroupResponse:
		resp.ErrorCode, resp.Generation = kerr.CoordinatorNotAvailable.Code, -1
		if resp.Version < 7 {
			resp.Protocol = kmsg.StringPtr("")
		}
	case *kmsg.SyncGroupResponse:
		resp.ErrorCode = kerr.CoordinatorNotAvailable.Code
	case *kmsg.HeartbeatResponse:
		resp.ErrorCode = kerr.CoordinatorNotAvailable.Code
	case *kmsg.LeaveGroupResponse:
		resp.ErrorCode = kerr.CoordinatorNotAvailable.Code
	case *kmsg.ListGroupsResponse:
		resp.ErrorCode = kerr.CoordinatorNotAvailable.Code
	case *kmsg.OffsetDeleteResponse:
		resp.ErrorCode = kerr.CoordinatorNotAvailable.Code
	case *kmsg.OffsetFetchResponse:
		resp.ErrorCode = kerr.CoordinatorNotAvailable.Code
	case *kmsg.DescribeGroupsResponse:
		for _, g := range r.Msg.(*kmsg.DescribeGroupsRequest).Groups {
			resp.Groups = append(resp.Groups, kmsg.DescribeGroupsResponseGroup{Group: g, ErrorCode: kerr.CoordinatorNotAvailable.Code})
		}
	case *kmsg.DeleteGroupsResponse:
		for _, g := range r.Msg.(*kmsg.DeleteGroupsRequest).Groups {
			resp.Groups = append(resp.Groups, kmsg.DeleteGroupsResponseGroup{Group: g, ErrorCode: kerr.CoordinatorNotAvailable.Code})
		}
	case *kmsg.OffsetCommitResponse:
		for _, t := range r.Msg.(*kmsg.OffsetCommitRequest).Topics {
			rt := kmsg.OffsetCommitResponseTopic{Topic: t.Topic}
			for _, p := range t.Partitions {
				rt.Partitions = append(rt.Partitions, kmsg.OffsetCommitResponseTopicPartition{Partition: p.Partition, ErrorCode: kerr.CoordinatorNotAvailable.Code})
			}
			resp.Topics = append(resp.Topics, rt)
		}
	}
	r.Respond(resp)
}

func (b *Broker) handleJoinGroup(r *Request) {
	c := b.groupCoord()
	if c == nil {
		noCoordinator(r)
		return
	}
	c.JoinGroup(r.Msg.(*kmsg.JoinGroupRequest), clientOf(r), func(resp *kmsg.JoinGroupResponse) { r.Respond(resp) })
}

func (b *Broker) handleSyncGroup(r *Request) {
	c := b.groupCoord()
	if c == nil {
		noCoordinator(r)
		return
	}
	c.SyncGroup(r.Msg.(*kmsg.SyncGroupRequest), func(resp *kmsg.SyncGroupResponse) { r.Respond(resp) })
}

func (b *Broker) handleHeartbeat(r *Request) {
	c := b.groupCoord()
	if c == nil {
		noCoordinator(r)
		return
	}
	r.Respond(c.Heartbeat(r.Msg.(*kmsg.HeartbeatRequest)))
}

func (b *Broker) handleLeaveGroup(r *Request) {
	c := b.groupCoord()
	if c == nil {
		noCoordinator(r)
		return
	}
	r.Respond(c.LeaveGroup(r.Msg.(*kmsg.LeaveGroupRequest)))
}

func (b *Broker) handleOffsetCommit(r *Request) {
	c := b.groupCoord()
	if c == nil {
		noCoordinator(r)
		return
	}
	exists := func(topic string, partition int32) bool {
		_, ok := b.metadata.Partition(topic, partition)
		return ok
	}
	c.OffsetCommit(r.Msg.(*kmsg.OffsetCommitRequest), exists, func(resp *kmsg.OffsetCommitResponse) { r.Respond(resp) })
}

func (b *Broker) handleOffsetFetch(r *Request) {
	c := b.groupCoord()
	if c == nil {
		noCoordinator(r)
		return
	}
	r.Respond(c.OffsetFetch(r.Msg.(*kmsg.OffsetFetchRequest)))
}

func (b *Broker) handleDescribeGroups(r *Request) {
	c := b.groupCoord()
	if c == nil {
		noCoordinator(r)
		return
	}
	r.Respond(c.DescribeGroups(r.Msg.(*kmsg.DescribeGroupsRequest)))
}

func (b *Broker) handleListGroups(r *Request) {
	c := b.groupCoord()
	if c == nil {
		noCoordinator(r)
		return
	}
	r.Respond(c.ListGroups(r.Msg.(*kmsg.ListGroupsRequest)))
}

func (b *Broker) handleDeleteGroups(r *Request) {
	c := b.groupCoord()
	if c == nil {
		noCoordinator(r)
		return
	}
	r.Respond(c.DeleteGroups(r.Msg.(*kmsg.DeleteGroupsRequest)))
}

func (b *Broker) handleOffsetDelete(r *Request) {
	c := b.groupCoord()
	if c == nil {
		noCoordinator(r)
		return
	}
	r.Respond(c.OffsetDelete(r.Msg.(*kmsg.OffsetDeleteRequest)))
}
