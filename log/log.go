package log

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// TopicPartition names a partition; its directory is "<topic>-<partition>".
type TopicPartition struct {
	Topic     string
	Partition int32
}

func (tp TopicPartition) String() string { return tp.Topic + "-" + strconv.Itoa(int(tp.Partition)) }

// ParseTopicPartitionDir splits a partition directory name at its last
// '-' (log-format.md §1). It refuses names with a deletion or other
// suffix ("foo-0.<uuid>-delete", "foo-0-future").
func ParseTopicPartitionDir(name string) (TopicPartition, bool) {
	i := strings.LastIndexByte(name, '-')
	if i <= 0 || i == len(name)-1 {
		return TopicPartition{}, false
	}
	p, err := strconv.ParseInt(name[i+1:], 10, 32)
	if err != nil || p < 0 || strconv.FormatInt(p, 10) != name[i+1:] {
		return TopicPartition{}, false
	}
	return TopicPartition{Topic: name[:i], Partition: int32(p)}, true
}

// AppendInfo describes a successful append (or, with Duplicate, the
// original append of an idempotent retry).
type AppendInfo struct {
	FirstOffset    int64 // -1 for an empty append
	LastOffset     int64
	MaxTimestamp   int64
	LogAppendTime  int64 // -1 unless message.timestamp.type=LogAppendTime
	LogStartOffset int64
	NumRecords     int64
	Duplicate      bool // idempotent retry: offsets are the original's, nothing was written
}

// FileSlice is a byte range of a segment file, for sendfile.
type FileSlice struct {
	File *os.File
	Pos  int64
	Size int32 // 0 = no data
}

// ReadAll copies the slice into memory (tools, the group loader).
func (s FileSlice) ReadAll() ([]byte, error) {
	if s.Size <= 0 || s.File == nil {
		return nil, nil
	}
	b := make([]byte, s.Size)
	n, err := s.File.ReadAt(b, s.Pos)
	if n == len(b) {
		return b, nil
	}
	return b[:n], storageErr("read "+s.File.Name(), err)
}

// FetchData is the result of Read.
type FetchData struct {
	Slice            FileSlice
	FirstBatchOffset int64 // base offset of the first batch in Slice, -1 when empty
}

// Log is one partition's log: an ordered list of segments, the last of
// which takes appends. Safe for concurrent use: appends, truncation and
// segment changes take mu exclusively; reads share it.
type Log struct {
	dir string
	tp  TopicPartition
	lg  *zap.Logger
	fs  fileOps
	now func() time.Time

	cfg atomic.Pointer[liveConfig]

	mu             sync.RWMutex
	segments       []*segment // guarded by mu; sorted by base offset; never empty while open
	leo            int64      // guarded by mu; log end offset
	logStartOffset int64      // guarded by mu
	recoveryPoint  int64      // guarded by mu; everything below is fsynced
	hw             int64      // guarded by mu; high watermark given by the broker (-1 unknown)
	unflushed      int64      // guarded by mu; records appended since the last flush
	lastFlush      time.Time  // guarded by mu
	closed         bool       // guarded by mu
	producers      *producerState
	epochs         *EpochCache

	flushMu     sync.Mutex // serialises fsyncs, never held with mu
	sched       *scheduler
	ownSched    bool
	bg          sync.WaitGroup // background flushes started by roll
	cleanerBusy atomic.Bool
}

// logOptions are what the Manager (or a test) passes to openLog.
type logOptions struct {
	recoveryPoint  int64 // from recovery-point-offset-checkpoint (0 if absent)
	logStartOffset int64 // from log-start-offset-checkpoint (-1 if absent)
	cleanShutdown  bool  // skip recovery (the clean-shutdown marker was present)
	fs             fileOps
	now            func() time.Time
	lg             *zap.Logger
	sched          *scheduler
}

func (o *logOptions) fill() {
	if o.fs == nil {
		o.fs = osFileOps{}
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.lg == nil {
		o.lg = zap.NewNop()
	}
}

// Config returns the log's current configuration.
func (l *Log) Config() Config { return l.cfg.Load().Config }

// UpdateConfig replaces the configuration (a topic config change).
func (l *Log) UpdateConfig(cfg Config) {
	l.cfg.Store(newLiveConfig(cfg))
}

// Dir is the partition directory.
func (l *Log) Dir() string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.dir
}

// TopicPartition is the partition this log holds.
func (l *Log) TopicPartition() TopicPartition { return l.tp }

// Epochs is the leader-epoch cache.
func (l *Log) Epochs() *EpochCache { return l.epochs }

