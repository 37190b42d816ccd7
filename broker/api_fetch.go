package broker

// Fetch: v4-12
//
// Behavior:
// * Consumers (replica_id -1) read below the high watermark (also with
//   read_committed: without transactions the last stable offset is the
//   HW); followers (replica_id >= 0) read below the log end offset, and
//   their fetch offset is their LEO for HW and ISR tracking
//   (replication.md §3.1).
// * Partitions are read in request order under max_bytes; each gets at
//   most partition_max_bytes, and the first partition with data returns at
//   least one whole batch even when it is larger than both limits.
// * Long poll: with less than min_bytes readable the request waits in the
//   fetch purgatory up to max_wait_ms and completes as soon as the HW
//   (consumers) or LEO (followers) makes enough data readable.
// * Records go out zero-copy: the log returns a file range and the
//   connection writer sends it with sendfile (fetch_writer.go).
// * Errors per partition: NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION,
//   OFFSET_OUT_OF_RANGE (below the log start or above the LEO; between HW
//   and LEO is an empty answer), FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH
//   (v9+ current_leader_epoch, replication.md §4.4).
//
// Version notes:
// * v4: isolation_level, last_stable_offset, aborted_transactions (always
//   empty here).
// * v5: log_start_offset. v6: no changes.
// * v7: fetch sessions (KIP-227), see above.
// * v8: no changes. v9: current_leader_epoch (KIP-320). v10: no changes.
// * v11: rack_id, preferred_read_replica (-1: always read from the leader).
// * v12: flexible; last_fetched_epoch and diverging_epoch (KIP-595's
//   truncation detection, replication.md §4.3) are implemented.
//
// * Fetch sessions (KIP-227, v7+): a full fetch at epoch 0 opens a session
//   (up to max.incremental.fetch.session.cache.slots, else session_id 0);
//   incremental fetches name changed and forgotten partitions and get only
//   partitions with news; a wrong epoch is INVALID_FETCH_SESSION_EPOCH, an
//   unknown id FETCH_SESSION_ID_NOT_FOUND; epoch -1 closes the session.
//
// * Quotas (consumers only): max_bytes is capped to the client's
//   consumer_byte_rate times quota.window.num-1 windows; after the read the
//   response's record bytes count against the quota, and an over-quota
//   client gets an empty answer with throttle_time_ms (the bytes are taken
//   back) and a muted connection (quota_throttle.go).
// * Replication throttles (followers only): a leader-throttled partition
//   of an out-of-sync follower gets no records while the leader quota is
//   exceeded; the records of throttled partitions sent count against it
//   (replication_quota.go).
//
// Not implemented (why):
// * Follower fetching (KIP-392): preferred_read_replica is always -1.

import (
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/log"
)

func (b *Broker) handleFetch(r *Request) {
	req := r.Msg.(*kmsg.FetchRequest)
	resp := req.ResponseKind().(*kmsg.FetchResponse)
	params := fetchParams{
		replicaID:      req.ReplicaID,
		maxWait:        time.Duration(req.MaxWaitMillis) * time.Millisecond,
		minBytes:       req.MinBytes,
		maxBytes:       req.MaxBytes,
		isolationLevel: req.IsolationLevel,
	}
	fq := b.fetchQuota(req.ReplicaID)
	capFetchMaxBytes(fq, r.ClientID, &params)
	parts := requestPartitions(req)
	sessions := b.replicas.sessions

	var sess *fetchSession
	incremental := false
	switch {
	case req.SessionEpoch == finalSessionEpoch || req.Version < 7:
		// Sessionless full fetch (closing the named session, if any).
		if req.SessionID != 0 {
			sessions.remove(req.SessionID)
		}
	case req.SessionEpoch == initialSessionEpoch:
		if req.SessionID != 0 {
			sessions.remove(req.SessionID)
		}
		sess = sessions.create(parts) // nil when the cache has no room
	default:
		var code int16
		sess, parts, code = sessions.update(req, parts)
		if code != 0 {
			resp.ErrorCode = code
			r.RespondFetch(newFetchResult(resp))
			return
		}
		incremental = true
	}
	if sess != nil {
		resp.SessionID = sess.id
	}
	b.replicas.FetchMessages(params, parts, func(results []fetchPartitionResult) {
		b.replicas.recordLeaderReplication(params, parts, results)
		if fq != nil {
			if ms := b.throttleFetch(r, fq, results); ms > 0 {
				r.RespondFetch(newFetchResult(throttledFetchResponse(resp, sess, incremental, sessions, ms)))
				return
			}
		}
		include := func(int) bool { return true }
		if sess != nil {
			include = sess.recordSent(parts, results, incremental)
		}
		r.RespondFetch(buildFetchResult(req.IsolationLevel, resp, parts, results, include))
	})
}

