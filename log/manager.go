package log

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.uber.org/zap"
)

// ManagerOptions are the broker settings of the log manager. Zero
// fields take Kafka 2.8's defaults (see DefaultManagerOptions).
type ManagerOptions struct {
	RetentionCheckIntervalMs             int64   // log.retention.check.interval.ms (300000)
	InitialTaskDelayMs                   int64   // delay before the first background run (0 = Kafka's 30000, < 0 = none)
	FlushSchedulerIntervalMs             int64   // how often flush.ms is checked (log.flush.scheduler.interval.ms; 0 = 1000 here; Long.MaxValue, Kafka's default, = never)
	FlushOffsetCheckpointIntervalMs      int64   // log.flush.offset.checkpoint.interval.ms (60000)
	FlushStartOffsetCheckpointIntervalMs int64   // log.flush.start.offset.checkpoint.interval.ms (60000)
	CleanerDisable                       bool    // log.cleaner.enable=false
	CleanerBackoffMs                     int64   // log.cleaner.backoff.ms (15000)
	CleanerIOMaxBytesPerSecond           float64 // log.cleaner.io.max.bytes.per.second (unlimited)
	CleanerDedupeBufferSize              int64   // log.cleaner.dedupe.buffer.size (134217728)
	// Now is the clock (tests); nil = time.Now.
	Now func() time.Time
}

// DefaultManagerOptions returns Kafka 2.8's defaults.
func DefaultManagerOptions() ManagerOptions {
	return ManagerOptions{
		RetentionCheckIntervalMs:             300000,
		InitialTaskDelayMs:                   30000,
		FlushSchedulerIntervalMs:             1000,
		FlushOffsetCheckpointIntervalMs:      60000,
		FlushStartOffsetCheckpointIntervalMs: 60000,
		CleanerBackoffMs:                     15000,
		CleanerDedupeBufferSize:              128 << 20,
	}
}

func (o *ManagerOptions) fill() {
	d := DefaultManagerOptions()
	set := func(v *int64, def int64) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&o.RetentionCheckIntervalMs, d.RetentionCheckIntervalMs)
	switch {
	case o.InitialTaskDelayMs == 0:
		o.InitialTaskDelayMs = d.InitialTaskDelayMs
	case o.InitialTaskDelayMs < 0:
		o.InitialTaskDelayMs = 0
	}
	set(&o.FlushSchedulerIntervalMs, d.FlushSchedulerIntervalMs)
	set(&o.FlushOffsetCheckpointIntervalMs, d.FlushOffsetCheckpointIntervalMs)
	set(&o.FlushStartOffsetCheckpointIntervalMs, d.FlushStartOffsetCheckpointIntervalMs)
	set(&o.CleanerBackoffMs, d.CleanerBackoffMs)
	set(&o.CleanerDedupeBufferSize, d.CleanerDedupeBufferSize)
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Manager owns every log of every log.dir (Kafka's LogManager): it locks
// the directories, loads and recovers the logs, runs the background
// tasks and writes the checkpoint files. Safe for concurrent use.
type Manager struct {
	dirs     []string
	defaults Config
	opts     ManagerOptions
	lg       *zap.Logger
	fs       fileOps
	sched    *scheduler

	mu      sync.Mutex
	logs    map[TopicPartition]*Log   // guarded by mu
	logDir  map[TopicPartition]string // guarded by mu; the log.dir holding each log
	hws     map[TopicPartition]int64  // guarded by mu; last checkpointed high watermarks
	cleaned map[TopicPartition]int64  // guarded by mu; cleaner checkpoint (first dirty offset)
	locks   []*os.File
	closed  bool // guarded by mu

	ckptMu sync.Mutex // serialises checkpoint file writes
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewManager locks each directory, recovers every partition found in
// them (one goroutine per directory; recovery is skipped after a clean
// shutdown), removes the clean-shutdown markers and starts the
// background tasks.
func NewManager(dirs []string, defaults Config, opts ManagerOptions, lg *zap.Logger) (*Manager, error) {
	if lg == nil {
		lg = zap.NewNop()
	}
	if lg.Name() == "" {
		lg = lg.Named("kafka.log.LogManager")
	}
	opts.fill()
	m := &Manager{dirs: dirs, defaults: defaults.sanitized(), opts: opts, lg: lg, fs: osFileOps{},
		sched: newScheduler(), logs: map[TopicPartition]*Log{}, logDir: map[TopicPartition]string{},
		hws: map[TopicPartition]int64{}, cleaned: map[TopicPartition]int64{}}
	if err := m.lockDirs(); err != nil {
		m.unlockDirs()
		return nil, err
	}
	if err := m.loadLogs(); err != nil {
		for _, l := range m.logs {
			l.Close()
		}
		m.unlockDirs()
		m.sched.close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.startTasks(ctx)
	return m, nil
}

func (m *Manager) lockDirs() error {
	seen := map[string]bool{}
	for _, d := range m.dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			return err
		}
		if seen[abs] {
			return fmt.Errorf("log: duplicate log directory found: %s", d)
		}
		seen[abs] = true
		if err := os.MkdirAll(d, 0o755); err != nil {
			return storageErr("create log directory "+d, err)
		}
		f, err := os.OpenFile(filepath.Join(d, LockFile), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return storageErr("create lock file in "+d, err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			return fmt.Errorf("Failed to acquire lock on file .lock in %s. A Kafka instance in another process or thread is using this directory.", d)
		}
		m.locks = append(m.locks, f)
	}
	return nil
}

func (m *Manager) unlockDirs() {
	for _, f := range m.locks {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}
	m.locks = nil
}

type dirLoad struct {
	logs map[TopicPartition]*Log
	err  error
}

func (m *Manager) loadLogs() error {
	results := make([]dirLoad, len(m.dirs))
	var wg sync.WaitGroup
	for i, d := range m.dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = m.loadDir(d)
		}()
	}
	wg.Wait()
	var errs []error
	for i, r := range results {
		for tp, l := range r.logs {
			if other, dup := m.logDir[tp]; dup {
				errs = append(errs, fmt.Errorf("log: duplicate log directories for %s are found in both %s and %s", tp, other, m.dirs[i]))
				l.Close()
				continue
			}
			m.logs[tp], m.logDir[tp] = l, m.dirs[i]
		}
		if r.err != nil {
			errs = append(errs, r.err)
		}
	}
	return errors.Join(errs...)
}

