package broker

// ListOffsets: v1-6, OffsetForLeaderEpoch: v0-4, DeleteRecords: v0-2
//
// Behavior (ListOffsets, replication.md §6.2):
// * timestamp -2 (earliest): the log start offset; -1 (latest): the high
//   watermark for consumers (read_committed too: no transactions, so the
//   LSO is the HW), the LEO for followers (replica_id >= 0); any other
//   timestamp: the first offset whose record timestamp is >= it, from the
//   time index, or offset -1 / timestamp -1 when there is none below the
//   HW.
// * Only the leader answers (NOT_LEADER_OR_FOLLOWER); replica_id -2 (the
//   debugging consumer) may ask a follower. v4+ current_leader_epoch gives
//   FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH. A new leader whose HW has
//   not reached its epoch start offset answers "latest" with
//   OFFSET_NOT_AVAILABLE (v2+), as Kafka 2.8.
// * leader_epoch (v4+): the epoch of the returned offset from the
//   leader-epoch cache; for "latest" the current leader epoch.
//
// Behavior (OffsetForLeaderEpoch, replication.md §4.1): the end offset of
// the requested epoch from the leader-epoch cache (largest known epoch <=
// the requested one, and the start of the next); (-1, -1) for an unknown
// epoch. Leader only, except replica_id -2.
//
// Behavior (DeleteRecords): moves the log start offset up to the given
// offset (-1: the HW); an offset above the HW is OFFSET_OUT_OF_RANGE. The
// answer waits (delete records purgatory, up to timeout_ms, then
// REQUEST_TIMED_OUT) until every live replica's log start offset reached
// it; low_watermark is then the smallest of them (Kafka's
// DelayedDeleteRecords and Partition.lowWatermarkIfLeader; "live" here is
// "fetched within replica.lag.time.max.ms").
//
// Version notes:
// * ListOffsets v1: single offset; v2: isolation_level; v3: no changes;
//   v4: current_leader_epoch, leader_epoch; v5: no changes; v6: flexible.
// * OffsetForLeaderEpoch v1: leader_epoch in the response; v2:
//   current_leader_epoch; v3: replica_id; v4: flexible.
// * DeleteRecords v1: no changes; v2: flexible.
//
// Not implemented (why):
// * ListOffsets v0 (old-style offset lists): no client of the targets needs
//   it, and it would need the per-segment offsets API.

import (
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/log"
)

// debuggingConsumerID may read from followers (Kafka's
// Request.DebuggingConsumerId).
const debuggingConsumerID = -2

