package group

import (
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Java's String.hashCode values were computed with java 17 (jshell).
func TestPartitionForMatchesJava(t *testing.T) {
	for _, tc := range []struct {
		group string
		hash  int32
		part  int32
	}{
		{"my-group", -1906497762, 12},
		{"console-consumer-12345", 158455506, 6},
		{"test", 3556498, 48},
		{"group-é", 293427483, 33},
		{"😀g", 54959972, 22},                // surrogate pair
		{"polygenelubricants", -1 << 31, 0}, // Utils.abs(MIN_VALUE) = 0
		{"", 0, 0},
	} {
		if h := javaStringHash(tc.group); h != tc.hash {
			t.Errorf("hash(%q) = %d, want %d", tc.group, h, tc.hash)
		}
		if p := PartitionFor(tc.group, 50); p != tc.part {
			t.Errorf("PartitionFor(%q) = %d, want %d", tc.group, p, tc.part)
		}
	}
}

// Two members, eager protocol: join, the leader assigns, everyone gets its
// part, heartbeats are fine (GroupCoordinatorTest.testSyncGroupFromLeader).
func TestJoinSyncTranscript(t *testing.T) {
	h := newHarness(t, testConfig())

	a := h.join("g", "").mustDone(t)
	expectCode(t, "A joins", a.ErrorCode, nil)
	if !strings.HasPrefix(a.MemberID, "client-") || a.Generation != 1 || a.LeaderID != a.MemberID || len(a.Members) != 1 {
		t.Fatalf("A's join: %+v", a)
	}
	if h.state("g") != "CompletingRebalance" {
		t.Fatalf("state %s", h.state("g"))
	}

	// B arrives before A synced: a new rebalance; it completes when A
	// re-joins.
	bCall := h.join("g", "")
	if bCall.done() {
		t.Fatal("B answered before A re-joined")
	}
	expectCode(t, "A's sync during the new rebalance", h.sync("g", a.MemberID, 1, nil).mustDone(t).ErrorCode, kerr.RebalanceInProgress)
	expectCode(t, "A heartbeat", h.heartbeat("g", a.MemberID, 1), kerr.RebalanceInProgress)
	a2 := h.join("g", a.MemberID).mustDone(t)
	b := bCall.mustDone(t)
	if a2.Generation != 2 || b.Generation != 2 || a2.LeaderID != a.MemberID || b.LeaderID != a.MemberID {
		t.Fatalf("generation 2: A %+v B %+v", a2, b)
	}
	if len(a2.Members) != 2 || len(b.Members) != 0 {
		t.Fatalf("only the leader gets the member list: leader %d, follower %d", len(a2.Members), len(b.Members))
	}
	if *a2.Protocol != "range" {
		t.Fatalf("protocol %q", *a2.Protocol)
	}

	// The follower waits for the leader's assignment.
	bSync := h.sync("g", b.MemberID, 2, nil)
	if bSync.resp != nil {
		t.Fatal("follower answered before the leader synced")
	}
	aSync := h.sync("g", a.MemberID, 2, map[string]string{a.MemberID: "pa", b.MemberID: "pb"}).mustDone(t)
	if string(aSync.MemberAssignment) != "pa" || string(bSync.mustDone(t).MemberAssignment) != "pb" {
		t.Fatalf("assignments %q %q", aSync.MemberAssignment, bSync.resp.MemberAssignment)
	}
	if h.state("g") != "Stable" {
		t.Fatalf("state %s", h.state("g"))
	}
	expectCode(t, "heartbeat", h.heartbeat("g", b.MemberID, 2), nil)
	expectCode(t, "heartbeat old generation", h.heartbeat("g", b.MemberID, 1), kerr.IllegalGeneration)
	expectCode(t, "heartbeat unknown member", h.heartbeat("g", "nobody", 2), kerr.UnknownMemberID)
	expectCode(t, "sync old generation", h.sync("g", b.MemberID, 1, nil).mustDone(t).ErrorCode, kerr.IllegalGeneration)
	// A Stable group answers a late SyncGroup with the stored assignment.
	if r := h.sync("g", b.MemberID, 2, nil).mustDone(t); string(r.MemberAssignment) != "pb" {
		t.Fatalf("late sync: %q", r.MemberAssignment)
	}

	// The stored group record carries both members and their assignments.
	recs := h.store.records(t, PartitionFor("g", 50))
	v, err := parseGroupValue(recs[len(recs)-1].value)
	if err != nil || v.Generation != 2 || len(v.Members) != 2 || string(v.Members[1].Assignment) != "pb" || v.Members[0].ClientHost != "/127.0.0.1" {
		t.Fatalf("stored group: %+v %v", v, err)
	}
}

// JoinGroup v4+ without a member id gets MEMBER_ID_REQUIRED and an id
// (KIP-394); the member is admitted when it comes back with it.
func TestMemberIDRequired(t *testing.T) {
	h := newHarness(t, testConfig())
	first := h.join("g", "", withVersion(4)).mustDone(t)
	expectCode(t, "first join", first.ErrorCode, kerr.MemberIDRequired)
	if !strings.HasPrefix(first.MemberID, "client-") || len(first.MemberID) != len("client-")+36 {
		t.Fatalf("member id %q", first.MemberID)
	}
	if h.state("g") != "Empty" {
		t.Fatalf("a pending member does not start a rebalance: %s", h.state("g"))
	}
	r := h.join("g", first.MemberID, withVersion(4)).mustDone(t)
	expectCode(t, "second join", r.ErrorCode, nil)
	if r.MemberID != first.MemberID || r.Generation != 1 {
		t.Fatalf("%+v", r)
	}

	// A pending member that never comes back is forgotten after its
	// session timeout and does not hold up the rebalance forever.
	lost := h.join("g", "", withVersion(4)).mustDone(t)
	expectCode(t, "lost join", lost.ErrorCode, kerr.MemberIDRequired)
	h.advance(11 * time.Second)
	expectCode(t, "lost member rejoins too late", h.join("g", lost.MemberID, withVersion(4)).mustDone(t).ErrorCode, kerr.UnknownMemberID)
}

// A member joining or leaving a Stable group triggers a rebalance; the
// others learn it from their heartbeats.
func TestRebalanceOnJoinAndLeave(t *testing.T) {
	h := newHarness(t, testConfig())
	ids, gen := h.stableGroup("g", 2)
	a, b := ids[0], ids[1]

	c := h.join("g", "")
	if c.done() || h.state("g") != "PreparingRebalance" {
		t.Fatalf("state %s", h.state("g"))
	}
	expectCode(t, "A heartbeat", h.heartbeat("g", a, gen), kerr.RebalanceInProgress)
	// Commits are still accepted while preparing a rebalance.
	for _, code := range h.commit("g", a, gen, map[int32]int64{0: 5}) {
		expectCode(t, "commit during rebalance", code, nil)
	}
	ja, jb := h.join("g", a), h.join("g", b)
	for _, j := range []*joinCall{ja, jb, c} {
		if r := j.mustDone(t); r.Generation != gen+1 {
			t.Fatalf("generation %d", r.Generation)
		}
	}
	gen++
	h.sync("g", a, gen, map[string]string{a: "1", b: "2", c.resp.MemberID: "3"}).mustDone(t)

	// B leaves: A and C re-join into the next generation.
	expectCode(t, "leave", h.leave("g", b), nil)
	expectCode(t, "leave twice", h.leave("g", b), kerr.UnknownMemberID)
	expectCode(t, "A heartbeat", h.heartbeat("g", a, gen), kerr.RebalanceInProgress)
	ja, jc := h.join("g", a), h.join("g", c.resp.MemberID)
	if r := ja.mustDone(t); r.Generation != gen+1 || len(r.Members) != 2 {
		t.Fatalf("after leave: %+v", r)
	}
	jc.mustDone(t)

	// Everyone leaves: the group is Empty and keeps its offsets.
	h.leave("g", a)
	h.leave("g", c.resp.MemberID)
	h.settle()
	if h.state("g") != "PreparingRebalance" && h.state("g") != "Empty" {
		t.Fatalf("state %s", h.state("g"))
	}
	h.advance(time.Second)
	if h.state("g") != "Empty" {
		t.Fatalf("state %s", h.state("g"))
	}
	if got := h.fetch("g", 0); got[0] != 5 {
		t.Fatalf("offsets after the group emptied: %v", got)
	}
}

// A member that stops heartbeating is removed after its session timeout; a
// member that does not re-join within the rebalance timeout is dropped.
func TestSessionExpiry(t *testing.T) {
	h := newHarness(t, testConfig())
	ids, gen := h.stableGroup("g", 2)
	a, b := ids[0], ids[1]
	for i := 0; i < 9; i++ {
		h.advance(time.Second)
		expectCode(t, "A heartbeat", h.heartbeat("g", a, gen), nil)
	}
	h.advance(2 * time.Second) // B silent for 11s > 10s session
	expectCode(t, "A heartbeat after B expired", h.heartbeat("g", a, gen), kerr.RebalanceInProgress)
	expectCode(t, "B heartbeat", h.heartbeat("g", b, gen), kerr.UnknownMemberID)
	r := h.join("g", a).mustDone(t)
	if r.Generation != gen+1 || len(r.Members) != 1 {
		t.Fatalf("%+v", r)
	}
	gen = r.Generation

	// C joins; A keeps heartbeating but never re-joins: after the
	// rebalance timeout (30s) the group completes without A.
	h.sync("g", a, gen, map[string]string{a: "x"}).mustDone(t)
	c := h.join("g", "", withRebalance(30000))
	for i := 0; i < 29; i++ {
		h.advance(time.Second)
		expectCode(t, "A heartbeat", h.heartbeat("g", a, gen), kerr.RebalanceInProgress)
	}
	if c.done() {
		t.Fatal("completed before the rebalance timeout")
	}
	h.advance(2 * time.Second)
	rc := c.mustDone(t)
	if rc.LeaderID != rc.MemberID || len(rc.Members) != 1 {
		t.Fatalf("C should lead alone: %+v", rc)
	}
	expectCode(t, "A heartbeat", h.heartbeat("g", a, gen), kerr.UnknownMemberID)
}

// group.initial.rebalance.delay.ms: the first rebalance of an Empty group
// waits, and each newcomer extends the wait, never beyond the rebalance
// timeout.
func TestInitialRebalanceDelay(t *testing.T) {
	cfg := testConfig()
	cfg.GroupInitialRebalanceDelay = 3 * time.Second
	h := newHarness(t, cfg)
	a := h.join("g", "")
	h.advance(2 * time.Second)
	b := h.join("g", "")
	h.advance(1 * time.Second) // t=3s: B arrived during the delay, extend
	if a.done() || b.done() {
		t.Fatal("completed although a member arrived during the delay")
	}
	h.advance(3 * time.Second) // t=6s
	ra, rb := a.mustDone(t), b.mustDone(t)
	if ra.Generation != 1 || rb.Generation != 1 || len(ra.Members) != 2 {
		t.Fatalf("A %+v B %+v", ra, rb)
	}

	// Bounded by the rebalance timeout: with a 5s timeout, the delay
	// stops being extended after 3s + 2s.
	var calls []*joinCall
	calls = append(calls, h.join("h", "", withRebalance(5000)))
	for i := 0; i < 5; i++ {
		h.advance(time.Second)
		if !calls[0].done() {
			calls = append(calls, h.join("h", "", withRebalance(5000)))
		}
	}
	if !calls[0].done() {
		t.Fatal("initial delay extended beyond the rebalance timeout")
	}
}

// Error answers of the rebalance APIs.
func TestRebalanceErrors(t *testing.T) {
	h := newHarness(t, testConfig())
	expectCode(t, "session too short", h.join("g", "", withSession(1000)).mustDone(t).ErrorCode, kerr.InvalidSessionTimeout)
	expectCode(t, "session too long", h.join("g", "", withSession(1<<30)).mustDone(t).ErrorCode, kerr.InvalidSessionTimeout)
	expectCode(t, "empty group id", h.join("", "").mustDone(t).ErrorCode, kerr.InvalidGroupID)
	expectCode(t, "unknown member of unknown group", h.join("g", "ghost").mustDone(t).ErrorCode, kerr.UnknownMemberID)
	expectCode(t, "static member with v4", h.join("g", "", withVersion(4), withInstance("i")).mustDone(t).ErrorCode, kerr.UnsupportedVersion)

	ids, gen := h.stableGroup("g", 1)
	req := kmsg.NewPtrJoinGroupRequest()
	expectCode(t, "other protocol type", func() int16 {
		r := h.join("g", "", func(r *kmsg.JoinGroupRequest) { r.ProtocolType = "connect" })
		return r.mustDone(t).ErrorCode
	}(), kerr.InconsistentGroupProtocol)
	_ = req
	expectCode(t, "no common protocol", h.join("g", "", withProtocols("roundrobin")).mustDone(t).ErrorCode, kerr.InconsistentGroupProtocol)
	expectCode(t, "sync unknown member", h.sync("g", "ghost", gen, nil).mustDone(t).ErrorCode, kerr.UnknownMemberID)
	expectCode(t, "sync no group", h.sync("nogroup", ids[0], gen, nil).mustDone(t).ErrorCode, kerr.UnknownMemberID)
	expectCode(t, "heartbeat no group", h.heartbeat("nogroup", "x", 1), kerr.UnknownMemberID)

	// NOT_COORDINATOR and COORDINATOR_LOAD_IN_PROGRESS follow ownership.
	p := PartitionFor("g", 50)
	h.c.OnResignation(p, 1)
	expectCode(t, "after resignation", h.heartbeat("g", ids[0], gen), kerr.NotCoordinator)
	expectCode(t, "join after resignation", h.join("g", ids[0]).mustDone(t).ErrorCode, kerr.NotCoordinator)
	h.c.mu.Lock()
	h.c.partitions[p] = &partitionState{epoch: 2} // as if a load were running
	h.c.mu.Unlock()
	expectCode(t, "join while loading", h.join("g", ids[0]).mustDone(t).ErrorCode, kerr.CoordinatorLoadInProgress)
	expectCode(t, "heartbeat while loading is answered blindly", h.heartbeat("g", ids[0], gen), nil)
	expectCode(t, "sync while loading", h.sync("g", ids[0], gen, nil).mustDone(t).ErrorCode, kerr.RebalanceInProgress)
}

// A static member (group.instance.id, KIP-345) that restarts takes its
// place back without a rebalance; its old incarnation is fenced.
func TestStaticMembership(t *testing.T) {
	h := newHarness(t, testConfig())
	a := h.join("g", "", withVersion(5), withInstance("a")).mustDone(t)
	expectCode(t, "static join", a.ErrorCode, nil) // no MEMBER_ID_REQUIRED for static members
	if !strings.HasPrefix(a.MemberID, "a-") {
		t.Fatalf("static member id %q", a.MemberID)
	}
	b := h.join("g", "", withVersion(5), withInstance("b"))
	h.join("g", a.MemberID, withVersion(5), withInstance("a")).mustDone(t)
	bID, gen := b.mustDone(t).MemberID, b.resp.Generation
	h.sync("g", bID, gen, nil)
	h.sync("g", a.MemberID, gen, map[string]string{a.MemberID: "pa", bID: "pb"}).mustDone(t)

	// B restarts: new member id, same generation, no rebalance; the leader
	// id returned is the current leader so B does not assign.
	b2 := h.join("g", "", withVersion(5), withInstance("b")).mustDone(t)
	expectCode(t, "restart", b2.ErrorCode, nil)
	if b2.MemberID == bID || b2.Generation != gen || b2.LeaderID != a.MemberID || h.state("g") != "Stable" {
		t.Fatalf("restart of a static member: %+v state %s", b2, h.state("g"))
	}
	if r := h.sync("g", b2.MemberID, gen, nil).mustDone(t); string(r.MemberAssignment) != "pb" {
		t.Fatalf("assignment after restart %q", r.MemberAssignment)
	}
	hb := kmsg.NewPtrHeartbeatRequest()
	hb.Version, hb.Group, hb.MemberID, hb.Generation = 3, "g", bID, gen
	hb.InstanceID = kmsg.StringPtr("b")
	expectCode(t, "old incarnation", h.c.Heartbeat(hb).ErrorCode, kerr.FencedInstanceID)

	// A static member that goes away does not trigger a rebalance until
	// its session times out.
	for i := 0; i < 11; i++ {
		h.advance(time.Second)
		h.heartbeat("g", a.MemberID, gen)
		if i < 9 && h.state("g") != "Stable" {
			t.Fatalf("rebalance before the session timeout: %s", h.state("g"))
		}
	}
	if h.state("g") != "PreparingRebalance" {
		t.Fatalf("state %s after B's session expired", h.state("g"))
	}

	// LeaveGroup v3+ by instance id alone (administrative removal).
	lv := kmsg.NewPtrLeaveGroupRequest()
	lv.Version, lv.Group = 4, "g"
	lv.Members = []kmsg.LeaveGroupRequestMember{{InstanceID: kmsg.StringPtr("a")}, {InstanceID: kmsg.StringPtr("zz")}}
	resp := h.c.LeaveGroup(lv)
	if resp.ErrorCode != 0 || resp.Members[0].ErrorCode != 0 || resp.Members[1].ErrorCode != kerr.UnknownMemberID.Code {
		t.Fatalf("leave by instance id: %+v", resp)
	}
}

// Unloading answers waiting requests with NOT_COORDINATOR.
func TestResignationAnswersWaiters(t *testing.T) {
	h := newHarness(t, testConfig())
	ids, gen := h.stableGroup("g", 2)
	s := h.join("g", "") // waits for A and B
	if s.done() {
		t.Fatal("answered early")
	}
	h.c.OnResignation(PartitionFor("g", 50), -1)
	expectCode(t, "waiting join", s.mustDone(t).ErrorCode, kerr.NotCoordinator)
	expectCode(t, "heartbeat", h.heartbeat("g", ids[0], gen), kerr.NotCoordinator)
}