func (m *Manager) loadDir(dir string) dirLoad {
	res := dirLoad{logs: map[TopicPartition]*Log{}}
	start := time.Now()
	marker := filepath.Join(dir, CleanShutdownFile)
	_, err := os.Stat(marker)
	clean := err == nil
	recovery, err1 := ReadOffsetCheckpoint(filepath.Join(dir, RecoveryPointCheckpointFile))
	starts, err2 := ReadOffsetCheckpoint(filepath.Join(dir, LogStartOffsetCheckpointFile))
	hws, err3 := ReadOffsetCheckpoint(filepath.Join(dir, ReplicationCheckpointFile))
	cleaned, err4 := ReadOffsetCheckpoint(filepath.Join(dir, CleanerOffsetCheckpointFile))
	for _, e := range []error{err1, err2, err3, err4} {
		if e != nil {
			// Kafka treats an unreadable checkpoint as "recover everything".
			m.lg.Warn("Error reading checkpoint file in "+dir+", recovering all logs", zap.Error(e))
			clean = false
		}
	}
	if !clean {
		m.lg.Info("Attempting recovery for all logs in " + dir + " since no clean shutdown file was found")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		res.err = storageErr("list log directory "+dir, err)
		return res
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		full := filepath.Join(dir, name)
		if strings.HasSuffix(name, deleteDirSuffix) {
			m.scheduleDirDelete(full, m.defaults.FileDeleteDelayMs)
			continue
		}
		tp, ok := ParseTopicPartitionDir(name)
		if !ok {
			continue
		}
		rp := recovery[tp]
		ls, ok := starts[tp]
		if !ok {
			ls = -1
		}
		l, err := openLog(full, tp, m.defaults, logOptions{recoveryPoint: rp, logStartOffset: ls,
			cleanShutdown: clean, fs: m.fs, now: m.opts.Now, lg: m.lg, sched: m.sched})
		if err != nil {
			res.err = errors.Join(res.err, fmt.Errorf("log: loading %s: %w", full, err))
			continue
		}
		if hw, ok := hws[tp]; ok {
			l.SetHighWatermark(hw)
		}
		res.logs[tp] = l
	}
	m.mu.Lock()
	for tp, hw := range hws {
		m.hws[tp] = hw
	}
	for tp, off := range cleaned {
		m.cleaned[tp] = off
	}
	m.mu.Unlock()
	if res.err == nil {
		if err := os.Remove(marker); err != nil && !os.IsNotExist(err) {
			res.err = storageErr("remove clean shutdown marker", err)
		}
	}
	m.lg.Info(fmt.Sprintf("Logs loading complete in %d ms.", time.Since(start).Milliseconds()))
	return res
}

