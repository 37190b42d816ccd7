package group

import (
	"hash/crc32"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// A new leader of an offsets partition rebuilds groups and offsets from the
// records alone: members keep their ids, generation and assignments, so a
// consumer carries on with heartbeats after a coordinator move.
func TestReloadFromStoredRecords(t *testing.T) {
	h := newHarness(t, testConfig())
	ids, gen := h.stableGroup("g", 2)
	h.commit("g", ids[0], gen, map[int32]int64{0: 10, 1: 20})
	h.commit("g", ids[0], gen, map[int32]int64{0: 15}) // newest wins
	h.commit("simple", "", -1, map[int32]int64{3: 30})
	h.commit("gone", "", -1, map[int32]int64{0: 1})
	dg := kmsg.NewPtrDeleteGroupsRequest()
	dg.Groups = []string{"gone"}
	h.c.DeleteGroups(dg)
	h.settle()

	for _, id := range []string{"g", "simple", "gone"} {
		h.c.OnResignation(PartitionFor(id, 50), 1)
	}
	expectCode(t, "after resignation", h.heartbeat("g", ids[0], gen), kerr.NotCoordinator)

	// A second coordinator on the same log (as another broker would be).
	h2 := &harness{t: t, store: h.store, clock: h.clock}
	h2.c = newCoordinator(testConfig(), h.store, nil, h.clock, true)
	h2.c.Start()
	t.Cleanup(h2.c.Close)
	for _, id := range []string{"g", "simple", "gone"} {
		h2.c.OnElection(PartitionFor(id, 50), 2)
	}
	d := h2.describe("g")
	if d.State != "Stable" || len(d.Members) != 2 || d.Members[0].MemberID != ids[0] || string(d.Members[1].MemberAssignment) != "assignment-"+ids[1] {
		t.Fatalf("reloaded group: %+v", d)
	}
	expectCode(t, "heartbeat to the new coordinator", h2.heartbeat("g", ids[1], gen), nil)
	if got := h2.fetch("g", 0, 1); got[0] != 15 || got[1] != 20 {
		t.Fatalf("reloaded offsets: %v", got)
	}
	f := kmsg.NewPtrOffsetFetchRequest()
	f.Version, f.Group = 7, "simple"
	f.Topics = []kmsg.OffsetFetchRequestTopic{{Topic: "t", Partitions: []int32{3}}}
	if p := h2.c.OffsetFetch(f).Topics[0].Partitions[0]; p.Offset != 30 {
		t.Fatalf("simple offsets: %+v", p)
	}
	if st := h2.state("gone"); st != "Dead" {
		t.Fatalf("deleted group came back: %s", st)
	}
	// The leader re-joining starts generation gen+1 as usual.
	j := h2.join("g", ids[0])
	h2.join("g", ids[1])
	if r := j.mustDone(t); r.Generation != gen+1 || len(r.Members) != 2 {
		t.Fatalf("rejoin after reload: %+v", r)
	}

	// Members that stay silent after a reload expire like any other.
	h2.advance(11e9)
	if st := h2.state("g"); st != "Empty" && st != "PreparingRebalance" {
		t.Fatalf("state after silence: %s", st)
	}
}

// A stale election (older epoch) is ignored; requests meanwhile see
// COORDINATOR_LOAD_IN_PROGRESS until the (asynchronous) load finishes.
func TestElectionEpochs(t *testing.T) {
	h := newHarness(t, testConfig())
	p := PartitionFor("g", 50)
	h.c.OnResignation(p, 5)
	h.c.OnElection(p, 4) // stale
	expectCode(t, "stale election", h.heartbeat("g", "m", 1), kerr.NotCoordinator)
	h.c.OnElection(p, 6)
	expectCode(t, "after election", h.join("g", "").mustDone(t).ErrorCode, nil)
}

// The batches the coordinator writes are valid magic-2 batches (CRC32C over
// everything after the CRC field) that kmsg decodes, and decodeBatches reads
// back records with their offsets.
func TestBatchCodec(t *testing.T) {
	recs := []record{
		{key: offsetCommitKey("g", topicPartition{"t", 1}), value: offsetCommitValue(offsetAndMetadata{offset: 5, leaderEpoch: 2, metadata: "m", commitTs: 9, expireTs: -1})},
		{key: groupMetadataKey("g")}, // tombstone
	}
	b := buildBatch(1234, recs)
	var rb kmsg.RecordBatch
	if err := rb.ReadFrom(b); err != nil {
		t.Fatal(err)
	}
	if rb.Magic != 2 || rb.NumRecords != 2 || rb.LastOffsetDelta != 1 || rb.ProducerID != -1 || rb.FirstTimestamp != 1234 {
		t.Fatalf("header %+v", rb)
	}
	if got := crc32.Checksum(b[21:], crc32.MakeTable(crc32.Castagnoli)); int32(got) != rb.CRC {
		t.Fatalf("crc %x vs %x", got, rb.CRC)
	}
	b[7] = 100 // base offset 100
	var offs []int64
	var vals [][]byte
	if err := decodeBatches(append(b, b...), func(o int64, k, v []byte) error {
		offs = append(offs, o)
		vals = append(vals, v)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(offs) != 4 || offs[1] != 101 || vals[1] != nil || vals[0] == nil {
		t.Fatalf("offsets %v values %q", offs, vals)
	}
	om, err := parseOffsetValue(vals[0])
	if err != nil || om.offset != 5 || om.leaderEpoch != 2 || om.metadata != "m" {
		t.Fatalf("%+v %v", om, err)
	}
	if err := decodeBatches(b[:30], func(int64, []byte, []byte) error { return nil }); err == nil {
		t.Fatal("truncated batch accepted")
	}
}
