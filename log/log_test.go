package log

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

func TestAppendAssignsOffsetsAndKeepsBytes(t *testing.T) {
	l, _ := newTestLog(t, testConfig())
	b1, b2 := batchOf(3, 1000), batchOf(2, 2000)
	orig := append([]byte(nil), b2...)
	info := mustAppend(t, l, b1)
	if info.FirstOffset != 0 || info.LastOffset != 2 || info.NumRecords != 3 {
		t.Fatalf("first append: %+v", info)
	}
	info = mustAppend(t, l, b2)
	if info.FirstOffset != 3 || info.LastOffset != 4 || info.MaxTimestamp != 2000 || info.LogAppendTime != -1 {
		t.Fatalf("second append: %+v", info)
	}
	if l.LogEndOffset() != 5 {
		t.Fatalf("LEO = %d", l.LogEndOffset())
	}
	got := readAll(t, l, 0)
	if len(got) != 2 || got[1].BaseOffset != 3 {
		t.Fatalf("batches: %+v", got)
	}
	// Only base offset and leader epoch changed; the records and CRC are as sent.
	if !bytes.Equal(got[1].Raw[offMagic:], orig[offMagic:]) {
		t.Fatal("stored batch differs from the received one beyond the offset/epoch fields")
	}
	if !ValidBatchCRC(got[1].Raw) {
		t.Fatal("stored batch has a bad CRC")
	}
	recs, err := got[1].Records()
	if err != nil || len(recs) != 2 || recs[1].Offset != 4 || string(recs[1].Value) != "value-1" {
		t.Fatalf("records: %+v %v", recs, err)
	}
}

func TestLeaderEpochStampedAndCached(t *testing.T) {
	l, _ := newTestLog(t, testConfig())
	if _, err := l.AppendAsLeader(batchOf(2, 1), 3); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AppendAsLeader(batchOf(2, 1), 5); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, l, 0)
	if got[0].PartitionLeaderEpoch != 3 || got[1].PartitionLeaderEpoch != 5 {
		t.Fatalf("epochs %d %d", got[0].PartitionLeaderEpoch, got[1].PartitionLeaderEpoch)
	}
	want := []EpochEntry{{3, 0}, {5, 2}}
	if e := l.Epochs().Entries(); len(e) != 2 || e[0] != want[0] || e[1] != want[1] {
		t.Fatalf("epoch cache %v", e)
	}
	// OffsetsForLeaderEpoch semantics (Kafka's LeaderEpochFileCacheTest).
	for _, c := range []struct {
		req   int32
		epoch int32
		end   int64
	}{{5, 5, 4}, {3, 3, 2}, {4, 3, 2}, {2, 2, 0}, {6, -1, -1}, {-1, -1, -1}} {
		if e, o := l.Epochs().EndOffsetFor(c.req, l.LogEndOffset()); e != c.epoch || o != c.end {
			t.Errorf("EndOffsetFor(%d) = %d,%d want %d,%d", c.req, e, o, c.epoch, c.end)
		}
	}
	data, _ := os.ReadFile(filepath.Join(l.Dir(), LeaderEpochCheckpointFile))
	if string(data) != "0\n2\n3 0\n5 2\n" {
		t.Fatalf("leader-epoch-checkpoint = %q", data)
	}
}

func TestMalformedBatchesAreRefusedAndNothingWritten(t *testing.T) {
	l, _ := newTestLog(t, testConfig())
	mustAppend(t, l, batchOf(1, 1))
	good := batchOf(2, 1)
	badCRC := batchOf(2, 1)
	badCRC[len(badCRC)-1] ^= 0xff
	badMagic := batchOf(1, 1)
	badMagic[offMagic] = 1
	badCount := batchOf(2, 1)
	badCount[offRecordCount+3] = 3
	fixCRC(badCount)
	control := BuildBatchWith(BatchOptions{ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, Control: true}, []Record{{Key: []byte{0, 0, 0, 1}}})
	for name, c := range map[string]struct {
		buf  []byte
		kind error
	}{
		"crc":            {append(append([]byte(nil), good...), badCRC...), ErrCorruption},
		"magic":          {badMagic, ErrInvalidRecord},
		"count":          {badCount, ErrInvalidRecord},
		"truncated":      {good[:len(good)-1], ErrCorruption},
		"trailing bytes": {append(append([]byte(nil), good...), 1, 2, 3), ErrCorruption},
		"short length":   {[]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5}, ErrCorruption},
		"control":        {control, ErrInvalidRecord},
	} {
		_, err := l.AppendAsLeader(c.buf, 0)
		if !errors.Is(err, c.kind) {
			t.Errorf("%s: err = %v, want %v", name, err, c.kind)
		}
	}
	if l.LogEndOffset() != 1 || l.Size() != int64(len(batchOf(1, 1))) {
		t.Fatalf("a refused append changed the log: LEO %d size %d", l.LogEndOffset(), l.Size())
	}
}

