package log

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// Header is one record header. A nil Value is a null header value.
type Header struct {
	Key   string
	Value []byte
}

// Record is one decoded record. Key and Value alias the batch (or its
// decompressed copy); a nil Key/Value is null (a nil Value is a tombstone).
type Record struct {
	Attributes  int8
	Offset      int64 // absolute: batch base offset + offset delta
	Timestamp   int64 // CreateTime, or the batch max timestamp under LogAppendTime
	Key         []byte
	Value       []byte
	Headers     []Header
	Sequence    int32 // base sequence + offset delta, or -1
	SizeInBytes int   // encoded size including its length varint
}

// Records decodes every record of the batch, decompressing it first when
// needed (gzip, snappy, lz4, zstd). It is for the cleaner, the dump tool
// and the group coordinator's loader, never for the append path.
func (b Batch) Records() ([]Record, error) {
	data, err := b.recordsData()
	if err != nil {
		return nil, err
	}
	out := make([]Record, 0, max(0, min(int(b.RecordCount), len(data))))
	for i := 0; i < int(b.RecordCount); i++ {
		r, n, err := decodeRecord(data)
		if err != nil {
			return out, fmt.Errorf("%w (record %d of the batch at offset %d)", err, i, b.BaseOffset)
		}
		data = data[n:]
		r.Offset = b.BaseOffset + r.Offset
		if b.LogAppendTime() {
			r.Timestamp = b.MaxTimestamp
		} else {
			r.Timestamp += b.FirstTimestamp
		}
		if b.BaseSequence >= 0 {
			r.Sequence = incrementSequence(b.BaseSequence, int32(r.Offset-b.BaseOffset))
		} else {
			r.Sequence = -1
		}
		out = append(out, r)
	}
	if len(data) != 0 {
		return out, corruptf("batch at offset %d has %d bytes after its %d records", b.BaseOffset, len(data), b.RecordCount)
	}
	return out, nil
}

// recordsData returns the (decompressed) records section.
func (b Batch) recordsData() ([]byte, error) {
	if len(b.Raw) < BatchHeaderSize {
		return nil, corruptf("batch shorter than its header")
	}
	raw := b.Raw[BatchHeaderSize:]
	switch b.Compression() {
	case CompressionNone:
		return raw, nil
	case CompressionGzip:
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, corruptf("gzip: %v", err)
		}
		out, err := io.ReadAll(zr)
		if err != nil {
			return nil, corruptf("gzip: %v", err)
		}
		return out, nil
	case CompressionSnappy:
		return decodeSnappy(raw)
	case CompressionLZ4:
		out, err := io.ReadAll(lz4.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return nil, corruptf("lz4: %v", err)
		}
		return out, nil
	case CompressionZstd:
		out, err := zstdDecoder().DecodeAll(raw, nil)
		if err != nil {
			return nil, corruptf("zstd: %v", err)
		}
		return out, nil
	}
	return nil, invalidf("batch at offset %d uses unknown compression codec %d", b.BaseOffset, b.Compression())
}

// xerialHeader starts snappy data framed by the Java snappy-java
// SnappyOutputStream, which Kafka's Java producer uses.
var xerialHeader = []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}

func decodeSnappy(raw []byte) ([]byte, error) {
	if !bytes.HasPrefix(raw, xerialHeader) {
		out, err := snappy.Decode(nil, raw)
		if err != nil {
			return nil, corruptf("snappy: %v", err)
		}
		return out, nil
	}
	// Xerial framing: 8-byte magic, 4-byte version, 4-byte compatible
	// version, then blocks of int32 length + raw snappy block.
	if len(raw) < 16 {
		return nil, corruptf("snappy: short xerial header")
	}
	raw = raw[16:]
	var out []byte
	for len(raw) > 0 {
		if len(raw) < 4 {
			return nil, corruptf("snappy: truncated xerial block length")
		}
		n := int(binary.BigEndian.Uint32(raw))
		raw = raw[4:]
		if n < 0 || n > len(raw) {
			return nil, corruptf("snappy: xerial block of %d bytes exceeds the %d left", n, len(raw))
		}
		dec, err := snappy.Decode(nil, raw[:n])
		if err != nil {
			return nil, corruptf("snappy: %v", err)
		}
		out = append(out, dec...)
		raw = raw[n:]
	}
	return out, nil
}

var zstdDec = sync.OnceValue(func() *zstd.Decoder {
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
	if err != nil {
		panic(err)
	}
	return d
})

