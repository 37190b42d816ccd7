package group

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

var rebalanceInProgress = kerr.RebalanceInProgress.Code

// joinResult is what a JoinGroup is answered with (Kafka's JoinGroupResult).
type joinResult struct {
	members      []kmsg.JoinGroupResponseMember // leader only
	memberID     string
	generation   int32
	protocolType string // "" = null
	protocolName string // "" = null
	leader       string
	err          int16
}

func joinError(memberID string, code int16) joinResult {
	return joinResult{memberID: memberID, generation: -1, err: code}
}

// response renders r for a request of version v. Before v7 the protocol name
// is never null: Kafka sends "" (GroupCoordinator.NoProtocol).
func (r joinResult) response(v int16) *kmsg.JoinGroupResponse {
	resp := kmsg.NewPtrJoinGroupResponse()
	resp.Version = v
	resp.ErrorCode = r.err
	resp.Generation = r.generation
	resp.MemberID = r.memberID
	resp.LeaderID = r.leader
	resp.Members = r.members
	if v >= 7 {
		resp.ProtocolType = nullable(r.protocolType)
		resp.Protocol = nullable(r.protocolName)
	} else {
		name := r.protocolName
		resp.Protocol = &name
	}
	return resp
}

// joinParams is a decoded JoinGroup.
type joinParams struct {
	groupID            string
	memberID           string
	instanceID         *string
	requireKnownMember bool
	client             Client
	rebalanceTimeoutMs int32
	sessionTimeoutMs   int32
	protocolType       string
	protocols          []protocol
}

// JoinGroup handles JoinGroup v0-v7. done receives the response, possibly
// much later (when the rebalance completes), from another goroutine.
func (c *Coordinator) JoinGroup(req *kmsg.JoinGroupRequest, cl Client, done func(*kmsg.JoinGroupResponse)) {
	respond := func(r joinResult) { done(r.response(req.Version)) }
	if req.InstanceID != nil && req.Version < 5 {
		// Static membership needs the 2.3 JoinGroup (KafkaApis).
		respond(joinError("", kerr.UnsupportedVersion.Code))
		return
	}
	p := joinParams{
		groupID:            req.Group,
		memberID:           req.MemberID,
		instanceID:         req.InstanceID,
		requireKnownMember: req.Version >= 4 && req.InstanceID == nil,
		client:             cl,
		rebalanceTimeoutMs: req.RebalanceTimeoutMillis,
		sessionTimeoutMs:   req.SessionTimeoutMillis,
		protocolType:       req.ProtocolType,
	}
	if req.Version == 0 {
		// v0 has no rebalance timeout; Kafka uses the session timeout.
		p.rebalanceTimeoutMs = req.SessionTimeoutMillis
	}
	for _, pr := range req.Protocols {
		p.protocols = append(p.protocols, protocol{name: pr.Name, metadata: pr.Metadata})
	}
	c.joinGroup(p, respond)
}

func (c *Coordinator) joinGroup(p joinParams, respond func(joinResult)) {
	if p.groupID == "" {
		respond(joinError(p.memberID, kerr.InvalidGroupID.Code))
		return
	}
	if code := c.status(p.groupID); code != 0 {
		respond(joinError(p.memberID, code))
		return
	}
	if p.sessionTimeoutMs < int32(c.cfg.GroupMinSessionTimeout/time.Millisecond) ||
		p.sessionTimeoutMs > int32(c.cfg.GroupMaxSessionTimeout/time.Millisecond) {
		respond(joinError(p.memberID, kerr.InvalidSessionTimeout.Code))
		return
	}
	unknown := p.memberID == ""
	g, code := c.getOrCreateGroup(p.groupID, unknown)
	if g == nil {
		if code == 0 {
			code = kerr.UnknownMemberID.Code
		}
		respond(joinError(p.memberID, code))
		return
	}
	g.lock()
	defer g.unlock()
	if !c.acceptJoiningMemberLocked(g, p.memberID) {
		g.remove(p.memberID)
		g.removeStatic(p.instanceID)
		g.replyJoin(respond, joinError("", kerr.GroupMaxSizeReached.Code))
	} else if unknown {
		c.doUnknownJoinLocked(g, p, respond)
	} else {
		c.doJoinLocked(g, p, respond)
	}
	if g.is(PreparingRebalance) {
		c.tryCompleteJoinLocked(g)
	}
}

