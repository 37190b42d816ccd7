package group

// A minimal magic-2 record batch codec for the coordinator's own records.
//
// TEMPORARY: the log package's BuildBatch and record iterator (DESIGN.md,
// issue 4) replace this once they land; until then the coordinator encodes
// its uncompressed batches itself. Compressed batches never occur in
// __consumer_offsets written by gokafka (the coordinator writes them
// uncompressed and the cleaner keeps a batch's codec), so decodeBatch
// rejects them.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// record is one key/value of a batch; a nil value is a tombstone.
type record struct {
	key, value []byte
}

const batchHeaderLen = 61

// buildBatch encodes recs as one uncompressed v2 batch with CreateTime ts,
// base offset 0, no producer id (Kafka's coordinator writes exactly this).
func buildBatch(ts int64, recs []record) []byte {
	b := make([]byte, batchHeaderLen, 256)
	for i, r := range recs {
		var body []byte
		body = append(body, 0)                              // attributes
		body = binary.AppendVarint(body, 0)                 // timestamp delta
		body = binary.AppendVarint(body, int64(i))          // offset delta
		body = binary.AppendVarint(body, int64(len(r.key))) // key
		body = append(body, r.key...)
		if r.value == nil {
			body = binary.AppendVarint(body, -1)
		} else {
			body = binary.AppendVarint(body, int64(len(r.value)))
			body = append(body, r.value...)
		}
		body = binary.AppendVarint(body, 0) // headers
		b = binary.AppendVarint(b, int64(len(body)))
		b = append(b, body...)
	}
	be := binary.BigEndian
	be.PutUint64(b[0:], 0)                    // base offset
	be.PutUint32(b[8:], uint32(len(b)-12))    // batch length
	be.PutUint32(b[12:], 0xffffffff)          // partition leader epoch -1
	b[16] = 2                                 // magic
	be.PutUint16(b[21:], 0)                   // attributes
	be.PutUint32(b[23:], uint32(len(recs)-1)) // last offset delta
	be.PutUint64(b[27:], uint64(ts))          // first timestamp
	be.PutUint64(b[35:], uint64(ts))          // max timestamp
	be.PutUint64(b[43:], 0xffffffffffffffff)  // producer id -1
	be.PutUint16(b[51:], 0xffff)              // producer epoch -1
	be.PutUint32(b[53:], 0xffffffff)          // base sequence -1
	be.PutUint32(b[57:], uint32(len(recs)))   // record count
	be.PutUint32(b[17:], crc32.Checksum(b[21:], castagnoli))
	return b
}

var errBadBatch = errors.New("group: malformed record batch in " + OffsetsTopic)

// decodeBatches calls fn for every record of every batch in buf with the
// record's absolute offset; control batches are skipped.
func decodeBatches(buf []byte, fn func(offset int64, key, value []byte) error) error {
	be := binary.BigEndian
	for len(buf) > 0 {
		if len(buf) < 12 {
			return errBadBatch
		}
		n := int(be.Uint32(buf[8:])) + 12
		if n < batchHeaderLen || n > len(buf) {
			return errBadBatch
		}
		b := buf[:n]
		buf = buf[n:]
		if b[16] != 2 {
			return fmt.Errorf("%w: magic %d", errBadBatch, b[16])
		}
		attrs := be.Uint16(b[21:])
		if attrs&0x07 != 0 {
			return fmt.Errorf("%w: compressed batch (codec %d)", errBadBatch, attrs&7)
		}
		if attrs&0x20 != 0 { // control batch (transaction markers)
			continue
		}
		base := int64(be.Uint64(b[0:]))
		count := int(be.Uint32(b[57:]))
		p := b[batchHeaderLen:]
		for i := 0; i < count; i++ {
			l, k := binary.Varint(p)
			if k <= 0 || l < 0 || int(l) > len(p)-k {
				return errBadBatch
			}
			rec := p[k : k+int(l)]
			p = p[k+int(l):]
			if len(rec) == 0 {
				return errBadBatch
			}
			rec = rec[1:] // attributes
			var off int64
			for j := 0; j < 2; j++ { // timestamp delta, offset delta
				v, m := binary.Varint(rec)
				if m <= 0 {
					return errBadBatch
				}
				off = v
				rec = rec[m:]
			}
			key, rest, ok := varBytes(rec)
			if !ok {
				return errBadBatch
			}
			value, _, ok := varBytes(rest)
			if !ok {
				return errBadBatch
			}
			if err := fn(base+off, key, value); err != nil {
				return err
			}
		}
	}
	return nil
}

// varBytes reads a varint-length-prefixed byte string (-1 = nil).
func varBytes(p []byte) (v, rest []byte, ok bool) {
	l, k := binary.Varint(p)
	if k <= 0 {
		return nil, nil, false
	}
	p = p[k:]
	if l < 0 {
		return nil, p, true
	}
	if int(l) > len(p) {
		return nil, nil, false
	}
	return p[:l:l], p[l:], true
}
