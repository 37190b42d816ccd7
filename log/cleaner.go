package log

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"math"
	"os"
	"time"

	"go.uber.org/zap"
)

// Log compaction (log-format.md §7, Kafka's LogCleaner): keep the latest
// record of every key, drop tombstones delete.retention.ms after their
// segment was cleaned, keep offsets (gaps appear), and never touch the
// active segment or anything at or above the high watermark.

// cleanable describes a log's dirty section.
type cleanable struct {
	firstDirty, firstUncleanable int64
	cleanBytes, dirtyBytes       int64
}

func (c cleanable) ratio() float64 {
	if c.cleanBytes+c.dirtyBytes == 0 {
		return 0
	}
	return float64(c.dirtyBytes) / float64(c.cleanBytes+c.dirtyBytes)
}

// cleanableLocked computes the dirty section from the cleaner checkpoint.
func (l *Log) cleanableLocked(checkpoint int64, cfg Config, now int64) cleanable {
	if checkpoint > l.leo {
		// The log was truncated below the checkpoint: Kafka resets it.
		checkpoint = 0
	}
	c := cleanable{firstDirty: max(checkpoint, l.logStartOffset, l.segments[0].base)}
	upper := min(l.active().base, max(l.hw, 0))
	lagHorizon := now - cfg.MinCompactionLagMs
	for i, s := range l.segments {
		if i+1 == len(l.segments) {
			break
		}
		next := l.segments[i+1].base
		if next > upper {
			break
		}
		if s.base >= c.firstDirty && cfg.MinCompactionLagMs > 0 && s.largestTimestamp() > lagHorizon {
			break
		}
		c.firstUncleanable = next
		if next <= c.firstDirty {
			c.cleanBytes += s.size
		} else {
			c.dirtyBytes += s.size
		}
	}
	if c.firstUncleanable < c.firstDirty {
		c.firstUncleanable = c.firstDirty
	}
	return c
}

// throttler limits the cleaner's I/O rate (log.cleaner.io.max.bytes.per.second).
type throttler struct {
	rate  float64
	start time.Time
	bytes float64
	ctx   context.Context
}

func (t *throttler) add(n int) error {
	if t.ctx != nil && t.ctx.Err() != nil {
		return t.ctx.Err()
	}
	if t.rate <= 0 || math.IsInf(t.rate, 1) {
		return nil
	}
	t.bytes += float64(n)
	ahead := time.Duration(t.bytes/t.rate*float64(time.Second)) - time.Since(t.start)
	if ahead > 10*time.Millisecond {
		select {
		case <-time.After(ahead):
		case <-t.ctx.Done():
			return t.ctx.Err()
		}
	}
	return nil
}