func fixCRC(b []byte) {
	setLogAppendTimeCRCOnly(b)
}

func setLogAppendTimeCRCOnly(b []byte) {
	c := computeCRC(b)
	b[offCRC], b[offCRC+1], b[offCRC+2], b[offCRC+3] = byte(c>>24), byte(c>>16), byte(c>>8), byte(c)
}

func TestSizeLimits(t *testing.T) {
	cfg := testConfig()
	cfg.MaxMessageBytes = 200
	l, _ := newTestLog(t, cfg)
	if _, err := l.AppendAsLeader(batchOf(20, 1), 0); !errors.Is(err, ErrRecordTooLarge) {
		t.Fatalf("err = %v", err)
	}
	cfg.MaxMessageBytes = 1 << 20
	cfg.SegmentBytes = 1000
	l.UpdateConfig(cfg)
	if _, err := l.AppendAsLeader(batchOf(100, 1), 0); !errors.Is(err, ErrRecordListTooLarge) {
		t.Fatalf("err = %v", err)
	}
}

func TestLogAppendTime(t *testing.T) {
	cfg := testConfig()
	cfg.MessageTimestampType = "LogAppendTime"
	l, _ := newTestLog(t, cfg)
	now := time.UnixMilli(1_700_000_000_000)
	l.now = func() time.Time { return now }
	info := mustAppend(t, l, batchOf(2, 5))
	if info.LogAppendTime != now.UnixMilli() {
		t.Fatalf("LogAppendTime %d", info.LogAppendTime)
	}
	b := readAll(t, l, 0)[0]
	if !b.LogAppendTime() || b.MaxTimestamp != now.UnixMilli() || !ValidBatchCRC(b.Raw) {
		t.Fatalf("batch %+v crc ok %v", b.BatchHeader, ValidBatchCRC(b.Raw))
	}
	recs, _ := b.Records()
	if recs[0].Timestamp != now.UnixMilli() {
		t.Fatalf("record timestamp %d", recs[0].Timestamp)
	}
}

func TestTimestampDifference(t *testing.T) {
	cfg := testConfig()
	cfg.MessageTimestampDifferenceMaxMs = 1000
	l, _ := newTestLog(t, cfg)
	if _, err := l.AppendAsLeader(batchOf(1, 5), 0); !errors.Is(err, ErrInvalidTimestamp) {
		t.Fatalf("err = %v", err)
	}
	mustAppend(t, l, batchOf(1, time.Now().UnixMilli()))
}

func TestCompactedTopicRefusesNullKeys(t *testing.T) {
	cfg := testConfig()
	cfg.CleanupPolicy = "compact"
	l, _ := newTestLog(t, cfg)
	nokey := BuildBatch([]Record{{Value: []byte("v")}})
	if _, err := l.AppendAsLeader(nokey, 0); !errors.Is(err, ErrInvalidRecord) {
		t.Fatalf("err = %v", err)
	}
	mustAppend(t, l, keyedBatch(1, "a", "1"))
}

func TestRollAndIndexes(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = 4096
	l, _ := newTestLog(t, cfg)
	for i := 0; i < 100; i++ {
		mustAppend(t, l, batchOf(5, int64(1000+i)))
	}
	if l.NumSegments() < 3 {
		t.Fatalf("only %d segments", l.NumSegments())
	}
	// Every offset is readable and starts at the batch holding it.
	for off := int64(0); off < l.LogEndOffset(); off++ {
		fd, err := l.Read(off, 1, l.LogEndOffset(), true)
		if err != nil {
			t.Fatal(err)
		}
		if fd.FirstBatchOffset != off/5*5 {
			t.Fatalf("Read(%d) first batch %d", off, fd.FirstBatchOffset)
		}
	}
	// The segment files are named after base offsets; inactive indexes are trimmed.
	names, _ := filepath.Glob(filepath.Join(l.Dir(), "*.index"))
	for _, n := range names[:len(names)-1] {
		st, _ := os.Stat(n)
		if st.Size()%8 != 0 || st.Size() >= int64(cfg.SegmentIndexBytes) {
			t.Fatalf("%s has size %d", n, st.Size())
		}
	}
	st, _ := os.Stat(names[len(names)-1])
	if st.Size() != int64(cfg.SegmentIndexBytes) {
		t.Fatalf("active index not preallocated: %d", st.Size())
	}
	if _, err := os.Stat(filepath.Join(l.Dir(), "00000000000000000000.log")); err != nil {
		t.Fatal(err)
	}
}

