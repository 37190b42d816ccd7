package broker

import (
	"errors"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"gokafka/log"
)

// AppendRecords appends each partition's record batches as leader and calls
// done with one result per partition (Kafka's ReplicaManager.appendRecords).
// It serves Produce and the group coordinator.
//
//   - acks 0 or 1: done runs before AppendRecords returns.
//   - acks -1: partitions that appended wait in the produce purgatory until
//     the HW passes their last offset (or timeoutMs passes:
//     REQUEST_TIMED_OUT); done then runs on whichever goroutine completed
//     the wait.
//   - internal: only internal callers (the group coordinator, or a client
//     whose client.id is "__admin_client", as Kafka's AdminUtils) may write
//     to __consumer_offsets and __transaction_state.
//
// entries' byte slices must stay untouched until done runs.
func (rm *ReplicaManager) AppendRecords(timeoutMs int32, acks int16, internal bool,
	entries map[log.TopicPartition][]byte, done func(map[log.TopicPartition]PartitionAppendResult)) {
	results := make(map[log.TopicPartition]PartitionAppendResult, len(entries))
	if acks != 0 && acks != 1 && acks != -1 {
		for tp := range entries {
			results[tp] = PartitionAppendResult{Err: kerr.InvalidRequiredAcks}
		}
		done(results)
		return
	}
	var waitOn []log.TopicPartition
	for tp, batches := range entries {
		res := rm.appendToLocalLog(tp, batches, acks, internal)
		results[tp] = res
		if acks == -1 && res.Err == nil {
			waitOn = append(waitOn, tp)
		}
	}
	if len(waitOn) == 0 {
		done(results)
		return
	}
	dp := &delayedProduce{rm: rm, results: results, done: done, pending: make(map[log.TopicPartition]int64, len(waitOn))}
	for _, tp := range waitOn {
		dp.pending[tp] = results[tp].Info.LastOffset + 1
	}
	dp.delayedOp = newDelayedOp(dp, time.Duration(timeoutMs)*time.Millisecond)
	rm.produceWait.tryCompleteElseWatch(dp.delayedOp, waitOn)
}

// appendToLocalLog appends one partition and maps the outcome to a Kafka
// error. After a successful append it wakes the fetches parked on tp
// (followers wait for the LEO, consumers for the HW) and, when the HW
// moved, the acks=all produces.
func (rm *ReplicaManager) appendToLocalLog(tp log.TopicPartition, batches []byte, acks int16, internal bool) PartitionAppendResult {
	if isInternalTopic(tp.Topic) && !internal {
		return PartitionAppendResult{Err: kerr.InvalidTopicException}
	}
	p := rm.getPartition(tp)
	if p == nil {
		return PartitionAppendResult{Err: kerr.UnknownTopicOrPartition}
	}
	info, hwMoved, err := p.appendAsLeader(batches, acks)
	if err != nil && !(errors.Is(err, log.ErrDuplicateSequence) && info.Duplicate) {
		return PartitionAppendResult{Err: appendErrorToKerr(err), Info: info}
	}
	rm.fetchWait.checkAndComplete(tp)
	if hwMoved {
		rm.produceWait.checkAndComplete(tp)
	}
	return PartitionAppendResult{Info: info}
}

// isInternalTopic: Kafka's Topic.isInternal.
func isInternalTopic(topic string) bool {
	return topic == "__consumer_offsets" || topic == "__transaction_state"
}

// appendErrorToKerr maps the log's typed errors (and our own kerr errors)
// to Kafka error codes, as Kafka's ReplicaManager.appendToLocalLog does.
func appendErrorToKerr(err error) error {
	var ke *kerr.Error
	switch {
	case errors.As(err, &ke):
		return ke
	case errors.Is(err, log.ErrCorruption):
		return kerr.CorruptMessage
	case errors.Is(err, log.ErrInvalidRecord):
		return kerr.InvalidRecord
	case errors.Is(err, log.ErrRecordTooLarge):
		return kerr.MessageTooLarge
	case errors.Is(err, log.ErrRecordListTooLarge):
		return kerr.RecordListTooLarge
	case errors.Is(err, log.ErrInvalidTimestamp):
		return kerr.InvalidTimestamp
	case errors.Is(err, log.ErrOutOfOrderSequence):
		return kerr.OutOfOrderSequenceNumber
	case errors.Is(err, log.ErrDuplicateSequence):
		return kerr.DuplicateSequenceNumber
	case errors.Is(err, log.ErrInvalidProducerEpoch):
		return kerr.InvalidProducerEpoch
	case errors.Is(err, log.ErrUnknownProducerID):
		return kerr.UnknownProducerID
	case errors.Is(err, log.ErrOffsetOutOfRange):
		return kerr.OffsetOutOfRange
	case errors.Is(err, log.ErrStorage):
		return kerr.KafkaStorageError
	default:
		return kerr.UnknownServerError
	}
}

// delayedProduce is an acks=all produce waiting for its partitions' HW
// (Kafka's DelayedProduce). pending maps each waiting partition to the
// offset the HW must reach; partitions leave it when they are done, with
// an error or without. Fields are guarded by the operation's lock.
type delayedProduce struct {
	*delayedOp
	rm      *ReplicaManager
	pending map[log.TopicPartition]int64
	results map[log.TopicPartition]PartitionAppendResult
	done    func(map[log.TopicPartition]PartitionAppendResult)
}

func (d *delayedProduce) tryComplete() bool {
	for tp, required := range d.pending {
		p := d.rm.getPartition(tp)
		var finished bool
		var err error
		if p == nil {
			finished, err = true, kerr.UnknownTopicOrPartition
		} else {
			finished, err = p.checkEnoughReplicasReachOffset(required)
		}
		if finished {
			delete(d.pending, tp)
			if err != nil {
				r := d.results[tp]
				r.Err = err
				d.results[tp] = r
			}
		}
	}
	if len(d.pending) == 0 {
		return d.forceComplete()
	}
	return false
}

func (d *delayedProduce) onComplete() {
	for tp := range d.pending {
		r := d.results[tp]
		r.Err = kerr.RequestTimedOut
		d.results[tp] = r
	}
	d.done(d.results)
}

func (d *delayedProduce) onExpiration() {}