// GetOrCreate returns the log of tp, creating it (in the log dir with
// the fewest partitions) if needed. An existing log takes cfg as its new
// configuration. A non-zero topicID is written to partition.metadata,
// and must match the one already there.
func (m *Manager) GetOrCreate(tp TopicPartition, cfg Config, topicID [16]byte) (*Log, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	if l := m.logs[tp]; l != nil {
		l.UpdateConfig(cfg)
		if err := checkTopicID(l.Dir(), topicID); err != nil {
			return nil, err
		}
		return l, nil
	}
	dir := m.pickDirLocked()
	l, err := openLog(filepath.Join(dir, tp.String()), tp, cfg, logOptions{cleanShutdown: true, logStartOffset: -1,
		fs: m.fs, now: m.opts.Now, lg: m.lg, sched: m.sched})
	if err != nil {
		return nil, err
	}
	if err := checkTopicID(l.Dir(), topicID); err != nil {
		l.Close()
		return nil, err
	}
	m.logs[tp], m.logDir[tp] = l, dir
	m.lg.Info(fmt.Sprintf("Created log for partition %s in %s with properties {cleanup.policy=%s, segment.bytes=%d, retention.ms=%d}",
		tp, l.Dir(), cfg.CleanupPolicy, cfg.SegmentBytes, cfg.RetentionMs))
	return l, nil
}

func checkTopicID(dir string, id [16]byte) error {
	if id == ([16]byte{}) {
		return nil
	}
	cur, ok, err := ReadPartitionMetadata(dir)
	if err != nil {
		return err
	}
	if ok {
		if cur != id {
			return fmt.Errorf("log: inconsistent topic id for the log in %s: partition.metadata has %x, the request %x", dir, cur, id)
		}
		return nil
	}
	return WritePartitionMetadata(dir, id)
}

func (m *Manager) pickDirLocked() string {
	count := map[string]int{}
	for _, d := range m.logDir {
		count[d]++
	}
	best := m.dirs[0]
	for _, d := range m.dirs[1:] {
		if count[d] < count[best] {
			best = d
		}
	}
	return best
}

// Get returns the log of tp, or nil.
func (m *Manager) Get(tp TopicPartition) *Log {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.logs[tp]
}

// All returns a snapshot of every log.
func (m *Manager) All() map[TopicPartition]*Log {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[TopicPartition]*Log, len(m.logs))
	for tp, l := range m.logs {
		out[tp] = l
	}
	return out
}

// Delete closes the log of tp, renames its directory to
// "<topic>-<partition>.<32 hex>-delete" and removes it after
// file.delete.delay.ms (Kafka's LogManager.asyncDelete). Deleting an
// absent log is not an error.
func (m *Manager) Delete(tp TopicPartition) error {
	m.mu.Lock()
	l := m.logs[tp]
	dir := m.logDir[tp]
	delete(m.logs, tp)
	delete(m.logDir, tp)
	delete(m.hws, tp)
	delete(m.cleaned, tp)
	m.mu.Unlock()
	if l == nil {
		return nil
	}
	var id [16]byte
	rand.Read(id[:])
	newDir := filepath.Join(dir, tp.String()+"."+hex.EncodeToString(id[:])+deleteDirSuffix)
	if err := l.closeAndRename(newDir); err != nil {
		return err
	}
	m.lg.Info(fmt.Sprintf("Log for partition %s is renamed to %s and is scheduled for deletion", tp, newDir))
	m.scheduleDirDelete(newDir, l.Config().FileDeleteDelayMs)
	return m.writeCheckpoints(dir)
}

func (m *Manager) scheduleDirDelete(dir string, delayMs int64) {
	m.sched.after(millis(delayMs), func() {
		if err := os.RemoveAll(dir); err != nil {
			m.lg.Error("Exception while deleting "+dir, zap.Error(err))
		} else {
			m.lg.Info("Deleted log for partition " + filepath.Base(dir))
		}
	})
}

// CheckpointHighWatermarks writes replication-offset-checkpoint in each
// log dir with the given high watermarks of the logs it holds, and hands
// each log its high watermark (retention and compaction stay below it).
func (m *Manager) CheckpointHighWatermarks(hw map[TopicPartition]int64) error {
	m.mu.Lock()
	for tp, v := range hw {
		if l := m.logs[tp]; l != nil {
			m.hws[tp] = v
			l.SetHighWatermark(v)
		}
	}
	m.mu.Unlock()
	var errs []error
	for _, d := range m.dirs {
		if err := m.writeHighWatermarks(d); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// HighWatermarks returns the high watermarks read from
// replication-offset-checkpoint at startup, updated by every
// CheckpointHighWatermarks since.
func (m *Manager) HighWatermarks() map[TopicPartition]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[TopicPartition]int64, len(m.hws))
	for tp, v := range m.hws {
		out[tp] = v
	}
	return out
}

func (m *Manager) logsIn(dir string) map[TopicPartition]*Log {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[TopicPartition]*Log{}
	for tp, d := range m.logDir {
		if d == dir {
			out[tp] = m.logs[tp]
		}
	}
	return out
}

