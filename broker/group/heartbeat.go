package group

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Heartbeat handles Heartbeat v0-v4. It is always answered at once.
func (c *Coordinator) Heartbeat(req *kmsg.HeartbeatRequest) *kmsg.HeartbeatResponse {
	resp := req.ResponseKind().(*kmsg.HeartbeatResponse)
	resp.ErrorCode = c.heartbeat(req)
	return resp
}

func (c *Coordinator) heartbeat(req *kmsg.HeartbeatRequest) int16 {
	if req.InstanceID != nil && req.Version < 3 {
		return kerr.UnsupportedVersion.Code
	}
	if req.Group == "" {
		return kerr.InvalidGroupID.Code
	}
	switch code := c.status(req.Group); code {
	case 0:
	case kerr.CoordinatorLoadInProgress.Code:
		// The group is still loading: answer blindly, the member is not
		// known yet either way.
		return 0
	default:
		return code
	}
	g := c.getGroup(req.Group)
	if g == nil {
		return kerr.UnknownMemberID.Code
	}
	g.lock()
	defer g.unlock()
	switch {
	case g.is(Dead):
		// Unloaded meanwhile: find the coordinator again and re-join.
		return kerr.CoordinatorNotAvailable.Code
	case g.staticMemberFenced(req.MemberID, req.InstanceID):
		return kerr.FencedInstanceID.Code
	case !g.has(req.MemberID):
		return kerr.UnknownMemberID.Code
	case req.Generation != g.generation:
		return kerr.IllegalGeneration.Code
	case g.is(Empty):
		return kerr.UnknownMemberID.Code
	}
	c.scheduleSessionLocked(g, g.members[req.MemberID])
	if g.is(PreparingRebalance) {
		return rebalanceInProgress
	}
	return 0
}

// LeaveGroup handles LeaveGroup v0-v4: v0-v2 remove one member id, v3+ a
// batch of members, each by member id or (administratively, KIP-345) by
// group instance id alone.
func (c *Coordinator) LeaveGroup(req *kmsg.LeaveGroupRequest) *kmsg.LeaveGroupResponse {
	resp := req.ResponseKind().(*kmsg.LeaveGroupResponse)
	members := req.Members
	if req.Version < 3 {
		members = []kmsg.LeaveGroupRequestMember{{MemberID: req.MemberID}}
	}
	top, errs := c.leaveGroup(req.Group, members)
	if req.Version < 3 {
		// One member: its error becomes the response's.
		resp.ErrorCode = top
		if top == 0 && len(errs) == 1 {
			resp.ErrorCode = errs[0]
		}
		return resp
	}
	resp.ErrorCode = top
	for i, m := range members {
		if top != 0 {
			break
		}
		resp.Members = append(resp.Members, kmsg.LeaveGroupResponseMember{MemberID: m.MemberID, InstanceID: m.InstanceID, ErrorCode: errs[i]})
	}
	return resp
}

func (c *Coordinator) leaveGroup(groupID string, leaving []kmsg.LeaveGroupRequestMember) (int16, []int16) {
	if groupID == "" {
		return kerr.InvalidGroupID.Code, nil
	}
	if code := c.status(groupID); code != 0 {
		return code, nil
	}
	errs := make([]int16, len(leaving))
	g := c.getGroup(groupID)
	if g == nil {
		for i := range errs {
			errs[i] = kerr.UnknownMemberID.Code
		}
		return 0, errs
	}
	g.lock()
	defer g.unlock()
	if g.is(Dead) {
		return kerr.CoordinatorNotAvailable.Code, nil
	}
	for i, l := range leaving {
		switch {
		case l.MemberID == "":
			id, ok := "", false
			if l.InstanceID != nil {
				id, ok = g.static[*l.InstanceID]
			}
			if !ok {
				errs[i] = kerr.UnknownMemberID.Code
				continue
			}
			c.removeLeavingMemberLocked(g, id)
		case g.isPending(l.MemberID):
			c.removePendingMemberLocked(g, l.MemberID)
			c.lg.Info(fmt.Sprintf("%sPending member with memberId=%s has left group %s through explicit `LeaveGroup` request", c.name, l.MemberID, g.id))
		case g.staticMemberFenced(l.MemberID, l.InstanceID):
			errs[i] = kerr.FencedInstanceID.Code
		case g.has(l.MemberID):
			c.removeLeavingMemberLocked(g, l.MemberID)
		default:
			errs[i] = kerr.UnknownMemberID.Code
		}
	}
	return 0, errs
}

func (c *Coordinator) removeLeavingMemberLocked(g *group, id string) {
	m := g.members[id]
	c.removeMemberAndUpdateGroupLocked(g, m, fmt.Sprintf("Removing member %s on LeaveGroup", id))
	c.lg.Info(fmt.Sprintf("%sMember %s has left group %s through explicit `LeaveGroup` request", c.name, id, g.id))
}
