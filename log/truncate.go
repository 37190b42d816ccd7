package log

import (
	"fmt"

	"go.uber.org/zap"
)

// TruncateTo removes every batch from the one holding offset on
// (follower truncation). A no-op when offset >= the log end offset.
func (l *Log) TruncateTo(offset int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	if offset < 0 {
		return kindf(ErrOffsetOutOfRange, "cannot truncate partition %s to a negative offset (%d)", l.tp, offset)
	}
	if offset >= l.leo {
		return nil
	}
	l.lg.Info(l.prefix() + fmt.Sprintf("Truncating to offset %d", offset))
	if offset < l.segments[0].base {
		return l.truncateFullyLocked(offset)
	}
	i := l.floorSegment(offset)
	if i+1 < len(l.segments) {
		l.deleteSegmentsLocked(l.segments[i+1:], "log truncation")
		l.segments = l.segments[:i+1]
	}
	s := l.active()
	cutBase := int64(-1)
	if _, pos, ok, err := s.translateOffset(offset, s.size); err != nil {
		return err
	} else if ok {
		h, _, _, _ := s.batchAt(pos)
		cutBase = h.BaseOffset
	}
	if _, err := s.truncateTo(offset); err != nil {
		return err
	}
	if err := s.makeActive(l.Config()); err != nil {
		return err
	}
	l.leo = offset
	if cutBase >= 0 && cutBase < offset {
		l.leo = max(cutBase, s.base)
	}
	l.afterTruncateLocked()
	return nil
}

func (l *Log) afterTruncateLocked() {
	l.recoveryPoint = min(l.recoveryPoint, l.leo)
	if l.hw > l.leo {
		l.hw = l.leo
	}
	if l.logStartOffset > l.leo {
		l.logStartOffset = l.leo
	}
	l.epochs.truncateFromEnd(l.leo)
	l.rebuildProducerStateLocked()
}

// TruncateFullyAndStartAt deletes every segment and starts an empty log
// at offset (a follower far behind the leader's log start).
func (l *Log) TruncateFullyAndStartAt(offset int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	if offset < 0 {
		return kindf(ErrOffsetOutOfRange, "cannot start partition %s at a negative offset (%d)", l.tp, offset)
	}
	l.lg.Info(l.prefix() + fmt.Sprintf("Truncate fully and start at offset %d", offset))
	return l.truncateFullyLocked(offset)
}

func (l *Log) truncateFullyLocked(offset int64) error {
	old := l.segments
	// A segment already at this base would collide with the new one.
	for _, s := range old {
		if s.base == offset {
			if err := s.renameTo(DeletedFileSuffix); err != nil {
				return err
			}
		}
	}
	s, err := createSegment(l.dir, offset, l.Config(), l.now(), "")
	if err != nil {
		return err
	}
	l.deleteSegmentsLocked(old, "full truncation")
	l.segments = []*segment{s}
	l.leo, l.logStartOffset, l.recoveryPoint = offset, offset, offset
	if l.hw >= 0 {
		l.hw = offset
	}
	l.epochs.clear()
	l.producers.reset()
	return nil
}

// IncrementLogStartOffset moves the log start offset up (DeleteRecords;
// the caller checks offset <= high watermark). Segments wholly below it
// are deleted.
func (l *Log) IncrementLogStartOffset(offset int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	if offset > l.leo {
		return kindf(ErrOffsetOutOfRange, "cannot increment the log start offset to %d of partition %s since it is larger than the log end offset %d", offset, l.tp, l.leo)
	}
	if offset <= l.logStartOffset {
		return nil
	}
	l.lg.Info(l.prefix() + fmt.Sprintf("Incremented log start offset to %d due to client delete records request", offset))
	l.logStartOffset = offset
	l.epochs.truncateFromStart(offset)
	l.producers.evictBelow(offset)
	return l.deleteBelowStartLocked()
}

// deleteBelowStartLocked removes segments whose successor starts at or
// below the log start offset (Kafka's log start offset breach; the
// active segment is never deleted this way).
func (l *Log) deleteBelowStartLocked() error {
	n := 0
	for n+1 < len(l.segments) && l.segments[n+1].base <= l.logStartOffset {
		n++
	}
	if n == 0 {
		return nil
	}
	return l.removeOldestLocked(n, fmt.Sprintf("log start offset %d breach", l.logStartOffset))
}

// removeOldestLocked deletes the n oldest segments, rolling a new active
// segment first if all would go (a log never has zero segments).
func (l *Log) removeOldestLocked(n int, reason string) error {
	if n == 0 {
		return nil
	}
	if n == len(l.segments) && l.active().size == 0 {
		n-- // keep the empty active segment
	}
	if n == 0 {
		return nil
	}
	if n == len(l.segments) {
		if err := l.rollLocked(l.Config(), l.leo); err != nil {
			return err
		}
	}
	victims := append([]*segment(nil), l.segments[:n]...)
	l.segments = append([]*segment(nil), l.segments[n:]...)
	l.deleteSegmentsLocked(victims, reason)
	if b := l.segments[0].base; b > l.logStartOffset {
		l.logStartOffset = b
		l.epochs.truncateFromStart(b)
		l.producers.evictBelow(b)
	}
	return nil
}

// deleteSegmentsLocked renames segments to .deleted and removes them
// after file.delete.delay.ms (Kafka's asynchronous segment deletion).
// FileSlices handed out earlier stay readable until then.
func (l *Log) deleteSegmentsLocked(segs []*segment, reason string) {
	delay := millis(l.Config().FileDeleteDelayMs)
	for _, s := range segs {
		l.lg.Info(l.prefix()+fmt.Sprintf("Deleting segment %d due to %s", s.base, reason),
			zap.Int64("offset", s.base), zap.Int64("size", s.size))
		if err := s.renameTo(DeletedFileSuffix); err != nil {
			l.lg.Error(l.prefix()+"Error renaming segment for deletion", zap.Error(err))
		}
		seg := s
		l.sched.after(delay, seg.remove)
	}
}
