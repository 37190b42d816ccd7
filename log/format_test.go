package log

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// TestIndexFilesByteForByte checks the exact bytes Kafka writes: with
// index.interval.bytes=100, the first append gets no entry; the append
// that follows more than 50 bytes gets (its largest offset relative to
// the base, its start position) in .index and (max timestamp so far, its
// offset) in .timeindex; closing trims both files to their entries.
func TestIndexFilesByteForByte(t *testing.T) {
	cfg := testConfig()
	cfg.IndexIntervalBytes = 50
	l, dir := newTestLog(t, cfg)
	var sizes []int
	for i := 0; i < 4; i++ {
		b := batchOf(2, int64(1000+i))
		sizes = append(sizes, len(b))
		mustAppend(t, l, b)
	}
	l.Close()
	part := filepath.Join(dir, "test-0")
	idx, _ := os.ReadFile(filepath.Join(part, "00000000000000000000.index"))
	tidx, _ := os.ReadFile(filepath.Join(part, "00000000000000000000.timeindex"))
	// Each batch is > 50 bytes, so appends 2, 3 and 4 get entries.
	var wantIdx, wantTime []byte
	pos := sizes[0]
	for i := 1; i < 4; i++ {
		wantIdx = binary.BigEndian.AppendUint32(wantIdx, uint32(2*i+1)) // last offset of append i
		wantIdx = binary.BigEndian.AppendUint32(wantIdx, uint32(pos))
		wantTime = binary.BigEndian.AppendUint64(wantTime, uint64(1000+i))
		wantTime = binary.BigEndian.AppendUint32(wantTime, uint32(2*i+1))
		pos += sizes[i]
	}
	if !bytes.Equal(idx, wantIdx) {
		t.Fatalf(".index = %x\nwant     %x", idx, wantIdx)
	}
	if !bytes.Equal(tidx, wantTime) {
		t.Fatalf(".timeindex = %x\nwant         %x", tidx, wantTime)
	}
	names, _ := os.ReadDir(part)
	var got []string
	for _, n := range names {
		got = append(got, n.Name())
	}
	want := []string{"00000000000000000000.index", "00000000000000000000.log", "00000000000000000000.timeindex", "leader-epoch-checkpoint"}
	if len(got) != len(want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("files %v, want %v", got, want)
		}
	}
}
