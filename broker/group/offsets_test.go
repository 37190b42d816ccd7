package group

import (
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// A partition without a committed offset answers -1 and NONE, never an
// error (clients start from auto.offset.reset on it).
func TestOffsetFetchUncommitted(t *testing.T) {
	h := newHarness(t, testConfig())
	if got := h.fetch("nobody", 0, 1); got[0] != -1 || got[1] != -1 {
		t.Fatalf("unknown group: %v", got)
	}
	h.commit("g", "", -1, map[int32]int64{0: 7})
	if got := h.fetch("g", 0, 1); got[0] != 7 || got[1] != -1 {
		t.Fatalf("got %v", got)
	}
}

// Simple commits (generation -1, no member) are accepted for a group
// without members; that is how kafka-consumer-groups.sh --reset-offsets
// writes offsets.
func TestSimpleCommitAndFetchAll(t *testing.T) {
	h := newHarness(t, testConfig())
	for _, code := range h.commit("g", "", -1, map[int32]int64{0: 10, 1: 11}) {
		expectCode(t, "simple commit", code, nil)
	}
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Version, req.Group = 7, "g" // Topics nil: all committed partitions
	resp := h.c.OffsetFetch(req)
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 2 || resp.Topics[0].Partitions[1].Offset != 11 {
		t.Fatalf("fetch all: %+v", resp)
	}
	l := h.c.ListGroups(kmsg.NewPtrListGroupsRequest())
	if len(l.Groups) != 1 || l.Groups[0].Group != "g" || l.Groups[0].ProtocolType != "" || l.Groups[0].GroupState != "Empty" {
		t.Fatalf("list: %+v", l.Groups)
	}

	// With members, a simple commit is refused; a member's commit needs
	// the current generation.
	ids, gen := h.stableGroup("g", 1)
	expectCode(t, "simple commit to a live group", h.commit("g", "", -1, map[int32]int64{0: 1})[0], kerr.UnknownMemberID)
	expectCode(t, "old generation", h.commit("g", ids[0], gen-1, map[int32]int64{0: 1})[0], kerr.IllegalGeneration)
	expectCode(t, "unknown member", h.commit("g", "ghost", gen, map[int32]int64{0: 1})[0], kerr.UnknownMemberID)
	expectCode(t, "member commit", h.commit("g", ids[0], gen, map[int32]int64{0: 42})[0], nil)
	if got := h.fetch("g", 0); got[0] != 42 {
		t.Fatalf("got %v", got)
	}
	// A generation of a group that does not exist is stale.
	expectCode(t, "commit to a vanished group", h.commit("other", "m", 3, map[int32]int64{0: 1})[0], kerr.IllegalGeneration)
}

func TestOffsetCommitRules(t *testing.T) {
	h := newHarness(t, testConfig())

	// Metadata over offset.metadata.max.bytes is refused per partition.
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Version, req.Group, req.Generation = 8, "g", -1
	long, short := strings.Repeat("x", 4097), "ok"
	req.Topics = []kmsg.OffsetCommitRequestTopic{{Topic: "t", Partitions: []kmsg.OffsetCommitRequestTopicPartition{
		{Partition: 0, Offset: 1, Metadata: &long, LeaderEpoch: 3},
		{Partition: 1, Offset: 2, Metadata: &short, LeaderEpoch: 3},
	}}, {Topic: "gone", Partitions: []kmsg.OffsetCommitRequestTopicPartition{{Partition: 0, Offset: 1}}}}
	var resp *kmsg.OffsetCommitResponse
	h.c.OffsetCommit(req, func(topic string, _ int32) bool { return topic != "gone" }, func(r *kmsg.OffsetCommitResponse) { resp = r })
	h.settle()
	expectCode(t, "too large", resp.Topics[0].Partitions[0].ErrorCode, kerr.OffsetMetadataTooLarge)
	expectCode(t, "fine", resp.Topics[0].Partitions[1].ErrorCode, nil)
	expectCode(t, "unknown topic", resp.Topics[1].Partitions[0].ErrorCode, kerr.UnknownTopicOrPartition)

	f := kmsg.NewPtrOffsetFetchRequest()
	f.Version, f.Group = 5, "g"
	f.Topics = []kmsg.OffsetFetchRequestTopic{{Topic: "t", Partitions: []int32{1}}}
	p := h.c.OffsetFetch(f).Topics[0].Partitions[0]
	if p.Offset != 2 || p.LeaderEpoch != 3 || *p.Metadata != "ok" {
		t.Fatalf("fetched %+v", p)
	}

	// A failed write is reported and not applied.
	h.store.fail = kerr.NotLeaderForPartition
	expectCode(t, "not leader", h.commit("g", "", -1, map[int32]int64{1: 99})[1], kerr.NotCoordinator)
	h.store.fail = kerr.NotEnoughReplicas
	expectCode(t, "not enough replicas", h.commit("g", "", -1, map[int32]int64{1: 99})[1], kerr.CoordinatorNotAvailable)
	h.store.fail = nil
	if got := h.fetch("g", 1); got[1] != 2 {
		t.Fatalf("failed commit applied: %v", got)
	}

	// OffsetFetch v1 has no top-level error: partitions carry it.
	h.c.OnResignation(PartitionFor("g", 50), -1)
	f.Version = 1
	r1 := h.c.OffsetFetch(f)
	if r1.ErrorCode != 0 || r1.Topics[0].Partitions[0].ErrorCode != kerr.NotCoordinator.Code {
		t.Fatalf("v1 error: %+v", r1)
	}
	f.Version = 3
	if r3 := h.c.OffsetFetch(f); r3.ErrorCode != kerr.NotCoordinator.Code || len(r3.Topics) != 0 {
		t.Fatalf("v3 error: %+v", r3)
	}
}

// offsets.retention.minutes: offsets of an Empty group expire that long
// after it became Empty; a simple group's offsets after their commit. The
// expiry writes tombstones and retires the group.
func TestOffsetExpiry(t *testing.T) {
	cfg := testConfig()
	cfg.OffsetsRetention = time.Hour
	cfg.OffsetsRetentionCheckInterval = 10 * time.Minute
	h := newHarness(t, cfg)
	h.commit("simple", "", -1, map[int32]int64{0: 1})
	ids, gen := h.stableGroup("g", 1)
	h.commit("g", ids[0], gen, map[int32]int64{0: 5})

	// The consumer group keeps its offsets while it has members (they
	// subscribe to topic t).
	for i := 0; i < 12*6; i++ { // 72 minutes, heartbeating
		h.clock.advance(5 * time.Second)
		h.settle()
		h.heartbeat("g", ids[0], gen)
		for j := 0; j < 11; j++ {
			h.clock.advance(5 * time.Second)
			h.settle()
			h.heartbeat("g", ids[0], gen)
		}
	}
	if got := h.fetch("simple", 0); got[0] != -1 {
		t.Fatalf("simple offsets not expired: %v", got)
	}
	if got := h.fetch("g", 0); got[0] != 5 {
		t.Fatalf("offsets of a live group expired: %v", got)
	}
	if h.state("simple") != "Dead" {
		t.Fatalf("simple group: %s", h.state("simple"))
	}

	// Once the group is Empty the clock starts.
	h.leave("g", ids[0])
	h.advance(time.Second)
	if h.state("g") != "Empty" {
		t.Fatalf("state %s", h.state("g"))
	}
	h.advance(50 * time.Minute)
	if got := h.fetch("g", 0); got[0] != 5 {
		t.Fatal("expired too early")
	}
	h.advance(30 * time.Minute)
	if got := h.fetch("g", 0); got[0] != -1 || h.state("g") != "Dead" {
		t.Fatalf("not expired: %v %s", got, h.state("g"))
	}

	// Tombstones: the offset key and (generation > 0) the group key.
	recs := h.store.records(t, PartitionFor("g", 50))
	var tombOffset, tombGroup bool
	for _, r := range recs {
		k, err := parseKey(r.key)
		if err != nil {
			t.Fatal(err)
		}
		if r.value == nil && k.group == "g" {
			tombOffset = tombOffset || !k.isGroup
			tombGroup = tombGroup || k.isGroup
		}
	}
	if !tombOffset || !tombGroup {
		t.Fatalf("tombstones: offset %v group %v", tombOffset, tombGroup)
	}
}

// OffsetCommit v2-v4 may carry a retention time, stored as value v1 with an
// expire timestamp.
func TestCommitWithRetention(t *testing.T) {
	h := newHarness(t, testConfig())
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Version, req.Group, req.Generation, req.RetentionTimeMillis = 2, "g", -1, 60000
	req.Topics = []kmsg.OffsetCommitRequestTopic{{Topic: "t", Partitions: []kmsg.OffsetCommitRequestTopicPartition{{Partition: 0, Offset: 3}}}}
	h.c.OffsetCommit(req, nil, func(*kmsg.OffsetCommitResponse) {})
	h.settle()
	recs := h.store.records(t, PartitionFor("g", 50))
	var v kmsg.OffsetCommitValue
	if err := v.ReadFrom(recs[0].value); err != nil || v.Version != 1 || v.ExpireTimestamp != v.CommitTimestamp+60000 {
		t.Fatalf("value %+v %v", v, err)
	}
	h.advance(61 * time.Second)
	h.c.ExpireOffsets()
	if got := h.fetch("g", 0); got[0] != -1 {
		t.Fatalf("explicit retention ignored: %v", got)
	}
}

func TestDeleteGroupsAndOffsets(t *testing.T) {
	h := newHarness(t, testConfig())
	ids, gen := h.stableGroup("live", 1)
	h.commit("live", ids[0], gen, map[int32]int64{0: 1})
	h.commit("empty", "", -1, map[int32]int64{0: 1})

	// OffsetDelete refuses topics a live consumer group subscribes to.
	od := kmsg.NewPtrOffsetDeleteRequest()
	od.Group = "live"
	od.Topics = []kmsg.OffsetDeleteRequestTopic{{Topic: "t", Partitions: []kmsg.OffsetDeleteRequestTopicPartition{{Partition: 0}}}}
	expectCode(t, "subscribed", h.c.OffsetDelete(od).Topics[0].Partitions[0].ErrorCode, kerr.GroupSubscribedToTopic)
	od.Group = "nope"
	expectCode(t, "unknown group", h.c.OffsetDelete(od).ErrorCode, kerr.GroupIDNotFound)
	od.Group = "empty"
	expectCode(t, "empty group", h.c.OffsetDelete(od).Topics[0].Partitions[0].ErrorCode, nil)
	if got := h.fetch("empty", 0); got[0] != -1 {
		t.Fatalf("offset not deleted: %v", got)
	}

	h.commit("empty", "", -1, map[int32]int64{0: 1})
	dg := kmsg.NewPtrDeleteGroupsRequest()
	dg.Groups = []string{"live", "empty", "nope"}
	resp := h.c.DeleteGroups(dg)
	expectCode(t, "live", resp.Groups[0].ErrorCode, kerr.NonEmptyGroup)
	expectCode(t, "empty", resp.Groups[1].ErrorCode, nil)
	expectCode(t, "nope", resp.Groups[2].ErrorCode, kerr.GroupIDNotFound)
	if h.state("empty") != "Dead" {
		t.Fatal("group not deleted")
	}
	if got := h.fetch("empty", 0); got[0] != -1 {
		t.Fatalf("offsets survived the group: %v", got)
	}
}

func TestDescribeAndListGroups(t *testing.T) {
	h := newHarness(t, testConfig())
	ids, _ := h.stableGroup("g", 2)
	d := h.describe("g")
	if d.State != "Stable" || d.ProtocolType != "consumer" || d.Protocol != "range" || len(d.Members) != 2 {
		t.Fatalf("%+v", d)
	}
	m := d.Members[0]
	if m.MemberID != ids[0] || m.ClientID != "client" || m.ClientHost != "/127.0.0.1" || string(m.MemberAssignment) != "assignment-"+ids[0] || len(m.ProtocolMetadata) == 0 {
		t.Fatalf("member %+v", m)
	}
	if d.AuthorizedOperations != -2147483648 {
		t.Fatalf("authorized operations not asked for: %d", d.AuthorizedOperations)
	}
	h.join("g", "") // now rebalancing: no metadata, no protocol
	d = h.describe("g")
	if d.State != "PreparingRebalance" || d.Protocol != "" || len(d.Members[0].MemberAssignment) != 0 {
		t.Fatalf("%+v", d)
	}
	if d := h.describe("unknown"); d.State != "Dead" || d.ErrorCode != 0 {
		t.Fatalf("unknown group: %+v", d)
	}

	l := kmsg.NewPtrListGroupsRequest()
	l.Version = 4
	l.StatesFilter = []string{"Stable"}
	if got := h.c.ListGroups(l); len(got.Groups) != 0 {
		t.Fatalf("filter: %+v", got.Groups)
	}
	l.StatesFilter = []string{"PreparingRebalance"}
	if got := h.c.ListGroups(l); len(got.Groups) != 1 || got.Groups[0].GroupState != "PreparingRebalance" {
		t.Fatalf("filter: %+v", got.Groups)
	}
}
