package log

import (
	"bytes"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// copyDir copies the regular files of src into a new dir: the bytes a
// crash would leave on disk (the log stays open, so the active index is
// still preallocated and full of zeros past its entries).
func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(src)
	for _, e := range ents {
		in, err := os.Open(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(filepath.Join(dst, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(out, in)
		in.Close()
		out.Close()
	}
}

type writtenBatch struct {
	segment int64 // base offset of the segment file holding it
	pos     int64
	size    int64
	base    int64
	last    int64
	raw     []byte
}

// layout lists every batch on disk, by segment and position.
func layout(t testing.TB, dir string) []writtenBatch {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	sort.Strings(files)
	var out []writtenBatch
	for _, f := range files {
		base, _ := offsetFromFileName(filepath.Base(f))
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pos := int64(0)
		for b := range Batches(data) {
			out = append(out, writtenBatch{segment: base, pos: pos, size: int64(b.Size()), base: b.BaseOffset, last: b.LastOffset(), raw: append([]byte(nil), b.Raw...)})
			pos += int64(b.Size())
		}
	}
	return out
}

// TestCrashAtRandomPointsKeepsExactlyTheCompleteBatches writes a log over
// several segments, "crashes" (copies the files of the open log), cuts a
// random segment file at a random byte, optionally followed by garbage,
// and recovers.
//
// Invariant: the recovered log holds exactly the batches that were
// complete before the cut, in order and byte for byte, with the log end
// offset right after the last of them; later segments are gone; a second
// recovery changes nothing.
func TestCrashAtRandomPointsKeepsExactlyTheCompleteBatches(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = 8 * 1024
	l, _ := newTestLog(t, cfg)
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 300; i++ {
		mustAppend(t, l, batchOf(1+rng.Intn(8), int64(1000+i)))
	}
	crashed := filepath.Join(t.TempDir(), "crashed")
	copyDir(t, l.Dir(), crashed)
	all := layout(t, crashed)

	iterations := 60
	if testing.Short() {
		iterations = 15
	}
	for it := 0; it < iterations; it++ {
		work := filepath.Join(t.TempDir(), "test-0")
		copyDir(t, crashed, work)
		victim := all[rng.Intn(len(all))]
		cut := victim.pos + rng.Int63n(victim.size) // inside the victim batch
		segFile := filepath.Join(work, SegmentFileName(victim.segment, LogFileSuffix))
		if err := os.Truncate(segFile, cut); err != nil {
			t.Fatal(err)
		}
		if rng.Intn(2) == 0 { // a torn write may leave garbage after the cut
			f, _ := os.OpenFile(segFile, os.O_WRONLY|os.O_APPEND, 0)
			garbage := make([]byte, rng.Intn(200))
			rng.Read(garbage)
			f.Write(garbage)
			f.Close()
		}
		var want []writtenBatch
		for _, b := range all {
			if b.segment < victim.segment || (b.segment == victim.segment && b.pos+b.size <= cut) {
				want = append(want, b)
			}
		}
		rl := openTestLog(t, filepath.Dir(work), cfg, logOptions{cleanShutdown: false, logStartOffset: -1})
		wantLEO := want[len(want)-1].last + 1
		if len(want) == 0 {
			wantLEO = 0
		}
		if rl.LogEndOffset() != wantLEO {
			t.Fatalf("iteration %d: cut segment %d at %d: LEO %d, want %d", it, victim.segment, cut, rl.LogEndOffset(), wantLEO)
		}
		got := readAll(t, rl, 0)
		if len(got) != len(want) {
			t.Fatalf("iteration %d: %d batches recovered, want %d", it, len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i].Raw, want[i].raw) {
				t.Fatalf("iteration %d: batch %d differs", it, i)
			}
		}
		// Appends continue right after the last complete batch.
		if info := mustAppend(t, rl, batchOf(1, 1)); info.FirstOffset != wantLEO {
			t.Fatalf("iteration %d: next append at %d, want %d", it, info.FirstOffset, wantLEO)
		}
		rl.Close()
		// A second unclean open finds nothing more to cut.
		rl = openTestLog(t, filepath.Dir(work), cfg, logOptions{cleanShutdown: false, logStartOffset: -1})
		if rl.LogEndOffset() != wantLEO+1 {
			t.Fatalf("iteration %d: second recovery LEO %d", it, rl.LogEndOffset())
		}
		rl.Close()
	}
}

// TestCrashAtEveryByteOfTheLastAppend cuts the active segment at every
// byte of the last append: every earlier batch survives, the torn one
// never does.
func TestCrashAtEveryByteOfTheLastAppend(t *testing.T) {
	cfg := testConfig()
	l, dir := newTestLog(t, cfg)
	for i := 0; i < 5; i++ {
		mustAppend(t, l, batchOf(3, int64(i)))
	}
	last := batchOf(4, 99)
	mustAppend(t, l, last)
	crashed := filepath.Join(dir, "crashed")
	copyDir(t, l.Dir(), crashed)
	full, _ := os.ReadFile(filepath.Join(crashed, SegmentFileName(0, LogFileSuffix)))
	start := len(full) - len(last)
	for cut := start; cut <= len(full); cut++ {
		work := filepath.Join(t.TempDir(), "test-0")
		copyDir(t, crashed, work)
		os.Truncate(filepath.Join(work, SegmentFileName(0, LogFileSuffix)), int64(cut))
		rl := openTestLog(t, filepath.Dir(work), cfg, logOptions{cleanShutdown: false, logStartOffset: -1})
		want := int64(15)
		if cut == len(full) {
			want = 19
		}
		if rl.LogEndOffset() != want || rl.Size() != int64(min(cut, len(full)))-int64(boolInt(cut < len(full)))*int64(cut-start) {
			t.Fatalf("cut at %d: LEO %d size %d", cut, rl.LogEndOffset(), rl.Size())
		}
		rl.Close()
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestRecoveryReadAheadAcrossChunks recovers segments large enough for
// the read-ahead scan (more than two 1 MB chunks), with batches
// straddling every chunk boundary and one batch larger than the
// read-ahead headroom, then with a corrupt batch past the first chunks:
// recovery keeps exactly the batches before it, as the plain walk does.
func TestRecoveryReadAheadAcrossChunks(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = 64 << 20
	cfg.MaxMessageBytes = 4 << 20
	cfg.SegmentIndexBytes = 1 << 20
	l, dir := newTestLog(t, cfg)
	var ends []int64 // file size after each append
	for i := 0; i < 400; i++ {
		size := 1000 + (i*7919)%30000
		if i == 150 {
			size = 2560 << 10 // larger than a chunk plus the headroom: the scan falls back to pread
		}
		mustAppend(t, l, BuildBatch([]Record{{Key: []byte("k"), Value: make([]byte, size), Timestamp: int64(i)}}))
		ends = append(ends, l.Size())
	}
	leo := l.LogEndOffset()
	l.Close()
	seg := filepath.Join(dir, "test-0", SegmentFileName(0, LogFileSuffix))

	// Intact: everything survives.
	l = openTestLog(t, dir, cfg, logOptions{cleanShutdown: false, logStartOffset: -1})
	if l.LogEndOffset() != leo || l.Size() != ends[len(ends)-1] {
		t.Fatalf("intact log recovered to LEO %d size %d, want %d %d", l.LogEndOffset(), l.Size(), leo, ends[len(ends)-1])
	}
	l.Close()

	// Corrupt a byte inside batch 300 (well past the first chunks).
	f, err := os.OpenFile(seg, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte{0xff}, ends[299]+BatchHeaderSize+5)
	f.Close()
	l = openTestLog(t, dir, cfg, logOptions{cleanShutdown: false, logStartOffset: -1})
	defer l.Close()
	if l.LogEndOffset() != 300 || l.Size() != ends[299] {
		t.Fatalf("recovered to LEO %d size %d, want 300 and %d", l.LogEndOffset(), l.Size(), ends[299])
	}
	got := readAll(t, l, 0)
	if len(got) != 300 || got[150].Size() < 2560<<10 {
		t.Fatalf("%d batches after recovery", len(got))
	}
}
