package group

import (
	"encoding/binary"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap/zaptest"
)

// memStore is an in-memory __consumer_offsets: appends wait in a queue until
// the harness "replicates" them (flush), so tests control when a write is
// committed, and can make it fail.
type memStore struct {
	mu      sync.Mutex
	batches map[int32][][]byte
	next    map[int32]int64
	queue   []queuedAppend
	fail    error // if set, flushed appends fail with it
}

type queuedAppend struct {
	p     int32
	batch []byte
	done  func(error)
}

func newMemStore() *memStore {
	return &memStore{batches: map[int32][][]byte{}, next: map[int32]int64{}}
}

func (s *memStore) Append(p int32, batch []byte, done func(error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, queuedAppend{p, append([]byte(nil), batch...), done})
}

// flush commits (or fails) every queued append; it returns how many.
func (s *memStore) flush() int {
	s.mu.Lock()
	q := s.queue
	s.queue = nil
	fail := s.fail
	for _, a := range q {
		if fail != nil {
			continue
		}
		n := int64(binary.BigEndian.Uint32(a.batch[57:]))
		binary.BigEndian.PutUint64(a.batch, uint64(s.next[a.p]))
		s.next[a.p] += n
		s.batches[a.p] = append(s.batches[a.p], a.batch)
	}
	s.mu.Unlock()
	for _, a := range q {
		a.done(fail)
	}
	return len(q)
}