// acceptJoiningMemberLocked enforces group.max.size
// (GroupCoordinator.acceptJoiningMember).
func (c *Coordinator) acceptJoiningMemberLocked(g *group, memberID string) bool {
	switch g.state {
	case Empty, Dead:
		return true
	case PreparingRebalance:
		m := g.members[memberID]
		return (m != nil && m.joinDone != nil) || g.numAwaitingJoin < c.cfg.GroupMaxSize
	default:
		return g.has(memberID) || len(g.members) < c.cfg.GroupMaxSize
	}
}

func newMemberID(prefix string) string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%s-%x-%x-%x-%x-%x", prefix, u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

func (c *Coordinator) doUnknownJoinLocked(g *group, p joinParams, respond func(joinResult)) {
	if g.is(Dead) {
		// Unloaded meanwhile: let the client find the coordinator again.
		g.replyJoin(respond, joinError(p.memberID, kerr.CoordinatorNotAvailable.Code))
		return
	}
	if !g.supportsProtocols(p.protocolType, p.protocols) {
		g.replyJoin(respond, joinError(p.memberID, kerr.InconsistentGroupProtocol.Code))
		return
	}
	prefix := p.client.ID
	if p.instanceID != nil {
		prefix = *p.instanceID
	}
	id := newMemberID(prefix)
	if p.instanceID != nil {
		if old, ok := g.static[*p.instanceID]; ok {
			c.lg.Info(fmt.Sprintf("%sStatic member with groupInstanceId=%s and unknown member id joins group %s in %s state. Replacing previously mapped member %s with this groupInstanceId.", c.name, *p.instanceID, g.id, g.state, old))
			c.updateStaticMemberAndRebalanceLocked(g, old, id, p, respond)
		} else {
			c.lg.Info(fmt.Sprintf("%sStatic member with groupInstanceId=%s and unknown member id joins group %s in %s state. Created a new member id %s for this member and add to the group.", c.name, *p.instanceID, g.id, g.state, id))
			c.addMemberAndRebalanceLocked(g, id, p, respond)
		}
		return
	}
	if p.requireKnownMember {
		// KIP-394: hand out the id first, admit the member when it comes
		// back with it (so a client that times out leaves no ghost member).
		c.lg.Info(fmt.Sprintf("%sDynamic member with unknown member id joins group %s in %s state. Created a new member id %s and request the member to rejoin with this id.", c.name, g.id, g.state, id))
		c.addPendingMemberLocked(g, id, p.sessionTimeoutMs)
		g.replyJoin(respond, joinError(id, kerr.MemberIDRequired.Code))
		return
	}
	c.addMemberAndRebalanceLocked(g, id, p, respond)
}