// LogEndOffset is the offset the next record will get.
func (l *Log) LogEndOffset() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.leo
}

// LogStartOffset is the first offset that can be read.
func (l *Log) LogStartOffset() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.logStartOffset
}

func (l *Log) startAndFirstBase() (int64, int64) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.logStartOffset, l.segments[0].base
}

// RecoveryPoint is the offset below which data is known to be fsynced.
func (l *Log) RecoveryPoint() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.recoveryPoint
}

// SetHighWatermark tells the log the partition's high watermark, which
// bounds retention (only segments below it may be deleted) and compaction.
func (l *Log) SetHighWatermark(hw int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.hw = min(hw, l.leo)
}

// HighWatermark is the last value given to SetHighWatermark (-1 if none).
func (l *Log) HighWatermark() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.hw
}

// Size is the total size of the segment files in bytes.
func (l *Log) Size() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	var n int64
	for _, s := range l.segments {
		n += s.size
	}
	return n
}

// NumSegments is the number of segments (tests, metrics).
func (l *Log) NumSegments() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.segments)
}

func (l *Log) active() *segment { return l.segments[len(l.segments)-1] }

func (l *Log) prefix() string {
	return fmt.Sprintf("[Log partition=%s, dir=%s] ", l.tp, filepath.Dir(l.dir))
}

// openLog opens or creates the log in dir, recovering it unless
// o.cleanShutdown is set.
func openLog(dir string, tp TopicPartition, cfg Config, o logOptions) (*Log, error) {
	o.fill()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, storageErr("create partition directory", err)
	}
	l := &Log{dir: dir, tp: tp, lg: o.lg, fs: o.fs, now: o.now, hw: -1, sched: o.sched,
		producers: newProducerState(), lastFlush: o.now()}
	if l.sched == nil {
		l.sched, l.ownSched = newScheduler(), true
	}
	l.UpdateConfig(cfg)
	epochs, err := loadEpochCache(dir)
	if err != nil {
		return nil, err
	}
	epochs.onErr = func(err error) { l.lg.Error(l.prefix()+"Error writing leader-epoch-checkpoint", zap.Error(err)) }
	l.epochs = epochs
	if err := l.load(o); err != nil {
		for _, s := range l.segments {
			s.closeNoTrim()
		}
		return nil, err
	}
	return l, nil
}

