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
		sum, err := validate(data, newLiveConfig(cfg), true, time.Now().UnixMilli())
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

// FuzzRecordFraming wraps arbitrary bytes as the records section of an
// uncompressed batch with a valid CRC, so the fuzzer reaches the record
// walk that random bytes never get past the CRC to. Invariant: the
// allocation-free walk accepts exactly what the full decoder decodes into
// count records with offset deltas 0..count-1, and agrees on null keys.
func FuzzRecordFraming(f *testing.F) {
	good := batchOf(3, 1000)
	f.Add(good[BatchHeaderSize:], int32(3))
	f.Add(keyedBatch(1, "k", "<nil>", "", "v")[BatchHeaderSize:], int32(2))
	f.Add(BuildBatch([]Record{{Key: nil, Value: nil, Headers: []Header{{Key: "h", Value: nil}}}})[BatchHeaderSize:], int32(1))
	f.Add([]byte{}, int32(0))
	f.Add([]byte{2, 0, 0}, int32(1))
	f.Fuzz(func(t *testing.T, records []byte, count int32) {
		if count < 0 || count > 1000 {
			return
		}
		b := BuildBatchWith(BatchOptions{PartitionLeaderEpoch: -1, ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}, nil)
		b = append(b[:BatchHeaderSize], records...)
		binary.BigEndian.PutUint32(b[offBatchLength:], uint32(len(b)-batchOverhead))
		binary.BigEndian.PutUint32(b[offRecordCount:], uint32(count))
		binary.BigEndian.PutUint32(b[offCRC:], computeCRC(b))
		h, err := ParseBatchHeader(b)
		if err != nil {
			t.Fatal(err)
		}
		nullKey, walkErr := walkRecords(records, count, true)
		recs, decErr := (Batch{BatchHeader: h, Raw: b}).Records()
		decOK := decErr == nil
		if decOK {
			for i, r := range recs {
				if r.Offset != int64(i) {
					decOK = false
				}
			}
		}
		if (walkErr == nil) != decOK {
			t.Fatalf("walk error %v, decode error %v (records %d)", walkErr, decErr, len(recs))
		}
		if walkErr == nil {
			anyNull := false
			for _, r := range recs {
				anyNull = anyNull || r.Key == nil
			}
			if anyNull != nullKey {
				t.Fatalf("null key: walk %v, decode %v", nullKey, anyNull)
			}
		}
	})
}
