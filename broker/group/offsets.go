package group

import (
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// OffsetCommit handles OffsetCommit v1-v8 (v0 stored offsets in ZooKeeper
// and is not served). exists, if not nil, reports whether a partition is
// known to the cluster; others are answered UNKNOWN_TOPIC_OR_PARTITION as
// KafkaApis does. done runs once the commit is replicated (or failed),
// possibly on another goroutine.
func (c *Coordinator) OffsetCommit(req *kmsg.OffsetCommitRequest, exists func(topic string, partition int32) bool, done func(*kmsg.OffsetCommitResponse)) {
	now := c.now()
	offsets := map[topicPartition]offsetAndMetadata{}
	unknown := map[topicPartition]bool{}
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			tp := topicPartition{t.Topic, p.Partition}
			if exists != nil && !exists(t.Topic, p.Partition) {
				unknown[tp] = true
				continue
			}
			om := offsetAndMetadata{offset: p.Offset, leaderEpoch: -1, metadata: deref(p.Metadata), commitTs: now, expireTs: -1}
			if req.Version >= 6 {
				om.leaderEpoch = p.LeaderEpoch
			}
			if req.Version == 1 && p.Timestamp != -1 {
				om.commitTs = p.Timestamp // v1 lets the client set it
			}
			if req.Version >= 2 && req.Version <= 4 && req.RetentionTimeMillis != -1 {
				om.expireTs = now + req.RetentionTimeMillis
			}
			offsets[tp] = om
		}
	}
	respond := func(codes map[topicPartition]int16) {
		resp := req.ResponseKind().(*kmsg.OffsetCommitResponse)
		for _, t := range req.Topics {
			rt := kmsg.OffsetCommitResponseTopic{Topic: t.Topic}
			for _, p := range t.Partitions {
				tp := topicPartition{t.Topic, p.Partition}
				code := codes[tp]
				if unknown[tp] {
					code = kerr.UnknownTopicOrPartition.Code
				}
				rt.Partitions = append(rt.Partitions, kmsg.OffsetCommitResponseTopicPartition{Partition: p.Partition, ErrorCode: code})
			}
			resp.Topics = append(resp.Topics, rt)
		}
		done(resp)
	}
	if len(offsets) == 0 {
		respond(nil)
		return
	}
	c.commitOffsets(req.Group, req.MemberID, req.InstanceID, req.Generation, offsets, respond)
}

func all(offsets map[topicPartition]offsetAndMetadata, code int16) map[topicPartition]int16 {
	m := make(map[topicPartition]int16, len(offsets))
	for tp := range offsets {
		m[tp] = code
	}
	return m
}

// commitOffsets is GroupCoordinator.handleCommitOffsets.
func (c *Coordinator) commitOffsets(groupID, memberID string, instanceID *string, generation int32, offsets map[topicPartition]offsetAndMetadata, respond func(map[topicPartition]int16)) {
	if code := c.status(groupID); code != 0 {
		respond(all(offsets, code))
		return
	}
	g, code := c.getOrCreateGroup(groupID, generation < 0)
	if g == nil {
		if code == 0 {
			// A commit for a group that no longer exists, from an older
			// generation.
			code = kerr.IllegalGeneration.Code
		}
		respond(all(offsets, code))
		return
	}
	g.lock()
	defer g.unlock()
	reply := func(codes map[topicPartition]int16) { g.later(func() { respond(codes) }) }
	switch {
	case g.is(Dead):
		reply(all(offsets, kerr.CoordinatorNotAvailable.Code))
	case g.staticMemberFenced(memberID, instanceID):
		reply(all(offsets, kerr.FencedInstanceID.Code))
	case generation < 0 && g.is(Empty):
		// A group that uses Kafka only to store offsets ("simple"
		// consumers, kafka-consumer-groups.sh --reset-offsets).
		c.storeOffsetsLocked(g, offsets, reply)
	case !g.has(memberID):
		reply(all(offsets, kerr.UnknownMemberID.Code))
	case generation != g.generation:
		reply(all(offsets, kerr.IllegalGeneration.Code))
	case g.is(CompletingRebalance):
		// A member that has its JoinGroup answer but not its assignment.
		reply(all(offsets, rebalanceInProgress))
	default: // Stable, PreparingRebalance: commits are still accepted
		c.scheduleSessionLocked(g, g.members[memberID])
		c.storeOffsetsLocked(g, offsets, reply)
	}
}

