package group

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// syncResult is what a SyncGroup is answered with.
type syncResult struct {
	protocolType string // "" = null
	protocolName string // "" = null
	assignment   []byte
	err          int16
}

func (r syncResult) response(v int16) *kmsg.SyncGroupResponse {
	resp := kmsg.NewPtrSyncGroupResponse()
	resp.Version = v
	resp.ErrorCode = r.err
	resp.ProtocolType = nullable(r.protocolType)
	resp.Protocol = nullable(r.protocolName)
	resp.MemberAssignment = r.assignment
	if resp.MemberAssignment == nil {
		resp.MemberAssignment = []byte{}
	}
	return resp
}

// SyncGroup handles SyncGroup v0-v5. Followers wait until the leader's
// assignment is stored; done may run later on another goroutine.
func (c *Coordinator) SyncGroup(req *kmsg.SyncGroupRequest, done func(*kmsg.SyncGroupResponse)) {
	respond := func(r syncResult) { done(r.response(req.Version)) }
	switch {
	case req.InstanceID != nil && req.Version < 3:
		respond(syncResult{err: kerr.UnsupportedVersion.Code})
		return
	case req.Version >= 5 && (req.ProtocolType == nil || req.Protocol == nil):
		// Mandatory from v5 (KIP-559).
		respond(syncResult{err: kerr.InconsistentGroupProtocol.Code})
		return
	case req.Group == "":
		respond(syncResult{err: kerr.InvalidGroupID.Code})
		return
	}
	switch code := c.status(req.Group); code {
	case 0:
	case kerr.CoordinatorLoadInProgress.Code:
		// The rebalance state is lost with the old coordinator: make the
		// member re-join; older clients do not expect LOAD_IN_PROGRESS here.
		respond(syncResult{err: rebalanceInProgress})
		return
	default:
		respond(syncResult{err: code})
		return
	}
	g := c.getGroup(req.Group)
	if g == nil {
		respond(syncResult{err: kerr.UnknownMemberID.Code})
		return
	}
	assignment := make(map[string][]byte, len(req.GroupAssignment))
	for _, a := range req.GroupAssignment {
		assignment[a.MemberID] = a.MemberAssignment
	}
	g.lock()
	defer g.unlock()
	reply := func(r syncResult) { g.later(func() { respond(r) }) }
	switch {
	case g.is(Dead):
		reply(syncResult{err: kerr.CoordinatorNotAvailable.Code})
	case g.staticMemberFenced(req.MemberID, req.InstanceID):
		reply(syncResult{err: kerr.FencedInstanceID.Code})
	case !g.has(req.MemberID):
		reply(syncResult{err: kerr.UnknownMemberID.Code})
	case req.Generation != g.generation:
		reply(syncResult{err: kerr.IllegalGeneration.Code})
	case req.ProtocolType != nil && *req.ProtocolType != g.protocolType,
		req.Protocol != nil && *req.Protocol != g.protocolName:
		reply(syncResult{err: kerr.InconsistentGroupProtocol.Code})
	case g.is(Empty):
		reply(syncResult{err: kerr.UnknownMemberID.Code})
	case g.is(PreparingRebalance):
		reply(syncResult{err: rebalanceInProgress})
	case g.is(Stable):
		m := g.members[req.MemberID]
		reply(syncResult{protocolType: g.protocolType, protocolName: g.protocolName, assignment: m.assignment})
		c.scheduleSessionLocked(g, m)
	case g.is(CompletingRebalance):
		m := g.members[req.MemberID]
		if m.syncDone != nil {
			// A duplicate SyncGroup: answer the older one rather than
			// leave it hanging (Kafka overwrites it).
			old := m.syncDone
			g.later(func() { old(syncResult{err: rebalanceInProgress}) })
		}
		m.syncDone = func(r syncResult) { respond(r) }
		if g.leader == req.MemberID {
			c.completeSyncLocked(g, req.Generation, assignment)
		}
	}
}

// completeSyncLocked stores the leader's assignment and, once it is
// committed, hands every member its part and makes the group Stable.
func (c *Coordinator) completeSyncLocked(g *group, gen int32, assignment map[string][]byte) {
	static := 0
	var missing []string
	for _, m := range g.sortedMembers() {
		if m.isStatic() {
			static++
		}
		if _, ok := assignment[m.id]; !ok {
			missing = append(missing, m.id)
			assignment[m.id] = []byte{}
		}
	}
	c.lg.Info(fmt.Sprintf("%sAssignment received from leader for group %s for generation %d. The group has %d members, %d of which are static.", c.name, g.id, gen, len(g.members), static))
	if len(missing) > 0 {
		c.lg.Warn(fmt.Sprintf("%sSetting empty assignments for members %v of %s for generation %d", c.name, missing, g.id, gen))
	}
	c.storeGroupLocked(g, assignment, func(code int16) {
		// Another member may have joined meanwhile: only the same
		// generation, still completing, takes this assignment.
		if !g.is(CompletingRebalance) || g.generation != gen {
			return
		}
		if code != 0 {
			c.resetAndPropagateAssignmentErrorLocked(g, code)
			c.maybePrepareRebalanceLocked(g, fmt.Sprintf("error when storing group assignment during SyncGroup (member: %s)", g.leader))
			return
		}
		for _, m := range g.members {
			m.assignment = assignment[m.id]
		}
		c.propagateAssignmentLocked(g, 0)
		g.transition(Stable, c.now())
	})
}

func (c *Coordinator) resetAndPropagateAssignmentErrorLocked(g *group, code int16) {
	for _, m := range g.members {
		m.assignment = nil
	}
	c.propagateAssignmentLocked(g, code)
}

// propagateAssignmentLocked answers every waiting SyncGroup and restarts
// those members' session timers (their expiry was suspended meanwhile).
func (c *Coordinator) propagateAssignmentLocked(g *group, code int16) {
	for _, m := range g.sortedMembers() {
		r := syncResult{assignment: m.assignment, err: code}
		if code == 0 {
			r.protocolType, r.protocolName = g.protocolType, g.protocolName
			if len(m.assignment) == 0 {
				c.lg.Warn(fmt.Sprintf("%sSending empty assignment to member %s of %s for generation %d with no errors", c.name, m.id, g.id, g.generation))
			}
		}
		if g.invokeSync(m, r) {
			c.scheduleSessionLocked(g, m)
		}
	}
}
