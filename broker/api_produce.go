package broker

// Produce: v3-9
//
// Behavior:
// * Each partition's records must be exactly one v2 record batch (Kafka's
//   ProduceRequest.validateRecords for v3+), else INVALID_RECORD. The batch
//   is stored as received (any of the four compressions, as sent); only its
//   base offset and partition leader epoch are rewritten by the log.
// * acks: 0 (no answer; an error closes the connection, the only signal an
//   acks=0 client gets), 1 (answer once in the leader's log), -1 (wait in
//   the produce purgatory until the HW covers the batch; NOT_ENOUGH_REPLICAS
//   before appending when the ISR is below min.insync.replicas,
//   NOT_ENOUGH_REPLICAS_AFTER_APPEND if it shrank meanwhile,
//   REQUEST_TIMED_OUT after timeout_ms). Anything else: INVALID_REQUIRED_ACKS.
// * Errors per partition: NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION,
//   MESSAGE_TOO_LARGE, CORRUPT_MESSAGE, INVALID_RECORD, INVALID_TIMESTAMP,
//   RECORD_LIST_TOO_LARGE, KAFKA_STORAGE_ERROR, and the idempotent-producer
//   errors OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH,
//   UNKNOWN_PRODUCER_ID (replication.md §5.4). A duplicate (an idempotent
//   retry) answers NONE with the original batch's offsets.
// * Internal topics (__consumer_offsets, __transaction_state) are written
//   only by the broker itself, or by a client whose client.id is
//   "__admin_client" (Kafka's KafkaApis: internalTopicsAllowed); others get
//   INVALID_TOPIC_EXCEPTION.
// * Quotas: the request's size counts against the client's
//   producer_byte_rate once the append is done; over quota, the answer
//   carries throttle_time_ms and the connection is muted that long
//   (quota_throttle.go). acks=0 requests are counted and muted too.
//
// Version notes:
// * v3: transactional_id; record batch v2 only (the minimum we advertise,
//   so no message-format conversion exists).
// * v5: log_start_offset in the response.
// * v8: record_errors and error_message (error_message is filled).
// * v9: flexible versions.
//
// Not implemented (why):
// * Transactions: a transactional_id is accepted but no transaction
//   coordinator exists; transactional batches are stored like others.

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/log"
	"gokafka/protocol"
)

// adminClientID is the client.id allowed to write internal topics
// (Kafka's AdminUtils.AdminClientId).
const adminClientID = "__admin_client"

func (b *Broker) handleProduce(r *Request) {
	req := r.Msg.(*kmsg.ProduceRequest)
	entries := make(map[log.TopicPartition][]byte)
	// Partitions failing request-level validation, answered without
	// touching the log.
	invalid := make(map[log.TopicPartition]error)
	for ti := range req.Topics {
		t := &req.Topics[ti]
		for pi := range t.Partitions {
			p := &t.Partitions[pi]
			tp := log.TopicPartition{Topic: t.Topic, Partition: p.Partition}
			if err := validateProduceRecords(p.Records); err != nil {
				invalid[tp] = err
				continue
			}
			entries[tp] = p.Records
		}
	}
	internal := r.ClientID == adminClientID
	// The records alias the request's frame buffer. The log copies them
	// into the segment file before it returns, and AppendRecords leaves
	// them alone once it calls done, so the buffer goes back to the pool
	// when done has answered (for acks=all, after the purgatory wait).
	var frame []byte
	if r.conn != nil {
		frame = r.conn.takeFrame()
	}
	size := len(frame)
	b.replicas.AppendRecords(req.TimeoutMillis, req.Acks, internal, entries, func(results map[log.TopicPartition]PartitionAppendResult) {
		defer protocol.PutFrame(frame)
		for tp, err := range invalid {
			results[tp] = PartitionAppendResult{Err: err}
		}
		// The quota counts the request once it is done, as Kafka's
		// sendResponseCallback does; an over-quota client is muted.
		throttleMs := b.throttleProduce(r, size)
		if req.Acks == 0 {
			for _, res := range results {
				if res.Err != nil {
					r.Close(res.Err)
					return
				}
			}
			r.NoResponse()
			return
		}
		resp := buildProduceResponse(req, results)
		resp.ThrottleMillis = throttleMs
		r.Respond(resp)
	})
}

// validateProduceRecords enforces v3+'s single record batch of magic 2.
func validateProduceRecords(records []byte) error {
	if len(records) < 61 {
		return kerr.InvalidRecord
	}
	h, err := log.ParseBatchHeader(records)
	if err != nil {
		if errors.Is(err, log.ErrCorruption) {
			return kerr.CorruptMessage
		}
		return kerr.InvalidRecord
	}
	if h.Magic != 2 || h.Size() != len(records) {
		return kerr.InvalidRecord
	}
	return nil
}

// buildProduceResponse answers in the request's topic and partition order.
func buildProduceResponse(req *kmsg.ProduceRequest, results map[log.TopicPartition]PartitionAppendResult) *kmsg.ProduceResponse {
	resp := req.ResponseKind().(*kmsg.ProduceResponse)
	resp.Topics = make([]kmsg.ProduceResponseTopic, len(req.Topics))
	for ti := range req.Topics {
		t := &req.Topics[ti]
		rt := &resp.Topics[ti]
		*rt = kmsg.NewProduceResponseTopic()
		rt.Topic = t.Topic
		rt.Partitions = make([]kmsg.ProduceResponseTopicPartition, len(t.Partitions))
		for pi := range t.Partitions {
			rp := &rt.Partitions[pi]
			*rp = kmsg.NewProduceResponseTopicPartition()
			rp.Partition = t.Partitions[pi].Partition
			res := results[log.TopicPartition{Topic: t.Topic, Partition: rp.Partition}]
			if res.Err != nil {
				ke := asKerr(res.Err)
				rp.ErrorCode = ke.Code
				rp.BaseOffset = -1
				rp.LogAppendTime = -1
				rp.LogStartOffset = -1
				if req.Version >= 8 {
					msg := ke.Description
					rp.ErrorMessage = &msg
				}
				continue
			}
			rp.BaseOffset = res.Info.FirstOffset
			rp.LogAppendTime = res.Info.LogAppendTime
			rp.LogStartOffset = res.Info.LogStartOffset
		}
	}
	return resp
}

// asKerr returns err as a *kerr.Error (UNKNOWN_SERVER_ERROR if it is not).
func asKerr(err error) *kerr.Error {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke
	}
	return kerr.UnknownServerError
}
