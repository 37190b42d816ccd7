package log

import (
	"sort"
)

// Read returns the file range holding the batches from offset on, for
// sendfile. maxOffset is the exclusive upper bound (the high watermark
// for consumers, the log end offset for followers); maxBytes bounds the
// size, except that with minOneBatch the first batch is returned whole
// even when larger (Fetch v3+). The slice may end inside a batch, as
// Kafka's does; clients drop the partial tail. ErrOffsetOutOfRange when
// offset is below the log start offset or above the log end offset.
func (l *Log) Read(offset int64, maxBytes int32, maxOffset int64, minOneBatch bool) (FetchData, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	empty := FetchData{FirstBatchOffset: -1}
	if l.closed {
		return empty, ErrClosed
	}
	if offset < l.logStartOffset || offset > l.leo {
		return empty, kindf(ErrOffsetOutOfRange, "received request for offset %d for partition %s, but we only have log segments in the range %d to %d", offset, l.tp, l.logStartOffset, l.leo)
	}
	if offset == l.leo || offset >= maxOffset || maxBytes < 0 {
		return empty, nil
	}
	i := l.floorSegment(offset)
	for ; i < len(l.segments); i++ {
		s := l.segments[i]
		size := s.size
		h, pos, ok, err := s.translateOffset(offset, size)
		if err != nil {
			return empty, err
		}
		if !ok {
			continue // a gap left by compaction: try the next segment
		}
		if h.BaseOffset >= maxOffset {
			return empty, nil
		}
		maxPos := size
		if maxOffset < s.nextOffset {
			if _, p, ok, err := s.translateOffset(maxOffset, size); err != nil {
				return empty, err
			} else if ok {
				maxPos = p
			}
		}
		limit := int64(maxBytes)
		if minOneBatch && limit < int64(h.Size()) {
			limit = int64(h.Size())
		}
		n := min(maxPos-pos, limit)
		if n <= 0 {
			return empty, nil
		}
		return FetchData{Slice: FileSlice{File: s.log, Pos: pos, Size: int32(n)}, FirstBatchOffset: h.BaseOffset}, nil
	}
	return empty, nil
}

// floorSegment is the index of the last segment whose base is <= offset
// (0 when offset is below every base).
func (l *Log) floorSegment(offset int64) int {
	i := sort.Search(len(l.segments), func(i int) bool { return l.segments[i].base > offset }) - 1
	return max(i, 0)
}

// OffsetForTimestamp answers ListOffsets: the first offset whose record
// timestamp is >= ts, with that timestamp; ok is false when no record is
// that recent. ts -2 (earliest) gives the log start offset and -1
// (latest) the log end offset, with timestamp -1; the broker must answer
// consumers' -1 with the high watermark itself.
func (l *Log) OffsetForTimestamp(ts int64) (offset int64, timestamp int64, ok bool, err error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	switch ts {
	case -2:
		return l.logStartOffset, -1, true, nil
	case -1:
		return l.leo, -1, true, nil
	}
	if ts < 0 {
		return -1, -1, false, kindf(ErrInvalidRecord, "unsupported timestamp %d", ts)
	}
	for _, s := range l.segments {
		if s.largestTimestamp() < ts || s.size == 0 {
			continue
		}
		// Kafka's LogSegment.findOffsetByTimestamp.
		_, indexedOff := s.timeIdx.lookup(ts)
		_, pos := s.offIdx.lookup(max(indexedOff, s.base))
		sc := newScanner(s.log, pos, s.size, true, false)
		for {
			h, _, raw, more := sc.next()
			if !more {
				break
			}
			if h.MaxTimestamp < ts {
				continue
			}
			recs, err := (Batch{BatchHeader: h, Raw: raw}).Records()
			if err != nil {
				return -1, -1, false, err
			}
			for _, r := range recs {
				if r.Timestamp >= ts && r.Offset >= l.logStartOffset {
					return r.Offset, r.Timestamp, true, nil
				}
			}
		}
		if sc.err != nil && !isCorruption(sc.err) {
			return -1, -1, false, sc.err
		}
	}
	return -1, -1, false, nil
}