func TestReadBounds(t *testing.T) {
	l, _ := newTestLog(t, testConfig())
	for i := 0; i < 10; i++ {
		mustAppend(t, l, batchOf(1, 1))
	}
	size := int32(len(batchOf(1, 1)))
	// maxOffset (the high watermark) is exclusive.
	fd, _ := l.Read(0, 1<<20, 4, false)
	if fd.Slice.Size != 4*size {
		t.Fatalf("HW-bounded size %d, want %d", fd.Slice.Size, 4*size)
	}
	fd, _ = l.Read(4, 1<<20, 4, false)
	if fd.Slice.Size != 0 {
		t.Fatal("read at the HW returned data")
	}
	// maxBytes cuts, minOneBatch returns the first batch whole.
	fd, _ = l.Read(0, 10, 10, false)
	if fd.Slice.Size != 10 {
		t.Fatalf("size %d", fd.Slice.Size)
	}
	fd, _ = l.Read(0, 10, 10, true)
	if fd.Slice.Size != size {
		t.Fatalf("minOneBatch size %d", fd.Slice.Size)
	}
	// Offsets out of range.
	if _, err := l.Read(11, 100, 20, true); !errors.Is(err, ErrOffsetOutOfRange) {
		t.Fatalf("err %v", err)
	}
	fd, err := l.Read(10, 100, 20, true)
	if err != nil || fd.Slice.Size != 0 {
		t.Fatalf("read at LEO: %+v %v", fd, err)
	}
}

func TestTruncateTo(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = 2048
	l, _ := newTestLog(t, cfg)
	for i := 0; i < 60; i++ {
		if _, err := l.AppendAsLeader(batchOf(2, int64(i)), int32(i/10)); err != nil {
			t.Fatal(err)
		}
	}
	segs := l.NumSegments()
	if err := l.TruncateTo(31); err != nil { // inside batch [30,31]: the whole batch goes
		t.Fatal(err)
	}
	if l.LogEndOffset() != 30 {
		t.Fatalf("LEO %d", l.LogEndOffset())
	}
	if l.NumSegments() >= segs {
		t.Fatal("later segments were not deleted")
	}
	if e, ok := l.Epochs().LatestEpoch(); !ok || e != 1 {
		t.Fatalf("latest epoch %d", e)
	}
	info := mustAppend(t, l, batchOf(1, 1))
	if info.FirstOffset != 30 {
		t.Fatalf("append after truncation at %d", info.FirstOffset)
	}
	if got := readAll(t, l, 0); got[len(got)-1].BaseOffset != 30 || len(got) != 16 {
		t.Fatalf("%d batches, last %d", len(got), got[len(got)-1].BaseOffset)
	}
	if err := l.TruncateFullyAndStartAt(500); err != nil {
		t.Fatal(err)
	}
	if l.LogStartOffset() != 500 || l.LogEndOffset() != 500 || l.NumSegments() != 1 || len(l.Epochs().Entries()) != 0 {
		t.Fatalf("after full truncation: start %d end %d", l.LogStartOffset(), l.LogEndOffset())
	}
	if info := mustAppend(t, l, batchOf(1, 1)); info.FirstOffset != 500 {
		t.Fatalf("first offset %d", info.FirstOffset)
	}
}

