package group

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// BenchmarkHeartbeat: one heartbeat of a Stable member (the hot path of
// every consumer): no allocation on the timer path.
func BenchmarkHeartbeat(b *testing.B) {
	h := newHarness(b, testConfig())
	ids, gen := h.stableGroup("g", 3)
	req := kmsg.NewPtrHeartbeatRequest()
	req.Version, req.Group, req.MemberID, req.Generation = 4, "g", ids[1], gen
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if h.c.Heartbeat(req).ErrorCode != 0 {
			b.Fatal("heartbeat failed")
		}
	}
}

// BenchmarkOffsetCommit: a member commits 10 partitions (record building,
// the append, the cache update), with an in-memory store.
func BenchmarkOffsetCommit(b *testing.B) {
	h := newHarness(b, testConfig())
	ids, gen := h.stableGroup("g", 1)
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Version, req.Group, req.MemberID, req.Generation = 8, "g", ids[0], gen
	t := kmsg.OffsetCommitRequestTopic{Topic: "topic"}
	for p := int32(0); p < 10; p++ {
		t.Partitions = append(t.Partitions, kmsg.OffsetCommitRequestTopicPartition{Partition: p, Offset: 1, LeaderEpoch: -1})
	}
	req.Topics = []kmsg.OffsetCommitRequestTopic{t}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req.Topics[0].Partitions[0].Offset = int64(i)
		h.c.OffsetCommit(req, nil, func(r *kmsg.OffsetCommitResponse) {})
		h.store.flush()
		if i%1000 == 0 {
			h.store.batches = map[int32][][]byte{} // keep memory flat
		}
	}
}