func (m *Manager) writeHighWatermarks(dir string) error {
	m.ckptMu.Lock()
	defer m.ckptMu.Unlock()
	logs := m.logsIn(dir)
	m.mu.Lock()
	hw := map[TopicPartition]int64{}
	for tp := range logs {
		if v, ok := m.hws[tp]; ok {
			hw[tp] = v
		}
	}
	m.mu.Unlock()
	return WriteOffsetCheckpoint(filepath.Join(dir, ReplicationCheckpointFile), hw)
}

// writeCheckpoints writes the recovery-point, log-start-offset and
// cleaner checkpoints of one dir.
func (m *Manager) writeCheckpoints(dir string) error {
	m.ckptMu.Lock()
	defer m.ckptMu.Unlock()
	logs := m.logsIn(dir)
	rp, ls, cl := map[TopicPartition]int64{}, map[TopicPartition]int64{}, map[TopicPartition]int64{}
	m.mu.Lock()
	for tp, l := range logs {
		rp[tp] = l.RecoveryPoint()
		// As Kafka, only logs whose start offset is above their first
		// segment's base need an entry (DeleteRecords moved it).
		if start, base := l.startAndFirstBase(); start > base {
			ls[tp] = start
		}
		if v, ok := m.cleaned[tp]; ok {
			cl[tp] = v
		}
	}
	m.mu.Unlock()
	return errors.Join(
		WriteOffsetCheckpoint(filepath.Join(dir, RecoveryPointCheckpointFile), rp),
		WriteOffsetCheckpoint(filepath.Join(dir, LogStartOffsetCheckpointFile), ls),
		WriteOffsetCheckpoint(filepath.Join(dir, CleanerOffsetCheckpointFile), cl),
	)
}

// Close stops the background tasks, flushes and closes every log, writes
// the checkpoints and, for each dir where all of that worked, the
// clean-shutdown marker; then releases the directory locks.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.mu.Unlock()
	m.cancel()
	m.wg.Wait()
	var errs []error
	for _, d := range m.dirs {
		logs := m.logsIn(d)
		var dirErr error
		for _, l := range logs {
			dirErr = errors.Join(dirErr, l.Flush())
		}
		dirErr = errors.Join(dirErr, m.writeCheckpoints(d), m.writeHighWatermarks(d))
		for _, l := range logs {
			dirErr = errors.Join(dirErr, l.Close())
		}
		if dirErr == nil {
			dirErr = writeFileAtomic(filepath.Join(d, CleanShutdownFile), nil)
		} else {
			m.lg.Error("Not writing the clean shutdown marker for "+d, zap.Error(dirErr))
		}
		errs = append(errs, dirErr)
	}
	m.sched.close()
	m.unlockDirs()
	return errors.Join(errs...)
}

// startTasks starts Kafka's LogManager background tasks.
func (m *Manager) startTasks(ctx context.Context) {
	ms := millis
	m.every(ctx, ms(m.opts.RetentionCheckIntervalMs), func() {
		for tp, l := range m.All() {
			if _, err := l.DeleteOldSegments(); err != nil && !errors.Is(err, ErrClosed) {
				m.lg.Error("Error deleting old segments of "+tp.String(), zap.Error(err))
			}
		}
	})
	m.every(ctx, ms(m.opts.FlushSchedulerIntervalMs), func() {
		now := m.opts.Now()
		for tp, l := range m.All() {
			if err := l.flushIfDue(now); err != nil {
				m.lg.Error("Error flushing log "+tp.String(), zap.Error(err))
			}
		}
	})
	m.every(ctx, ms(min(m.opts.FlushOffsetCheckpointIntervalMs, m.opts.FlushStartOffsetCheckpointIntervalMs)), func() {
		for _, d := range m.dirs {
			if err := m.writeCheckpoints(d); err != nil {
				m.lg.Error("Error writing checkpoints in "+d, zap.Error(err))
			}
		}
	})
	if !m.opts.CleanerDisable {
		m.every(ctx, ms(m.opts.CleanerBackoffMs), func() { m.cleanOnce(ctx) })
	}
}

// millis converts milliseconds to a Duration, saturating: Kafka's
// "never" settings are Long.MaxValue milliseconds, which would overflow.
func millis(v int64) time.Duration {
	if v > int64(math.MaxInt64/time.Millisecond) {
		return math.MaxInt64
	}
	return time.Duration(v) * time.Millisecond
}

// every runs fn after the initial task delay and then every period, on
// one tracked goroutine, until ctx ends. A period of about 290 years or
// more (Kafka's Long.MaxValue "never") starts no task.
func (m *Manager) every(ctx context.Context, period time.Duration, fn func()) {
	if period <= 0 || period == math.MaxInt64 {
		return
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTimer(millis(m.opts.InitialTaskDelayMs))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			fn()
			t.Reset(period)
		}
	}()
}
