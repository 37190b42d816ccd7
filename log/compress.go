package log

import (
	"bytes"
	"encoding/binary"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// Compression is used only by the cleaner: when it rebuilds a batch of
// which some records were removed, it re-compresses the survivors with
// the batch's original codec, as Kafka's cleaner does (the append path
// never compresses or decompresses). Each codec writes what Kafka 2.8's
// Java encoders write, so every client reads the result:
//
//	gzip    a gzip member at the default level (GZIPOutputStream)
//	snappy  snappy-java's xerial framing (SnappyOutputStream): the 8-byte
//	        magic, version 1, compatible version 1, then blocks of at most
//	        32 KB, each an int32 length and a raw snappy block (s2 in
//	        snappy mode, which any snappy decoder reads)
//	lz4     an LZ4 frame with 64 KB independent blocks and no content
//	        checksum (KafkaLZ4BlockOutputStream)
//	zstd    one zstd frame at the default level (zstd-jni's level 3)

// xerialBlockSize is snappy-java's default block size.
const xerialBlockSize = 32 << 10

// compressRecords compresses an encoded records section with codec.
func compressRecords(codec int, data []byte) ([]byte, error) {
	switch codec {
	case CompressionNone:
		return data, nil
	case CompressionGzip:
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	case CompressionSnappy:
		out := make([]byte, 0, len(xerialHeader)+8+s2.MaxEncodedLen(len(data))+4*(len(data)/xerialBlockSize+1))
		out = append(out, xerialHeader...)
		out = binary.BigEndian.AppendUint32(out, 1) // version
		out = binary.BigEndian.AppendUint32(out, 1) // compatible version
		for len(data) > 0 {
			n := min(len(data), xerialBlockSize)
			at := len(out)
			out = append(out, 0, 0, 0, 0)
			block := s2.EncodeSnappy(out[len(out):cap(out)], data[:n])
			binary.BigEndian.PutUint32(out[at:], uint32(len(block)))
			out = out[:len(out)+len(block)]
			data = data[n:]
		}
		return out, nil
	case CompressionLZ4:
		var buf bytes.Buffer
		w := lz4.NewWriter(&buf)
		if err := w.Apply(lz4.BlockSizeOption(lz4.Block64Kb), lz4.ChecksumOption(false), lz4.ConcurrencyOption(1)); err != nil {
			return nil, err
		}
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	case CompressionZstd:
		return zstdEnc().EncodeAll(data, nil), nil
	}
	return nil, invalidf("unknown compression codec %d", codec)
}

var zstdEnc = sync.OnceValue(func() *zstd.Encoder {
	e, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		panic(err)
	}
	return e
})

// recompressBatch turns an uncompressed batch into one whose records
// section is compressed with codec: the header is kept except for the
// codec bits, batchLength and the CRC.
func recompressBatch(plain []byte, codec int) ([]byte, error) {
	if codec == CompressionNone {
		return plain, nil
	}
	z, err := compressRecords(codec, plain[BatchHeaderSize:])
	if err != nil {
		return nil, err
	}
	out := make([]byte, BatchHeaderSize, BatchHeaderSize+len(z))
	copy(out, plain[:BatchHeaderSize])
	out = append(out, z...)
	binary.BigEndian.PutUint32(out[offBatchLength:], uint32(len(out)-batchOverhead))
	attrs := binary.BigEndian.Uint16(out[offAttributes:])&^attrCompressionMask | uint16(codec)
	binary.BigEndian.PutUint16(out[offAttributes:], attrs)
	binary.BigEndian.PutUint32(out[offCRC:], computeCRC(out))
	return out, nil
}
