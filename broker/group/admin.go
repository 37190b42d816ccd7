package group

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ListGroups handles ListGroups v0-v4: the groups this broker coordinates,
// filtered by state (v4+, exact names). While an offsets partition loads the
// answer carries COORDINATOR_LOAD_IN_PROGRESS with what is known so far.
func (c *Coordinator) ListGroups(req *kmsg.ListGroupsRequest) *kmsg.ListGroupsResponse {
	resp := req.ResponseKind().(*kmsg.ListGroupsResponse)
	c.mu.RLock()
	if !c.active {
		c.mu.RUnlock()
		resp.ErrorCode = kerr.CoordinatorNotAvailable.Code
		return resp
	}
	for _, st := range c.partitions {
		if !st.loaded {
			resp.ErrorCode = kerr.CoordinatorLoadInProgress.Code
		}
	}
	groups := make([]*group, 0, len(c.groups))
	for _, g := range c.groups {
		groups = append(groups, g)
	}
	c.mu.RUnlock()
	sort.Slice(groups, func(i, j int) bool { return groups[i].id < groups[j].id })
	states := map[string]bool{}
	for _, s := range req.StatesFilter {
		states[s] = true
	}
	for _, g := range groups {
		g.lock()
		id, ptype, state := g.id, g.protocolType, g.state
		g.unlock()
		if state == Dead || (len(states) > 0 && !states[state.String()]) {
			continue
		}
		resp.Groups = append(resp.Groups, kmsg.ListGroupsResponseGroup{Group: id, ProtocolType: ptype, GroupState: state.String()})
	}
	return resp
}

// groupReadOps is the authorized-operations bit field DescribeGroups v3+
// reports with no authorizer: READ (3), DELETE (6), DESCRIBE (8).
const groupReadOps = 1<<3 | 1<<6 | 1<<8

