package log

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// LeaderEpochCheckpointFile is the per-partition leader-epoch cache file.
const LeaderEpochCheckpointFile = "leader-epoch-checkpoint"

// EpochEntry is one leader epoch and the first offset written in it.
type EpochEntry struct {
	Epoch       int32
	StartOffset int64
}

// EpochCache is Kafka's LeaderEpochFileCache: the start offset of every
// leader epoch, persisted to leader-epoch-checkpoint on every change.
// Safe for concurrent use.
type EpochCache struct {
	mu      sync.RWMutex
	path    string
	entries []EpochEntry // guarded by mu; epochs and offsets strictly increase
	onErr   func(error)
}

func loadEpochCache(dir string) (*EpochCache, error) {
	c := &EpochCache{path: filepath.Join(dir, LeaderEpochCheckpointFile)}
	f, err := os.Open(c.path)
	if os.IsNotExist(err) {
		return c, nil
	}
	if err != nil {
		return nil, storageErr("open leader-epoch-checkpoint", err)
	}
	defer f.Close()
	lines, err := readCheckpointLines(f, c.path)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		fs := strings.Fields(l)
		if len(fs) != 2 {
			return nil, fmt.Errorf("log: malformed line %q in %s", l, c.path)
		}
		e, err1 := strconv.ParseInt(fs[0], 10, 32)
		o, err2 := strconv.ParseInt(fs[1], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("log: malformed line %q in %s", l, c.path)
		}
		c.entries = append(c.entries, EpochEntry{Epoch: int32(e), StartOffset: o})
	}
	return c, nil
}

// readCheckpointLines reads "version\ncount\nline…" and returns the lines.
func readCheckpointLines(f *os.File, path string) ([]string, error) {
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, storageErr("read "+path, err)
	}
	if len(lines) < 2 {
		if len(lines) == 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("log: malformed checkpoint file %s: missing entry count", path)
	}
	if strings.TrimSpace(lines[0]) != "0" {
		return nil, fmt.Errorf("log: unrecognised version of checkpoint file %s: %s", path, lines[0])
	}
	n, err := strconv.Atoi(strings.TrimSpace(lines[1]))
	if err != nil || n != len(lines)-2 {
		return nil, fmt.Errorf("log: malformed checkpoint file %s: expected %s entries, found %d", path, lines[1], len(lines)-2)
	}
	return lines[2:], nil
}

// flushLocked writes the checkpoint (temp file, fsync, rename).
func (c *EpochCache) flushLocked() {
	if c.path == "" {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "0\n%d\n", len(c.entries))
	for _, e := range c.entries {
		fmt.Fprintf(&b, "%d %d\n", e.Epoch, e.StartOffset)
	}
	if err := writeFileAtomic(c.path, []byte(b.String())); err != nil && c.onErr != nil {
		c.onErr(err)
	}
}

// AssignStartOffset records that epoch starts at offset. Entries with an
// epoch >= epoch or a start offset >= offset are removed first, keeping
// the cache monotonic (Kafka's LeaderEpochFileCache.assign).
func (c *EpochCache) AssignStartOffset(epoch int32, offset int64) {
	if epoch < 0 || offset < 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := len(c.entries); n > 0 {
		last := c.entries[n-1]
		if last.Epoch == epoch && last.StartOffset <= offset {
			return
		}
	}
	for len(c.entries) > 0 {
		last := c.entries[len(c.entries)-1]
		if last.Epoch >= epoch || last.StartOffset >= offset {
			c.entries = c.entries[:len(c.entries)-1]
			continue
		}
		break
	}
	c.entries = append(c.entries, EpochEntry{Epoch: epoch, StartOffset: offset})
	c.flushLocked()
}

// assignIfNewer is the append/recovery path: assign only when the batch's
// epoch is larger than the latest (Kafka's maybeAssignEpochStartOffset).
func (c *EpochCache) assignIfNewer(epoch int32, offset int64) {
	if epoch < 0 {
		return
	}
	c.mu.RLock()
	n := len(c.entries)
	newer := n == 0 || epoch > c.entries[n-1].Epoch
	c.mu.RUnlock()
	if newer {
		c.AssignStartOffset(epoch, offset)
	}
}

// LatestEpoch returns the latest epoch, and false when the cache is empty.
func (c *EpochCache) LatestEpoch() (int32, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if len(c.entries) == 0 {
		return -1, false
	}
	return c.entries[len(c.entries)-1].Epoch, true
}

// EndOffsetFor answers OffsetsForLeaderEpoch for a requested epoch given
// the log end offset: the largest epoch <= requested and the start offset
// of the first epoch after it (the LEO when requested is the latest).
// (-1, -1) means undefined: an empty cache, epoch -1, or an epoch newer
// than the latest (Kafka's LeaderEpochFileCache.endOffsetFor).
func (c *EpochCache) EndOffsetFor(requested int32, logEndOffset int64) (int32, int64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := len(c.entries)
	if requested < 0 || n == 0 {
		return -1, -1
	}
	if c.entries[n-1].Epoch == requested {
		return requested, logEndOffset
	}
	// higher: first entry with epoch > requested.
	hi := -1
	for i, e := range c.entries {
		if e.Epoch > requested {
			hi = i
			break
		}
	}
	if hi < 0 {
		return -1, -1
	}
	if hi == 0 {
		return requested, c.entries[0].StartOffset
	}
	return c.entries[hi-1].Epoch, c.entries[hi].StartOffset
}

// Entries returns a copy of the cache.
func (c *EpochCache) Entries() []EpochEntry {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]EpochEntry(nil), c.entries...)
}

// truncateFromEnd drops entries starting at or after endOffset (log
// truncation).
func (c *EpochCache) truncateFromEnd(endOffset int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.entries)
	for n > 0 && c.entries[n-1].StartOffset >= endOffset {
		n--
	}
	if n != len(c.entries) {
		c.entries = c.entries[:n]
		c.flushLocked()
	}
}

// truncateFromStart drops entries wholly below startOffset and moves the
// surviving first entry's start up to it (log start offset advanced).
func (c *EpochCache) truncateFromStart(startOffset int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := 0
	for i+1 < len(c.entries) && c.entries[i+1].StartOffset <= startOffset {
		i++
	}
	changed := i > 0
	c.entries = c.entries[i:]
	if len(c.entries) > 0 && c.entries[0].StartOffset < startOffset {
		c.entries[0].StartOffset = startOffset
		changed = true
	}
	if changed {
		c.flushLocked()
	}
}

func (c *EpochCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) > 0 {
		c.entries = nil
		c.flushLocked()
	}
}
