package broker

import (
	"errors"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"gokafka/log"
)

// fetchParams are the request-level settings of a Fetch.
type fetchParams struct {
	replicaID      int32 // >= 0: a follower; -1: a consumer
	maxWait        time.Duration
	minBytes       int32
	maxBytes       int32 // response limit (v3+)
	isolationLevel int8  // 1 = read_committed (LSO = HW here: no transactions)
}

func (f fetchParams) isFollower() bool { return f.replicaID >= 0 }

// fetchPartition is one partition of a Fetch request.
type fetchPartition struct {
	tp                 log.TopicPartition
	fetchOffset        int64
	logStartOffset     int64 // the follower's; -1 from consumers
	maxBytes           int32
	currentLeaderEpoch int32 // -1: no check
	lastFetchedEpoch   int32 // v12+: -1 when not sent
}

// fetchPartitionResult is what the read found for one partition.
type fetchPartitionResult struct {
	err            error // a *kerr.Error or nil
	hw             int64
	lso            int64
	logStartOffset int64
	slice          log.FileSlice
	divergingEpoch int32 // -1 unless the follower's log diverged
	divergingEnd   int64
}

// FetchMessages reads every partition and calls done with the results,
// at once when there is enough data (min_bytes), an error, or no wait; else
// after the fetch waited in the purgatory for data or for max_wait
// (Kafka's ReplicaManager.fetchMessages). done may run on another
// goroutine.
func (rm *ReplicaManager) FetchMessages(params fetchParams, parts []fetchPartition, done func([]fetchPartitionResult)) {
	results, bytes, anyErr := rm.readFromLocalLogs(params, parts, true)
	if params.maxWait <= 0 || len(parts) == 0 || bytes >= int64(params.minBytes) || anyErr {
		done(results)
		return
	}
	df := &delayedFetch{rm: rm, params: params, parts: parts, done: done}
	df.delayedOp = newDelayedOp(df, params.maxWait)
	keys := make([]log.TopicPartition, len(parts))
	for i := range parts {
		keys[i] = parts[i].tp
	}
	rm.fetchWait.tryCompleteElseWatch(df.delayedOp, keys)
}

// readFromLocalLogs reads each partition in order under the response limit:
// each partition gets min(its max, what is left of the response max) and
// the first partition with data may exceed the limits by one whole batch
// (Fetch v3+ semantics). Followers' fetch state is updated when
// updateFollowers is set.
func (rm *ReplicaManager) readFromLocalLogs(params fetchParams, parts []fetchPartition, updateFollowers bool) ([]fetchPartitionResult, int64, bool) {
	results := make([]fetchPartitionResult, len(parts))
	remaining := int64(params.maxBytes)
	if params.maxBytes <= 0 {
		remaining = 1<<31 - 1
	}
	minOneBatch := true
	var total int64
	anyErr := false
	now := time.Now()
	for i := range parts {
		limit := int64(parts[i].maxBytes)
		if remaining < limit {
			limit = remaining
		}
		if limit < 0 {
			limit = 0
		}
		r := rm.readPartition(params, &parts[i], int32(limit), minOneBatch, updateFollowers, now)
		results[i] = r
		if r.err != nil {
			anyErr = true
		}
		if r.slice.Size > 0 {
			minOneBatch = false
			remaining -= int64(r.slice.Size)
			total += int64(r.slice.Size)
		}
	}
	return results, total, anyErr
}

