package broker

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Zero-copy Fetch responses.
//
// kmsg encodes a partition's records inline, which would mean reading every
// fetched byte from the page cache into the heap and copying it again into
// the socket. Instead the handler leaves RecordBatches empty for partitions
// whose records come from a log file and attaches a file range to them
// (setRecords). encodeEnvelope then writes everything around the records
// with kbin's append helpers, byte-identical to kmsg's FetchResponse
// encoding for v4-v12 (proved by TestFetchEnvelopeMatchesKmsg for random
// contents), and notes where each file range goes. WriteTo sends the
// envelope pieces through the connection's bufio.Writer and each file range
// with sendfile(2) at an explicit offset, straight from the page cache.
//
// This is the only hand-written encoding in the broker (the issue allows it
// for splicing log file ranges into Fetch responses).

// FetchResult is a Fetch response whose record sets are byte ranges of log
// segment files. It is built by the Fetch handler and written by the
// connection's writer goroutine through WriteFrame (or Len + WriteTo).
//
// Not safe for concurrent use; it is handed from the handler to the writer
// once.
type FetchResult struct {
	Resp *kmsg.FetchResponse

	// ranges[i][j] is the file range of Resp.Topics[i].Partitions[j], zero
	// when the partition's RecordBatches are sent inline.
	ranges [][]fileRange

	encoded bool
	buf     []byte   // the envelope: everything but the file ranges
	splices []splice // where each file range goes into buf, in order
	total   int      // len(buf) + all range sizes
}

// fileRange is a byte range of an open file (a log.FileSlice).
type fileRange struct {
	file *os.File
	pos  int64
	size int32
}

// splice says: after buf[:at], send range r.
type splice struct {
	at int
	r  fileRange
}

// newFetchResult wraps resp; attach file ranges with setRecords.
func newFetchResult(resp *kmsg.FetchResponse) *FetchResult {
	fr := &FetchResult{Resp: resp, ranges: make([][]fileRange, len(resp.Topics))}
	for i := range resp.Topics {
		fr.ranges[i] = make([]fileRange, len(resp.Topics[i].Partitions))
	}
	return fr
}

// setRecords makes the records of Resp.Topics[ti].Partitions[pi] the size
// bytes of f at pos. A zero size leaves the partition's inline
// RecordBatches in place.
func (fr *FetchResult) setRecords(ti, pi int, f *os.File, pos int64, size int32) {
	if size <= 0 || f == nil {
		return
	}
	fr.ranges[ti][pi] = fileRange{file: f, pos: pos, size: size}
	fr.encoded = false
}

// Len returns the size of the response body (everything after the response
// header) that WriteTo writes.
func (fr *FetchResult) Len() int {
	fr.encode()
	return fr.total
}

// WriteFrame writes a complete response frame: the int32 size, the
// response header (correlation id, plus an empty tag buffer for the
// flexible v12+), then the body as WriteTo does. This is what the
// connection writer calls for a request answered with RespondFetch.
func (fr *FetchResult) WriteFrame(w *bufio.Writer, sc syscall.Conn, correlationID int32) error {
	hdr := 4
	if fr.Resp.IsFlexible() {
		hdr++
	}
	var b [9]byte
	p := kbin.AppendInt32(b[:0], int32(hdr+fr.Len()))
	p = kbin.AppendInt32(p, correlationID)
	if fr.Resp.IsFlexible() {
		p = append(p, 0)
	}
	if _, err := w.Write(p); err != nil {
		return err
	}
	return fr.WriteTo(w, sc)
}

