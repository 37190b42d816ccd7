package log

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/twmb/franz-go/pkg/kgo"
)

// compressBatch re-encodes an uncompressed batch with its records section
// compressed by codec, as a producer would send it.
func compressBatch(t testing.TB, b []byte, codec int, xerial bool) []byte {
	t.Helper()
	recs := b[BatchHeaderSize:]
	var z []byte
	switch codec {
	case CompressionGzip:
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(recs)
		w.Close()
		z = buf.Bytes()
	case CompressionSnappy:
		block := snappy.Encode(nil, recs)
		if !xerial {
			z = block
			break
		}
		z = append([]byte(nil), xerialHeader...)
		z = binary.BigEndian.AppendUint32(z, 1)
		z = binary.BigEndian.AppendUint32(z, 1)
		z = binary.BigEndian.AppendUint32(z, uint32(len(block)))
		z = append(z, block...)
	case CompressionLZ4:
		var buf bytes.Buffer
		w := lz4.NewWriter(&buf)
		w.Write(recs)
		w.Close()
		z = buf.Bytes()
	case CompressionZstd:
		enc, _ := zstd.NewWriter(nil)
		z = enc.EncodeAll(recs, nil)
	}
	out := append(append([]byte(nil), b[:BatchHeaderSize]...), z...)
	binary.BigEndian.PutUint32(out[offBatchLength:], uint32(len(out)-batchOverhead))
	binary.BigEndian.PutUint16(out[offAttributes:], binary.BigEndian.Uint16(out[offAttributes:])|uint16(codec))
	binary.BigEndian.PutUint32(out[offCRC:], computeCRC(out))
	return out
}

// TestCompressedBatches: every codec Kafka clients use is stored as
// received, decodes record by record (the cleaner, ListOffsets, tools and
// the group loader need that), and answers timestamp lookups.
func TestCompressedBatches(t *testing.T) {
	for _, c := range []struct {
		name   string
		codec  int
		xerial bool
	}{{"gzip", CompressionGzip, false}, {"snappy", CompressionSnappy, false}, {"snappy-xerial", CompressionSnappy, true},
		{"lz4", CompressionLZ4, false}, {"zstd", CompressionZstd, false}} {
		t.Run(c.name, func(t *testing.T) {
			l, _ := newTestLog(t, testConfig())
			plain := BuildBatch([]Record{{Key: []byte("a"), Value: []byte("one"), Timestamp: 100},
				{Key: []byte("b"), Value: []byte("two"), Timestamp: 200, Headers: []Header{{Key: "h", Value: []byte("v")}}}})
			z := compressBatch(t, plain, c.codec, c.xerial)
			sent := append([]byte(nil), z...)
			mustAppend(t, l, z)
			got := readAll(t, l, 0)
			if len(got) != 1 || !bytes.Equal(got[0].Raw[offMagic:], sent[offMagic:]) || got[0].Compression() != c.codec {
				t.Fatal("compressed batch not stored as received")
			}
			recs, err := got[0].Records()
			if err != nil || len(recs) != 2 || string(recs[1].Value) != "two" || recs[1].Offset != 1 || recs[1].Headers[0].Key != "h" {
				t.Fatalf("records %+v, %v", recs, err)
			}
			if off, ts, ok, err := l.OffsetForTimestamp(150); err != nil || !ok || off != 1 || ts != 200 {
				t.Fatalf("OffsetForTimestamp(150) = %d %d %v %v", off, ts, ok, err)
			}
		})
	}
}