func (c *Coordinator) doJoinLocked(g *group, p joinParams, respond func(joinResult)) {
	switch {
	case g.is(Dead):
		g.replyJoin(respond, joinError(p.memberID, kerr.CoordinatorNotAvailable.Code))
		return
	case !g.supportsProtocols(p.protocolType, p.protocols):
		g.replyJoin(respond, joinError(p.memberID, kerr.InconsistentGroupProtocol.Code))
		return
	case g.isPending(p.memberID):
		// The member comes back with the id MEMBER_ID_REQUIRED gave it.
		c.sched.stop(g.pending[p.memberID])
		c.addMemberAndRebalanceLocked(g, p.memberID, p, respond)
		return
	case g.staticMemberFenced(p.memberID, p.instanceID):
		c.lg.Info(fmt.Sprintf("%sjoin-group: static member %s of group %s with instance id %s is fenced by member %s", c.name, p.memberID, g.id, *p.instanceID, g.static[*p.instanceID]))
		g.replyJoin(respond, joinError(p.memberID, kerr.FencedInstanceID.Code))
		return
	case !g.has(p.memberID) || (p.instanceID != nil && g.static[*p.instanceID] == ""):
		// Unknown dynamic member, or a static member whose instance id is
		// not registered: reset the member id and retry.
		g.replyJoin(respond, joinError(p.memberID, kerr.UnknownMemberID.Code))
		return
	}
	m := g.members[p.memberID]
	switch g.state {
	case PreparingRebalance:
		c.updateMemberAndRebalanceLocked(g, m, p.protocols, respond, fmt.Sprintf("Member %s joining group during %s", m.id, g.state))
	case CompletingRebalance:
		if m.matches(p.protocols) {
			// The member lost the JoinGroup response: send it again.
			g.replyJoin(respond, c.currentJoinResultLocked(g, m))
		} else {
			c.updateMemberAndRebalanceLocked(g, m, p.protocols, respond, fmt.Sprintf("Updating metadata for member %s during %s", m.id, g.state))
		}
	case Stable:
		if g.leader == m.id {
			// The leader re-joins to have the assignment recomputed
			// (e.g. topic metadata changed).
			c.updateMemberAndRebalanceLocked(g, m, p.protocols, respond, fmt.Sprintf("Leader %s re-joining group during %s", m.id, g.state))
		} else if !m.matches(p.protocols) {
			c.updateMemberAndRebalanceLocked(g, m, p.protocols, respond, fmt.Sprintf("Updating metadata for member %s during %s", m.id, g.state))
		} else {
			r := c.currentJoinResultLocked(g, m)
			r.members = nil
			g.replyJoin(respond, r)
		}
	default: // Empty: the member is stale
		c.lg.Warn(fmt.Sprintf("%sAttempt to add rejoining member %s of group %s in unexpected group state %s", c.name, m.id, g.id, g.state))
		g.replyJoin(respond, joinError(p.memberID, kerr.UnknownMemberID.Code))
	}
}

// currentJoinResultLocked is the JoinGroup answer for the current generation.
func (c *Coordinator) currentJoinResultLocked(g *group, m *member) joinResult {
	r := joinResult{
		memberID:     m.id,
		generation:   g.generation,
		protocolType: g.protocolType,
		protocolName: g.protocolName,
		leader:       g.leader,
	}
	if g.leader == m.id {
		for _, o := range g.sortedMembers() {
			r.members = append(r.members, kmsg.JoinGroupResponseMember{
				MemberID:         o.id,
				InstanceID:       o.instanceID,
				ProtocolMetadata: o.metadata(g.protocolName),
			})
		}
	}
	return r
}

func (c *Coordinator) addMemberAndRebalanceLocked(g *group, id string, p joinParams, respond func(joinResult)) {
	m := &member{
		id:                 id,
		instanceID:         p.instanceID,
		clientID:           p.client.ID,
		clientHost:         p.client.Host,
		rebalanceTimeoutMs: p.rebalanceTimeoutMs,
		sessionTimeoutMs:   p.sessionTimeoutMs,
		protocolType:       p.protocolType,
		protocols:          p.protocols,
		isNew:              true,
	}
	if g.is(PreparingRebalance) && g.generation == 0 {
		g.newMemberAdded = true // extends the initial rebalance delay
	}
	g.add(m, respond)
	c.scheduleHeartbeatLocked(g, m, newMemberJoinTimeout)
	inst := "None"
	if p.instanceID != nil {
		inst = "Some(" + *p.instanceID + ")"
	}
	c.maybePrepareRebalanceLocked(g, fmt.Sprintf("Adding new member %s with group instance id %s", id, inst))
}

func (c *Coordinator) updateMemberAndRebalanceLocked(g *group, m *member, protos []protocol, respond func(joinResult), reason string) {
	g.updateMember(m, protos, respond)
	c.maybePrepareRebalanceLocked(g, reason)
}