// storeOffsetsLocked appends the commits and applies them to the cache once
// committed (GroupMetadataManager.storeOffsets).
func (c *Coordinator) storeOffsetsLocked(g *group, offsets map[topicPartition]offsetAndMetadata, reply func(map[topicPartition]int16)) {
	valid := map[topicPartition]offsetAndMetadata{}
	var recs []record
	tps := make([]topicPartition, 0, len(offsets))
	for tp := range offsets {
		tps = append(tps, tp)
	}
	sort.Slice(tps, func(i, j int) bool { return tpLess(tps[i], tps[j]) })
	for _, tp := range tps {
		om := offsets[tp]
		if len(om.metadata) > c.cfg.OffsetMetadataMaxBytes {
			continue
		}
		valid[tp] = om
		recs = append(recs, record{key: offsetCommitKey(g.id, tp), value: offsetCommitValue(om)})
	}
	if len(valid) == 0 {
		reply(all(offsets, kerr.OffsetMetadataTooLarge.Code))
		return
	}
	for tp, om := range valid {
		g.pendingCommits[tp] = om
	}
	g.commitSeq++
	seq := g.commitSeq
	c.appendLocked(g, buildBatch(c.now(), recs), func(err error) {
		code := storeOffsetsError(err)
		if !g.is(Dead) {
			for tp, om := range valid {
				if code == 0 {
					g.onOffsetCommitAppend(tp, om, seq)
				} else if g.pendingCommits[tp] == om {
					delete(g.pendingCommits, tp)
				}
			}
		}
		codes := make(map[topicPartition]int16, len(offsets))
		for tp := range offsets {
			codes[tp] = code
			if _, ok := valid[tp]; !ok {
				codes[tp] = kerr.OffsetMetadataTooLarge.Code
			}
		}
		reply(codes)
	})
}

// onOffsetCommitAppend makes a committed write visible, unless the offset
// was deleted meanwhile or a later write already landed.
func (g *group) onOffsetCommitAppend(tp topicPartition, om offsetAndMetadata, seq int64) {
	staged, pending := g.pendingCommits[tp]
	if pending {
		if cur, ok := g.offsets[tp]; !ok || cur.seq < seq {
			g.offsets[tp] = offsetEntry{om: om, seq: seq}
		}
		if staged == om {
			delete(g.pendingCommits, tp)
		}
	}
}

func tpLess(a, b topicPartition) bool {
	if a.topic != b.topic {
		return a.topic < b.topic
	}
	return a.partition < b.partition
}

// OffsetFetch handles OffsetFetch v1-v7 (v0 read ZooKeeper and is not
// served). A partition without a committed offset is answered with offset
// -1 and no error; Topics == nil (v2+) asks for every committed partition.
func (c *Coordinator) OffsetFetch(req *kmsg.OffsetFetchRequest) *kmsg.OffsetFetchResponse {
	resp := req.ResponseKind().(*kmsg.OffsetFetchResponse)
	code := c.status(req.Group)
	if code != 0 {
		resp.ErrorCode = code
		if req.Version < 2 {
			// No top-level error before v2: every partition carries it.
			resp.ErrorCode = 0
			for _, t := range req.Topics {
				rt := kmsg.OffsetFetchResponseTopic{Topic: t.Topic}
				for _, p := range t.Partitions {
					rt.Partitions = append(rt.Partitions, noOffset(p, code))
				}
				resp.Topics = append(resp.Topics, rt)
			}
		}
		return resp
	}
	type entry struct {
		om    offsetAndMetadata
		found bool
		code  int16
	}
	lookup := func(g *group, tp topicPartition) entry {
		if g == nil || g.is(Dead) {
			return entry{}
		}
		if _, pending := g.pendingCommits[tp]; pending && req.RequireStable {
			return entry{code: kerr.UnstableOffsetCommit.Code}
		}
		e, ok := g.offsets[tp]
		return entry{om: e.om, found: ok}
	}
	render := func(tp topicPartition, e entry) kmsg.OffsetFetchResponseTopicPartition {
		if !e.found {
			return noOffset(tp.partition, e.code)
		}
		md := e.om.metadata
		return kmsg.OffsetFetchResponseTopicPartition{Partition: tp.partition, Offset: e.om.offset, LeaderEpoch: e.om.leaderEpoch, Metadata: &md}
	}
	g := c.getGroup(req.Group)
	if g != nil {
		g.lock()
		defer g.unlock()
	}
	if req.Topics == nil && req.Version >= 2 {
		if g == nil || g.is(Dead) {
			return resp
		}
		tps := make([]topicPartition, 0, len(g.offsets))
		for tp := range g.offsets {
			tps = append(tps, tp)
		}
		sort.Slice(tps, func(i, j int) bool { return tpLess(tps[i], tps[j]) })
		for _, tp := range tps {
			if n := len(resp.Topics); n == 0 || resp.Topics[n-1].Topic != tp.topic {
				resp.Topics = append(resp.Topics, kmsg.OffsetFetchResponseTopic{Topic: tp.topic})
			}
			rt := &resp.Topics[len(resp.Topics)-1]
			rt.Partitions = append(rt.Partitions, render(tp, lookup(g, tp)))
		}
		return resp
	}
	for _, t := range req.Topics {
		rt := kmsg.OffsetFetchResponseTopic{Topic: t.Topic}
		for _, p := range t.Partitions {
			tp := topicPartition{t.Topic, p}
			rt.Partitions = append(rt.Partitions, render(tp, lookup(g, tp)))
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

func noOffset(partition int32, code int16) kmsg.OffsetFetchResponseTopicPartition {
	empty := ""
	return kmsg.OffsetFetchResponseTopicPartition{Partition: partition, Offset: -1, LeaderEpoch: -1, Metadata: &empty, ErrorCode: code}
}