func zstdDecoder() *zstd.Decoder { return zstdDec() }

// decodeRecord decodes one record from data; Offset and Timestamp are
// still the deltas. It returns the bytes consumed.
func decodeRecord(data []byte) (Record, int, error) {
	var r Record
	length, n := binary.Varint(data)
	if n <= 0 || length < 0 || int64(len(data)-n) < length {
		return r, 0, corruptf("bad record length")
	}
	total := n + int(length)
	body := data[n:total]
	rd := recReader{b: body}
	r.Attributes = int8(rd.byte())
	r.Timestamp = rd.varint()
	r.Offset = rd.varint()
	r.Key = rd.bytes()
	r.Value = rd.bytes()
	hc := rd.varint()
	if hc < 0 || hc > int64(len(body)) {
		return r, 0, corruptf("bad header count %d", hc)
	}
	if hc > 0 {
		r.Headers = make([]Header, 0, hc)
		for i := int64(0); i < hc && rd.err == nil; i++ {
			k := rd.bytes()
			v := rd.bytes()
			if k == nil && rd.err == nil {
				return r, 0, corruptf("null header key")
			}
			r.Headers = append(r.Headers, Header{Key: string(k), Value: v})
		}
	}
	if rd.err != nil {
		return r, 0, rd.err
	}
	if rd.pos != len(body) {
		return r, 0, corruptf("record has %d unused bytes", len(body)-rd.pos)
	}
	r.SizeInBytes = total
	return r, total, nil
}

// recReader reads varints and length-prefixed bytes, remembering the
// first error; it never allocates.
type recReader struct {
	b   []byte
	pos int
	err error
}

func (r *recReader) byte() byte {
	if r.err != nil || r.pos >= len(r.b) {
		r.fail()
		return 0
	}
	c := r.b[r.pos]
	r.pos++
	return c
}

func (r *recReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.pos:])
	if n <= 0 {
		r.fail()
		return 0
	}
	r.pos += n
	return v
}

// bytes reads a varint length (-1 = null) and that many bytes.
func (r *recReader) bytes() []byte {
	l := r.varint()
	if r.err != nil {
		return nil
	}
	if l < 0 {
		if l != -1 {
			r.fail()
		}
		return nil
	}
	if l > int64(len(r.b)-r.pos) {
		r.fail()
		return nil
	}
	out := r.b[r.pos : r.pos+int(l) : r.pos+int(l)]
	r.pos += int(l)
	return out
}

func (r *recReader) skipBytes() (null bool) {
	l := r.varint()
	if r.err != nil {
		return false
	}
	if l < 0 {
		if l != -1 {
			r.fail()
		}
		return true
	}
	if l > int64(len(r.b)-r.pos) {
		r.fail()
		return false
	}
	r.pos += int(l)
	return false
}

func (r *recReader) fail() {
	if r.err == nil {
		r.err = corruptf("record truncated or malformed")
	}
}

