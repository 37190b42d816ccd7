package protocol

import (
	"math/bits"
	"sync"
)

// Frame buffers are recycled because a produce request is one large
// allocation per request: at 1 MB a frame, a fresh buffer costs the
// allocator's zeroing, page faults on memory the scavenger returned, and a
// GC cycle every few requests (together a fifth of a broker's CPU samples
// producing 1 KB records to 8 partitions). A recycled buffer costs none of
// these: ReadFrame overwrites every byte of the payload.
//
// Buffers come in power-of-two classes from 4 KiB to 64 MiB. Small produce
// requests (a producer with linger 0 at a moderate rate sends a few records
// each) are pooled too: at 50k records/s of 1 KB their frames were most of
// the broker's allocation, a GC every 70 ms, and pooling them cut the
// broker's CPU per GiB by about a tenth. Smaller frames (metadata, fetch
// requests) are cheap to allocate and stay unpooled; larger ones are rare
// enough to allocate. sync.Pool drops idle buffers at GC, so a burst does
// not pin memory for ever.
const (
	minPooledShift = 12 // 4 KiB
	maxPooledShift = 26 // 64 MiB
)

var framePools [maxPooledShift - minPooledShift + 1]sync.Pool // of *[]byte with cap 1<<(i+minPooledShift)

// poolClass returns the index of the smallest class holding n bytes, or -1
// when n is outside the pooled range.
func poolClass(n int) int {
	if n < 1<<minPooledShift || n > 1<<maxPooledShift {
		return -1
	}
	shift := bits.Len(uint(n - 1)) // smallest s with 1<<s >= n
	return max(shift, minPooledShift) - minPooledShift
}

// GetFrame returns a buffer of length n, recycled when n is in the pooled
// range. Its contents are unspecified: the caller overwrites all of it.
func GetFrame(n int) []byte {
	c := poolClass(n)
	if c < 0 {
		return make([]byte, n)
	}
	if p, _ := framePools[c].Get().(*[]byte); p != nil {
		return (*p)[:n]
	}
	return make([]byte, n, 1<<(c+minPooledShift))
}

// PutFrame gives back a buffer from GetFrame (or ReadPooledFrame) for
// reuse. The caller must hold the only live reference: nothing may read or
// write b, or any slice of it, afterwards. Buffers that are not from a
// pooled class (nil, small, re-sliced below their capacity's class) are
// left to the garbage collector.
func PutFrame(b []byte) {
	n := cap(b)
	c := poolClass(n)
	if c < 0 || n != 1<<(c+minPooledShift) {
		return
	}
	b = b[:0]
	framePools[c].Put(&b)
}