// throttledFetchResponse is the empty answer to an over-quota fetch. A
// session this fetch would have created is dropped (Kafka creates it only
// for an answer that is sent); an incremental session keeps its id.
func throttledFetchResponse(resp *kmsg.FetchResponse, sess *fetchSession, incremental bool, sessions *fetchSessionCache, ms int32) *kmsg.FetchResponse {
	if sess != nil && !incremental {
		sessions.remove(sess.id)
		resp.SessionID = 0
	}
	resp.ThrottleMillis = ms
	return resp
}

// requestPartitions lists the request's partitions in order.
func requestPartitions(req *kmsg.FetchRequest) []fetchPartition {
	var parts []fetchPartition
	for ti := range req.Topics {
		t := &req.Topics[ti]
		for pi := range t.Partitions {
			p := &t.Partitions[pi]
			fp := fetchPartition{
				tp:                 log.TopicPartition{Topic: t.Topic, Partition: p.Partition},
				fetchOffset:        p.FetchOffset,
				logStartOffset:     p.LogStartOffset,
				maxBytes:           p.PartitionMaxBytes,
				currentLeaderEpoch: -1,
				lastFetchedEpoch:   -1,
			}
			if req.Version >= 9 {
				fp.currentLeaderEpoch = p.CurrentLeaderEpoch
			}
			if req.Version >= 12 {
				fp.lastFetchedEpoch = p.LastFetchedEpoch
			}
			parts = append(parts, fp)
		}
	}
	return parts
}

// buildFetchResult fills resp with the partitions include accepts, grouped
// by topic in order of first appearance, and attaches each partition's file
// range for the zero-copy writer.
func buildFetchResult(isolation int8, resp *kmsg.FetchResponse, parts []fetchPartition, results []fetchPartitionResult, include func(int) bool) *FetchResult {
	type at struct{ ti, pi int }
	var where []at
	topicIdx := map[string]int{}
	for i := range parts {
		if !include(i) {
			where = append(where, at{-1, -1})
			continue
		}
		ti, ok := topicIdx[parts[i].tp.Topic]
		if !ok {
			t := kmsg.NewFetchResponseTopic()
			t.Topic = parts[i].tp.Topic
			resp.Topics = append(resp.Topics, t)
			ti = len(resp.Topics) - 1
			topicIdx[t.Topic] = ti
		}
		res := &results[i]
		rp := kmsg.NewFetchResponseTopicPartition()
		rp.Partition = parts[i].tp.Partition
		rp.HighWatermark = res.hw
		rp.LastStableOffset = res.lso
		rp.LogStartOffset = res.logStartOffset
		// Kafka sends null aborted transactions to read_uncommitted fetches
		// and a list (empty: no transactions) to read_committed.
		if isolation == 1 {
			rp.AbortedTransactions = []kmsg.FetchResponseTopicPartitionAbortedTransaction{}
		}
		rp.PreferredReadReplica = -1
		rp.RecordBatches = []byte{}
		if res.err != nil {
			rp.ErrorCode = asKerr(res.err).Code
		}
		if res.divergingEpoch >= 0 || res.divergingEnd >= 0 {
			rp.DivergingEpoch.Epoch = res.divergingEpoch
			rp.DivergingEpoch.EndOffset = res.divergingEnd
		}
		resp.Topics[ti].Partitions = append(resp.Topics[ti].Partitions, rp)
		where = append(where, at{ti, len(resp.Topics[ti].Partitions) - 1})
	}
	fr := newFetchResult(resp)
	for i, w := range where {
		if w.ti >= 0 {
			s := results[i].slice
			fr.setRecords(w.ti, w.pi, s.File, s.Pos, s.Size)
		}
	}
	return fr
}

// Fetch sessions (KIP-227). A client opens a session with a full fetch at
// epoch 0; the broker answers with a session id and remembers the
// partitions. Later requests (epoch 1, 2, ...) name only partitions whose
// fetch position changed (plus forgotten ones), and the answer carries only
// partitions with something new: records, an error, or a changed HW, last
// stable or log start offset. Epoch -1 closes the session.
const (
	initialSessionEpoch int32 = 0
	finalSessionEpoch   int32 = -1
)

// fetchSessionCache holds the sessions, at most slots of them
// (max.incremental.fetch.session.cache.slots); when full, the least
// recently used session idle for over a minute is evicted, else the new
// fetch runs without a session (session_id 0), as Kafka does.
//
// Safe for concurrent use.
type fetchSessionCache struct {
	mu       sync.Mutex
	slots    int
	nextID   int32
	sessions map[int32]*fetchSession // guarded by mu
}