// WriteTo writes the response body. Envelope bytes go through w; before
// each file range, w is flushed and the range is sent with sendfile on sc's
// socket (any socket type sendfile accepts: TCP, Unix). When sc is nil, the
// range is copied through w instead (e.g. a TLS listener).
//
// An error means the connection must be closed: the frame is incomplete.
// That includes a short sendfile (the segment was truncated or deleted
// under the response), reported as errShortFileRange.
func (fr *FetchResult) WriteTo(w *bufio.Writer, sc syscall.Conn) error {
	fr.encode()
	var rc syscall.RawConn
	if sc != nil {
		var err error
		if rc, err = sc.SyscallConn(); err != nil {
			return err
		}
	}
	prev := 0
	for _, s := range fr.splices {
		if _, err := w.Write(fr.buf[prev:s.at]); err != nil {
			return err
		}
		prev = s.at
		if rc == nil {
			if err := copyFileRange(w, s.r); err != nil {
				return err
			}
			continue
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if err := sendFileRange(rc, s.r); err != nil {
			return err
		}
	}
	_, err := w.Write(fr.buf[prev:])
	return err
}

// errShortFileRange: the file ended before the range did.
var errShortFileRange = errors.New("broker: log segment shorter than the fetched range (truncated or deleted while sending)")

// sendfileCalls and sendfileBytes count zero-copy sends; tests and
// benchmarks read them to prove the zero-copy path is taken.
var sendfileCalls, sendfileBytes atomic.Int64

// sendFileRange sends r to the socket behind rc with sendfile(2), using an
// explicit offset (the file's own position is never used or moved, so many
// connections share one *os.File).
func sendFileRange(rc syscall.RawConn, r fileRange) error {
	fc, err := r.file.SyscallConn()
	if err != nil {
		return fmt.Errorf("broker: sendfile: %w", err)
	}
	off := r.pos
	remaining := int(r.size)
	var sendErr error
	ctlErr := fc.Control(func(infd uintptr) {
		werr := rc.Write(func(outfd uintptr) bool {
			for remaining > 0 {
				n, err := syscall.Sendfile(int(outfd), int(infd), &off, remaining)
				if n > 0 {
					remaining -= n
					sendfileBytes.Add(int64(n))
				}
				sendfileCalls.Add(1)
				switch {
				case err == syscall.EAGAIN:
					return false // wait until the socket is writable
				case err == syscall.EINTR:
					continue
				case err != nil:
					sendErr = err
					return true
				case n == 0:
					sendErr = errShortFileRange
					return true
				}
			}
			return true
		})
		if sendErr == nil {
			sendErr = werr
		}
	})
	if ctlErr != nil {
		return fmt.Errorf("broker: sendfile: %w", ctlErr)
	}
	if sendErr != nil {
		return fmt.Errorf("broker: sendfile: %w", sendErr)
	}
	return nil
}

var copyBufPool = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// copyFileRange is the fallback for connections without a raw socket.
func copyFileRange(w *bufio.Writer, r fileRange) error {
	bp := copyBufPool.Get().(*[]byte)
	defer copyBufPool.Put(bp)
	sr := io.NewSectionReader(r.file, r.pos, int64(r.size))
	n, err := io.CopyBuffer(struct{ io.Writer }{w}, sr, *bp)
	if err != nil {
		return err
	}
	if n != int64(r.size) {
		return errShortFileRange
	}
	return nil
}

// rawConnOf returns c as a syscall.Conn when sendfile can use it.
func rawConnOf(c net.Conn) syscall.Conn {
	switch c := c.(type) {
	case *net.TCPConn:
		return c
	case *net.UnixConn:
		return c
	}
	return nil
}

// encode builds the envelope once.
func (fr *FetchResult) encode() {
	if fr.encoded {
		return
	}
	fr.buf, fr.splices = encodeFetchEnvelope(fr.buf[:0], fr.splices[:0], fr.Resp, fr.ranges)
	fr.total = len(fr.buf)
	for _, s := range fr.splices {
		fr.total += int(s.r.size)
	}
	fr.encoded = true
}

// encodeFetchEnvelope appends resp's body to dst in kmsg's encoding, except
// that a partition with a file range gets the range's length prefix and no
// bytes: the range is spliced in at that point (one splice per range, in
// order). Only versions 4-12 are supported (the versions the broker
// advertises); topic IDs (v13+) are not.
func encodeFetchEnvelope(dst []byte, splices []splice, v *kmsg.FetchResponse, ranges [][]fileRange) ([]byte, []splice) {
	version := v.Version
	flex := version >= 12
	if version >= 1 {
		dst = kbin.AppendInt32(dst, v.ThrottleMillis)
	}
	if version >= 7 {
		dst = kbin.AppendInt16(dst, v.ErrorCode)
		dst = kbin.AppendInt32(dst, v.SessionID)
	}
	dst = envArrayLen(dst, len(v.Topics), flex)
	for ti := range v.Topics {
		t := &v.Topics[ti]
		dst = envString(dst, t.Topic, flex)
		dst = envArrayLen(dst, len(t.Partitions), flex)
		for pi := range t.Partitions {
			p := &t.Partitions[pi]
			dst = kbin.AppendInt32(dst, p.Partition)
			dst = kbin.AppendInt16(dst, p.ErrorCode)
			dst = kbin.AppendInt64(dst, p.HighWatermark)
			if version >= 4 {
				dst = kbin.AppendInt64(dst, p.LastStableOffset)
			}
			if version >= 5 {
				dst = kbin.AppendInt64(dst, p.LogStartOffset)
			}
			if version >= 4 {
				a := p.AbortedTransactions
				if flex {
					dst = kbin.AppendCompactNullableArrayLen(dst, len(a), a == nil)
				} else {
					dst = kbin.AppendNullableArrayLen(dst, len(a), a == nil)
				}
				for i := range a {
					dst = kbin.AppendInt64(dst, a[i].ProducerID)
					dst = kbin.AppendInt64(dst, a[i].FirstOffset)
					if flex {
						dst = append(dst, 0) // no tagged fields
					}
				}
			}
			if version >= 11 {
				dst = kbin.AppendInt32(dst, p.PreferredReadReplica)
			}
			var r fileRange
			if ti < len(ranges) && pi < len(ranges[ti]) {
				r = ranges[ti][pi]
			}
			if r.size > 0 {
				if flex {
					dst = kbin.AppendUvarint(dst, 1+uint32(r.size))
				} else {
					dst = kbin.AppendInt32(dst, r.size)
				}
				splices = append(splices, splice{at: len(dst), r: r})
			} else {
				dst = envNullableBytes(dst, p.RecordBatches, flex)
			}
			if flex {
				dst = envPartitionTags(dst, p)
			}
		}
		if flex {
			dst = append(dst, 0) // topic: no tagged fields
		}
	}
	if flex {
		if len(v.Brokers) == 0 {
			dst = append(dst, 0)
		} else {
			var body []byte
			body = kbin.AppendCompactArrayLen(body, len(v.Brokers))
			for _, b := range v.Brokers {
				body = kbin.AppendInt32(body, b.NodeID)
				body = kbin.AppendCompactString(body, b.Host)
				body = kbin.AppendInt32(body, b.Port)
				body = kbin.AppendCompactNullableString(body, b.Rack)
				body = append(body, 0)
			}
			dst = kbin.AppendUvarint(dst, 1)
			dst = envTag(dst, 0, body)
		}
	}
	return dst, splices
}

// appendPartitionTags writes the v12+ tagged fields of a partition:
// diverging_epoch (0), current_leader (1), snapshot_id (2), each only when
// it differs from its default, as kmsg does.
func envPartitionTags(dst []byte, p *kmsg.FetchResponseTopicPartition) []byte {
	hasDiv := p.DivergingEpoch.Epoch != -1 || p.DivergingEpoch.EndOffset != -1
	hasLeader := p.CurrentLeader.LeaderID != -1 || p.CurrentLeader.LeaderEpoch != -1
	hasSnap := p.SnapshotID.EndOffset != -1 || p.SnapshotID.Epoch != -1
	n := 0
	for _, b := range []bool{hasDiv, hasLeader, hasSnap} {
		if b {
			n++
		}
	}
	dst = kbin.AppendUvarint(dst, uint32(n))
	var tmp [32]byte
	if hasDiv {
		b := kbin.AppendInt32(tmp[:0], p.DivergingEpoch.Epoch)
		b = kbin.AppendInt64(b, p.DivergingEpoch.EndOffset)
		dst = envTag(dst, 0, append(b, 0))
	}
	if hasLeader {
		b := kbin.AppendInt32(tmp[:0], p.CurrentLeader.LeaderID)
		b = kbin.AppendInt32(b, p.CurrentLeader.LeaderEpoch)
		dst = envTag(dst, 1, append(b, 0))
	}
	if hasSnap {
		b := kbin.AppendInt64(tmp[:0], p.SnapshotID.EndOffset)
		b = kbin.AppendInt32(b, p.SnapshotID.Epoch)
		dst = envTag(dst, 2, append(b, 0))
	}
	return dst
}

func envTag(dst []byte, tag uint32, body []byte) []byte {
	dst = kbin.AppendUvarint(dst, tag)
	dst = kbin.AppendUvarint(dst, uint32(len(body)))
	return append(dst, body...)
}

func envArrayLen(dst []byte, n int, flex bool) []byte {
	if flex {
		return kbin.AppendCompactArrayLen(dst, n)
	}
	return kbin.AppendArrayLen(dst, n)
}

func envString(dst []byte, s string, flex bool) []byte {
	if flex {
		return kbin.AppendCompactString(dst, s)
	}
	return kbin.AppendString(dst, s)
}

func envNullableBytes(dst, b []byte, flex bool) []byte {
	if flex {
		return kbin.AppendCompactNullableBytes(dst, b)
	}
	return kbin.AppendNullableBytes(dst, b)
}