// DescribeGroups handles DescribeGroups v0-v5. Member metadata and
// assignments are only shown for a Stable group, as Kafka does; an unknown
// group is described as Dead.
func (c *Coordinator) DescribeGroups(req *kmsg.DescribeGroupsRequest) *kmsg.DescribeGroupsResponse {
	resp := req.ResponseKind().(*kmsg.DescribeGroupsResponse)
	for _, id := range req.Groups {
		d := kmsg.NewDescribeGroupsResponseGroup()
		d.Group = id
		d.AuthorizedOperations = -2147483648
		if req.IncludeAuthorizedOperations {
			d.AuthorizedOperations = groupReadOps
		}
		if code := c.status(id); code != 0 {
			d.ErrorCode = code
			resp.Groups = append(resp.Groups, d)
			continue
		}
		g := c.getGroup(id)
		if g == nil {
			d.State = Dead.String()
			resp.Groups = append(resp.Groups, d)
			continue
		}
		g.lock()
		d.State = g.state.String()
		d.ProtocolType = g.protocolType
		if g.is(Stable) {
			d.Protocol = g.protocolName
		}
		for _, m := range g.sortedMembers() {
			dm := kmsg.DescribeGroupsResponseGroupMember{
				MemberID:         m.id,
				InstanceID:       m.instanceID,
				ClientID:         m.clientID,
				ClientHost:       m.clientHost,
				ProtocolMetadata: []byte{},
				MemberAssignment: []byte{},
			}
			if g.is(Stable) {
				dm.ProtocolMetadata = nonNil(m.metadata(g.protocolName))
				dm.MemberAssignment = nonNil(m.assignment)
			}
			d.Members = append(d.Members, dm)
		}
		g.unlock()
		resp.Groups = append(resp.Groups, d)
	}
	return resp
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// DeleteGroups handles DeleteGroups v0-v2: only Empty groups (or groups
// that never had members) are deleted, with their offsets.
func (c *Coordinator) DeleteGroups(req *kmsg.DeleteGroupsRequest) *kmsg.DeleteGroupsResponse {
	resp := req.ResponseKind().(*kmsg.DeleteGroupsResponse)
	var eligible []*group
	codes := map[string]int16{}
	for _, id := range req.Groups {
		if code := c.status(id); code != 0 {
			codes[id] = code
			continue
		}
		g := c.getGroup(id)
		if g == nil {
			codes[id] = c.notFoundCode(id)
			continue
		}
		g.lock()
		switch g.state {
		case Dead:
			codes[id] = c.notFoundCode(id)
		case Empty:
			g.transition(Dead, c.now())
			eligible = append(eligible, g)
		default:
			codes[id] = kerr.NonEmptyGroup.Code
		}
		g.unlock()
	}
	if len(eligible) > 0 {
		removed := c.cleanupGroupMetadata(eligible, func(g *group) []topicPartition { return g.removeOffsets(nil) })
		var ids []string
		for _, g := range eligible {
			codes[g.id] = 0
			ids = append(ids, g.id)
		}
		c.lg.Info(fmt.Sprintf("%sThe following groups were deleted: %s. A total of %d offsets were removed.", c.name, strings.Join(ids, ", "), removed))
	}
	for _, id := range req.Groups {
		resp.Groups = append(resp.Groups, kmsg.DeleteGroupsResponseGroup{Group: id, ErrorCode: codes[id]})
	}
	return resp
}

func (c *Coordinator) notFoundCode(id string) int16 {
	if c.groupNotExists(id) {
		return kerr.GroupIDNotFound.Code
	}
	return kerr.NotCoordinator.Code
}

// OffsetDelete handles OffsetDelete v0: committed offsets of an Empty group,
// or of topics a consumer group does not subscribe to, are deleted.
func (c *Coordinator) OffsetDelete(req *kmsg.OffsetDeleteRequest) *kmsg.OffsetDeleteResponse {
	resp := req.ResponseKind().(*kmsg.OffsetDeleteResponse)
	var tps []topicPartition
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			tps = append(tps, topicPartition{t.Topic, p.Partition})
		}
	}
	codes := map[topicPartition]int16{}
	groupCode := c.status(req.Group)
	var g *group
	if groupCode == 0 {
		if g = c.getGroup(req.Group); g == nil {
			groupCode = c.notFoundCode(req.Group)
		}
	}
	if g != nil {
		var eligible []topicPartition
		g.lock()
		switch {
		case g.is(Dead):
			groupCode = c.notFoundCode(req.Group)
		case g.is(Empty):
			eligible = tps
		case g.protocolType == "consumer":
			for _, tp := range tps {
				if g.subscribedTo(tp.topic) {
					codes[tp] = kerr.GroupSubscribedToTopic.Code
				} else {
					eligible = append(eligible, tp)
				}
			}
		default:
			groupCode = kerr.NonEmptyGroup.Code
		}
		g.unlock()
		if len(eligible) > 0 {
			removed := c.cleanupGroupMetadata([]*group{g}, func(g *group) []topicPartition { return g.removeOffsets(eligible) })
			for _, tp := range eligible {
				codes[tp] = 0
			}
			c.lg.Info(fmt.Sprintf("%sThe following offsets of the group %s were deleted: %v. A total of %d offsets were removed.", c.name, g.id, eligible, removed))
		}
	}
	resp.ErrorCode = groupCode
	if groupCode != 0 {
		return resp
	}
	for _, t := range req.Topics {
		rt := kmsg.OffsetDeleteResponseTopic{Topic: t.Topic}
		for _, p := range t.Partitions {
			rt.Partitions = append(rt.Partitions, kmsg.OffsetDeleteResponseTopicPartition{Partition: p.Partition, ErrorCode: codes[topicPartition{t.Topic, p.Partition}]})
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

// removeOffsets drops the given committed offsets (all if tps is nil),
// pending writes included, and returns those that existed.
func (g *group) removeOffsets(tps []topicPartition) []topicPartition {
	if tps == nil {
		for tp := range g.offsets {
			tps = append(tps, tp)
		}
		for tp := range g.pendingCommits {
			if _, ok := g.offsets[tp]; !ok {
				tps = append(tps, tp)
			}
		}
	}
	var removed []topicPartition
	for _, tp := range tps {
		delete(g.pendingCommits, tp)
		if _, ok := g.offsets[tp]; ok {
			delete(g.offsets, tp)
			removed = append(removed, tp)
		}
	}
	return removed
}

// removeExpiredOffsets drops offsets older than the retention
// (GroupMetadata.removeExpiredOffsets): for an Empty group counted from when
// it became Empty; for a consumer group with members only offsets of topics
// it no longer subscribes to, counted from their commit; for an
// offsets-only group from their commit. Commits carrying an explicit expiry
// (OffsetCommit v2-v4) keep their own.
func (g *group) removeExpiredOffsets(now int64, retentionMs int64) []topicPartition {
	var base func(e offsetEntry) int64
	var skipSubscribed bool
	switch {
	case g.protocolType != "" && g.is(Empty):
		base = func(e offsetEntry) int64 {
			if g.stateTimestamp >= 0 {
				return g.stateTimestamp
			}
			return e.om.commitTs
		}
	case g.protocolType == "consumer" && g.subscribedKnown:
		base = func(e offsetEntry) int64 { return e.om.commitTs }
		skipSubscribed = true
	case g.protocolType == "":
		base = func(e offsetEntry) int64 { return e.om.commitTs }
	default:
		return nil
	}
	var expired []topicPartition
	for tp, e := range g.offsets {
		if skipSubscribed && g.subscribed[tp.topic] {
			continue
		}
		if _, pending := g.pendingCommits[tp]; pending {
			continue
		}
		if e.om.expireTs >= 0 {
			if now >= e.om.expireTs {
				expired = append(expired, tp)
			}
		} else if now-base(e) >= retentionMs {
			expired = append(expired, tp)
		}
	}
	for _, tp := range expired {
		delete(g.offsets, tp)
	}
	return expired
}

// cleanupGroupMetadata removes what selector picks from each group, writes
// the tombstones, and retires groups left Empty without offsets
// (GroupMetadataManager.cleanupGroupMetadata). Tombstones are fire and
// forget: a lost one is written again by the next cleanup.
func (c *Coordinator) cleanupGroupMetadata(groups []*group, selector func(g *group) []topicPartition) int {
	total := 0
	for _, g := range groups {
		g.lock()
		removed := selector(g)
		if g.is(Empty) && len(g.offsets) == 0 && len(g.pendingCommits) == 0 {
			c.mlg.Info(fmt.Sprintf("%sGroup %s transitioned to Dead in generation %d", c.mname, g.id, g.generation))
			g.transition(Dead, c.now())
		}
		var recs []record
		sort.Slice(removed, func(i, j int) bool { return tpLess(removed[i], removed[j]) })
		for _, tp := range removed {
			recs = append(recs, record{key: offsetCommitKey(g.id, tp)})
		}
		// Offsets-only groups (generation 0) never wrote group metadata.
		if g.is(Dead) && c.removeGroupLocked(g) && g.generation > 0 {
			recs = append(recs, record{key: groupMetadataKey(g.id)})
		}
		if len(recs) > 0 {
			id := g.id
			c.appendLocked(g, buildBatch(c.now(), recs), func(err error) {
				if err != nil {
					c.mlg.Error(fmt.Sprintf("%sFailed to append %d tombstones to %s-%d for expired/deleted offsets and/or metadata for group %s: %v", c.mname, len(recs), OffsetsTopic, g.partition, id, err))
				}
			})
			total += len(removed)
		}
		g.unlock()
	}
	return total
}

// scheduleRetentionCheck arms the periodic offset expiry
// (offsets.retention.check.interval.ms).
func (c *Coordinator) scheduleRetentionCheck() {
	if c.cfg.OffsetsRetentionCheckInterval <= 0 {
		return
	}
	c.retention = c.sched.after(c.cfg.OffsetsRetentionCheckInterval, func() {
		c.ExpireOffsets()
		c.mu.RLock()
		active := c.active
		c.mu.RUnlock()
		if active {
			c.scheduleRetentionCheck()
		}
	})
}

// ExpireOffsets runs one pass of offset expiry now.
func (c *Coordinator) ExpireOffsets() int {
	start := time.Now()
	c.mu.RLock()
	groups := make([]*group, 0, len(c.groups))
	for _, g := range c.groups {
		groups = append(groups, g)
	}
	c.mu.RUnlock()
	now := c.now()
	n := c.cleanupGroupMetadata(groups, func(g *group) []topicPartition {
		return g.removeExpiredOffsets(now, c.cfg.OffsetsRetention.Milliseconds())
	})
	c.mlg.Info(fmt.Sprintf("%sRemoved %d expired offsets in %d milliseconds.", c.mname, n, time.Since(start).Milliseconds()))
	return n
}

// OnPartitionsDeleted drops the committed offsets of deleted topic
// partitions from every group (GroupCoordinator.handleDeletedPartitions).
func (c *Coordinator) OnPartitionsDeleted(topic string, partitions []int32) {
	tps := make([]topicPartition, len(partitions))
	for i, p := range partitions {
		tps[i] = topicPartition{topic, p}
	}
	c.mu.RLock()
	groups := make([]*group, 0, len(c.groups))
	for _, g := range c.groups {
		groups = append(groups, g)
	}
	c.mu.RUnlock()
	n := c.cleanupGroupMetadata(groups, func(g *group) []topicPartition { return g.removeOffsets(tps) })
	c.lg.Info(fmt.Sprintf("%sRemoved %d offsets associated with deleted partitions: %s.", c.name, n, topic))
}