func TestFollowerAppendKeepsOffsets(t *testing.T) {
	leader, _ := newTestLog(t, testConfig())
	follower, _ := newTestLog(t, testConfig())
	for i := 0; i < 5; i++ {
		leader.AppendAsLeader(batchOf(3, 1), 7)
	}
	fd, _ := leader.Read(0, 1<<20, leader.LogEndOffset(), true)
	data, _ := fd.Slice.ReadAll()
	info, err := follower.AppendAsFollower(data)
	if err != nil || info.FirstOffset != 0 || info.LastOffset != 14 || follower.LogEndOffset() != 15 {
		t.Fatalf("%+v %v", info, err)
	}
	if _, err := follower.AppendAsFollower(data); !errors.Is(err, ErrInvalidRecord) {
		t.Fatalf("re-appending old offsets: %v", err)
	}
	if e := follower.Epochs().Entries(); len(e) != 1 || e[0] != (EpochEntry{7, 0}) {
		t.Fatalf("epochs %v", e)
	}
}

func TestIdempotentProducer(t *testing.T) {
	l, _ := newTestLog(t, testConfig())
	mustAppend(t, l, batchOf(1, 1))
	first := mustAppend(t, l, idemBatch(42, 0, 0, 3))
	// A retry of the same batch: no new offsets, the original ones back.
	info, err := l.AppendAsLeader(idemBatch(42, 0, 0, 3), 0)
	if !errors.Is(err, ErrDuplicateSequence) || !info.Duplicate || info.FirstOffset != first.FirstOffset || info.LastOffset != first.LastOffset {
		t.Fatalf("retry: %+v %v", info, err)
	}
	if l.LogEndOffset() != 4 {
		t.Fatalf("retry was written: LEO %d", l.LogEndOffset())
	}
	mustAppend(t, l, idemBatch(42, 0, 3, 2))
	if _, err := l.AppendAsLeader(idemBatch(42, 0, 9, 1), 0); !errors.Is(err, ErrOutOfOrderSequence) {
		t.Fatalf("gap: %v", err)
	}
	if _, err := l.AppendAsLeader(idemBatch(43, 0, 5, 1), 0); !errors.Is(err, ErrUnknownProducerID) {
		t.Fatalf("unknown: %v", err)
	}
	mustAppend(t, l, idemBatch(42, 1, 0, 1)) // epoch bump restarts at 0
	if _, err := l.AppendAsLeader(idemBatch(42, 0, 5, 1), 0); !errors.Is(err, ErrInvalidProducerEpoch) {
		t.Fatalf("fenced: %v", err)
	}
	if _, err := l.AppendAsLeader(idemBatch(42, 2, 3, 1), 0); !errors.Is(err, ErrOutOfOrderSequence) {
		t.Fatalf("new epoch, seq != 0: %v", err)
	}
	// The state survives a restart (rebuilt from batch headers).
	dir := filepath.Dir(l.Dir())
	l.Close()
	l2 := openTestLog(t, dir, testConfig(), logOptions{cleanShutdown: true, logStartOffset: -1})
	defer l2.Close()
	if _, err := l2.AppendAsLeader(idemBatch(42, 1, 0, 1), 0); !errors.Is(err, ErrDuplicateSequence) {
		t.Fatalf("retry after restart: %v", err)
	}
	if _, err := l2.AppendAsLeader(idemBatch(42, 1, 1, 1), 0); err != nil {
		t.Fatalf("next after restart: %v", err)
	}
}

func TestOffsetForTimestamp(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = 1024
	l, _ := newTestLog(t, cfg)
	for i := 0; i < 50; i++ {
		mustAppend(t, l, BuildBatch([]Record{{Value: []byte("a"), Timestamp: int64(1000 + 10*i)}, {Value: []byte("b"), Timestamp: int64(1005 + 10*i)}}))
	}
	for _, c := range []struct{ ts, off, got int64 }{{0, 0, 1000}, {1000, 0, 1000}, {1001, 1, 1005}, {1006, 2, 1010}, {1490, 98, 1490}, {1495, 99, 1495}} {
		off, ts, ok, err := l.OffsetForTimestamp(c.ts)
		if err != nil || !ok || off != c.off || ts != c.got {
			t.Errorf("OffsetForTimestamp(%d) = %d,%d,%v,%v want %d,%d", c.ts, off, ts, ok, err, c.off, c.got)
		}
	}
	if _, _, ok, _ := l.OffsetForTimestamp(1496); ok {
		t.Error("found an offset after the last timestamp")
	}
	if off, _, _, _ := l.OffsetForTimestamp(-2); off != 0 {
		t.Error("earliest")
	}
	if off, _, _, _ := l.OffsetForTimestamp(-1); off != 100 {
		t.Error("latest")
	}
}

