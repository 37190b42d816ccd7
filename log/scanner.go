package log

import (
	"errors"
	"io"
	"sync"
)

// scanner walks the batches of a segment file from a position, reading
// ahead in large chunks so a header walk costs few system calls. It
// checks only the framing unless validate is set (then also magic and
// CRC, as recovery does).
//
// Not safe for concurrent use; each caller makes its own.
type scanner struct {
	r        io.ReaderAt
	pos      int64 // file position of the next batch
	end      int64 // stop here (segment size)
	validate bool
	full     bool // return the batch bytes, not only the header
	chunk    int  // read-ahead size
	pooled   *[]byte

	buf    []byte
	bstart int64 // file position of buf[0]
	blen   int
	ra     *readAhead // non-nil while a read-ahead goroutine feeds buf

	// err is why the scan stopped before end: an I/O error (ErrStorage)
	// or an invalid batch (ErrCorruption / ErrInvalidRecord).
	err error
}

// Read-ahead sizes: full scans (recovery, the cleaner) stream the file
// in large reads; header walks (offset lookups, producer state) read a
// small window so that large batches are skipped, not read.
const (
	scanChunk   = 1 << 20
	headerChunk = 4 << 10
)

var headerBufs = sync.Pool{New: func() any { b := make([]byte, headerChunk); return &b }}

func newScanner(r io.ReaderAt, pos, end int64, full, validate bool) *scanner {
	s := new(scanner)
	s.reset(r, pos, end, full, validate)
	return s
}

// reset prepares a scanner in place (a stack scanner on hot paths).
func (s *scanner) reset(r io.ReaderAt, pos, end int64, full, validate bool) {
	*s = scanner{r: r, pos: pos, end: end, full: full || validate, validate: validate, chunk: scanChunk}
	if !s.full {
		s.chunk = headerChunk
		s.pooled = headerBufs.Get().(*[]byte)
		s.buf = *s.pooled
	}
}

// release returns a pooled buffer; the scanner must not be used after.
func (s *scanner) release() {
	if s.ra != nil {
		s.ra.stop()
		s.ra = nil
	}
	if s.pooled != nil && cap(s.buf) == headerChunk {
		headerBufs.Put(s.pooled)
	}
	s.pooled, s.buf = nil, nil
}

// ensure makes buf hold the n bytes at pos; false at end of data.
func (s *scanner) ensure(pos int64, n int) bool {
	if pos >= s.bstart && pos+int64(n) <= s.bstart+int64(s.blen) {
		return true
	}
	if pos+int64(n) > s.end {
		return false
	}
	if s.ra != nil {
		if s.ra.ensure(s, pos, n) {
			return true
		}
		if s.err != nil {
			return false
		}
		// Not sequential or a batch larger than the headroom: go on
		// with plain preads.
		s.ra.stop()
		s.ra = nil
		s.buf, s.blen = nil, 0
	}
	want := max(n, s.chunk)
	if rest := s.end - pos; int64(want) > rest {
		want = int(rest)
	}
	if cap(s.buf) < want {
		s.buf = make([]byte, max(want, min(s.chunk, int(s.end-pos))))
	}
	s.buf = s.buf[:cap(s.buf)]
	got, err := s.r.ReadAt(s.buf[:want], pos)
	if got < want {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		s.err = storageErr("read segment", err)
		s.blen = 0
		return false
	}
	s.bstart, s.blen = pos, got
	return true
}

func (s *scanner) slice(pos int64, n int) []byte {
	o := int(pos - s.bstart)
	return s.buf[o : o+n]
}

