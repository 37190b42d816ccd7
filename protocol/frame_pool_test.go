package protocol

import (
	"bytes"
	"testing"
)

// Frames below 4 KiB are plain allocations; larger ones get a buffer of
// the next power of two, so any frame of a class can reuse it.
func TestGetFrameClasses(t *testing.T) {
	for _, tc := range []struct{ n, wantCap int }{
		{0, 0},
		{100, 100},
		{4<<10 - 1, 4<<10 - 1},
		{4 << 10, 4 << 10},
		{4<<10 + 1, 8 << 10},
		{32<<10 + 1, 64 << 10},
		{1 << 20, 1 << 20},
		{1<<20 + 5, 2 << 20},
		{64 << 20, 64 << 20},
		{64<<20 + 1, 64<<20 + 1}, // above the largest class: unpooled
	} {
		b := GetFrame(tc.n)
		if len(b) != tc.n || cap(b) != tc.wantCap {
			t.Errorf("GetFrame(%d): len %d cap %d, want len %d cap %d", tc.n, len(b), cap(b), tc.n, tc.wantCap)
		}
	}
}

// PutFrame keeps only whole class buffers; anything else (nil, a small
// frame, a slice re-cut below its class) is dropped, never handed out with
// a capacity that breaks the class invariant.
func TestPutFrameKeepsOnlyClassBuffers(t *testing.T) {
	PutFrame(nil)
	PutFrame(make([]byte, 100))
	PutFrame(make([]byte, 3<<10))  // below the smallest class
	PutFrame(make([]byte, 40<<10)) // cap 40 KiB: not a class size
	big := GetFrame(48 << 10)
	PutFrame(big[: 0 : 40<<10])
	for range 100 {
		b := GetFrame(33 << 10)
		if cap(b) != 64<<10 {
			t.Fatalf("GetFrame(33 KiB) has cap %d, want 64 KiB", cap(b))
		}
	}
}

// A pooled frame may come back with old bytes; ReadPooledFrame overwrites
// the whole payload, so none of them shows.
func TestReadPooledFrameOverwritesRecycledBuffer(t *testing.T) {
	stale := GetFrame(100 << 10)
	for i := range stale {
		stale[i] = 0xAA
	}
	PutFrame(stale)
	payload := bytes.Repeat([]byte("kafka"), 20<<10) // 100 KiB
	r := bytes.NewReader(append(frameOf(payload), frameOf([]byte("tail"))...))
	got, err := ReadPooledFrame(r, 1<<20)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("ReadPooledFrame: %d bytes, equal=%v, err %v", len(got), bytes.Equal(got, payload), err)
	}
	PutFrame(got)
	got, err = ReadPooledFrame(r, 1<<20)
	if err != nil || string(got) != "tail" {
		t.Fatalf("second frame = %q, %v", got, err)
	}
}
