package log

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// File suffixes (log-format.md §1).
const (
	LogFileSuffix       = ".log"
	IndexFileSuffix     = ".index"
	TimeIndexFileSuffix = ".timeindex"
	SnapshotFileSuffix  = ".snapshot"
	TxnIndexFileSuffix  = ".txnindex"
	DeletedFileSuffix   = ".deleted"
	CleanedFileSuffix   = ".cleaned"
	SwapFileSuffix      = ".swap"
)

// SegmentFileName is the 20-digit zero-padded base offset plus suffix.
func SegmentFileName(base int64, suffix string) string {
	return fmt.Sprintf("%020d%s", base, suffix)
}

// offsetFromFileName parses the base offset of "00000000000000000042.log".
func offsetFromFileName(name string) (int64, bool) {
	i := strings.IndexByte(name, '.')
	if i != 20 {
		return 0, false
	}
	n, err := strconv.ParseInt(name[:i], 10, 64)
	return n, err == nil && n >= 0
}

// fileOps is the seam through which segment data is written, so tests can
// inject a full disk or a read-only file system at any byte.
type fileOps interface {
	WriteAt(f *os.File, b []byte, off int64) (int, error)
	Sync(f *os.File) error
}

type osFileOps struct{}

func (osFileOps) WriteAt(f *os.File, b []byte, off int64) (int, error) { return f.WriteAt(b, off) }
func (osFileOps) Sync(f *os.File) error                                { return f.Sync() }

// segment is one .log file with its two indexes (Kafka's LogSegment).
// Guarded by the owning Log's mutex; its file is read concurrently by
// FileSlice holders (reads never change it).
type segment struct {
	dir  string
	base int64
	log  *os.File
	// size is the number of valid bytes in the .log (the file may be
	// longer when preallocated).
	size    int64
	offIdx  offsetIndex
	timeIdx timeIndex

	bytesSinceLastIndexEntry int64
	maxTimestampSoFar        int64
	offsetOfMaxTimestamp     int64
	rollingBasedTimestamp    int64 // max timestamp of the first batch, -1 if none yet
	created                  time.Time
	nextOffset               int64 // last offset + 1, or base when empty
	preallocated             bool
	suffix                   string // "" normally, ".cleaned"/".swap" while the cleaner builds it
}

func (s *segment) path(suffix string) string {
	return filepath.Join(s.dir, SegmentFileName(s.base, suffix)+s.suffix)
}

// createSegment makes a new empty active segment, truncating leftovers.
func createSegment(dir string, base int64, cfg Config, now time.Time, suffix string) (*segment, error) {
	s := &segment{dir: dir, base: base, maxTimestampSoFar: -1, offsetOfMaxTimestamp: base,
		rollingBasedTimestamp: -1, created: now, nextOffset: base, suffix: suffix}
	f, err := os.OpenFile(s.path(LogFileSuffix), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, storageErr("create segment", err)
	}
	s.log = f
	if cfg.Preallocate && suffix == "" {
		if err := syscall.Fallocate(int(f.Fd()), 0, 0, cfg.SegmentBytes); err == nil {
			s.preallocated = true
		}
	}
	for _, p := range []string{s.path(IndexFileSuffix), s.path(TimeIndexFileSuffix)} {
		if err := os.Truncate(p, 0); err != nil && !os.IsNotExist(err) {
			f.Close()
			return nil, storageErr("reset index", err)
		}
	}
	if err := s.openIndexes(); err != nil {
		f.Close()
		return nil, err
	}
	if err := s.makeActive(cfg); err != nil {
		s.closeNoTrim()
		return nil, err
	}
	return s, nil
}