// next returns the next batch header, its position, and its bytes when
// full (valid until the next call). ok is false at the end of the data
// or at the first bad batch (then s.err is set).
func (s *scanner) next() (h BatchHeader, pos int64, raw []byte, ok bool) {
	if s.err != nil || s.pos >= s.end {
		return h, s.pos, nil, false
	}
	pos = s.pos
	if !s.ensure(pos, batchOverhead) {
		if s.err == nil {
			s.err = corruptf("%d trailing bytes are too few for a batch header", s.end-pos)
		}
		return h, pos, nil, false
	}
	need := BatchHeaderSize
	if s.end-pos < int64(need) {
		need = batchOverhead
	}
	if !s.ensure(pos, need) {
		return h, pos, nil, false
	}
	h, err := ParseBatchHeader(s.slice(pos, need))
	if err != nil {
		s.err = err
		return h, pos, nil, false
	}
	size := h.Size()
	if pos+int64(size) > s.end {
		s.err = corruptf("batch at offset %d (position %d) declares %d bytes but only %d remain", h.BaseOffset, pos, size, s.end-pos)
		return h, pos, nil, false
	}
	if s.full {
		if !s.ensure(pos, size) {
			return h, pos, nil, false
		}
		raw = s.slice(pos, size)
		if s.validate {
			if _, err := checkBatch(raw); err != nil {
				s.err = err
				return h, pos, nil, false
			}
		}
	}
	s.pos = pos + int64(size)
	return h, pos, raw, true
}

// readAhead overlaps a full scan's reads with its checks: a goroutine
// preads the next chunks of the file while the scanner CRCs the current
// one, so recovery takes about as long as reading the files, not reading
// plus checking them. Each buffer has headroom before its chunk where the
// scanner copies the unread tail of the previous chunk (the batch that
// straddles the boundary), so batches are always contiguous without
// re-reading or copying whole chunks.
type readAhead struct {
	filled chan raChunk
	free   chan []byte
	done   chan struct{}
	exited chan struct{}
	cur    []byte // the buffer the scanner reads now (nil at first)
}

type raChunk struct {
	off int64
	buf []byte // raHeadroom + the chunk
	n   int
	err error
}

const (
	raHeadroom = 1 << 20 // largest straddling batch carried over; larger ones fall back to pread
	raBuffers  = 3
)

// readAheadFrom starts reading [pos, end) of the scanner's file. Only
// for full scans that move strictly forward (recovery).
func (s *scanner) readAheadFrom(pos int64) {
	s.release()
	ra := &readAhead{filled: make(chan raChunk, raBuffers-1), free: make(chan []byte, raBuffers),
		done: make(chan struct{}), exited: make(chan struct{})}
	for i := 0; i < raBuffers; i++ {
		ra.free <- make([]byte, raHeadroom+s.chunk)
	}
	r, end, chunk := s.r, s.end, s.chunk
	go func() {
		defer close(ra.exited)
		defer close(ra.filled)
		for off := pos; off < end; {
			var b []byte
			select {
			case b = <-ra.free:
			case <-ra.done:
				return
			}
			want := int(min(int64(chunk), end-off))
			n, err := r.ReadAt(b[raHeadroom:raHeadroom+want], off)
			if n == want {
				err = nil
			} else if err == nil || errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			select {
			case ra.filled <- raChunk{off: off, buf: b, n: n, err: err}:
			case <-ra.done:
				return
			}
			if err != nil {
				return
			}
			off += int64(n)
		}
	}()
	s.ra = ra
	s.buf, s.bstart, s.blen = nil, pos, 0
}

// ensure makes s.buf hold [pos, pos+n) from the read-ahead chunks. It
// returns false with s.err set on a read error, and false without it
// when the request does not fit the sequential scheme (the caller then
// reads by itself).
func (ra *readAhead) ensure(s *scanner, pos int64, n int) bool {
	for !(pos >= s.bstart && pos+int64(n) <= s.bstart+int64(s.blen)) {
		dataEnd := s.bstart + int64(s.blen)
		tail := dataEnd - pos
		if pos < s.bstart || tail < 0 || tail > raHeadroom {
			return false
		}
		c, ok := <-ra.filled
		if !ok {
			return false
		}
		if c.err != nil {
			ra.free <- c.buf
			s.err = storageErr("read segment", c.err)
			s.blen = 0
			return false
		}
		if c.off != dataEnd {
			ra.free <- c.buf
			return false
		}
		copy(c.buf[raHeadroom-int(tail):raHeadroom], s.buf[pos-s.bstart:])
		if ra.cur != nil {
			ra.free <- ra.cur
		}
		ra.cur = c.buf
		s.buf = c.buf[raHeadroom-int(tail) : raHeadroom+c.n]
		s.bstart, s.blen = pos, int(tail)+c.n
	}
	return true
}

// stop ends the goroutine and waits for it.
func (ra *readAhead) stop() {
	close(ra.done)
	for range ra.filled {
	}
	<-ra.exited
}