func TestRetention(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = 1024
	l, _ := newTestLog(t, cfg)
	// Background flushes of rolled segments read the clock too, so the
	// test's clock is atomic.
	now := time.Now()
	var clock atomic.Int64
	clock.Store(now.UnixNano())
	l.now = func() time.Time { return time.Unix(0, clock.Load()) }
	old := now.Add(-48 * time.Hour).UnixMilli()
	for i := 0; i < 20; i++ {
		mustAppend(t, l, batchOf(5, old))
	}
	for i := 0; i < 20; i++ {
		mustAppend(t, l, batchOf(5, now.UnixMilli()))
	}
	segs := l.NumSegments()
	cfg.RetentionMs = 24 * 3600 * 1000
	l.UpdateConfig(cfg)
	// Nothing goes before the high watermark covers it.
	if n, _ := l.DeleteOldSegments(); n != 0 {
		t.Fatalf("deleted %d segments above the HW", n)
	}
	l.SetHighWatermark(l.LogEndOffset())
	n, err := l.DeleteOldSegments()
	if err != nil || n == 0 || l.NumSegments() != segs-n {
		t.Fatalf("time retention deleted %d of %d: %v", n, segs, err)
	}
	if l.LogStartOffset() == 0 || l.LogStartOffset() > 100 {
		t.Fatalf("log start %d", l.LogStartOffset())
	}
	if _, err := l.Read(0, 100, 1000, true); !errors.Is(err, ErrOffsetOutOfRange) {
		t.Fatal("deleted offsets still readable")
	}
	// Size retention: oldest segments go while the excess over
	// retention.bytes is at least the oldest segment's size.
	cfg.RetentionBytes = 2048
	l.UpdateConfig(cfg)
	l.DeleteOldSegments()
	if l.Size()-cfg.RetentionBytes >= 987 || l.Size() < cfg.RetentionBytes {
		t.Fatalf("size %d after size retention", l.Size())
	}
	// Deleted segment files are gone (file.delete.delay.ms = 0).
	waitFor(t, 60*time.Second, func() bool {
		m, _ := filepath.Glob(filepath.Join(l.Dir(), "*.deleted"))
		return len(m) == 0
	})
	// Everything old: a new empty active segment is rolled, never zero segments.
	cfg.RetentionMs = 0
	l.UpdateConfig(cfg)
	clock.Add(int64(time.Hour))
	l.DeleteOldSegments()
	if l.NumSegments() != 1 || l.LogStartOffset() != l.LogEndOffset() || l.LogEndOffset() != 200 {
		t.Fatalf("segments %d start %d end %d", l.NumSegments(), l.LogStartOffset(), l.LogEndOffset())
	}
}

func TestDeleteRecords(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = 1024
	l, _ := newTestLog(t, cfg)
	for i := 0; i < 40; i++ {
		mustAppend(t, l, batchOf(5, 1))
	}
	if err := l.IncrementLogStartOffset(1000); !errors.Is(err, ErrOffsetOutOfRange) {
		t.Fatal(err)
	}
	segs := l.NumSegments()
	if err := l.IncrementLogStartOffset(103); err != nil {
		t.Fatal(err)
	}
	if l.LogStartOffset() != 103 || l.NumSegments() >= segs {
		t.Fatalf("start %d segments %d/%d", l.LogStartOffset(), l.NumSegments(), segs)
	}
	if _, err := l.Read(102, 100, 1000, true); !errors.Is(err, ErrOffsetOutOfRange) {
		t.Fatal("read below the log start offset")
	}
	if fd, err := l.Read(103, 100, 1000, true); err != nil || fd.FirstBatchOffset != 100 {
		t.Fatalf("%+v %v", fd, err)
	}
}

func TestReopenCleanKeepsEverything(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = 2048
	l, dir := newTestLog(t, cfg)
	for i := 0; i < 50; i++ {
		mustAppend(t, l, batchOf(3, int64(i)))
	}
	want := readAll(t, l, 0)
	l.Close()
	l2 := openTestLog(t, dir, cfg, logOptions{cleanShutdown: true, logStartOffset: -1})
	defer l2.Close()
	if l2.LogEndOffset() != 150 {
		t.Fatalf("LEO %d", l2.LogEndOffset())
	}
	got := readAll(t, l2, 0)
	if len(got) != len(want) {
		t.Fatalf("%d batches, want %d", len(got), len(want))
	}
	if info := mustAppend(t, l2, batchOf(1, 1)); info.FirstOffset != 150 {
		t.Fatal(info)
	}
}

