package protocol

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// FrameTooLargeError reports a frame whose declared size exceeds the limit
// (socket.request.max.bytes on the broker). Kafka closes the connection
// without answering; so does the broker.
type FrameTooLargeError struct {
	Size int32 // declared size
	Max  int32 // limit in force
}

func (e *FrameTooLargeError) Error() string {
	return fmt.Sprintf("protocol: frame size %d larger than %d (socket.request.max.bytes)", e.Size, e.Max)
}

// ErrNegativeFrameSize is returned for a frame whose size prefix is negative.
var ErrNegativeFrameSize = errors.New("protocol: negative frame size")

// ReadFrame reads one size-prefixed frame from r and returns its payload
// (without the size). The payload is reused from buf when it is large
// enough, so the caller must be done with the previous frame, or pass nil.
//
// A clean EOF before the first byte of the size is returned as io.EOF; a
// frame cut short is io.ErrUnexpectedEOF. A declared size above max is a
// *FrameTooLargeError and nothing of the payload is read.
func ReadFrame(r io.Reader, buf []byte, max int32) ([]byte, error) {
	return readFrame(r, max, func(n int) []byte {
		if cap(buf) >= n {
			return buf[:n]
		}
		return make([]byte, n)
	})
}

// ReadPooledFrame is ReadFrame with the payload in a buffer from GetFrame.
// The caller may give the frame back with PutFrame once nothing references
// it any more (or simply drop it). On error no buffer is handed out.
func ReadPooledFrame(r io.Reader, max int32) ([]byte, error) {
	return readFrame(r, max, GetFrame)
}

func readFrame(r io.Reader, max int32, alloc func(n int) []byte) ([]byte, error) {
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return nil, err
	}
	n := int32(binary.BigEndian.Uint32(size[:]))
	if n < 0 {
		return nil, ErrNegativeFrameSize
	}
	if n > max {
		return nil, &FrameTooLargeError{Size: n, Max: max}
	}
	buf := alloc(int(n))
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}

// PutFrameSize fills in the int32 size prefix of a frame that was built
// in dst starting at offset start with four reserved bytes (see
// AppendResponse): the size counts everything after the prefix.
func PutFrameSize(dst []byte, start int) {
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start-4))
}