// Clean compacts the log once from checkpoint (the first dirty offset)
// and returns the new checkpoint. It reads and writes without holding the
// log lock, and swaps the cleaned segments in under it; if the log
// changed meanwhile (truncation, retention) the clean is abandoned.
func (l *Log) Clean(ctx context.Context, checkpoint int64, ioBytesPerSec float64, dedupeBufferSize int64) (int64, error) {
	if !l.cleanerBusy.CompareAndSwap(false, true) {
		return checkpoint, nil
	}
	defer l.cleanerBusy.Store(false)
	cfg := l.Config()
	now := l.now().UnixMilli()
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return checkpoint, ErrClosed
	}
	c := l.cleanableLocked(checkpoint, cfg, now)
	var segs []*segment
	sizes := map[*segment]int64{}
	for _, s := range l.segments[:len(l.segments)-1] {
		if s.base >= c.firstUncleanable {
			break
		}
		segs = append(segs, s)
		sizes[s] = s.size
	}
	l.mu.RUnlock()
	if len(segs) == 0 || c.firstUncleanable <= c.firstDirty {
		return checkpoint, nil
	}
	th := &throttler{rate: ioBytesPerSec, start: time.Now(), ctx: ctx}
	if dedupeBufferSize <= 0 {
		dedupeBufferSize = 128 << 20
	}
	maxEntries := int(float64(dedupeBufferSize) / 24 * 0.9)

	// 1. Key -> latest offset over the dirty section (MD5 of the key, as
	// Kafka's SkimpyOffsetMap), stopping at a segment boundary if full.
	offsets := map[[16]byte]int64{}
	end := c.firstDirty
	for i, s := range segs {
		next := c.firstUncleanable
		if i+1 < len(segs) {
			next = segs[i+1].base
		}
		if next <= c.firstDirty {
			continue
		}
		if len(offsets) >= maxEntries {
			break
		}
		err := forEachRecord(s, sizes[s], th, func(h BatchHeader, r *Record) {
			if r.Key != nil && r.Offset >= c.firstDirty && !h.IsControl() {
				offsets[md5.Sum(r.Key)] = r.Offset
			}
		})
		if err != nil {
			return checkpoint, err
		}
		end = next
	}
	if end <= c.firstDirty {
		return checkpoint, nil
	}

	// 2. Tombstones in segments modified before the horizon go.
	deleteHorizon := int64(0)
	for _, s := range segs {
		if s.base < c.firstDirty && (s.base+1 <= c.firstDirty) {
			deleteHorizon = s.lastModified() - cfg.DeleteRetentionMs
		}
	}

	// 3. Rewrite [first segment, end) in groups that fit segment.bytes.
	var todo []*segment
	for _, s := range segs {
		if s.base < end {
			todo = append(todo, s)
		}
	}
	for len(todo) > 0 {
		group := []*segment{todo[0]}
		total := sizes[todo[0]]
		for _, s := range todo[1:] {
			if total+sizes[s] > cfg.SegmentBytes {
				break
			}
			last := end
			if len(group)+1 < len(todo) {
				last = todo[len(group)+1].base
			}
			if last-group[0].base > math.MaxInt32 {
				break
			}
			group = append(group, s)
			total += sizes[s]
		}
		todo = todo[len(group):]
		if err := l.cleanGroup(group, sizes, offsets, deleteHorizon, cfg, th); err != nil {
			return checkpoint, err
		}
	}
	l.lg.Info(l.prefix()+fmt.Sprintf("Cleaned log up to offset %d (%d keys in the offset map)", end, len(offsets)),
		zap.String("topic", l.tp.Topic), zap.Int32("partition", l.tp.Partition))
	return end, nil
}

// forEachRecord decodes every record of a segment.
func forEachRecord(s *segment, size int64, th *throttler, fn func(h BatchHeader, r *Record)) error {
	sc := newScanner(s.log, 0, size, true, false)
	for {
		h, _, raw, ok := sc.next()
		if !ok {
			break
		}
		recs, err := (Batch{BatchHeader: h, Raw: raw}).Records()
		if err != nil {
			return err
		}
		for i := range recs {
			fn(h, &recs[i])
		}
		if err := th.add(h.Size()); err != nil {
			return err
		}
	}
	if sc.err != nil && !isCorruption(sc.err) {
		return sc.err
	}
	return nil
}

var errCleanAborted = errors.New("log: clean abandoned because the log changed")

// cleanGroup writes the surviving records of group into one .cleaned
// segment and swaps it in.
func (l *Log) cleanGroup(group []*segment, sizes map[*segment]int64, offsets map[[16]byte]int64, deleteHorizon int64, cfg Config, th *throttler) error {
	base := group[0].base
	dst, err := createSegment(l.dir, base, cfg, l.now(), CleanedFileSuffix)
	if err != nil {
		return err
	}
	abort := func(err error) error {
		dst.closeNoTrim()
		for _, suf := range []string{LogFileSuffix, IndexFileSuffix, TimeIndexFileSuffix} {
			os.Remove(dst.path(suf))
		}
		return err
	}
	var lastModified int64
	for _, s := range group {
		lastModified = max(lastModified, s.lastModified())
		retainDeletes := s.lastModified() > deleteHorizon
		sc := newScanner(s.log, 0, sizes[s], true, false)
		for {
			h, _, raw, ok := sc.next()
			if !ok {
				break
			}
			out, err := filterBatch(h, raw, offsets, retainDeletes)
			if err != nil {
				return abort(err)
			}
			if out != nil {
				if dst.offIdx.isFull() || dst.timeIdx.isFull() {
					return abort(fmt.Errorf("log: cleaned segment index full"))
				}
				oh, _ := ParseBatchHeader(out)
				if err := dst.append(osFileOps{}, out, oh.LastOffset(), oh.MaxTimestamp, oh.LastOffset(), oh.MaxTimestamp, cfg.IndexIntervalBytes); err != nil {
					return abort(err)
				}
			}
			if err := th.add(h.Size()); err != nil {
				return abort(err)
			}
		}
		if sc.err != nil && !isCorruption(sc.err) {
			return abort(sc.err)
		}
	}
	if err := dst.onBecomeInactive(); err != nil {
		return abort(err)
	}
	if err := dst.sync(osFileOps{}); err != nil {
		return abort(err)
	}
	mt := time.UnixMilli(lastModified)
	os.Chtimes(dst.path(LogFileSuffix), mt, mt)

	// Swap under the log lock, if the group is still there unchanged.
	l.mu.Lock()
	defer l.mu.Unlock()
	at := -1
	for i, s := range l.segments {
		if s == group[0] {
			at = i
			break
		}
	}
	if l.closed || at < 0 || at+len(group) >= len(l.segments) {
		return abort(errCleanAborted)
	}
	for i, s := range group {
		if l.segments[at+i] != s || s.size != sizes[s] {
			return abort(errCleanAborted)
		}
	}
	if err := dst.renameTo(SwapFileSuffix); err != nil {
		return abort(err)
	}
	segs := append([]*segment(nil), l.segments[:at]...)
	segs = append(segs, dst)
	segs = append(segs, l.segments[at+len(group):]...)
	l.segments = segs
	l.deleteSegmentsLocked(group, "log compaction")
	if err := dst.renameTo(""); err != nil {
		return err
	}
	dst.nextOffset = group[len(group)-1].nextOffset
	return nil
}