// load is Kafka's Log.loadSegments + recoverLog (log-format.md §6).
func (l *Log) load(o logOptions) error {
	cfg := l.Config()
	names, err := os.ReadDir(l.dir)
	if err != nil {
		return storageErr("list partition directory", err)
	}
	var swaps []int64
	bases := map[int64]bool{}
	missingIndex := map[int64]bool{}
	for _, e := range names {
		name := e.Name()
		full := filepath.Join(l.dir, name)
		switch {
		case strings.HasSuffix(name, DeletedFileSuffix), strings.HasSuffix(name, CleanedFileSuffix),
			strings.HasSuffix(name, ".tmp"):
			os.Remove(full)
		case strings.HasSuffix(name, LogFileSuffix+SwapFileSuffix):
			if b, ok := offsetFromFileName(name); ok {
				swaps = append(swaps, b)
			}
		case strings.HasSuffix(name, LogFileSuffix):
			if b, ok := offsetFromFileName(name); ok {
				bases[b] = true
			}
		}
	}
	// Finish swaps the cleaner left half-done: the .swap segment replaces
	// every live segment whose base lies in its offset range.
	for _, b := range swaps {
		if err := l.completeSwap(b, bases); err != nil {
			return err
		}
	}
	for b := range bases {
		for _, suf := range []string{IndexFileSuffix, TimeIndexFileSuffix} {
			if _, err := os.Stat(filepath.Join(l.dir, SegmentFileName(b, suf))); err != nil {
				missingIndex[b] = true
			}
		}
	}
	sorted := make([]int64, 0, len(bases))
	for b := range bases {
		sorted = append(sorted, b)
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	for _, b := range sorted {
		s, err := openSegment(l.dir, b)
		if err != nil {
			return err
		}
		l.segments = append(l.segments, s)
	}

	// Which segments need a full walk: after an unclean stop, the one
	// holding the recovery point and every later one; always, a segment
	// whose indexes are missing or fail the sanity check.
	recoverFrom := len(l.segments)
	if !o.cleanShutdown {
		for i, s := range l.segments {
			if i+1 == len(l.segments) || l.segments[i+1].base > o.recoveryPoint {
				recoverFrom = i
				break
			}
			_ = s
		}
	}
	l.recoveryPoint = o.recoveryPoint
	// Producer state seen while recovering, so the rebuild below need not
	// walk those segments a second time (Kafka also updates it during
	// recovery).
	firstRecovered := -1
	var recoveredProducers []BatchHeader
	for i := 0; i < len(l.segments); i++ {
		s := l.segments[i]
		if i < recoverFrom && !missingIndex[s.base] {
			err := s.sanityCheck()
			if err == nil {
				err = s.loadState()
			}
			if err == nil {
				continue
			}
			if !isCorruption(err) {
				return err
			}
			l.lg.Warn(l.prefix() + fmt.Sprintf("Found a corrupted index file corresponding to log file %s due to %v, recovering segment and rebuilding index files...", s.log.Name(), err))
		}
		if firstRecovered < 0 {
			firstRecovered = i
		}
		cut, cause, err := s.recover(cfg.IndexIntervalBytes, func(h BatchHeader) {
			if h.PartitionLeaderEpoch >= 0 {
				l.epochs.assignIfNewer(h.PartitionLeaderEpoch, h.BaseOffset)
			}
			if h.HasProducerID() {
				recoveredProducers = append(recoveredProducers, h)
			}
		})
		if err != nil {
			return err
		}
		if cut > 0 {
			l.lg.Warn(l.prefix()+fmt.Sprintf("Found invalid messages in log segment %s at byte offset %d: %v.", s.log.Name(), s.size, cause),
				zap.String("file", s.log.Name()), zap.Int64("offset", s.nextOffset), zap.Int64("bytes_cut", cut))
		}
		if cut > 0 && i+1 < len(l.segments) {
			// Everything after a torn batch is suspect: Kafka deletes it.
			rest := l.segments[i+1:]
			l.lg.Warn(l.prefix() + fmt.Sprintf("Corruption found in segment %d, truncating to offset %d and deleting %d later segment(s)", s.base, s.nextOffset, len(rest)))
			for _, r := range rest {
				r.closeNoTrim()
				for _, f := range r.files() {
					os.Remove(f)
				}
			}
			l.segments = l.segments[:i+1]
		}
		if i+1 < len(l.segments) {
			if err := s.onBecomeInactive(); err != nil {
				return err
			}
		}
	}
	// An empty segment left behind (e.g. rolled just before a crash) in
	// the middle would break ordering; drop empty non-last segments.
	kept := l.segments[:0]
	for i, s := range l.segments {
		if s.size == 0 && i+1 < len(l.segments) {
			s.remove()
			continue
		}
		kept = append(kept, s)
	}
	l.segments = kept

	start := o.logStartOffset
	if len(l.segments) == 0 {
		s, err := createSegment(l.dir, max(start, 0), cfg, l.now(), "")
		if err != nil {
			return err
		}
		l.segments = []*segment{s}
	} else if err := l.active().makeActive(cfg); err != nil {
		return err
	}
	l.leo = l.active().nextOffset
	l.logStartOffset = max(start, l.segments[0].base)
	if l.leo < l.logStartOffset {
		l.lg.Warn(l.prefix() + fmt.Sprintf("Truncating log with log end offset %d below the log start offset %d", l.leo, l.logStartOffset))
		if err := l.truncateFullyLocked(l.logStartOffset); err != nil {
			return err
		}
	}
	l.recoveryPoint = min(max(l.recoveryPoint, 0), l.leo)
	if o.cleanShutdown {
		l.recoveryPoint = l.leo
	}
	l.epochs.truncateFromEnd(l.leo)
	l.epochs.truncateFromStart(l.logStartOffset)
	if firstRecovered >= 0 && firstRecovered < len(l.segments) && l.segments[0].base <= l.logStartOffset {
		l.rebuildProducerStateFrom(l.segments[firstRecovered].base, recoveredProducers)
	} else {
		l.rebuildProducerStateLocked()
	}
	l.lg.Info(l.prefix() + fmt.Sprintf("Completed load of log with %d segments, log start offset %d and log end offset %d", len(l.segments), l.logStartOffset, l.leo))
	return nil
}

// completeSwap replaces live segments by a .swap segment left by an
// interrupted clean.
func (l *Log) completeSwap(base int64, bases map[int64]bool) error {
	s := &segment{dir: l.dir, base: base, suffix: SwapFileSuffix}
	f, err := os.Open(s.path(LogFileSuffix))
	if err != nil {
		return storageErr("open swap segment", err)
	}
	st, _ := f.Stat()
	end := base
	sc := newScanner(f, 0, st.Size(), false, false)
	defer sc.release()
	for {
		h, _, _, ok := sc.next()
		if !ok {
			break
		}
		end = h.LastOffset() + 1
	}
	f.Close()
	for b := range bases {
		if b >= base && b < end {
			for _, suf := range []string{LogFileSuffix, IndexFileSuffix, TimeIndexFileSuffix, TxnIndexFileSuffix} {
				os.Remove(filepath.Join(l.dir, SegmentFileName(b, suf)))
			}
			delete(bases, b)
		}
	}
	if err := s.renameTo(""); err != nil {
		return err
	}
	bases[base] = true
	l.lg.Info(l.prefix() + fmt.Sprintf("Completed swap of segment %d left by the log cleaner", base))
	return nil
}

// rebuildProducerStateLocked walks batch headers of the recent segments.
func (l *Log) rebuildProducerStateLocked() { l.rebuildProducerStateFrom(math.MaxInt64, nil) }

// rebuildProducerStateFrom walks the recent segments below stopAt, then
// applies the headers already collected from stopAt on.
func (l *Log) rebuildProducerStateFrom(stopAt int64, tail []BatchHeader) {
	defer func() {
		for _, h := range tail {
			if h.LastOffset() >= l.logStartOffset && h.BaseOffset < l.leo {
				l.producers.update(h)
			}
		}
	}()
	l.producers.reset()
	horizon := l.now().UnixMilli() - producerIDExpirationMs
	from := len(l.segments) - 1
	for from > 0 && l.segments[from-1].largestTimestamp() >= horizon {
		from--
	}
	for _, s := range l.segments[from:] {
		if s.base >= stopAt {
			break
		}
		sc := newScanner(s.log, 0, s.size, false, false)
		for {
			h, _, _, ok := sc.next()
			if !ok {
				break
			}
			if h.LastOffset() >= l.logStartOffset {
				l.producers.update(h)
			}
		}
		sc.release()
	}
}

// Close flushes nothing (Manager.Close flushes first), trims the active
// indexes and closes every file.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	l.bg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	var err error
	for _, s := range l.segments {
		if e := s.close(); err == nil {
			err = e
		}
	}
	if l.ownSched {
		l.sched.close()
	}
	return err
}

