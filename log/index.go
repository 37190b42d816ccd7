package log

import (
	"encoding/binary"
	"fmt"
	"os"
	"sort"
	"syscall"
)

// Entry sizes of the two sparse indexes (log-format.md §3).
const (
	offsetEntrySize = 8  // relativeOffset int32 + position int32
	timeEntrySize   = 12 // timestamp int64 + relativeOffset int32
)

// index is a memory-mapped sparse index file, as Kafka's AbstractIndex:
// while the segment is active the file is preallocated to
// segment.index.bytes (rounded down to whole entries) and mapped; it is
// trimmed to its entries when the segment is rolled or closed.
//
// Not safe for concurrent use: guarded by the owning Log's mutex.
type index struct {
	path      string
	base      int64
	entrySize int
	f         *os.File
	mm        []byte // mapping of the whole file
	n         int    // entries in use
}

// openIndex opens (creating if needed) an index file. The number of
// entries is the file length divided by the entry size; a file whose
// length is not a multiple is reported as corrupt by sanityCheck.
func openIndex(path string, base int64, entrySize int) (*index, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, storageErr("open index", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, storageErr("stat index", err)
	}
	ix := &index{path: path, base: base, entrySize: entrySize, f: f, n: int(st.Size()) / entrySize}
	if err := ix.mapFile(st.Size()); err != nil {
		f.Close()
		return nil, err
	}
	return ix, nil
}

func (ix *index) mapFile(size int64) error {
	if ix.mm != nil {
		if err := syscall.Munmap(ix.mm); err != nil {
			return storageErr("munmap index", err)
		}
		ix.mm = nil
	}
	if size == 0 {
		return nil
	}
	mm, err := syscall.Mmap(int(ix.f.Fd()), 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return storageErr("mmap index "+ix.path, err)
	}
	// Entries are appended a few bytes at a time and looked up by binary
	// search: no readahead. With it, the first touch of each page of the
	// sparse, preallocated file read ahead a large folio of holes and
	// zeroed it, a few percent of the append path's CPU.
	syscall.Madvise(mm, syscall.MADV_RANDOM)
	ix.mm = mm
	return nil
}

// resize sets the file length (rounded down to whole entries, never
// below the entries in use) and remaps it.
func (ix *index) resize(size int64) error {
	size -= size % int64(ix.entrySize)
	if min := int64(ix.n * ix.entrySize); size < min {
		size = min
	}
	if int64(len(ix.mm)) == size {
		return nil
	}
	if ix.mm != nil {
		if err := syscall.Munmap(ix.mm); err != nil {
			return storageErr("munmap index", err)
		}
		ix.mm = nil
	}
	if err := ix.f.Truncate(size); err != nil {
		return storageErr("resize index "+ix.path, err)
	}
	return ix.mapFile(size)
}

// preallocate makes room for maxBytes of entries (the active segment).
func (ix *index) preallocate(maxBytes int32) error { return ix.resize(int64(maxBytes)) }

// trim shrinks the file to the entries in use (roll, close).
func (ix *index) trim() error { return ix.resize(int64(ix.n * ix.entrySize)) }

// reserve makes sure the disk blocks under entry i exist before the
// entry is written through the mapping: the preallocated file is sparse
// (as Kafka's), and touching an unbacked page of a mapping on a full disk
// raises SIGBUS instead of returning ENOSPC. One fallocate per page of
// entries; on failure the caller skips the entry, which a sparse index
// tolerates (lookups just scan a little further).
func (ix *index) reserve(i int) bool {
	start := i * ix.entrySize
	end := start + ix.entrySize
	const page = 4096
	if i > 0 && start/page == (end-1)/page && start%page != 0 {
		return true // same page as the previous entry, already backed
	}
	first := int64(start / page * page)
	if err := syscall.Fallocate(int(ix.f.Fd()), 0, first, int64(end)-first); err != nil && err != syscall.EOPNOTSUPP {
		return false
	}
	return true
}

func (ix *index) maxEntries() int { return len(ix.mm) / ix.entrySize }
func (ix *index) isFull() bool    { return ix.n >= ix.maxEntries() }
func (ix *index) entry(i int) []byte {
	return ix.mm[i*ix.entrySize : (i+1)*ix.entrySize]
}

// reset drops every entry (before a rebuild).
func (ix *index) reset() {
	ix.n = 0
}

func (ix *index) sync() error {
	if err := ix.f.Sync(); err != nil {
		return storageErr("fsync index "+ix.path, err)
	}
	return nil
}

func (ix *index) close() error {
	err := ix.trim()
	if ix.mm != nil {
		syscall.Munmap(ix.mm)
		ix.mm = nil
	}
	if cerr := ix.f.Close(); err == nil && cerr != nil {
		err = storageErr("close index", cerr)
	}
	return err
}

// closeNoTrim releases the mapping and file without touching its length
// (files about to be deleted).
func (ix *index) closeNoTrim() {
	if ix.mm != nil {
		syscall.Munmap(ix.mm)
		ix.mm = nil
	}
	ix.f.Close()
}

func (ix *index) rename(path string) error {
	if err := os.Rename(ix.path, path); err != nil {
		return storageErr("rename index", err)
	}
	ix.path = path
	return nil
}

// offsetIndex maps relative offsets to positions in the .log file.
type offsetIndex struct{ *index }