// A compressed batch whose payload does not decompress is refused on a
// compacted topic (the only append path that decompresses) and reported
// as corrupt by Records.
func TestCorruptCompressedPayload(t *testing.T) {
	plain := BuildBatch([]Record{{Key: []byte("a"), Value: []byte("one"), Timestamp: 1}})
	z := compressBatch(t, plain, CompressionGzip, false)
	z[len(z)-3] ^= 0xff
	binary.BigEndian.PutUint32(z[offCRC:], computeCRC(z))
	h, _ := ParseBatchHeader(z)
	if _, err := (Batch{BatchHeader: h, Raw: z}).Records(); !errors.Is(err, ErrCorruption) {
		t.Fatalf("Records: %v", err)
	}
	cfg := testConfig()
	cfg.CleanupPolicy = "compact"
	l, _ := newTestLog(t, cfg)
	if _, err := l.AppendAsLeader(z, 0); !errors.Is(err, ErrInvalidRecord) {
		t.Fatalf("append: %v", err)
	}
}

// TestRecompressRoundTrip: what the cleaner writes for each codec
// decodes, with the stock decoders the log and clients use, back to the
// same records, and the header keeps everything but the codec bits,
// length and CRC.
func TestRecompressRoundTrip(t *testing.T) {
	var recs []Record
	for i := 0; i < 3000; i++ { // > 64 KB, so snappy and lz4 write several blocks
		recs = append(recs, Record{Key: fmt.Appendf(nil, "key-%d", i%97), Value: bytes.Repeat([]byte{byte(i)}, 40), Timestamp: int64(1000 + i),
			Headers: []Header{{Key: "h", Value: []byte("v")}}})
	}
	recs[7].Value = nil // a tombstone
	plain := BuildBatchWith(BatchOptions{BaseOffset: 500, PartitionLeaderEpoch: 3, ProducerID: 9, ProducerEpoch: 1, BaseSequence: 40}, recs)
	want, err := (Batch{BatchHeader: mustHeader(t, plain), Raw: plain}).Records()
	if err != nil {
		t.Fatal(err)
	}
	for _, codec := range []int{CompressionGzip, CompressionSnappy, CompressionLZ4, CompressionZstd} {
		t.Run(compressionName(codec), func(t *testing.T) {
			z, err := recompressBatch(plain, codec)
			if err != nil {
				t.Fatal(err)
			}
			h, err := checkBatch(z)
			if err != nil || h.Size() != len(z) || h.Compression() != codec {
				t.Fatalf("header %+v, %v", h, err)
			}
			if len(z) >= len(plain) {
				t.Fatalf("%d compressed bytes for %d plain", len(z), len(plain))
			}
			ph := mustHeader(t, plain)
			ph.BatchLength, ph.CRC, ph.Attributes = h.BatchLength, h.CRC, h.Attributes
			if ph != h {
				t.Fatalf("header changed: %+v, want %+v", h, ph)
			}
			// A real client's decoder (franz-go's) reads it too.
			if d, err := kgo.DefaultDecompressor().Decompress(z[BatchHeaderSize:], kgo.CompressionCodecType(codec)); err != nil || !bytes.Equal(d, plain[BatchHeaderSize:]) {
				t.Fatalf("franz-go decompression: %d bytes, %v", len(d), err)
			}
			got, err := (Batch{BatchHeader: h, Raw: z}).Records()
			if err != nil || len(got) != len(want) {
				t.Fatalf("%d records, %v", len(got), err)
			}
			for i := range want {
				g, w := got[i], want[i]
				if g.Offset != w.Offset || g.Timestamp != w.Timestamp || !bytes.Equal(g.Key, w.Key) || !bytes.Equal(g.Value, w.Value) ||
					(g.Value == nil) != (w.Value == nil) || g.Sequence != w.Sequence || len(g.Headers) != 1 {
					t.Fatalf("record %d: %+v, want %+v", i, g, w)
				}
			}
		})
	}
	if z, _ := recompressBatch(plain, CompressionSnappy); !bytes.HasPrefix(z[BatchHeaderSize:], xerialHeader) {
		t.Fatal("snappy is not in snappy-java's xerial framing")
	}
}

func mustHeader(t *testing.T, b []byte) BatchHeader {
	t.Helper()
	h, err := ParseBatchHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