func (s *memStore) Read(p int32, fn func([]byte) error) error {
	s.mu.Lock()
	bs := append([][]byte(nil), s.batches[p]...)
	s.mu.Unlock()
	for _, b := range bs {
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

// records returns every (key, value) stored in partition p, in log order.
func (s *memStore) records(t testing.TB, p int32) []record {
	var out []record
	err := s.Read(p, func(b []byte) error {
		return decodeBatches(b, func(_ int64, k, v []byte) error {
			out = append(out, record{k, v})
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// harness drives a Coordinator with a manual clock and an in-memory store;
// every call runs to completion on the test goroutine.
type harness struct {
	t     testing.TB
	c     *Coordinator
	store *memStore
	clock *scheduler
}

func testConfig() Config {
	cfg := DefaultConfig()
	cfg.BrokerID = 1
	cfg.GroupInitialRebalanceDelay = 0
	return cfg
}

func newHarness(t testing.TB, cfg Config) *harness {
	t.Helper()
	h := &harness{t: t, store: newMemStore(), clock: newManualScheduler(time.UnixMilli(1_600_000_000_000))}
	h.c = newCoordinator(cfg, h.store, zaptest.NewLogger(t), h.clock, true)
	h.c.Start()
	t.Cleanup(h.c.Close)
	for p := int32(0); p < cfg.OffsetsTopicPartitions; p++ {
		h.c.OnElection(p, 0)
	}
	return h
}

// settle replicates pending appends and runs due timers until quiet.
func (h *harness) settle() {
	for i := 0; i < 100; i++ {
		h.clock.advance(0)
		if h.store.flush() == 0 {
			return
		}
	}
	h.t.Fatal("coordinator never settled")
}

// advance moves the clock, settling after every step of one second so that
// writes complete in between (as they would in real time).
func (h *harness) advance(d time.Duration) {
	for d > 0 {
		step := time.Second
		if d < step {
			step = d
		}
		h.clock.advance(step)
		h.settle()
		d -= step
	}
}

type joinCall struct{ resp *kmsg.JoinGroupResponse }

func (j *joinCall) done() bool { return j.resp != nil }

// mustDone returns the response, failing the test if it is still waiting.
func (j *joinCall) mustDone(t testing.TB) *kmsg.JoinGroupResponse {
	t.Helper()
	if j.resp == nil {
		t.Fatal("JoinGroup still waiting")
	}
	return j.resp
}

type joinOpt func(*kmsg.JoinGroupRequest)

func withInstance(id string) joinOpt {
	return func(r *kmsg.JoinGroupRequest) { r.InstanceID = &id }
}
func withVersion(v int16) joinOpt { return func(r *kmsg.JoinGroupRequest) { r.Version = v } }
func withSession(ms int32) joinOpt {
	return func(r *kmsg.JoinGroupRequest) { r.SessionTimeoutMillis = ms }
}
func withRebalance(ms int32) joinOpt {
	return func(r *kmsg.JoinGroupRequest) { r.RebalanceTimeoutMillis = ms }
}
func withProtocols(names ...string) joinOpt {
	return func(r *kmsg.JoinGroupRequest) {
		r.Protocols = nil
		for _, n := range names {
			r.Protocols = append(r.Protocols, kmsg.JoinGroupRequestProtocol{Name: n, Metadata: subscription("t")})
		}
	}
}

// join sends a JoinGroup (v3 unless told: no MEMBER_ID_REQUIRED round).
func (h *harness) join(groupID, memberID string, opts ...joinOpt) *joinCall {
	req := kmsg.NewPtrJoinGroupRequest()
	req.Version = 3
	req.Group = groupID
	req.MemberID = memberID
	req.SessionTimeoutMillis = 10000
	req.RebalanceTimeoutMillis = 30000
	req.ProtocolType = "consumer"
	req.Protocols = []kmsg.JoinGroupRequestProtocol{{Name: "range", Metadata: subscription("t")}}
	for _, o := range opts {
		o(req)
	}
	call := &joinCall{}
	h.c.JoinGroup(req, Client{ID: "client", Host: "/127.0.0.1"}, func(r *kmsg.JoinGroupResponse) {
		if call.resp != nil {
			h.t.Fatal("JoinGroup answered twice")
		}
		call.resp = r
	})
	h.settle()
	return call
}

type syncCall struct{ resp *kmsg.SyncGroupResponse }

func (s *syncCall) mustDone(t testing.TB) *kmsg.SyncGroupResponse {
	t.Helper()
	if s.resp == nil {
		t.Fatal("SyncGroup still waiting")
	}
	return s.resp
}

// sync sends a SyncGroup v3; assignments map member id -> assignment.
func (h *harness) sync(groupID, memberID string, gen int32, assignments map[string]string) *syncCall {
	req := kmsg.NewPtrSyncGroupRequest()
	req.Version = 3
	req.Group = groupID
	req.MemberID = memberID
	req.Generation = gen
	for id, a := range assignments {
		req.GroupAssignment = append(req.GroupAssignment, kmsg.SyncGroupRequestGroupAssignment{MemberID: id, MemberAssignment: []byte(a)})
	}
	call := &syncCall{}
	h.c.SyncGroup(req, func(r *kmsg.SyncGroupResponse) {
		if call.resp != nil {
			h.t.Fatal("SyncGroup answered twice")
		}
		call.resp = r
	})
	h.settle()
	return call
}

func (h *harness) heartbeat(groupID, memberID string, gen int32) int16 {
	req := kmsg.NewPtrHeartbeatRequest()
	req.Version = 3
	req.Group, req.MemberID, req.Generation = groupID, memberID, gen
	return h.c.Heartbeat(req).ErrorCode
}

func (h *harness) leave(groupID, memberID string) int16 {
	req := kmsg.NewPtrLeaveGroupRequest()
	req.Version = 2
	req.Group, req.MemberID = groupID, memberID
	resp := h.c.LeaveGroup(req)
	h.settle()
	return resp.ErrorCode
}

// commit sends an OffsetCommit v7 for topic t; offsets maps partition -> offset.
func (h *harness) commit(groupID, memberID string, gen int32, offsets map[int32]int64) map[int32]int16 {
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Version = 7
	req.Group, req.MemberID, req.Generation = groupID, memberID, gen
	topic := kmsg.OffsetCommitRequestTopic{Topic: "t"}
	for p, o := range offsets {
		topic.Partitions = append(topic.Partitions, kmsg.OffsetCommitRequestTopicPartition{Partition: p, Offset: o, LeaderEpoch: -1})
	}
	req.Topics = []kmsg.OffsetCommitRequestTopic{topic}
	var resp *kmsg.OffsetCommitResponse
	h.c.OffsetCommit(req, nil, func(r *kmsg.OffsetCommitResponse) { resp = r })
	h.settle()
	if resp == nil {
		h.t.Fatal("OffsetCommit still waiting")
	}
	out := map[int32]int16{}
	for _, p := range resp.Topics[0].Partitions {
		out[p.Partition] = p.ErrorCode
	}
	return out
}

// fetch sends an OffsetFetch v7 for topic t and returns partition -> offset
// (failing on any error).
func (h *harness) fetch(groupID string, partitions ...int32) map[int32]int64 {
	h.t.Helper()
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Version = 7
	req.Group = groupID
	req.Topics = []kmsg.OffsetFetchRequestTopic{{Topic: "t", Partitions: partitions}}
	resp := h.c.OffsetFetch(req)
	if resp.ErrorCode != 0 {
		h.t.Fatalf("OffsetFetch: %s", errName(resp.ErrorCode))
	}
	out := map[int32]int64{}
	for _, p := range resp.Topics[0].Partitions {
		if p.ErrorCode != 0 {
			h.t.Fatalf("OffsetFetch partition %d: %s", p.Partition, errName(p.ErrorCode))
		}
		out[p.Partition] = p.Offset
	}
	return out
}

func (h *harness) describe(groupID string) kmsg.DescribeGroupsResponseGroup {
	req := kmsg.NewPtrDescribeGroupsRequest()
	req.Version = 5
	req.Groups = []string{groupID}
	return h.c.DescribeGroups(req).Groups[0]
}

func (h *harness) state(groupID string) string { return h.describe(groupID).State }

// subscription encodes a consumer-protocol subscription (v0) to topics.
func subscription(topics ...string) []byte {
	b := []byte{0, 0}
	b = binary.BigEndian.AppendUint32(b, uint32(len(topics)))
	for _, t := range topics {
		b = binary.BigEndian.AppendUint16(b, uint16(len(t)))
		b = append(b, t...)
	}
	return binary.BigEndian.AppendUint32(b, 0xffffffff) // null user data
}

func expectCode(t testing.TB, what string, got int16, want *kerr.Error) {
	t.Helper()
	var wantCode int16
	if want != nil {
		wantCode = want.Code
	}
	if got != wantCode {
		t.Fatalf("%s: got %s, want %s", what, errName(got), errName(wantCode))
	}
}

// stableGroup builds a Stable group of n members (the first is the leader)
// and returns their member ids and the generation. Needs no initial delay.
func (h *harness) stableGroup(groupID string, n int) ([]string, int32) {
	h.t.Helper()
	var ids []string
	var last []*joinCall
	for i := 0; i < n; i++ {
		// A new member starts a rebalance that completes once every
		// existing member has re-joined too.
		newcomer := h.join(groupID, "")
		calls := []*joinCall{}
		for _, id := range ids {
			calls = append(calls, h.join(groupID, id))
		}
		calls = append(calls, newcomer)
		for _, c := range calls {
			expectCode(h.t, "JoinGroup", c.mustDone(h.t).ErrorCode, nil)
		}
		ids = append(ids, newcomer.resp.MemberID)
		last = calls
	}
	gen, leader := last[0].resp.Generation, last[0].resp.LeaderID
	assign := map[string]string{}
	for _, id := range ids {
		assign[id] = "assignment-" + id
	}
	var syncs []*syncCall
	for _, id := range ids {
		if id != leader {
			syncs = append(syncs, h.sync(groupID, id, gen, nil))
		}
	}
	expectCode(h.t, "leader SyncGroup", h.sync(groupID, leader, gen, assign).mustDone(h.t).ErrorCode, nil)
	for _, s := range syncs {
		expectCode(h.t, "follower SyncGroup", s.mustDone(h.t).ErrorCode, nil)
	}
	if st := h.state(groupID); st != "Stable" {
		h.t.Fatalf("state %s after sync", st)
	}
	return ids, gen
}
