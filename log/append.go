package log

import (
	"encoding/binary"
	"math"
	"time"

	"go.uber.org/zap"
)

// appendSummary is what one pass over an append's batches learns,
// before any lock is taken (Kafka's LogAppendInfo from
// analyzeAndValidateRecords).
type appendSummary struct {
	batches         int
	firstOffset     int64 // follower: first batch's base offset
	lastOffset      int64 // follower: last batch's last offset
	offsetCount     int64 // sum of lastOffsetDelta+1 (offsets the leader assigns)
	numRecords      int64
	maxTimestamp    int64
	offsetOfMaxTs   int64 // relative to the first offset on the leader path
	firstBatchMaxTs int64
	idempotent      bool
}

// validate checks every batch of an append; nothing is written when it
// fails. Leader appends (fromClient) get Kafka's client checks too.
func validate(buf []byte, cfg *liveConfig, fromClient bool, now int64) (appendSummary, error) {
	sum := appendSummary{firstOffset: -1, lastOffset: -1, maxTimestamp: -1, offsetOfMaxTs: -1, firstBatchMaxTs: -1}
	if int64(len(buf)) > cfg.SegmentBytes {
		return sum, kindf(ErrRecordListTooLarge, "append of %d bytes exceeds segment.bytes %d", len(buf), cfg.SegmentBytes)
	}
	checkTs := fromClient && cfg.checkTs
	compact := fromClient && cfg.compact
	for pos := 0; pos < len(buf); {
		h, err := checkBatch(buf[pos:])
		if err != nil {
			return sum, err
		}
		size := h.Size()
		if size > int(cfg.MaxMessageBytes) {
			return sum, kindf(ErrRecordTooLarge, "batch of %d bytes exceeds max.message.bytes %d", size, cfg.MaxMessageBytes)
		}
		if fromClient {
			if err := validateClientBatch(h, buf[pos:pos+size], compact); err != nil {
				return sum, err
			}
			if checkTs {
				lo, hi := h.FirstTimestamp, h.MaxTimestamp
				if h.Compression() == CompressionNone {
					// Every record, as Kafka checks (the framing was just
					// validated, so the walk cannot fail).
					lo, hi = recordTimestampRange(buf[pos+BatchHeaderSize:pos+size], h.RecordCount, h.FirstTimestamp)
				}
				for _, ts := range [2]int64{lo, hi} {
					if d := now - ts; d > cfg.MessageTimestampDifferenceMaxMs || -d > cfg.MessageTimestampDifferenceMaxMs {
						return sum, kindf(ErrInvalidTimestamp, "timestamp %d of a batch is out of range: it differs from the broker time %d by more than %d ms", ts, now, cfg.MessageTimestampDifferenceMaxMs)
					}
				}
			}
		} else if sum.batches > 0 && h.BaseOffset <= sum.lastOffset {
			return sum, invalidf("out of order offsets in a follower append: batch at %d follows offset %d", h.BaseOffset, sum.lastOffset)
		}
		if sum.batches == 0 {
			sum.firstOffset = h.BaseOffset
			sum.firstBatchMaxTs = h.MaxTimestamp
		}
		if h.MaxTimestamp > sum.maxTimestamp {
			sum.maxTimestamp = h.MaxTimestamp
			if fromClient {
				sum.offsetOfMaxTs = sum.offsetCount + int64(h.LastOffsetDelta)
			} else {
				sum.offsetOfMaxTs = h.LastOffset()
			}
		}
		sum.lastOffset = h.LastOffset()
		sum.offsetCount += int64(h.LastOffsetDelta) + 1
		sum.numRecords += int64(h.RecordCount)
		sum.idempotent = sum.idempotent || h.HasProducerID()
		sum.batches++
		pos += size
	}
	return sum, nil
}

// validateClientBatch applies Kafka's LogValidator.validateBatch rules
// and, for uncompressed batches, checks the record framing without
// allocating (compressed batches are covered by their CRC and are not
// decompressed on the append path, except on compacted topics).
func validateClientBatch(h BatchHeader, raw []byte, compact bool) error {
	if h.RecordCount <= 0 {
		return invalidf("invalid reported count for record batch: %d", h.RecordCount)
	}
	if int64(h.LastOffsetDelta)+1 != int64(h.RecordCount) {
		return invalidf("inconsistent batch offset range [%d, %d] and count of records %d", h.BaseOffset, h.LastOffset(), h.RecordCount)
	}
	if h.IsControl() {
		return invalidf("clients are not allowed to write control records")
	}
	if h.HasProducerID() && h.BaseSequence < 0 {
		return invalidf("invalid sequence number %d in record batch with producerId %d", h.BaseSequence, h.ProducerID)
	}
	if h.Compression() > CompressionZstd {
		return invalidf("unknown compression codec %d", h.Compression())
	}
	if h.Compression() == CompressionNone {
		nullKey, err := walkRecords(raw[BatchHeaderSize:], h.RecordCount, true)
		if err != nil {
			return err
		}
		if compact && nullKey {
			return invalidf("compacted topic cannot accept message without key in topic partition")
		}
		return nil
	}
	if compact {
		recs, err := Batch{BatchHeader: h, Raw: raw}.Records()
		if err != nil {
			return invalidf("%v", err)
		}
		for _, r := range recs {
			if r.Key == nil {
				return invalidf("compacted topic cannot accept message without key in topic partition")
			}
		}
	}
	return nil
}