// openSegment opens an existing segment. It does not validate the data;
// recovery or loadSegmentState does that.
func openSegment(dir string, base int64) (*segment, error) {
	s := &segment{dir: dir, base: base, maxTimestampSoFar: -1, offsetOfMaxTimestamp: base,
		rollingBasedTimestamp: -1, nextOffset: base}
	f, err := os.OpenFile(s.path(LogFileSuffix), os.O_RDWR, 0o644)
	if err != nil {
		return nil, storageErr("open segment", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, storageErr("stat segment", err)
	}
	s.log, s.size, s.created = f, st.Size(), st.ModTime()
	if err := s.openIndexes(); err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func (s *segment) openIndexes() error {
	oi, err := openIndex(s.path(IndexFileSuffix), s.base, offsetEntrySize)
	if err != nil {
		return err
	}
	ti, err := openIndex(s.path(TimeIndexFileSuffix), s.base, timeEntrySize)
	if err != nil {
		oi.closeNoTrim()
		return err
	}
	s.offIdx, s.timeIdx = offsetIndex{oi}, timeIndex{ti}
	return nil
}

// makeActive preallocates the indexes for appends, as Kafka does for the
// active segment.
func (s *segment) makeActive(cfg Config) error {
	if err := s.offIdx.preallocate(cfg.SegmentIndexBytes); err != nil {
		return err
	}
	return s.timeIdx.preallocate(cfg.SegmentIndexBytes)
}

// sanityCheck validates indexes loaded from disk (clean start).
func (s *segment) sanityCheck() error {
	st, err := s.offIdx.f.Stat()
	if err != nil {
		return storageErr("stat index", err)
	}
	if err := s.offIdx.sanityCheck(st.Size(), s.size); err != nil {
		return err
	}
	st, err = s.timeIdx.f.Stat()
	if err != nil {
		return storageErr("stat index", err)
	}
	return s.timeIdx.sanityCheck(st.Size(), s.offIdx.lastOffset()+1<<31)
}

// loadState derives nextOffset and the max timestamp of a segment that
// is not being recovered: the time index's last entry gives the
// timestamp, a header walk from the last offset-index entry gives the
// next offset.
func (s *segment) loadState() error {
	ts, off := s.timeIdx.lastEntry()
	s.maxTimestampSoFar, s.offsetOfMaxTimestamp = ts, off
	_, pos := s.offIdx.lookup(1<<63 - 1)
	sc := newScanner(s.log, pos, s.size, false, false)
	defer sc.release()
	s.nextOffset = s.base
	for {
		h, _, _, ok := sc.next()
		if !ok {
			break
		}
		s.nextOffset = h.LastOffset() + 1
	}
	if sc.err != nil {
		return sc.err
	}
	if s.nextOffset == s.base && s.offIdx.n > 0 {
		s.nextOffset = s.offIdx.lastOffset() + 1
	}
	return nil
}

// append writes one append's batches (already validated and assigned)
// at the end of the .log and maintains the sparse indexes with Kafka's
// rule: an entry for this append's largest offset at its start position
// when more than index.interval.bytes were written since the last entry.
// On a write error the file is cut back, so the segment never keeps a
// torn batch while the broker is running.
func (s *segment) append(fs fileOps, buf []byte, largestOffset, maxTs, offsetOfMaxTs, firstBatchMaxTs int64, indexInterval int32) error {
	pos := s.size
	n, err := fs.WriteAt(s.log, buf, pos)
	if err != nil || n != len(buf) {
		if err == nil {
			err = io.ErrShortWrite
		}
		if n > 0 {
			if terr := s.log.Truncate(pos); terr != nil {
				// The tail cannot be cut; recovery will cut it at startup.
				return storageErr(fmt.Sprintf("append to %s (and cutting %d torn bytes failed: %v)", s.log.Name(), n, terr), err)
			}
		}
		return storageErr("append to "+s.log.Name(), err)
	}
	s.size += int64(len(buf))
	if s.rollingBasedTimestamp < 0 && pos == 0 {
		s.rollingBasedTimestamp = firstBatchMaxTs
	}
	if maxTs > s.maxTimestampSoFar {
		s.maxTimestampSoFar, s.offsetOfMaxTimestamp = maxTs, offsetOfMaxTs
	}
	if s.bytesSinceLastIndexEntry > int64(indexInterval) {
		s.offIdx.append(largestOffset, pos)
		s.timeIdx.maybeAppend(s.maxTimestampSoFar, s.offsetOfMaxTimestamp, false)
		s.bytesSinceLastIndexEntry = 0
	}
	s.bytesSinceLastIndexEntry += int64(len(buf))
	s.nextOffset = largestOffset + 1
	return nil
}

// translateOffset finds the first batch whose last offset is >= target,
// starting from the offset index's floor entry. ok is false when no such
// batch exists in the segment.
func (s *segment) translateOffset(target int64, size int64) (h BatchHeader, pos int64, ok bool, err error) {
	_, start := s.offIdx.lookup(target)
	var sc scanner
	sc.reset(s.log, start, size, false, false)
	defer sc.release()
	for {
		h, pos, _, ok := sc.next()
		if !ok {
			if sc.err != nil && !isCorruption(sc.err) {
				return h, 0, false, sc.err
			}
			return h, 0, false, nil
		}
		if h.LastOffset() >= target {
			return h, pos, true, nil
		}
	}
}

// recover rebuilds the indexes and the segment's state by walking and
// validating every batch, and cuts the file at the first invalid one
// (Kafka's LogSegment.recover). onBatch sees each valid batch (epoch
// cache, producer state). It returns the number of bytes cut.
func (s *segment) recover(indexInterval int32, onBatch func(h BatchHeader)) (cut int64, cause error, err error) {
	s.offIdx.reset()
	s.timeIdx.reset()
	s.maxTimestampSoFar, s.offsetOfMaxTimestamp = -1, s.base
	s.rollingBasedTimestamp = -1
	s.nextOffset = s.base
	var validBytes, lastIndexEntry int64
	sc := newScanner(s.log, 0, s.size, true, true)
	defer sc.release()
	if s.size > 2*scanChunk {
		sc.readAheadFrom(0) // one sequential pass, reads overlapped with the CRC checks
	}
	for {
		h, pos, _, ok := sc.next()
		if !ok {
			break
		}
		if h.BaseOffset < s.base || h.LastOffset()-s.base > 1<<31-1 || h.BaseOffset < s.nextOffset && pos > 0 {
			sc.err = corruptf("batch at position %d has offsets [%d, %d] outside the segment's range from %d", pos, h.BaseOffset, h.LastOffset(), s.nextOffset)
			break
		}
		if pos == 0 {
			s.rollingBasedTimestamp = h.MaxTimestamp
		}
		if h.MaxTimestamp > s.maxTimestampSoFar {
			s.maxTimestampSoFar, s.offsetOfMaxTimestamp = h.MaxTimestamp, h.LastOffset()
		}
		if validBytes-lastIndexEntry > int64(indexInterval) {
			s.offIdx.append(h.LastOffset(), validBytes)
			s.timeIdx.maybeAppend(s.maxTimestampSoFar, s.offsetOfMaxTimestamp, false)
			lastIndexEntry = validBytes
		}
		validBytes += int64(h.Size())
		s.nextOffset = h.LastOffset() + 1
		if onBatch != nil {
			onBatch(h)
		}
	}
	sc.release() // stop the read-ahead before the file may be cut
	if sc.err != nil && !isCorruption(sc.err) {
		return 0, nil, sc.err // an I/O error: do not cut anything
	}
	s.bytesSinceLastIndexEntry = validBytes - lastIndexEntry
	cut = s.size - validBytes
	if cut > 0 || s.preallocated {
		if err := s.log.Truncate(validBytes); err != nil {
			return 0, sc.err, storageErr("truncate segment", err)
		}
		s.preallocated = false
	}
	s.size = validBytes
	s.timeIdx.maybeAppend(s.maxTimestampSoFar, s.offsetOfMaxTimestamp, true)
	return cut, sc.err, nil
}

func isCorruption(err error) bool {
	return errorsIs(err, ErrCorruption) || errorsIs(err, ErrInvalidRecord)
}

// truncateTo removes the batch containing offset and everything after
// it (Kafka's LogSegment.truncateTo cuts at the first batch whose last
// offset is >= offset) and returns the bytes removed.
func (s *segment) truncateTo(offset int64) (int64, error) {
	if offset <= s.base {
		return s.truncateAt(0, s.base)
	}
	_, pos, ok, err := s.translateOffset(offset, s.size)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, nil
	}
	return s.truncateAt(pos, offset)
}

func (s *segment) batchAt(pos int64) (BatchHeader, int64, []byte, bool) {
	sc := newScanner(s.log, pos, s.size, false, false)
	defer sc.release()
	return sc.next()
}

// truncateAt cuts the .log at pos and drops index entries >= offset.
func (s *segment) truncateAt(pos, offset int64) (int64, error) {
	removed := s.size - pos
	if err := s.log.Truncate(pos); err != nil {
		return 0, storageErr("truncate segment", err)
	}
	s.preallocated = false
	s.size = pos
	s.offIdx.truncateTo(offset)
	s.timeIdx.truncateTo(offset)
	// Recompute what the truncation invalidated.
	ts, off := s.timeIdx.lastEntry()
	s.maxTimestampSoFar, s.offsetOfMaxTimestamp = ts, off
	s.bytesSinceLastIndexEntry = 0
	if pos == 0 {
		s.rollingBasedTimestamp = -1
		s.created = time.Now()
	}
	if err := s.loadState(); err != nil {
		return removed, err
	}
	// The last index entry may now be below a batch whose timestamp was
	// larger; re-walk the tail after the last time-index entry.
	_, start := s.offIdx.lookup(s.offsetOfMaxTimestamp)
	sc := newScanner(s.log, start, s.size, false, false)
	defer sc.release()
	for {
		h, _, _, ok := sc.next()
		if !ok {
			break
		}
		if h.MaxTimestamp > s.maxTimestampSoFar {
			s.maxTimestampSoFar, s.offsetOfMaxTimestamp = h.MaxTimestamp, h.LastOffset()
		}
	}
	return removed, nil
}

// onBecomeInactive is Kafka's LogSegment.onBecomeInactiveSegment: the
// roll-time entry in the time index, then trim the preallocated files.
func (s *segment) onBecomeInactive() error {
	s.timeIdx.maybeAppend(s.maxTimestampSoFar, s.offsetOfMaxTimestamp, true)
	if err := s.offIdx.trim(); err != nil {
		return err
	}
	if err := s.timeIdx.trim(); err != nil {
		return err
	}
	if s.preallocated {
		if err := s.log.Truncate(s.size); err != nil {
			return storageErr("trim segment", err)
		}
		s.preallocated = false
	}
	return nil
}

// largestTimestamp is the largest record timestamp, or the file's
// modification time when no batch carries one (Kafka's
// LogSegment.largestTimestamp).
func (s *segment) largestTimestamp() int64 {
	if s.maxTimestampSoFar >= 0 {
		return s.maxTimestampSoFar
	}
	return s.lastModified()
}

func (s *segment) lastModified() int64 {
	if st, err := s.log.Stat(); err == nil {
		return st.ModTime().UnixMilli()
	}
	return 0
}

func (s *segment) sync(fs fileOps) error {
	if err := fs.Sync(s.log); err != nil {
		return storageErr("fsync "+s.log.Name(), err)
	}
	if err := s.offIdx.sync(); err != nil {
		return err
	}
	return s.timeIdx.sync()
}

func (s *segment) close() error {
	err := s.onBecomeInactive()
	if e := s.offIdx.close(); err == nil {
		err = e
	}
	if e := s.timeIdx.close(); err == nil {
		err = e
	}
	if e := s.log.Close(); err == nil && e != nil {
		err = storageErr("close segment", e)
	}
	return err
}

func (s *segment) closeNoTrim() {
	s.offIdx.closeNoTrim()
	s.timeIdx.closeNoTrim()
	s.log.Close()
}

// files lists the segment's files that exist, including leftovers such
// as the producer snapshot.
func (s *segment) files() []string {
	var out []string
	for _, suf := range []string{LogFileSuffix, IndexFileSuffix, TimeIndexFileSuffix, TxnIndexFileSuffix} {
		p := s.path(suf)
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// renameTo renames every file of the segment from its current suffix to
// newSuffix ("" = the live names, ".deleted", ".swap").
func (s *segment) renameTo(newSuffix string) error {
	old := s.suffix
	for _, suf := range []string{LogFileSuffix, IndexFileSuffix, TimeIndexFileSuffix, TxnIndexFileSuffix} {
		from := filepath.Join(s.dir, SegmentFileName(s.base, suf)+old)
		to := filepath.Join(s.dir, SegmentFileName(s.base, suf)+newSuffix)
		if err := os.Rename(from, to); err != nil && !os.IsNotExist(err) {
			return storageErr("rename segment file", err)
		}
	}
	s.suffix = newSuffix
	if s.offIdx.index != nil {
		s.offIdx.path = s.path(IndexFileSuffix)
	}
	if s.timeIdx.index != nil {
		s.timeIdx.path = s.path(TimeIndexFileSuffix)
	}
	return nil
}

// remove closes and deletes the segment's files (after the delay).
func (s *segment) remove() {
	s.closeNoTrim()
	for _, suf := range []string{LogFileSuffix, IndexFileSuffix, TimeIndexFileSuffix, TxnIndexFileSuffix} {
		os.Remove(s.path(suf))
	}
}
