package log

import (
	"encoding/binary"
)

// BatchOptions are the header fields of a batch built by BuildBatchWith.
type BatchOptions struct {
	BaseOffset           int64
	PartitionLeaderEpoch int32 // -1 when unknown
	ProducerID           int64 // -1 when not idempotent
	ProducerEpoch        int16 // -1 when not idempotent
	BaseSequence         int32 // -1 when not idempotent
	Transactional        bool
	Control              bool
	LogAppendTime        bool
	// KeepOffsets takes each record's Offset as its absolute offset (the
	// cleaner keeps offsets); otherwise records get deltas 0, 1, 2, …
	KeepOffsets bool
	// LastOffset, when > BaseOffset, overrides the last offset delta so a
	// compacted batch keeps its original offset range (Kafka's
	// MemoryRecordsBuilder.overrideLastOffset).
	LastOffset int64
}

// BuildBatch encodes an uncompressed v2 batch with base offset 0 and no
// producer id, from records whose Key, Value, Headers and Timestamp are
// set (Offset is ignored). Used by the group coordinator, tools and tests.
func BuildBatch(records []Record) []byte {
	return BuildBatchWith(BatchOptions{PartitionLeaderEpoch: -1, ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}, records)
}

// BuildBatchWith encodes an uncompressed v2 batch with the given header
// fields. An empty records slice gives a header-only batch.
func BuildBatchWith(o BatchOptions, records []Record) []byte {
	size := BatchHeaderSize
	var scratch [binary.MaxVarintLen64]byte
	bodies := make([]int, len(records))
	var first, maxTs int64 = -1, -1
	if len(records) > 0 {
		first = records[0].Timestamp
	}
	for i, r := range records {
		n := recordBodySize(r, first, o, i, &scratch)
		bodies[i] = n
		size += binary.PutVarint(scratch[:], int64(n)) + n
		if r.Timestamp > maxTs {
			maxTs = r.Timestamp
		}
	}
	b := make([]byte, BatchHeaderSize, size)
	binary.BigEndian.PutUint64(b[offBaseOffset:], uint64(o.BaseOffset))
	binary.BigEndian.PutUint32(b[offBatchLength:], uint32(size-batchOverhead))
	binary.BigEndian.PutUint32(b[offLeaderEpoch:], uint32(o.PartitionLeaderEpoch))
	b[offMagic] = 2
	var attrs uint16
	if o.LogAppendTime {
		attrs |= attrTimestampType
	}
	if o.Transactional {
		attrs |= attrTransactional
	}
	if o.Control {
		attrs |= attrControl
	}
	binary.BigEndian.PutUint16(b[offAttributes:], attrs)
	lastDelta := int32(len(records) - 1)
	if o.KeepOffsets && len(records) > 0 {
		lastDelta = int32(records[len(records)-1].Offset - o.BaseOffset)
	}
	if o.LastOffset > o.BaseOffset {
		lastDelta = int32(o.LastOffset - o.BaseOffset)
	}
	if lastDelta < 0 {
		lastDelta = 0
	}
	binary.BigEndian.PutUint32(b[offLastOffsetDelta:], uint32(lastDelta))
	binary.BigEndian.PutUint64(b[offFirstTimestamp:], uint64(first))
	binary.BigEndian.PutUint64(b[offMaxTimestamp:], uint64(maxTs))
	binary.BigEndian.PutUint64(b[offProducerID:], uint64(o.ProducerID))
	binary.BigEndian.PutUint16(b[offProducerEpoch:], uint16(o.ProducerEpoch))
	binary.BigEndian.PutUint32(b[offBaseSequence:], uint32(o.BaseSequence))
	binary.BigEndian.PutUint32(b[offRecordCount:], uint32(len(records)))
	for i, r := range records {
		b = binary.AppendVarint(b, int64(bodies[i]))
		b = append(b, byte(r.Attributes))
		b = binary.AppendVarint(b, r.Timestamp-first)
		b = binary.AppendVarint(b, recordDelta(r, o, i))
		b = appendVarBytes(b, r.Key)
		b = appendVarBytes(b, r.Value)
		b = binary.AppendVarint(b, int64(len(r.Headers)))
		for _, h := range r.Headers {
			b = binary.AppendVarint(b, int64(len(h.Key)))
			b = append(b, h.Key...)
			b = appendVarBytes(b, h.Value)
		}
	}
	binary.BigEndian.PutUint32(b[offCRC:], computeCRC(b))
	return b
}

func recordDelta(r Record, o BatchOptions, i int) int64 {
	if o.KeepOffsets {
		return r.Offset - o.BaseOffset
	}
	return int64(i)
}

func recordBodySize(r Record, first int64, o BatchOptions, i int, scratch *[binary.MaxVarintLen64]byte) int {
	n := 1
	n += binary.PutVarint(scratch[:], r.Timestamp-first)
	n += binary.PutVarint(scratch[:], recordDelta(r, o, i))
	n += varBytesSize(r.Key, scratch)
	n += varBytesSize(r.Value, scratch)
	n += binary.PutVarint(scratch[:], int64(len(r.Headers)))
	for _, h := range r.Headers {
		n += binary.PutVarint(scratch[:], int64(len(h.Key))) + len(h.Key)
		n += varBytesSize(h.Value, scratch)
	}
	return n
}

func varBytesSize(b []byte, scratch *[binary.MaxVarintLen64]byte) int {
	if b == nil {
		return 1
	}
	return binary.PutVarint(scratch[:], int64(len(b))) + len(b)
}

func appendVarBytes(dst, b []byte) []byte {
	if b == nil {
		return binary.AppendVarint(dst, -1)
	}
	dst = binary.AppendVarint(dst, int64(len(b)))
	return append(dst, b...)
}