func (ix offsetIndex) relOffset(i int) int64 {
	return ix.base + int64(int32(binary.BigEndian.Uint32(ix.entry(i))))
}
func (ix offsetIndex) position(i int) int64 {
	return int64(int32(binary.BigEndian.Uint32(ix.entry(i)[4:])))
}

// lastOffset is the largest indexed offset, or the base offset.
func (ix offsetIndex) lastOffset() int64 {
	if ix.n == 0 {
		return ix.base
	}
	return ix.relOffset(ix.n - 1)
}

// append adds an entry; offsets must grow.
func (ix offsetIndex) append(offset int64, pos int64) error {
	if ix.isFull() {
		return fmt.Errorf("log: offset index %s is full", ix.path)
	}
	if ix.n > 0 && offset <= ix.lastOffset() {
		return nil // Kafka throws InvalidOffsetException; an equal offset cannot happen on our paths
	}
	if !ix.reserve(ix.n) {
		return fmt.Errorf("log: no space for an entry of %s", ix.path)
	}
	e := ix.entry(ix.n)
	binary.BigEndian.PutUint32(e, uint32(offset-ix.base))
	binary.BigEndian.PutUint32(e[4:], uint32(pos))
	ix.n++
	return nil
}

// lookup returns the largest entry whose offset is <= target, or
// (base, 0) when there is none.
func (ix offsetIndex) lookup(target int64) (int64, int64) {
	i := sort.Search(ix.n, func(i int) bool { return ix.relOffset(i) > target }) - 1
	if i < 0 {
		return ix.base, 0
	}
	return ix.relOffset(i), ix.position(i)
}

// truncateTo removes the entries whose offset is >= offset.
func (ix offsetIndex) truncateTo(offset int64) {
	ix.n = sort.Search(ix.n, func(i int) bool { return ix.relOffset(i) >= offset })
}

// sanityCheck reports a corrupt index: a length that is not a multiple
// of the entry size, offsets that do not grow, or positions past the log.
func (ix offsetIndex) sanityCheck(fileLen int64, logSize int64) error {
	if fileLen%offsetEntrySize != 0 {
		return corruptf("index file %s has size %d which is not a multiple of %d", ix.path, fileLen, offsetEntrySize)
	}
	prevOff, prevPos := int64(-1), int64(-1)
	for i := 0; i < ix.n; i++ {
		off, pos := ix.relOffset(i), ix.position(i)
		if off <= prevOff || pos <= prevPos || pos >= logSize || off < ix.base {
			return corruptf("index file %s: entry %d (offset %d, position %d) out of order or past the log", ix.path, i, off, pos)
		}
		prevOff, prevPos = off, pos
	}
	return nil
}

// timeIndex maps timestamps to relative offsets.
type timeIndex struct{ *index }

func (ix timeIndex) timestamp(i int) int64 { return int64(binary.BigEndian.Uint64(ix.entry(i))) }
func (ix timeIndex) offset(i int) int64 {
	return ix.base + int64(int32(binary.BigEndian.Uint32(ix.entry(i)[8:])))
}

// lastEntry returns the last (timestamp, offset), or (-1, base).
func (ix timeIndex) lastEntry() (int64, int64) {
	if ix.n == 0 {
		return -1, ix.base
	}
	return ix.timestamp(ix.n - 1), ix.offset(ix.n - 1)
}

// maybeAppend adds (ts, offset) when ts is larger than the last entry's,
// as Kafka's TimeIndex.maybeAppend. skipFull lets the roll/close entry
// use the slot Kafka keeps for it.
func (ix timeIndex) maybeAppend(ts, offset int64, skipFull bool) {
	if ix.n >= ix.maxEntries() {
		if !skipFull || ix.resize(int64((ix.n+1)*ix.entrySize)) != nil {
			return
		}
	}
	lastTs, lastOff := ix.lastEntry()
	if ix.n > 0 && (ts <= lastTs || offset < lastOff) {
		return
	}
	if !ix.reserve(ix.n) {
		return
	}
	e := ix.entry(ix.n)
	binary.BigEndian.PutUint64(e, uint64(ts))
	binary.BigEndian.PutUint32(e[8:], uint32(offset-ix.base))
	ix.n++
}

// lookup returns the largest entry whose timestamp is <= ts, or (-1, base).
func (ix timeIndex) lookup(ts int64) (int64, int64) {
	i := sort.Search(ix.n, func(i int) bool { return ix.timestamp(i) > ts }) - 1
	if i < 0 {
		return -1, ix.base
	}
	return ix.timestamp(i), ix.offset(i)
}

// truncateTo removes entries whose offset is >= offset.
func (ix timeIndex) truncateTo(offset int64) {
	ix.n = sort.Search(ix.n, func(i int) bool { return ix.offset(i) >= offset })
}

func (ix timeIndex) sanityCheck(fileLen int64, lastOffset int64) error {
	if fileLen%timeEntrySize != 0 {
		return corruptf("time index file %s has size %d which is not a multiple of %d", ix.path, fileLen, timeEntrySize)
	}
	prevTs, prevOff := int64(-1<<63), int64(-1)
	for i := 0; i < ix.n; i++ {
		ts, off := ix.timestamp(i), ix.offset(i)
		if ts <= prevTs || off < prevOff || off > lastOffset {
			return corruptf("time index file %s: entry %d (timestamp %d, offset %d) out of order or past the log", ix.path, i, ts, off)
		}
		prevTs, prevOff = ts, off
	}
	return nil
}