func newFetchSessionCache(slots int) *fetchSessionCache {
	return &fetchSessionCache{slots: slots, nextID: int32(time.Now().UnixNano()&0x7fffffff) | 1, sessions: map[int32]*fetchSession{}}
}

// fetchSession is one client's session. Its fields are guarded by mu; a
// client has one fetch in flight per session, so mu is never contended in
// practice.
type fetchSession struct {
	id int32 // immutable

	mu       sync.Mutex
	epoch    int32 // the epoch the next request must carry
	parts    []*sessionPartition
	index    map[log.TopicPartition]*sessionPartition
	lastUsed time.Time
}

// sessionPartition is a partition's fetch position and what was last sent.
type sessionPartition struct {
	fp                            fetchPartition
	sentHW, sentLSO, sentLogStart int64 // -2 before the first answer
}

func (c *fetchSessionCache) create(parts []fetchPartition) *fetchSession {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.slots <= 0 {
		return nil
	}
	if len(c.sessions) >= c.slots {
		var oldest *fetchSession
		for _, s := range c.sessions {
			s.mu.Lock()
			if oldest == nil || s.lastUsed.Before(oldest.lastUsed) {
				oldest = s
			}
			s.mu.Unlock()
		}
		if oldest == nil || time.Since(oldest.lastUsed) < time.Minute {
			return nil
		}
		delete(c.sessions, oldest.id)
	}
	for c.sessions[c.nextID] != nil || c.nextID == 0 {
		c.nextID = (c.nextID + 1) & 0x7fffffff
	}
	s := &fetchSession{id: c.nextID, epoch: 1, index: map[log.TopicPartition]*sessionPartition{}, lastUsed: time.Now()}
	c.nextID = (c.nextID + 1) & 0x7fffffff
	for _, fp := range parts {
		s.upsert(fp)
	}
	c.sessions[s.id] = s
	return s
}

func (c *fetchSessionCache) remove(id int32) {
	c.mu.Lock()
	delete(c.sessions, id)
	c.mu.Unlock()
}

// update applies an incremental request to its session and returns the
// session's partitions to read, or an error code.
func (c *fetchSessionCache) update(req *kmsg.FetchRequest, changed []fetchPartition) (*fetchSession, []fetchPartition, int16) {
	c.mu.Lock()
	s := c.sessions[req.SessionID]
	c.mu.Unlock()
	if s == nil {
		return nil, nil, kerr.FetchSessionIDNotFound.Code
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.SessionEpoch != s.epoch {
		return nil, nil, kerr.InvalidFetchSessionEpoch.Code
	}
	s.epoch++
	s.lastUsed = time.Now()
	for _, fp := range changed {
		s.upsert(fp)
	}
	for _, ft := range req.ForgottenTopics {
		for _, p := range ft.Partitions {
			tp := log.TopicPartition{Topic: ft.Topic, Partition: p}
			if sp := s.index[tp]; sp != nil {
				delete(s.index, tp)
				s.parts = slices.DeleteFunc(s.parts, func(x *sessionPartition) bool { return x == sp })
			}
		}
	}
	parts := make([]fetchPartition, len(s.parts))
	for i, sp := range s.parts {
		parts[i] = sp.fp
	}
	return s, parts, 0
}

func (s *fetchSession) upsert(fp fetchPartition) {
	if sp := s.index[fp.tp]; sp != nil {
		sp.fp = fp
		return
	}
	sp := &sessionPartition{fp: fp, sentHW: -2, sentLSO: -2, sentLogStart: -2}
	s.index[fp.tp] = sp
	s.parts = append(s.parts, sp)
}

// recordSent notes what the answer carries and returns which partitions
// it includes: all of them for a full fetch, the changed ones for an
// incremental one.
func (s *fetchSession) recordSent(parts []fetchPartition, results []fetchPartitionResult, incremental bool) func(int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	inc := make([]bool, len(parts))
	for i := range parts {
		r := &results[i]
		sp := s.index[parts[i].tp]
		changed := r.err != nil || r.slice.Size > 0 || r.divergingEpoch >= 0 || sp == nil ||
			r.hw != sp.sentHW || r.lso != sp.sentLSO || r.logStartOffset != sp.sentLogStart
		inc[i] = !incremental || changed
		if sp != nil && inc[i] {
			sp.sentHW, sp.sentLSO, sp.sentLogStart = r.hw, r.lso, r.logStartOffset
		}
	}
	return func(i int) bool { return inc[i] }
}
