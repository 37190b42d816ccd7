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
// * v7: fetch sessions (KIP-227): declined, see below.
// * v8: no changes. v9: current_leader_epoch (KIP-320). v10: no changes.
// * v11: rack_id, preferred_read_replica (-1: always read from the leader).
// * v12: flexible; last_fetched_epoch and diverging_epoch (KIP-595's
//   truncation detection, replication.md §4.3) are implemented.
//
// Not implemented (why):
// * Fetch sessions: the broker declines them, as Kafka does when its
//   session cache is full: full requests (session epoch 0 or -1) are
//   answered with session_id 0; incremental ones (a session id, or epoch
//   > 0) get FETCH_SESSION_ID_NOT_FOUND and the client starts over.
// * Quotas: throttle_time_ms is always 0.
// * Follower fetching (KIP-392): preferred_read_replica is always -1.

import (
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/log"
)

func (b *Broker) handleFetch(r *Request) {
	req := r.Msg.(*kmsg.FetchRequest)
	resp := req.ResponseKind().(*kmsg.FetchResponse)
	if req.SessionID != 0 || req.SessionEpoch > 0 {
		resp.ErrorCode = kerr.FetchSessionIDNotFound.Code
		r.RespondFetch(newFetchResult(resp))
		return
	}
	resp.SessionID = 0

	params := fetchParams{
		replicaID:      req.ReplicaID,
		maxWait:        time.Duration(req.MaxWaitMillis) * time.Millisecond,
		minBytes:       req.MinBytes,
		maxBytes:       req.MaxBytes,
		isolationLevel: req.IsolationLevel,
	}
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
	b.replicas.FetchMessages(params, parts, func(results []fetchPartitionResult) {
		r.RespondFetch(buildFetchResult(req, resp, results))
	})
}

// buildFetchResult fills resp in request order and attaches each
// partition's file range for the zero-copy writer.
func buildFetchResult(req *kmsg.FetchRequest, resp *kmsg.FetchResponse, results []fetchPartitionResult) *FetchResult {
	resp.Topics = make([]kmsg.FetchResponseTopic, len(req.Topics))
	i := 0
	for ti := range req.Topics {
		t := &req.Topics[ti]
		rt := &resp.Topics[ti]
		*rt = kmsg.NewFetchResponseTopic()
		rt.Topic = t.Topic
		rt.Partitions = make([]kmsg.FetchResponseTopicPartition, len(t.Partitions))
		for pi := range t.Partitions {
			res := &results[i]
			i++
			rp := &rt.Partitions[pi]
			*rp = kmsg.NewFetchResponseTopicPartition()
			rp.Partition = t.Partitions[pi].Partition
			rp.HighWatermark = res.hw
			rp.LastStableOffset = res.lso
			rp.LogStartOffset = res.logStartOffset
			// Kafka sends null aborted transactions to read_uncommitted
			// fetches and a list (empty: no transactions) to read_committed.
			if req.IsolationLevel == 1 {
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
		}
	}
	fr := newFetchResult(resp)
	i = 0
	for ti := range req.Topics {
		for pi := range req.Topics[ti].Partitions {
			s := results[i].slice
			i++
			fr.setRecords(ti, pi, s.File, s.Pos, s.Size)
		}
	}
	return fr
}