// updateStaticMemberAndRebalanceLocked lets a static member that restarted
// (unknown member id, known instance id) take over its old membership
// without a rebalance when nothing changed (KIP-345).
func (c *Coordinator) updateStaticMemberAndRebalanceLocked(g *group, oldID, newID string, p joinParams, respond func(joinResult)) {
	prevLeader := g.leader
	m := c.replaceStaticMemberLocked(g, *p.instanceID, oldID, newID)
	c.scheduleSessionLocked(g, m)
	oldProtocols := m.protocols
	g.updateMember(m, p.protocols, respond)
	switch g.state {
	case Stable:
		if g.selectProtocol() != g.protocolName {
			c.maybePrepareRebalanceLocked(g, fmt.Sprintf("Group's selectedProtocol will change because static member %s with instance id %s joined with change of protocol", m.id, *p.instanceID))
			return
		}
		c.lg.Info(c.name + "Static member which joins during Stable stage and doesn't affect selectProtocol will not trigger rebalance.")
		assignment := map[string][]byte{}
		for _, o := range g.members {
			assignment[o.id] = o.assignment
		}
		gen := g.generation
		c.storeGroupLocked(g, assignment, func(code int16) {
			if code != 0 {
				c.lg.Warn(fmt.Sprintf("%sFailed to persist metadata for group %s static member %s with error %s", c.name, g.id, *p.instanceID, errName(code)))
				if g.members[newID] == m {
					g.updateMember(m, oldProtocols, nil)
					c.replaceStaticMemberLocked(g, *p.instanceID, newID, oldID)
					c.scheduleSessionLocked(g, m)
				}
				g.later(func() {
					respond(joinResult{memberID: "", generation: gen, protocolType: g.protocolType, protocolName: g.protocolName, leader: prevLeader, err: code})
				})
				return
			}
			// The old leader id is returned on purpose: a restarted static
			// leader must not compute an assignment a Stable group would
			// not distribute.
			g.invokeJoin(m, joinResult{memberID: newID, generation: g.generation, protocolType: g.protocolType, protocolName: g.protocolName, leader: prevLeader})
		})
	case CompletingRebalance:
		// The leader may already be assigning to the old member id.
		c.prepareRebalanceLocked(g, fmt.Sprintf("Updating metadata for static member %s with instance id %s", m.id, *p.instanceID))
	}
}

// replaceStaticMemberLocked moves a static member to a new member id,
// fencing whatever the old incarnation still waits for.
func (c *Coordinator) replaceStaticMemberLocked(g *group, instanceID, oldID, newID string) *member {
	m := g.members[oldID]
	delete(g.members, oldID)
	g.invokeJoin(m, joinError(oldID, kerr.FencedInstanceID.Code))
	g.invokeSync(m, syncResult{err: kerr.FencedInstanceID.Code})
	m.id = newID
	g.members[newID] = m
	if g.leader == oldID {
		g.leader = newID
	}
	g.static[instanceID] = newID
	return m
}

func (c *Coordinator) maybePrepareRebalanceLocked(g *group, reason string) {
	if g.canRebalance() {
		c.prepareRebalanceLocked(g, reason)
	}
}

// prepareRebalanceLocked starts a join phase (GroupCoordinator.prepareRebalance).
func (c *Coordinator) prepareRebalanceLocked(g *group, reason string) {
	if g.is(CompletingRebalance) {
		c.resetAndPropagateAssignmentErrorLocked(g, rebalanceInProgress)
	}
	wasEmpty := g.is(Empty)
	c.lg.Info(fmt.Sprintf("%sPreparing to rebalance group %s in state %s with old generation %d (%s-%d) (reason: %s)",
		c.name, g.id, g.state, g.generation, OffsetsTopic, g.partition, reason))
	g.transition(PreparingRebalance, c.now())
	if wasEmpty {
		delay := c.cfg.GroupInitialRebalanceDelay.Milliseconds()
		remaining := g.rebalanceTimeoutMs() - delay
		if remaining < 0 {
			remaining = 0
		}
		c.armJoinLocked(g, &joinOp{initial: true, delayMs: delay, remainingMs: remaining}, delay)
		return
	}
	c.armJoinLocked(g, &joinOp{}, g.rebalanceTimeoutMs())
	c.tryCompleteJoinLocked(g)
}

func (c *Coordinator) armJoinLocked(g *group, op *joinOp, delayMs int64) {
	if g.join != nil {
		c.sched.stop(g.join.t)
	}
	g.join = op
	op.t = c.sched.after(time.Duration(delayMs)*time.Millisecond, func() { c.onJoinTimer(g, op) })
}