// closeAndRename closes the log and renames its directory (topic
// deletion); the caller removes it later.
func (l *Log) closeAndRename(newDir string) error {
	if err := l.Close(); err != nil {
		l.lg.Warn(l.prefix()+"Error closing log before deletion", zap.Error(err))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := os.Rename(l.dir, newDir); err != nil {
		return storageErr("rename log directory for deletion", err)
	}
	l.dir = newDir
	return syncDir(filepath.Dir(newDir))
}

// Flush fsyncs everything up to the log end offset and advances the
// recovery point.
func (l *Log) Flush() error {
	l.mu.RLock()
	leo := l.leo
	l.mu.RUnlock()
	return l.flushUpTo(leo)
}

// flushUpTo fsyncs the segments holding offsets below upTo that are not
// yet known flushed (Kafka's Log.flush(offset)).
func (l *Log) flushUpTo(upTo int64) error {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.RLock()
	if l.closed || upTo <= l.recoveryPoint {
		l.mu.RUnlock()
		return nil
	}
	var segs []*segment
	for i, s := range l.segments {
		next := int64(math.MaxInt64)
		if i+1 < len(l.segments) {
			next = l.segments[i+1].base
		}
		if next > l.recoveryPoint && s.base < upTo {
			segs = append(segs, s)
		}
	}
	l.mu.RUnlock()
	for _, s := range segs {
		if err := s.sync(l.fs); err != nil {
			if errorsIs(err, os.ErrClosed) {
				continue // deleted meanwhile
			}
			return err
		}
	}
	if err := syncDir(l.dir); err != nil && !os.IsNotExist(err) {
		return err
	}
	l.mu.Lock()
	if upTo > l.recoveryPoint {
		l.recoveryPoint = upTo
	}
	l.lastFlush = l.now()
	l.unflushed = 0
	l.mu.Unlock()
	return nil
}

// flushIfDue implements flush.ms for the Manager's flush task.
func (l *Log) flushIfDue(now time.Time) error {
	cfg := l.Config()
	l.mu.RLock()
	due := cfg.FlushMs != math.MaxInt64 && now.Sub(l.lastFlush) >= millis(cfg.FlushMs) && l.leo > l.recoveryPoint
	l.mu.RUnlock()
	if !due {
		return nil
	}
	return l.Flush()
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }
