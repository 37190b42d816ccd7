package group

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// The leader's assignment is written before anyone gets it; if a member
// joins while the write is in flight, the completion finds a newer
// rebalance and changes nothing: the waiting members are told to re-join.
func TestSyncWriteOvertakenByRebalance(t *testing.T) {
	h := newHarness(t, testConfig())
	ids, _ := h.stableGroup("g", 1)
	j := h.join("g", ids[0]) // leader re-joins: new generation
	gen := j.mustDone(t).Generation
	var got *kmsg.SyncGroupResponse
	req := kmsg.NewPtrSyncGroupRequest()
	req.Version, req.Group, req.MemberID, req.Generation = 3, "g", ids[0], gen
	req.GroupAssignment = []kmsg.SyncGroupRequestGroupAssignment{{MemberID: ids[0], MemberAssignment: []byte("new")}}
	h.c.SyncGroup(req, func(r *kmsg.SyncGroupResponse) { got = r })
	// The write is still queued in the store; a new member arrives.
	newcomer := kmsg.NewPtrJoinGroupRequest()
	newcomer.Version, newcomer.Group, newcomer.ProtocolType = 3, "g", "consumer"
	newcomer.SessionTimeoutMillis, newcomer.RebalanceTimeoutMillis = 10000, 30000
	newcomer.Protocols = []kmsg.JoinGroupRequestProtocol{{Name: "range", Metadata: subscription("t")}}
	h.c.JoinGroup(newcomer, Client{ID: "late"}, func(*kmsg.JoinGroupResponse) {})
	if got == nil || got.ErrorCode != kerr.RebalanceInProgress.Code {
		t.Fatalf("leader's sync during the new rebalance: %+v", got)
	}
	h.settle() // the old write completes now
	if st := h.state("g"); st != "PreparingRebalance" {
		t.Fatalf("a stale write moved the group to %s", st)
	}
}

// group.max.size: members beyond it are refused.
func TestGroupMaxSize(t *testing.T) {
	cfg := testConfig()
	cfg.GroupMaxSize = 2
	h := newHarness(t, cfg)
	h.stableGroup("g", 2)
	expectCode(t, "third member", h.join("g", "").mustDone(t).ErrorCode, kerr.GroupMaxSizeReached)
}

// Offsets of deleted topics disappear from every group.
func TestPartitionsDeleted(t *testing.T) {
	h := newHarness(t, testConfig())
	h.commit("a", "", -1, map[int32]int64{0: 1, 1: 2})
	h.commit("b", "", -1, map[int32]int64{0: 3})
	h.c.OnPartitionsDeleted("t", []int32{0})
	h.settle()
	if got := h.fetch("a", 0, 1); got[0] != -1 || got[1] != 2 {
		t.Fatalf("a: %v", got)
	}
	if st := h.state("b"); st != "Dead" {
		t.Fatalf("b lost its only offset but is %s", st)
	}
}