// filterBatch returns the batch to keep: raw itself when every record
// survives, a rebuilt batch keeping offsets, the original last offset and
// the original codec when some do, nil when none do. Control batches are
// kept.
func filterBatch(h BatchHeader, raw []byte, offsets map[[16]byte]int64, retainDeletes bool) ([]byte, error) {
	if h.IsControl() {
		return raw, nil
	}
	recs, err := (Batch{BatchHeader: h, Raw: raw}).Records()
	if err != nil {
		return nil, err
	}
	kept := recs[:0:0]
	for _, r := range recs {
		if r.Key == nil {
			continue // keyless records cannot be compacted; Kafka drops them
		}
		if latest, ok := offsets[md5.Sum(r.Key)]; ok && r.Offset < latest {
			continue
		}
		if r.Value == nil && !retainDeletes {
			continue
		}
		kept = append(kept, r)
	}
	if len(kept) == len(recs) {
		return raw, nil
	}
	if len(kept) == 0 {
		return nil, nil
	}
	plain := BuildBatchWith(BatchOptions{
		BaseOffset: h.BaseOffset, PartitionLeaderEpoch: h.PartitionLeaderEpoch,
		ProducerID: h.ProducerID, ProducerEpoch: h.ProducerEpoch, BaseSequence: h.BaseSequence,
		Transactional: h.IsTransactional(), LogAppendTime: h.LogAppendTime(),
		KeepOffsets: true, LastOffset: h.LastOffset(),
	}, kept)
	// Kafka's cleaner re-compresses the survivors with the original codec.
	return recompressBatch(plain, h.Compression())
}

// cleanOnce is one pass of the cleaner thread: clean the compacted log
// with the highest dirty ratio at or above its min.cleanable.dirty.ratio.
func (m *Manager) cleanOnce(ctx context.Context) {
	var best *Log
	var bestTP TopicPartition
	bestRatio := -1.0
	var bestCkpt int64
	for tp, l := range m.All() {
		cfg := l.Config()
		if !cfg.Compact() {
			continue
		}
		m.mu.Lock()
		ckpt := m.cleaned[tp]
		m.mu.Unlock()
		l.mu.RLock()
		c := l.cleanableLocked(ckpt, cfg, m.opts.Now().UnixMilli())
		l.mu.RUnlock()
		if r := c.ratio(); r >= cfg.MinCleanableDirtyRatio && r > bestRatio {
			best, bestTP, bestRatio, bestCkpt = l, tp, r, ckpt
		}
	}
	if best == nil {
		return
	}
	next, err := best.Clean(ctx, bestCkpt, m.opts.CleanerIOMaxBytesPerSecond, m.opts.CleanerDedupeBufferSize)
	if err != nil {
		if !errors.Is(err, errCleanAborted) && !errors.Is(err, ErrClosed) && ctx.Err() == nil {
			m.lg.Error("Error cleaning log "+bestTP.String(), zap.Error(err))
		}
		return
	}
	m.mu.Lock()
	if m.logs[bestTP] == best {
		m.cleaned[bestTP] = next
	}
	dir := m.logDir[bestTP]
	m.mu.Unlock()
	if dir != "" {
		if err := m.writeCheckpoints(dir); err != nil {
			m.lg.Error("Error writing cleaner checkpoint", zap.Error(err))
		}
	}
}