func (b *Broker) handleListOffsets(r *Request) {
	req := r.Msg.(*kmsg.ListOffsetsRequest)
	resp := req.ResponseKind().(*kmsg.ListOffsetsResponse)
	for _, t := range req.Topics {
		rt := kmsg.NewListOffsetsResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewListOffsetsResponseTopicPartition()
			rp.Partition = p.Partition
			epoch := int32(-1)
			if req.Version >= 4 {
				epoch = p.CurrentLeaderEpoch
			}
			off, ts, le, err := b.replicas.fetchOffsetForTimestamp(log.TopicPartition{Topic: t.Topic, Partition: p.Partition},
				p.Timestamp, req.ReplicaID, epoch, req.Version >= 2)
			if err != nil {
				rp.ErrorCode = asKerr(err).Code
				rp.Offset, rp.Timestamp, rp.LeaderEpoch = -1, -1, -1
			} else {
				rp.Offset, rp.Timestamp, rp.LeaderEpoch = off, ts, le
			}
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	r.Respond(resp)
}

// fetchOffsetForTimestamp is Kafka's Partition.fetchOffsetForTimestamp.
func (rm *ReplicaManager) fetchOffsetForTimestamp(tp log.TopicPartition, ts int64, replicaID, currentLeaderEpoch int32, checkNotAvailable bool) (offset, timestamp int64, leaderEpoch int32, err error) {
	p := rm.getPartition(tp)
	if p == nil {
		return 0, 0, 0, kerr.UnknownTopicOrPartition
	}
	p.mu.RLock()
	l := p.log
	isLeader := p.leaderID == p.localID
	epochStart := p.leaderEpochStartOffset
	curEpoch := p.leaderEpoch
	epochErr := p.checkLeaderEpochLocked(currentLeaderEpoch)
	p.mu.RUnlock()
	if l == nil || (!isLeader && replicaID != debuggingConsumerID) {
		return 0, 0, 0, kerr.NotLeaderForPartition
	}
	if epochErr != nil {
		return 0, 0, 0, epochErr
	}
	lastFetchable := p.HighWatermark()
	if replicaID >= 0 {
		lastFetchable = l.LogEndOffset()
	}
	switch ts {
	case -1: // latest
		if checkNotAvailable && replicaID < 0 && isLeader && epochStart > lastFetchable {
			return 0, 0, 0, kerr.OffsetNotAvailable
		}
		return lastFetchable, -1, curEpoch, nil
	case -2: // earliest
		start := l.LogStartOffset()
		return start, -1, epochForOffset(l, start), nil
	}
	off, found, ok, ferr := l.OffsetForTimestamp(ts)
	if ferr != nil {
		return 0, 0, 0, appendErrorToKerr(ferr)
	}
	if !ok || off >= lastFetchable {
		return -1, -1, -1, nil
	}
	return off, found, epochForOffset(l, off), nil
}

// epochForOffset is the leader epoch that wrote offset (the latest epoch
// whose start offset is <= it), -1 when unknown.
func epochForOffset(l *log.Log, offset int64) int32 {
	epoch := int32(-1)
	for _, e := range l.Epochs().Entries() {
		if e.StartOffset > offset {
			break
		}
		epoch = e.Epoch
	}
	return epoch
}

func (b *Broker) handleOffsetForLeaderEpoch(r *Request) {
	req := r.Msg.(*kmsg.OffsetForLeaderEpochRequest)
	resp := req.ResponseKind().(*kmsg.OffsetForLeaderEpochResponse)
	replicaID := int32(-1)
	if req.Version >= 3 {
		replicaID = req.ReplicaID
	}
	for _, t := range req.Topics {
		rt := kmsg.NewOffsetForLeaderEpochResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewOffsetForLeaderEpochResponseTopicPartition()
			rp.Partition = p.Partition
			cur := int32(-1)
			if req.Version >= 2 {
				cur = p.CurrentLeaderEpoch
			}
			epoch, end, err := b.replicas.lastOffsetForLeaderEpoch(log.TopicPartition{Topic: t.Topic, Partition: p.Partition}, cur, p.LeaderEpoch, replicaID)
			if err != nil {
				rp.ErrorCode = asKerr(err).Code
				epoch, end = -1, -1
			}
			rp.LeaderEpoch, rp.EndOffset = epoch, end
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	r.Respond(resp)
}

// lastOffsetForLeaderEpoch is Kafka's Partition.lastOffsetForLeaderEpoch.
func (rm *ReplicaManager) lastOffsetForLeaderEpoch(tp log.TopicPartition, currentLeaderEpoch, leaderEpoch, replicaID int32) (int32, int64, error) {
	p := rm.getPartition(tp)
	if p == nil {
		return -1, -1, kerr.UnknownTopicOrPartition
	}
	p.mu.RLock()
	l := p.log
	isLeader := p.leaderID == p.localID
	epochErr := p.checkLeaderEpochLocked(currentLeaderEpoch)
	p.mu.RUnlock()
	if l == nil || (!isLeader && replicaID != debuggingConsumerID) {
		return -1, -1, kerr.NotLeaderForPartition
	}
	if epochErr != nil {
		return -1, -1, epochErr
	}
	epoch, end := l.Epochs().EndOffsetFor(leaderEpoch, l.LogEndOffset())
	return epoch, end, nil
}

func (b *Broker) handleDeleteRecords(r *Request) {
	req := r.Msg.(*kmsg.DeleteRecordsRequest)
	offsets := make(map[log.TopicPartition]int64)
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			offsets[log.TopicPartition{Topic: t.Topic, Partition: p.Partition}] = p.Offset
		}
	}
	b.replicas.DeleteRecords(req.TimeoutMillis, offsets, func(res map[log.TopicPartition]deleteRecordsResult) {
		resp := req.ResponseKind().(*kmsg.DeleteRecordsResponse)
		for _, t := range req.Topics {
			rt := kmsg.NewDeleteRecordsResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewDeleteRecordsResponseTopicPartition()
				rp.Partition = p.Partition
				pr := res[log.TopicPartition{Topic: t.Topic, Partition: p.Partition}]
				rp.LowWatermark = pr.lowWatermark
				if pr.err != nil {
					rp.ErrorCode = asKerr(pr.err).Code
					rp.LowWatermark = -1
				}
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		r.Respond(resp)
	})
}

// deleteRecordsResult is one partition's DeleteRecords outcome.
type deleteRecordsResult struct {
	lowWatermark int64
	err          error
}

// DeleteRecords moves each partition's log start offset on the leader and
// calls done once every live replica has followed (its low watermark, the
// smallest log start offset among the leader and the followers that fetched
// within replica.lag.time.max.ms, reached the new start), or after
// timeoutMs with REQUEST_TIMED_OUT (Kafka's DelayedDeleteRecords).
func (rm *ReplicaManager) DeleteRecords(timeoutMs int32, offsets map[log.TopicPartition]int64, done func(map[log.TopicPartition]deleteRecordsResult)) {
	res := make(map[log.TopicPartition]deleteRecordsResult, len(offsets))
	pending := make(map[log.TopicPartition]int64)
	for tp, off := range offsets {
		start, err := rm.deleteRecords(tp, off)
		res[tp] = deleteRecordsResult{lowWatermark: start, err: err}
		if err == nil {
			pending[tp] = start
		}
	}
	if len(pending) == 0 {
		done(res)
		return
	}
	op := &delayedDeleteRecords{rm: rm, pending: pending, results: res, done: done}
	op.delayedOp = newDelayedOp(op, time.Duration(timeoutMs)*time.Millisecond)
	keys := make([]log.TopicPartition, 0, len(pending))
	for tp := range pending {
		keys = append(keys, tp)
	}
	rm.deleteRecordsWait.tryCompleteElseWatch(op.delayedOp, keys)
}

// delayedDeleteRecords waits for followers to move their log start offsets
// (fields guarded by the operation's lock).
type delayedDeleteRecords struct {
	*delayedOp
	rm      *ReplicaManager
	pending map[log.TopicPartition]int64
	results map[log.TopicPartition]deleteRecordsResult
	done    func(map[log.TopicPartition]deleteRecordsResult)
}

func (d *delayedDeleteRecords) tryComplete() bool {
	for tp, required := range d.pending {
		p := d.rm.getPartition(tp)
		if p == nil {
			d.results[tp] = deleteRecordsResult{lowWatermark: -1, err: kerr.UnknownTopicOrPartition}
			delete(d.pending, tp)
			continue
		}
		low, err := p.lowWatermark(time.Now())
		switch {
		case err != nil:
			d.results[tp] = deleteRecordsResult{lowWatermark: -1, err: err}
			delete(d.pending, tp)
		case low >= required:
			d.results[tp] = deleteRecordsResult{lowWatermark: low}
			delete(d.pending, tp)
		}
	}
	if len(d.pending) == 0 {
		return d.forceComplete()
	}
	return false
}

func (d *delayedDeleteRecords) onComplete() {
	for tp := range d.pending {
		d.results[tp] = deleteRecordsResult{lowWatermark: -1, err: kerr.RequestTimedOut}
	}
	d.done(d.results)
}

func (d *delayedDeleteRecords) onExpiration() {}

// deleteRecords moves tp's log start offset to offset (-1: the HW) on the
// leader (Kafka's Partition.deleteRecordsOnLeader).
func (rm *ReplicaManager) deleteRecords(tp log.TopicPartition, offset int64) (int64, error) {
	if isInternalTopic(tp.Topic) {
		return -1, kerr.InvalidTopicException
	}
	p := rm.getPartition(tp)
	if p == nil {
		return -1, kerr.UnknownTopicOrPartition
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	l := p.log
	if l == nil || p.leaderID != p.localID {
		return -1, kerr.NotLeaderForPartition
	}
	hw := p.HighWatermark()
	if offset < 0 {
		offset = hw
	}
	if offset > hw {
		return -1, kerr.OffsetOutOfRange
	}
	if offset > l.LogStartOffset() {
		if err := l.IncrementLogStartOffset(offset); err != nil {
			return -1, appendErrorToKerr(err)
		}
	}
	return l.LogStartOffset(), nil
}