// AppendAsLeader appends the records field of a Produce partition (one
// or more v2 batches, as received). It validates every batch, then
// assigns offsets by rewriting base_offset and partition_leader_epoch
// in buf in place (and, under LogAppendTime, max_timestamp and the CRC);
// records are never re-encoded. Nothing is written if any batch fails.
//
// An idempotent retry returns ErrDuplicateSequence with
// AppendInfo{Duplicate: true} carrying the original offsets; the broker
// should answer NONE with them, as Kafka does.
func (l *Log) AppendAsLeader(buf []byte, leaderEpoch int32) (AppendInfo, error) {
	return l.append(buf, true, leaderEpoch)
}

// AppendAsFollower appends batches fetched from the leader, keeping
// their offsets and epochs.
func (l *Log) AppendAsFollower(buf []byte) (AppendInfo, error) {
	return l.append(buf, false, -1)
}

func (l *Log) append(buf []byte, leader bool, leaderEpoch int32) (AppendInfo, error) {
	cfg := l.cfg.Load()
	// The clock is read only when a rule needs it (about 0.1 us a read on
	// this VM, a tenth of a 16 KB batch's CRC).
	var now int64
	stamp := leader && cfg.appendTime
	if stamp || (leader && cfg.checkTs) {
		now = l.now().UnixMilli()
	}
	sum, err := validate(buf, cfg, leader, now)
	if err != nil {
		return AppendInfo{FirstOffset: -1, LastOffset: -1, LogAppendTime: -1}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	info := AppendInfo{FirstOffset: -1, LastOffset: -1, MaxTimestamp: sum.maxTimestamp, LogAppendTime: -1,
		LogStartOffset: l.logStartOffset, NumRecords: sum.numRecords}
	if l.closed {
		return info, ErrClosed
	}
	if sum.batches == 0 {
		return info, nil
	}

	var pending map[int64]*producerEntry
	if sum.idempotent {
		pending = make(map[int64]*producerEntry, 1)
	}
	if leader {
		// Producer state first: a retry must not get new offsets.
		if sum.idempotent {
			for b := range Batches(buf) {
				if !b.HasProducerID() {
					continue
				}
				dup, isDup, err := l.producers.check(b.BatchHeader, pending)
				if err != nil {
					return info, err
				}
				if isDup {
					info.FirstOffset, info.LastOffset, info.Duplicate = dup.firstOffset, dup.lastOffset, true
					info.MaxTimestamp = dup.maxTimestamp
					return info, ErrDuplicateSequence
				}
				// Stage with provisional offsets so a second batch of the
				// same producer in this append is checked against it.
				l.producers.stage(b.BatchHeader, pending)
			}
			clear(pending)
		}
		// Assign offsets in place. validate checked every header, so
		// only the two fields needed to step are read here.
		off := l.leo
		for pos := 0; pos < len(buf); {
			b := buf[pos:]
			size := int(int32(binary.BigEndian.Uint32(b[offBatchLength:]))) + batchOverhead
			setBaseOffset(b, off)
			setLeaderEpoch(b, leaderEpoch)
			if stamp {
				setLogAppendTime(b[:size], now)
			}
			off += int64(int32(binary.BigEndian.Uint32(b[offLastOffsetDelta:]))) + 1
			pos += size
		}
		info.FirstOffset, info.LastOffset = l.leo, off-1
		if stamp {
			info.LogAppendTime, info.MaxTimestamp = now, now
			sum.maxTimestamp, sum.firstBatchMaxTs = now, now
			sum.offsetOfMaxTs = info.FirstOffset // Kafka: the first offset under LogAppendTime
		} else {
			sum.offsetOfMaxTs += info.FirstOffset
		}
	} else {
		if sum.firstOffset < l.leo {
			return info, invalidf("unexpected append offset: first offset %d is below the log end offset %d", sum.firstOffset, l.leo)
		}
		info.FirstOffset, info.LastOffset = sum.firstOffset, sum.lastOffset
	}

	if err := l.maybeRollLocked(&cfg.Config, int64(len(buf)), sum.maxTimestamp, info.FirstOffset, info.LastOffset); err != nil {
		return info, err
	}
	seg := l.active()
	if err := seg.append(l.fs, buf, info.LastOffset, sum.maxTimestamp, sum.offsetOfMaxTs, sum.firstBatchMaxTs, cfg.IndexIntervalBytes); err != nil {
		l.lg.Error(l.prefix()+"Error while appending records", zap.Error(err))
		return info, err
	}

	// Epochs and producer state from the batches as now written. A
	// leader append carries one epoch (leaderEpoch, stamped above) and
	// needs no walk unless producer state must be recorded.
	if leader && !sum.idempotent {
		l.epochs.assignIfNewer(leaderEpoch, info.FirstOffset)
	} else {
		var lastEpoch int32 = -1
		for b := range Batches(buf) {
			if b.PartitionLeaderEpoch > lastEpoch {
				l.epochs.assignIfNewer(b.PartitionLeaderEpoch, b.BaseOffset)
				lastEpoch = b.PartitionLeaderEpoch
			}
			if b.HasProducerID() {
				if leader {
					l.producers.stage(b.BatchHeader, pending)
				} else {
					l.producers.update(b.BatchHeader)
				}
			}
		}
		if leader && pending != nil {
			l.producers.commit(pending)
		}
	}
	l.leo = info.LastOffset + 1
	l.unflushed += sum.numRecords
	if l.unflushed >= cfg.FlushMessages {
		// flush.messages: fsync now, synchronously, as Kafka does.
		l.mu.Unlock()
		err := l.flushUpTo(info.LastOffset + 1)
		l.mu.Lock()
		if err != nil {
			return info, err
		}
	}
	return info, nil
}

// maybeRollLocked starts a new active segment when the append would
// overflow segment.bytes, the segment is older than segment.ms, an index
// is full, or the offsets no longer fit 32 bits relative to the base
// (log-format.md §4.1).
func (l *Log) maybeRollLocked(cfg *Config, size, maxTs, firstOffset, lastOffset int64) error {
	s := l.active()
	// segment.ms counts from the first batch's max timestamp; the clock
	// is read only for a non-empty segment that has none (one reopened
	// from disk), so a regular append makes no clock call here.
	aged := false
	if s.size > 0 {
		var waited int64
		if s.rollingBasedTimestamp >= 0 {
			waited = maxTs - s.rollingBasedTimestamp
		} else {
			waited = l.now().Sub(s.created).Milliseconds()
		}
		aged = waited > cfg.SegmentMs-cfg.SegmentJitterMs
	}
	roll := s.size > cfg.SegmentBytes-size || aged ||
		s.offIdx.isFull() || s.timeIdx.isFull() ||
		lastOffset-s.base > math.MaxInt32 || firstOffset < s.base
	if !roll {
		return nil
	}
	return l.rollLocked(*cfg, max(firstOffset, l.leo))
}

// rollLocked makes a new active segment at base and flushes the old one
// in the background (Kafka's Log.roll schedules flush(newOffset)).
func (l *Log) rollLocked(cfg Config, base int64) error {
	old := l.active()
	if old.size == 0 && old.base == base {
		return nil
	}
	// Create the new segment first: if the disk is full the log keeps its
	// current active segment and the append fails cleanly.
	s, err := createSegment(l.dir, base, cfg, l.now(), "")
	if err != nil {
		return err
	}
	if old.size == 0 {
		// Replace an empty active segment instead of stacking empties.
		l.segments = l.segments[:len(l.segments)-1]
		old.renameTo(DeletedFileSuffix)
		old.remove()
	} else if err := old.onBecomeInactive(); err != nil {
		s.remove()
		return err
	}
	l.segments = append(l.segments, s)
	l.lg.Info(l.prefix() + "Rolled new log segment at offset " + itoa(base))
	if old.size > 0 {
		l.bg.Add(1)
		go func() {
			defer l.bg.Done()
			if err := l.flushUpTo(base); err != nil {
				l.lg.Error(l.prefix()+"Error flushing rolled segment", zap.Error(err))
			}
		}()
	}
	return nil
}

// Roll forces a new active segment (tests, the cleaner's tests).
func (l *Log) Roll() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.active().size == 0 {
		return nil
	}
	return l.rollLocked(l.Config(), l.leo)
}

func itoa(n int64) string { return formatInt(n) }

var _ = time.Now