func TestRecoveryRebuildsIndexes(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = 2048
	l, dir := newTestLog(t, cfg)
	for i := 0; i < 50; i++ {
		mustAppend(t, l, batchOf(3, int64(i)))
	}
	l.Close()
	// Delete and corrupt index files: recovery rebuilds them.
	idx, _ := filepath.Glob(filepath.Join(dir, "test-0", "*.index"))
	os.Remove(idx[0])
	os.WriteFile(idx[1], []byte{1, 2, 3}, 0o644)
	l2 := openTestLog(t, dir, cfg, logOptions{cleanShutdown: false, logStartOffset: -1})
	defer l2.Close()
	if l2.LogEndOffset() != 150 || len(readAll(t, l2, 0)) != 50 {
		t.Fatalf("LEO %d", l2.LogEndOffset())
	}
	for off := int64(0); off < 150; off += 7 {
		fd, err := l2.Read(off, 1, 150, true)
		if err != nil || fd.FirstBatchOffset != off/3*3 {
			t.Fatalf("Read(%d) = %+v, %v", off, fd, err)
		}
	}
}

func TestRollOnSegmentMs(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentMs = 1000
	l, _ := newTestLog(t, cfg)
	mustAppend(t, l, batchOf(1, 10_000))
	mustAppend(t, l, batchOf(1, 10_500)) // 500 ms after the first batch: same segment
	if l.NumSegments() != 1 {
		t.Fatalf("%d segments", l.NumSegments())
	}
	mustAppend(t, l, batchOf(1, 11_001)) // more than segment.ms after the first batch
	if l.NumSegments() != 2 {
		t.Fatalf("%d segments, want a roll after segment.ms", l.NumSegments())
	}
}

func TestFlushMessagesAdvancesRecoveryPoint(t *testing.T) {
	cfg := testConfig()
	cfg.FlushMessages = 4
	l, _ := newTestLog(t, cfg)
	mustAppend(t, l, batchOf(3, 1))
	if l.RecoveryPoint() != 0 {
		t.Fatalf("recovery point %d before flush.messages", l.RecoveryPoint())
	}
	mustAppend(t, l, batchOf(3, 1))
	if l.RecoveryPoint() != 6 {
		t.Fatalf("recovery point %d after flush.messages", l.RecoveryPoint())
	}
}

func TestPreallocatedSegmentsAreTrimmedAndRecovered(t *testing.T) {
	cfg := testConfig()
	cfg.Preallocate = true
	l, dir := newTestLog(t, cfg)
	for i := 0; i < 5; i++ {
		mustAppend(t, l, batchOf(2, 1))
	}
	seg := filepath.Join(l.Dir(), SegmentFileName(0, LogFileSuffix))
	if st, _ := os.Stat(seg); st.Size() != cfg.SegmentBytes {
		t.Fatalf("active segment is %d bytes, want preallocated %d", st.Size(), cfg.SegmentBytes)
	}
	// A crash leaves the zero-filled tail: recovery cuts it, keeps the data.
	crashed := filepath.Join(t.TempDir(), "test-0")
	copyDir(t, l.Dir(), crashed)
	rl := openTestLog(t, filepath.Dir(crashed), cfg, logOptions{cleanShutdown: false, logStartOffset: -1})
	if rl.LogEndOffset() != 10 {
		t.Fatalf("recovered LEO %d", rl.LogEndOffset())
	}
	rl.Close()
	// A clean close trims the file to its data.
	size := l.Size()
	l.Close()
	if st, _ := os.Stat(seg); st.Size() != size {
		t.Fatalf("closed segment is %d bytes, want %d", st.Size(), size)
	}
	_ = dir
}

func TestTimestampDifferenceChecksEveryRecord(t *testing.T) {
	cfg := testConfig()
	cfg.MessageTimestampDifferenceMaxMs = 60_000
	l, _ := newTestLog(t, cfg)
	now := time.Now().UnixMilli()
	// The first and max timestamps are fine; the middle record is a day old.
	b := BuildBatch([]Record{{Value: []byte("a"), Timestamp: now}, {Value: []byte("b"), Timestamp: now - 86400000}, {Value: []byte("c"), Timestamp: now + 1}})
	if _, err := l.AppendAsLeader(b, 0); !errors.Is(err, ErrInvalidTimestamp) {
		t.Fatalf("err = %v", err)
	}
}