// walkRecords checks the framing of an uncompressed records section
// without allocating: exactly count records that fill the section, each
// internally consistent, with offset deltas 0, 1, 2, … when
// sequentialDeltas is set (as every producer writes them). It reports
// whether some record has a null key (refused on compacted topics).
// It is on the append path: one tight loop whose varint reads take the
// one- and two-byte cases inline (nearly every length and delta).
func walkRecords(data []byte, count int32, sequentialDeltas bool) (nullKey bool, err error) {
	i := 0
	for r := int32(0); r < count; r++ {
		length, ni, ok := varint12(data, i)
		if !ok {
			length, ni = varintSlow(data, i)
		}
		if ni < 0 || length < 1 || length > int64(len(data)-ni) {
			return nullKey, invalidf("record %d: bad length", r)
		}
		// Fields are read from data, not data[:end], so that the fast
		// path may peek one byte past a record's last field; every
		// length is checked against end and the record must end exactly
		// at end.
		end := ni + int(length)
		rec := data
		j := ni + 1 // attributes
		var tsd, delta, klen, vlen, hc int64
		if tsd, j, ok = varint12(rec, j); !ok {
			if tsd, j = varintSlow(rec, j); j < 0 {
				return nullKey, invalidf("record %d: malformed varint", r)
			}
		}
		_ = tsd
		if delta, j, ok = varint12(rec, j); !ok {
			if delta, j = varintSlow(rec, j); j < 0 {
				return nullKey, invalidf("record %d: malformed varint", r)
			}
		}
		if klen, j, ok = varint12(rec, j); !ok {
			if klen, j = varintSlow(rec, j); j < 0 {
				return nullKey, invalidf("record %d: malformed varint", r)
			}
		}
		if j < 0 || klen < -1 || klen > int64(end-j) {
			return nullKey, invalidf("record %d: bad key length", r)
		}
		if klen < 0 {
			nullKey = true
		} else {
			j += int(klen)
		}
		if vlen, j, ok = varint12(rec, j); !ok {
			if vlen, j = varintSlow(rec, j); j < 0 {
				return nullKey, invalidf("record %d: malformed varint", r)
			}
		}
		if j < 0 || vlen < -1 || vlen > int64(end-j) {
			return nullKey, invalidf("record %d: bad value length", r)
		}
		if vlen > 0 {
			j += int(vlen)
		}
		if hc, j, ok = varint12(rec, j); !ok {
			if hc, j = varintSlow(rec, j); j < 0 {
				return nullKey, invalidf("record %d: malformed varint", r)
			}
		}
		if j < 0 || hc < 0 || hc > int64(end-j) {
			return nullKey, invalidf("record %d: bad header count", r)
		}
		if sequentialDeltas && delta != int64(r) {
			return nullKey, invalidf("record %d has offset delta %d", r, delta)
		}
		for h := int64(0); h < hc; h++ {
			var hk, hv int64
			hk, j = varintAt(rec, j)
			if j < 0 || hk < 0 || hk > int64(end-j) {
				return nullKey, invalidf("record %d: bad header key", r)
			}
			j += int(hk)
			hv, j = varintAt(rec, j)
			if j < 0 || hv < -1 || hv > int64(end-j) {
				return nullKey, invalidf("record %d: bad header value", r)
			}
			if hv > 0 {
				j += int(hv)
			}
		}
		if j != end {
			return nullKey, invalidf("record %d: %d bytes left inside the record", r, end-j)
		}
		i = end
	}
	if i != len(data) {
		return nullKey, invalidf("%d bytes follow the last of %d records", len(data)-i, count)
	}
	return nullKey, nil
}

// varint12 decodes a one- or two-byte zig-zag varint at b[i] (i >= 0);
// ok is false for anything else (longer, truncated), which varintSlow
// handles.
// Small enough to be inlined.
func varint12(b []byte, i int) (int64, int, bool) {
	if uint(i+1) < uint(len(b)) { // callers never pass i < 0
		c0, c1 := b[i], b[i+1]
		if c0 < 0x80 {
			return int64(c0>>1) ^ -int64(c0&1), i + 1, true
		}
		if c1 < 0x80 {
			u := uint64(c0&0x7f) | uint64(c1)<<7
			return int64(u>>1) ^ -int64(u&1), i + 2, true
		}
	}
	return 0, i, false
}

// varintAt decodes the zig-zag varint at b[i] and returns it with the
// index after it, or a negative index when malformed. The one-byte case,
// nearly every length and delta in practice, stays small enough to be
// inlined into walkRecords.
func varintAt(b []byte, i int) (int64, int) {
	if uint(i) < uint(len(b)) && b[i] < 0x80 {
		c := int64(b[i])
		return c>>1 ^ -(c & 1), i + 1
	}
	return varintSlow(b, i)
}

func varintSlow(b []byte, i int) (int64, int) {
	if i < 0 || i >= len(b) {
		return 0, -1
	}
	if i+1 < len(b) && b[i+1] < 0x80 {
		u := uint64(b[i]&0x7f) | uint64(b[i+1])<<7
		return int64(u>>1) ^ -int64(u&1), i + 2
	}
	v, n := binary.Varint(b[i:])
	if n <= 0 {
		return 0, -1
	}
	return v, i + n
}

// recordTimestampRange returns the smallest and largest record timestamp
// of a well-formed uncompressed records section.
func recordTimestampRange(data []byte, count int32, first int64) (lo, hi int64) {
	lo, hi = first, first
	i := 0
	for r := int32(0); r < count && i >= 0; r++ {
		length, j := varintAt(data, i)
		if j < 0 {
			break
		}
		d, _ := varintAt(data, j+1)
		ts := first + d
		lo, hi = min(lo, ts), max(hi, ts)
		i = j + int(length)
	}
	return lo, hi
}
