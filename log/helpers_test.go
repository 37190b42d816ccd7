package log

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
)

// testConfig is a small-segment configuration so tests roll often.
func testConfig() Config {
	c := DefaultConfig()
	c.SegmentBytes = 64 * 1024
	c.IndexIntervalBytes = 256
	c.SegmentIndexBytes = 4096
	c.FileDeleteDelayMs = 0
	return c
}

func openTestLog(t testing.TB, dir string, cfg Config, o logOptions) *Log {
	t.Helper()
	if o.lg == nil {
		o.lg = zaptest.NewLogger(t)
	}
	l, err := openLog(filepath.Join(dir, "test-0"), TopicPartition{"test", 0}, cfg, o)
	if err != nil {
		t.Fatalf("openLog: %v", err)
	}
	return l
}

func newTestLog(t testing.TB, cfg Config) (*Log, string) {
	t.Helper()
	dir := t.TempDir()
	l := openTestLog(t, dir, cfg, logOptions{cleanShutdown: true, logStartOffset: -1})
	t.Cleanup(func() { l.Close() })
	return l, dir
}

// batchOf builds an uncompressed batch of n records "k<i>"/"v<i>" with
// the given timestamp.
func batchOf(n int, ts int64) []byte {
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = Record{Key: []byte(fmt.Sprintf("k%d", i)), Value: []byte(fmt.Sprintf("value-%d", i)), Timestamp: ts}
	}
	return BuildBatch(recs)
}

func keyedBatch(ts int64, kv ...string) []byte {
	var recs []Record
	for i := 0; i+1 < len(kv); i += 2 {
		r := Record{Key: []byte(kv[i]), Timestamp: ts}
		if kv[i+1] != "<nil>" {
			r.Value = []byte(kv[i+1])
		}
		recs = append(recs, r)
	}
	return BuildBatch(recs)
}

func idemBatch(pid int64, epoch int16, seq int32, n int) []byte {
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = Record{Value: []byte("x"), Timestamp: time.Now().UnixMilli()}
	}
	return BuildBatchWith(BatchOptions{PartitionLeaderEpoch: -1, ProducerID: pid, ProducerEpoch: epoch, BaseSequence: seq}, recs)
}

func mustAppend(t testing.TB, l *Log, b []byte) AppendInfo {
	t.Helper()
	info, err := l.AppendAsLeader(b, 0)
	if err != nil {
		t.Fatalf("AppendAsLeader: %v", err)
	}
	return info
}

// readAll returns every batch from offset up to the LEO.
func readAll(t testing.TB, l *Log, from int64) []Batch {
	t.Helper()
	var out []Batch
	for off := from; off < l.LogEndOffset(); {
		fd, err := l.Read(off, 1<<20, l.LogEndOffset(), true)
		if err != nil {
			t.Fatalf("Read(%d): %v", off, err)
		}
		if fd.Slice.Size == 0 {
			break
		}
		data, err := fd.Slice.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for b := range Batches(data) {
			cp := append([]byte(nil), b.Raw...)
			out = append(out, Batch{BatchHeader: b.BatchHeader, Raw: cp})
			off = b.LastOffset() + 1
			n++
		}
		if n == 0 {
			t.Fatalf("Read(%d) returned %d bytes without a complete batch", off, len(data))
		}
	}
	return out
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
