package log

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"
)

func fuzzSeeds() [][]byte {
	good := batchOf(3, 1000)
	maxLen := append([]byte(nil), good...)
	binary.BigEndian.PutUint32(maxLen[offBatchLength:], 0x7fffffff)
	zeroLen := make([]byte, 61)
	gz := append(append([]byte(nil), good...), []byte("garbage after a valid batch")...)
	twoGood := append(append([]byte(nil), good...), batchOf(1, 5)...)
	badOffset := append([]byte(nil), good...)
	binary.BigEndian.PutUint64(badOffset, 1<<62)
	return [][]byte{nil, {}, zeroLen, maxLen, good, twoGood, gz, good[:40], badOffset, keyedBatch(1, "k", "<nil>")}
}

// FuzzValidateBatch feeds arbitrary bytes to the append validation.
// Invariants: it never panics; when it accepts the input, the input is a
// whole number of batches with valid CRCs, each batch's records decode
// without error, and an append of it stores exactly those bytes apart
// from the base offset and leader epoch.
func FuzzValidateBatch(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	cfg := DefaultConfig()
	cfg.SegmentIndexBytes = 4096
	f.Fuzz(func(t *testing.T, data []byte) {
		sum, err := validate(data, cfg, true, time.Now().UnixMilli())
		if err != nil {
			if !isCorruption(err) && !errorsIs(err, ErrRecordTooLarge) && !errorsIs(err, ErrRecordListTooLarge) && !errorsIs(err, ErrInvalidTimestamp) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		n := 0
		for b := range Batches(data) {
			if !ValidBatchCRC(b.Raw) {
				t.Fatal("accepted a batch with a bad CRC")
			}
			if _, err := b.Records(); err != nil {
				t.Fatalf("accepted a batch whose records do not decode: %v", err)
			}
			n += b.Size()
		}
		if n != len(data) || (sum.batches == 0) != (len(data) == 0) {
			t.Fatalf("accepted %d bytes but batches cover %d", len(data), n)
		}
		if len(data) == 0 {
			return
		}
		l, err := openLog(filepath.Join(t.TempDir(), "t-0"), TopicPartition{"t", 0}, cfg, logOptions{cleanShutdown: true, logStartOffset: -1, lg: zap.NewNop()})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		in := append([]byte(nil), data...)
		if _, err := l.AppendAsLeader(in, -1); err != nil {
			t.Fatalf("validated input failed to append: %v", err)
		}
		stored, _ := os.ReadFile(filepath.Join(l.Dir(), SegmentFileName(0, LogFileSuffix)))
		if !bytes.Equal(stored, in) {
			t.Fatal("stored bytes differ from the appended ones")
		}
	})
}

// FuzzRecoverTail appends arbitrary bytes to a segment holding three
// good batches and recovers it. Invariants: the three batches survive
// byte for byte; whatever else is kept is a sequence of valid batches
// with increasing offsets; a second recovery cuts nothing.
func FuzzRecoverTail(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tail []byte) {
		dir := t.TempDir()
		cfg := testConfig()
		o := logOptions{cleanShutdown: true, logStartOffset: -1, lg: zap.NewNop()}
		l, err := openLog(filepath.Join(dir, "t-0"), TopicPartition{"t", 0}, cfg, o)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			if _, err := l.AppendAsLeader(batchOf(2, 1), -1); err != nil {
				t.Fatal(err)
			}
		}
		good := l.Size()
		l.Close()
		seg := filepath.Join(dir, "t-0", SegmentFileName(0, LogFileSuffix))
		before, _ := os.ReadFile(seg)
		fh, _ := os.OpenFile(seg, os.O_WRONLY|os.O_APPEND, 0)
		fh.Write(tail)
		fh.Close()

		o.cleanShutdown = false
		l, err = openLog(filepath.Join(dir, "t-0"), TopicPartition{"t", 0}, cfg, o)
		if err != nil {
			t.Fatal(err)
		}
		leo := l.LogEndOffset()
		size := l.Size()
		l.Close()
		after, _ := os.ReadFile(seg)
		if int64(len(after)) != size || size < good || !bytes.Equal(after[:good], before) {
			t.Fatalf("recovery lost good data: size %d, good %d", size, good)
		}
		last := int64(-1)
		n := 0
		for b := range Batches(after) {
			if !ValidBatchCRC(b.Raw) || b.BaseOffset <= last {
				t.Fatal("recovery kept an invalid or out-of-order batch")
			}
			last = b.LastOffset()
			n += b.Size()
		}
		if n != len(after) || leo != last+1 {
			t.Fatalf("kept bytes are not whole batches (%d of %d) or LEO %d != %d", n, len(after), leo, last+1)
		}
		l, err = openLog(filepath.Join(dir, "t-0"), TopicPartition{"t", 0}, cfg, o)
		if err != nil {
			t.Fatal(err)
		}
		if l.Size() != size {
			t.Fatal("second recovery changed the log")
		}
		l.Close()
	})
}
