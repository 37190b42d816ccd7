package log

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
)

// latest reads the log and returns key -> (offset, value) of every record.
func recordsByKey(t *testing.T, l *Log) (map[string]Record, int) {
	t.Helper()
	out := map[string]Record{}
	n := 0
	for _, b := range readAll(t, l, l.LogStartOffset()) {
		recs, err := b.Records()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if prev, ok := out[string(r.Key)]; ok && prev.Offset > r.Offset {
				t.Fatalf("offsets went backwards for key %s", r.Key)
			}
			out[string(r.Key)] = r
			n++
		}
	}
	return out, n
}

// TestCompactionKeepsLatestPerKey mirrors Kafka's LogCleanerTest
// "testCleanSegments": after cleaning, only the last record of each key
// remains below the active segment, offsets are unchanged, and reads
// still work across the gaps.
func TestCompactionKeepsLatestPerKey(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = 2048
	cfg.CleanupPolicy = "compact"
	l, _ := newTestLog(t, cfg)
	want := map[string]string{}
	for i := 0; i < 300; i++ {
		k, v := fmt.Sprintf("key-%d", i%10), fmt.Sprintf("v%d", i)
		mustAppend(t, l, keyedBatch(1, k, v))
		want[k] = v
	}
	before, total := recordsByKey(t, l)
	l.SetHighWatermark(l.LogEndOffset())
	next, err := l.Clean(context.Background(), 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if next != l.segments[len(l.segments)-1].base {
		t.Fatalf("checkpoint %d, active segment at %d", next, l.segments[len(l.segments)-1].base)
	}
	after, kept := recordsByKey(t, l)
	if kept >= total/2 {
		t.Fatalf("kept %d of %d records", kept, total)
	}
	for k, v := range want {
		if string(after[k].Value) != v || after[k].Offset != before[k].Offset {
			t.Fatalf("key %s: %q at %d, want %q at %d", k, after[k].Value, after[k].Offset, v, before[k].Offset)
		}
	}
	if l.LogEndOffset() != 300 {
		t.Fatalf("LEO %d", l.LogEndOffset())
	}
	// Reading from an offset inside a gap starts at the next kept batch.
	fd, err := l.Read(1, 1<<20, 300, true)
	if err != nil || fd.FirstBatchOffset <= 1 {
		t.Fatalf("%+v %v", fd, err)
	}
	// The log survives a restart with the cleaned segments.
	dir := filepath.Dir(l.Dir())
	l.Close()
	l2 := openTestLog(t, dir, cfg, logOptions{cleanShutdown: false, logStartOffset: -1})
	defer l2.Close()
	if again, _ := recordsByKey(t, l2); len(again) != len(after) {
		t.Fatal("restart changed the cleaned log")
	}
	if m, _ := filepath.Glob(filepath.Join(l2.Dir(), "*.swap")); len(m) != 0 {
		t.Fatal(m)
	}
}

func TestCompactionRemovesTombstonesAfterDeleteRetention(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = 1024
	cfg.CleanupPolicy = "compact"
	cfg.DeleteRetentionMs = 0
	l, _ := newTestLog(t, cfg)
	for i := 0; i < 50; i++ {
		mustAppend(t, l, keyedBatch(1, fmt.Sprintf("k%d", i%5), "value"))
	}
	mustAppend(t, l, keyedBatch(1, "k0", "<nil>")) // tombstone
	for i := 0; i < 40; i++ {
		mustAppend(t, l, keyedBatch(1, "other", "x"))
	}
	l.SetHighWatermark(l.LogEndOffset())
	// First pass: the tombstone is in the dirty section and is kept.
	ckpt, err := l.Clean(context.Background(), 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := recordsByKey(t, l)
	if r, ok := got["k0"]; !ok || r.Value != nil {
		t.Fatalf("tombstone missing after the first clean: %+v", r)
	}
	// Age every segment so it lies before the delete horizon, then add
	// enough data to make the log dirty again and clean once more.
	old := time.Now().Add(-time.Hour)
	files, _ := filepath.Glob(filepath.Join(l.Dir(), "*.log"))
	for _, f := range files {
		os.Chtimes(f, old, old)
	}
	for i := 0; i < 40; i++ {
		mustAppend(t, l, keyedBatch(1, "other", "y"))
	}
	l.SetHighWatermark(l.LogEndOffset())
	if _, err := l.Clean(context.Background(), ckpt, 0, 0); err != nil {
		t.Fatal(err)
	}
	got, _ = recordsByKey(t, l)
	if _, ok := got["k0"]; ok {
		t.Fatal("tombstone survived delete.retention.ms")
	}
	if string(got["k1"].Value) != "value" {
		t.Fatal("a live key was removed")
	}
}

func TestManagerCleanerRunsInBackground(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = 1024
	cfg.CleanupPolicy = "compact,delete"
	o := quietOptions()
	o.InitialTaskDelayMs = 10
	o.CleanerBackoffMs = 20
	m, err := NewManager([]string{t.TempDir()}, cfg, o, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	tp := TopicPartition{"compacted", 0}
	l, _ := m.GetOrCreate(tp, cfg, [16]byte{})
	// Current timestamps: with compact,delete the retention task (which
	// also starts after 10 ms here) must not delete these.
	for i := 0; i < 200; i++ {
		mustAppend(t, l, keyedBatch(time.Now().UnixMilli(), "same-key", fmt.Sprint(i)))
	}
	size := l.Size()
	m.CheckpointHighWatermarks(map[TopicPartition]int64{tp: l.LogEndOffset()})
	waitFor(t, 60*time.Second, func() bool { return l.Size() < size/2 })
	waitFor(t, 60*time.Second, func() bool {
		c, _ := ReadOffsetCheckpoint(filepath.Join(filepath.Dir(l.Dir()), CleanerOffsetCheckpointFile))
		return c[tp] > 0
	})
}

// TestInterruptedSwapIsCompletedAtStartup simulates a crash in the middle
// of the cleaner's swap: a cleaned "<base>.log.swap" exists next to the
// segments it replaces, plus leftover ".cleaned" and ".deleted" files.
// Opening the log completes the swap (the swap segment replaces every
// segment whose base lies in its offset range) and removes the leftovers.
func TestInterruptedSwapIsCompletedAtStartup(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = 1024
	l, dir := newTestLog(t, cfg)
	for i := 0; i < 30; i++ {
		mustAppend(t, l, keyedBatch(1, fmt.Sprintf("k%d", i%3), fmt.Sprint(i)))
	}
	part := l.Dir()
	l.Close()
	bases := []int64{}
	files, _ := filepath.Glob(filepath.Join(part, "*.log"))
	for _, f := range files {
		b, _ := offsetFromFileName(filepath.Base(f))
		bases = append(bases, b)
	}
	if len(bases) < 3 {
		t.Fatalf("need 3 segments, have %v", bases)
	}
	// The "cleaned" version of the first two segments keeps only their
	// last batch.
	second, _ := os.ReadFile(filepath.Join(part, SegmentFileName(bases[1], LogFileSuffix)))
	var last []byte
	for b := range Batches(second) {
		last = b.Raw
	}
	os.WriteFile(filepath.Join(part, SegmentFileName(0, LogFileSuffix)+SwapFileSuffix), last, 0o644)
	os.WriteFile(filepath.Join(part, SegmentFileName(0, LogFileSuffix)+CleanedFileSuffix), []byte("junk"), 0o644)
	os.WriteFile(filepath.Join(part, SegmentFileName(5, LogFileSuffix)+DeletedFileSuffix), []byte("junk"), 0o644)
	// ...but only if the swap covers them: a swap whose range ends below
	// the second segment's base leaves that segment alone. Here it covers
	// [0, last offset + 1), which includes bases[1].
	h, _ := ParseBatchHeader(last)
	l2 := openTestLog(t, dir, cfg, logOptions{cleanShutdown: true, logStartOffset: -1})
	defer l2.Close()
	got := readAll(t, l2, 0)
	if got[0].BaseOffset != h.BaseOffset {
		t.Fatalf("first batch %d, want the swapped-in %d", got[0].BaseOffset, h.BaseOffset)
	}
	if l2.LogEndOffset() != 30 {
		t.Fatalf("LEO %d", l2.LogEndOffset())
	}
	left, _ := filepath.Glob(filepath.Join(part, "*.*ed"))
	swaps, _ := filepath.Glob(filepath.Join(part, "*.swap"))
	if len(left)+len(swaps) != 0 {
		t.Fatalf("leftovers %v %v", left, swaps)
	}
	if _, err := os.Stat(filepath.Join(part, SegmentFileName(bases[1], LogFileSuffix))); !os.IsNotExist(err) {
		t.Fatal("the replaced second segment is still there")
	}
}

// TestCompactionKeepsTheCodec: a compressed batch of which only some
// records survive is rewritten with its original codec, as Kafka's
// cleaner does, and still holds the surviving records at their offsets.
func TestCompactionKeepsTheCodec(t *testing.T) {
	for _, codec := range []int{CompressionGzip, CompressionSnappy, CompressionLZ4, CompressionZstd} {
		t.Run(compressionName(codec), func(t *testing.T) {
			cfg := testConfig()
			cfg.SegmentBytes = 4096
			cfg.CleanupPolicy = "compact"
			l, _ := newTestLog(t, cfg)
			for i := 0; i < 40; i++ {
				// Each batch: a key updated later ("k<i%4>") and one never updated.
				b := keyedBatch(1, fmt.Sprintf("k%d", i%4), fmt.Sprintf("v%d", i), fmt.Sprintf("once-%d", i), "x")
				mustAppend(t, l, compressBatch(t, b, codec, false))
				if i%10 == 9 {
					l.Roll() // compressed batches are small: make cleanable segments
				}
			}
			before, _ := recordsByKey(t, l)
			l.SetHighWatermark(l.LogEndOffset())
			if _, err := l.Clean(context.Background(), 0, 0, 0); err != nil {
				t.Fatal(err)
			}
			rewritten := 0
			for _, b := range readAll(t, l, 0) {
				if b.Compression() != codec {
					t.Fatalf("batch at %d has codec %s after cleaning", b.BaseOffset, b.CompressionName())
				}
				if b.RecordCount == 1 {
					rewritten++
				}
			}
			if rewritten == 0 {
				t.Fatal("no batch was rewritten")
			}
			after, _ := recordsByKey(t, l)
			for k, r := range after {
				if b := before[k]; b.Offset != r.Offset || string(b.Value) != string(r.Value) {
					t.Fatalf("key %s: %q at %d, want %q at %d", k, r.Value, r.Offset, b.Value, b.Offset)
				}
			}
			if len(after) != len(before) {
				t.Fatalf("%d keys after cleaning, %d before", len(after), len(before))
			}
		})
	}
}
