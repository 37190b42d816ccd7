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
