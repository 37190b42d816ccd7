package log

import (
	"encoding/binary"
	"hash/crc32"
	"iter"
)

// Record batch v2 header layout (log-format.md §2). All integers big-endian.
const (
	offBaseOffset      = 0
	offBatchLength     = 8
	offLeaderEpoch     = 12
	offMagic           = 16
	offCRC             = 17
	offAttributes      = 21
	offLastOffsetDelta = 23
	offFirstTimestamp  = 27
	offMaxTimestamp    = 35
	offProducerID      = 43
	offProducerEpoch   = 51
	offBaseSequence    = 53
	offRecordCount     = 57

	// BatchHeaderSize is the size of a v2 record batch header.
	BatchHeaderSize = 61
	// batchOverhead is what batchLength does not count: baseOffset and batchLength.
	batchOverhead = 12
)

// Attribute bits of a v2 batch.
const (
	attrCompressionMask = 0x07
	attrTimestampType   = 0x08
	attrTransactional   = 0x10
	attrControl         = 0x20
)

// Compression codecs as numbered in the attributes field.
const (
	CompressionNone   = 0
	CompressionGzip   = 1
	CompressionSnappy = 2
	CompressionLZ4    = 3
	CompressionZstd   = 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// BatchHeader is a parsed v2 record batch header. It is a value: parsing
// allocates nothing.
type BatchHeader struct {
	BaseOffset           int64
	BatchLength          int32 // bytes after this field; batch size = BatchLength + 12
	PartitionLeaderEpoch int32
	Magic                int8
	CRC                  uint32
	Attributes           int16
	LastOffsetDelta      int32
	FirstTimestamp       int64
	MaxTimestamp         int64
	ProducerID           int64
	ProducerEpoch        int16
	BaseSequence         int32
	RecordCount          int32
}

// ParseBatchHeader decodes the fixed header at the start of b. It checks
// only that b holds a header and that batchLength is large enough for one;
// it does not look at the CRC (see ValidateBatch).
func ParseBatchHeader(b []byte) (BatchHeader, error) {
	if len(b) < batchOverhead {
		return BatchHeader{}, corruptf("batch of %d bytes is shorter than its %d-byte offset and length fields", len(b), batchOverhead)
	}
	var h BatchHeader
	h.BaseOffset = int64(binary.BigEndian.Uint64(b[offBaseOffset:]))
	h.BatchLength = int32(binary.BigEndian.Uint32(b[offBatchLength:]))
	if h.BatchLength < BatchHeaderSize-batchOverhead {
		return h, corruptf("batch at offset %d has batch length %d, below the minimum %d", h.BaseOffset, h.BatchLength, BatchHeaderSize-batchOverhead)
	}
	if len(b) < BatchHeaderSize {
		return h, corruptf("batch header truncated: %d of %d bytes", len(b), BatchHeaderSize)
	}
	h.PartitionLeaderEpoch = int32(binary.BigEndian.Uint32(b[offLeaderEpoch:]))
	h.Magic = int8(b[offMagic])
	h.CRC = binary.BigEndian.Uint32(b[offCRC:])
	h.Attributes = int16(binary.BigEndian.Uint16(b[offAttributes:]))
	h.LastOffsetDelta = int32(binary.BigEndian.Uint32(b[offLastOffsetDelta:]))
	h.FirstTimestamp = int64(binary.BigEndian.Uint64(b[offFirstTimestamp:]))
	h.MaxTimestamp = int64(binary.BigEndian.Uint64(b[offMaxTimestamp:]))
	h.ProducerID = int64(binary.BigEndian.Uint64(b[offProducerID:]))
	h.ProducerEpoch = int16(binary.BigEndian.Uint16(b[offProducerEpoch:]))
	h.BaseSequence = int32(binary.BigEndian.Uint32(b[offBaseSequence:]))
	h.RecordCount = int32(binary.BigEndian.Uint32(b[offRecordCount:]))
	return h, nil
}

// Size is the whole batch size in bytes.
func (h BatchHeader) Size() int { return int(h.BatchLength) + batchOverhead }

// LastOffset is the offset of the batch's last record (kept across compaction).
func (h BatchHeader) LastOffset() int64 { return h.BaseOffset + int64(h.LastOffsetDelta) }

// Compression is the codec number from the attributes (0 none … 4 zstd).
func (h BatchHeader) Compression() int { return int(h.Attributes & attrCompressionMask) }

// LogAppendTime reports whether the timestamp type bit says LogAppendTime.
func (h BatchHeader) LogAppendTime() bool { return h.Attributes&attrTimestampType != 0 }

// IsTransactional reports the transactional attribute bit.
func (h BatchHeader) IsTransactional() bool { return h.Attributes&attrTransactional != 0 }

// IsControl reports the control-batch attribute bit.
func (h BatchHeader) IsControl() bool { return h.Attributes&attrControl != 0 }

// HasProducerID reports whether the batch comes from an idempotent producer.
func (h BatchHeader) HasProducerID() bool { return h.ProducerID >= 0 }

// LastSequence is the sequence of the last record, wrapping at MaxInt32
// as Kafka's DefaultRecordBatch.incrementSequence does; -1 without one.
func (h BatchHeader) LastSequence() int32 {
	if h.BaseSequence < 0 {
		return -1
	}
	return incrementSequence(h.BaseSequence, h.LastOffsetDelta)
}

func incrementSequence(seq, delta int32) int32 {
	if seq > (1<<31-1)-delta {
		return delta - ((1<<31 - 1) - seq) - 1
	}
	return seq + delta
}

// TimestampTypeName is "CreateTime" or "LogAppendTime", as Kafka prints it.
func (h BatchHeader) TimestampTypeName() string {
	if h.LogAppendTime() {
		return "LogAppendTime"
	}
	return "CreateTime"
}

// CompressionName is Kafka's CompressionType enum name (NONE, GZIP, ...).
func (h BatchHeader) CompressionName() string { return compressionName(h.Compression()) }

func compressionName(c int) string {
	switch c {
	case CompressionNone:
		return "NONE"
	case CompressionGzip:
		return "GZIP"
	case CompressionSnappy:
		return "SNAPPY"
	case CompressionLZ4:
		return "LZ4"
	case CompressionZstd:
		return "ZSTD"
	}
	return "UNKNOWN"
}

// computeCRC is the CRC-32C of everything from attributes to the end.
func computeCRC(batch []byte) uint32 {
	return crc32.Checksum(batch[offAttributes:], castagnoli)
}

// ValidBatchCRC reports whether a complete batch's stored CRC matches.
func ValidBatchCRC(batch []byte) bool {
	return len(batch) >= BatchHeaderSize && binary.BigEndian.Uint32(batch[offCRC:]) == computeCRC(batch)
}

// checkBatch validates the batch that starts buf[0:] and returns its
// header: the length fits in buf, the magic is 2, the CRC-32C matches and
// the offset delta is sane. It is the check shared by appends, recovery
// and the dump tool; it allocates nothing.
func checkBatch(buf []byte) (BatchHeader, error) {
	h, err := ParseBatchHeader(buf)
	if err != nil {
		return h, err
	}
	if h.Size() > len(buf) {
		return h, corruptf("batch at offset %d declares %d bytes but only %d remain", h.BaseOffset, h.Size(), len(buf))
	}
	if h.Magic != 2 {
		return h, invalidf("batch at offset %d has magic %d; only magic 2 (record batch v2) is supported", h.BaseOffset, h.Magic)
	}
	if crc := computeCRC(buf[:h.Size()]); crc != h.CRC {
		return h, corruptf("batch at offset %d is corrupt (stored crc = %d, computed crc = %d)", h.BaseOffset, h.CRC, crc)
	}
	if h.LastOffsetDelta < 0 {
		return h, invalidf("batch at offset %d has negative last offset delta %d", h.BaseOffset, h.LastOffsetDelta)
	}
	if h.RecordCount < 0 {
		return h, invalidf("batch at offset %d has negative record count %d", h.BaseOffset, h.RecordCount)
	}
	return h, nil
}

// Batch is one complete record batch: its parsed header and its raw
// bytes (which alias the buffer it was found in).
type Batch struct {
	BatchHeader
	Raw []byte
}

// Batches iterates over the complete batches at the start of buf, as a
// consumer does: it stops silently at a partial trailing batch (a fetch
// may cut the last batch short) and at the first header that does not
// parse. CRCs are not checked; use ValidBatchCRC when it matters.
func Batches(buf []byte) iter.Seq[Batch] {
	return func(yield func(Batch) bool) {
		for len(buf) >= BatchHeaderSize {
			h, err := ParseBatchHeader(buf)
			if err != nil || h.Size() > len(buf) {
				return
			}
			if !yield(Batch{BatchHeader: h, Raw: buf[:h.Size():h.Size()]}) {
				return
			}
			buf = buf[h.Size():]
		}
	}
}

// setBaseOffset rewrites the base offset field (not covered by the CRC).
func setBaseOffset(batch []byte, off int64) {
	binary.BigEndian.PutUint64(batch[offBaseOffset:], uint64(off))
}

// setLeaderEpoch rewrites partitionLeaderEpoch (not covered by the CRC).
func setLeaderEpoch(batch []byte, epoch int32) {
	binary.BigEndian.PutUint32(batch[offLeaderEpoch:], uint32(epoch))
}

// setLogAppendTime stamps maxTimestamp and the timestamp-type bit and
// recomputes the CRC, as the leader does under LogAppendTime.
func setLogAppendTime(batch []byte, now int64) {
	attrs := binary.BigEndian.Uint16(batch[offAttributes:]) | attrTimestampType
	binary.BigEndian.PutUint16(batch[offAttributes:], attrs)
	binary.BigEndian.PutUint64(batch[offMaxTimestamp:], uint64(now))
	binary.BigEndian.PutUint32(batch[offCRC:], computeCRC(batch))
}