// onJoinTimer is the expiry of a DelayedJoin or InitialDelayedJoin.
func (c *Coordinator) onJoinTimer(g *group, op *joinOp) {
	g.lock()
	defer g.unlock()
	if g.join != op {
		return
	}
	if op.initial && g.newMemberAdded && op.remainingMs != 0 {
		// Someone joined during the delay: wait once more, but never
		// beyond the rebalance timeout.
		g.newMemberAdded = false
		delay := c.cfg.GroupInitialRebalanceDelay.Milliseconds()
		if op.remainingMs < delay {
			delay = op.remainingMs
		}
		remaining := op.remainingMs - op.delayMs
		if remaining < 0 {
			remaining = 0
		}
		c.armJoinLocked(g, &joinOp{initial: true, delayMs: delay, remainingMs: remaining}, delay)
		return
	}
	c.completeJoinLocked(g)
}

// tryCompleteJoinLocked completes the join phase early once every member
// re-joined (DelayedJoin.tryComplete); the initial delay always runs out.
func (c *Coordinator) tryCompleteJoinLocked(g *group) {
	if g.join == nil || g.join.initial || !g.hasAllMembersJoined() {
		return
	}
	c.completeJoinLocked(g)
}

// completeJoinLocked ends the join phase (GroupCoordinator.onCompleteJoin).
func (c *Coordinator) completeJoinLocked(g *group) {
	if g.join != nil {
		c.sched.stop(g.join.t)
		g.join = nil
	}
	// Dynamic members that did not re-join in time are dropped; static
	// members keep their place until their session expires.
	for _, m := range g.sortedMembers() {
		if m.joinDone == nil && !m.isStatic() {
			c.lg.Info(fmt.Sprintf("%sGroup %s removed dynamic member %s who hasn't joined", c.name, g.id, m.id))
			c.stopHeartbeatLocked(m)
			g.invokeSync(m, syncResult{err: kerr.UnknownMemberID.Code})
			g.remove(m.id)
		}
	}
	if g.is(Dead) {
		c.lg.Info(fmt.Sprintf("%sGroup %s is dead, skipping rebalance stage", c.name, g.id))
		return
	}
	if !g.maybeElectNewJoinedLeader() && len(g.members) > 0 {
		// Nobody re-joined: wait another round for sessions to expire.
		c.lg.Error(fmt.Sprintf("%sGroup %s could not complete rebalance because no members rejoined", c.name, g.id))
		c.armJoinLocked(g, &joinOp{}, g.rebalanceTimeoutMs())
		c.tryCompleteJoinLocked(g)
		return
	}
	g.initNextGeneration(c.now())
	if g.is(Empty) {
		c.lg.Info(fmt.Sprintf("%sGroup %s with generation %d is now empty (%s-%d)", c.name, g.id, g.generation, OffsetsTopic, g.partition))
		gen := g.generation
		c.storeGroupLocked(g, nil, func(code int16) {
			if code != 0 {
				// Harmless: the previous generation comes back on a
				// reload and its members simply time out.
				c.lg.Warn(fmt.Sprintf("%sFailed to write empty metadata for group %s: %s (generation %d)", c.name, g.id, errName(code), gen))
			}
		})
		return
	}
	c.lg.Info(fmt.Sprintf("%sStabilized group %s generation %d (%s-%d) with %d members", c.name, g.id, g.generation, OffsetsTopic, g.partition, len(g.members)))
	for _, m := range g.sortedMembers() {
		g.invokeJoin(m, c.currentJoinResultLocked(g, m))
		c.scheduleSessionLocked(g, m)
		m.isNew = false
	}
}

// storeGroupLocked writes the group metadata record with the given
// assignment; done gets the JoinGroup/SyncGroup error code, with g locked.
func (c *Coordinator) storeGroupLocked(g *group, assignment map[string][]byte, done func(code int16)) {
	rec := record{key: groupMetadataKey(g.id), value: groupMetadataValue(g, assignment)}
	c.appendLocked(g, buildBatch(c.now(), []record{rec}), func(err error) {
		done(storeGroupError(err))
	})
}

func errName(code int16) string {
	if e := kerr.ErrorForCode(code); e != nil {
		return e.Error()
	}
	return "NONE"
}