// readPartition reads one partition (Kafka's Partition.readRecords): only
// the leader serves; consumers read below the HW, followers below the LEO.
func (rm *ReplicaManager) readPartition(params fetchParams, fp *fetchPartition, maxBytes int32, minOneBatch, updateFollower bool, now time.Time) fetchPartitionResult {
	res := fetchPartitionResult{hw: -1, lso: -1, logStartOffset: -1, divergingEpoch: -1, divergingEnd: -1}
	p := rm.getPartition(fp.tp)
	if p == nil {
		res.err = kerr.UnknownTopicOrPartition
		return res
	}
	p.mu.RLock()
	l := p.log
	// The epoch is checked first, as Kafka's Partition.getLocalLog does: a
	// fetcher that already knows a newer epoch than ours gets
	// UNKNOWN_LEADER_EPOCH (we have not heard of our leadership yet: retry
	// soon), one with an older epoch FENCED_LEADER_EPOCH; only at the same
	// epoch does "not the leader" apply.
	if err := p.checkLeaderEpochLocked(fp.currentLeaderEpoch); err != nil && p.leaderEpoch >= 0 {
		p.mu.RUnlock()
		res.err = err
		return res
	}
	if p.leaderID != p.localID || l == nil {
		p.mu.RUnlock()
		res.err = kerr.NotLeaderForPartition
		return res
	}
	p.mu.RUnlock()

	// Truncation detection (Fetch v12, replication.md §4.3): the fetcher's
	// last fetched epoch must end at or after its fetch offset in our
	// history, else we tell it where our history diverges.
	if fp.lastFetchedEpoch >= 0 {
		epoch, end := l.Epochs().EndOffsetFor(fp.lastFetchedEpoch, l.LogEndOffset())
		if epoch < fp.lastFetchedEpoch || end < fp.fetchOffset {
			res.divergingEpoch, res.divergingEnd = epoch, end
			res.hw = p.HighWatermark()
			res.lso = res.hw
			res.logStartOffset = l.LogStartOffset()
			return res
		}
	}

	maxOffset := p.HighWatermark()
	if params.isFollower() {
		maxOffset = l.LogEndOffset()
	}
	data, err := l.Read(fp.fetchOffset, maxBytes, maxOffset, minOneBatch)
	if err != nil {
		if errors.Is(err, log.ErrOffsetOutOfRange) {
			res.err = kerr.OffsetOutOfRange
		} else {
			res.err = appendErrorToKerr(err)
		}
	} else {
		res.slice = data.Slice
		// A throttled follower gets no records, everything else as usual
		// (ReplicaManager.readFromLocalLog).
		if params.isFollower() && res.slice.Size > 0 && rm.shouldLeaderThrottle(p, params.replicaID) {
			res.slice = log.FileSlice{}
		}
	}
	if params.isFollower() && updateFollower {
		if p.updateFollowerFetchState(params.replicaID, fp.fetchOffset, fp.logStartOffset, now) {
			rm.completeDelayed(fp.tp)
		} else {
			// The follower's log start offset may have caught up with a
			// DeleteRecords.
			rm.deleteRecordsWait.checkAndComplete(fp.tp)
		}
	}
	res.hw = p.HighWatermark()
	res.lso = res.hw
	res.logStartOffset = l.LogStartOffset()
	return res
}

// delayedFetch is a long-poll Fetch (Kafka's DelayedFetch). It completes
// when the leadership of a partition changed or its offset left the log
// (the read will report the error), when its log diverged, or when at least
// min_bytes are readable: below the HW for consumers, the LEO for
// followers.
type delayedFetch struct {
	*delayedOp
	rm     *ReplicaManager
	params fetchParams
	parts  []fetchPartition
	done   func([]fetchPartitionResult)
}

func (d *delayedFetch) tryComplete() bool {
	var accumulated int64
	for i := range d.parts {
		fp := &d.parts[i]
		p := d.rm.getPartition(fp.tp)
		if p == nil {
			return d.forceComplete()
		}
		p.mu.RLock()
		l := p.log
		leader := p.leaderID == p.localID
		epochErr := p.checkLeaderEpochLocked(fp.currentLeaderEpoch)
		p.mu.RUnlock()
		if !leader || l == nil || epochErr != nil {
			return d.forceComplete()
		}
		end := p.HighWatermark()
		if d.params.isFollower() {
			end = l.LogEndOffset()
		}
		switch {
		case fp.fetchOffset > l.LogEndOffset() || fp.fetchOffset < l.LogStartOffset():
			// The log was truncated or its start moved past the offset:
			// the read reports it. (A consumer between the HW and the LEO
			// just waits, as in Kafka's DelayedFetch.)
			return d.forceComplete()
		case fp.fetchOffset < end && d.params.isFollower() && d.rm.shouldLeaderThrottle(p, d.params.replicaID):
			// Throttled bytes do not count towards min_bytes: the
			// follower waits max_wait instead of spinning.
		case fp.fetchOffset < end:
			if d.params.minBytes <= 1 {
				return d.forceComplete()
			}
			// Measure what a read would return (an index lookup, no copy).
			data, err := l.Read(fp.fetchOffset, fp.maxBytes, end, false)
			if err != nil {
				return d.forceComplete()
			}
			accumulated += int64(data.Slice.Size)
		}
	}
	if accumulated >= int64(d.params.minBytes) {
		return d.forceComplete()
	}
	return false
}

func (d *delayedFetch) onComplete() {
	// Re-read: the data may have grown since the first attempt. Follower
	// state was updated by the first read.
	results, _, _ := d.rm.readFromLocalLogs(d.params, d.parts, false)
	d.done(results)
}

func (d *delayedFetch) onExpiration() {}
