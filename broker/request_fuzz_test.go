package broker

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// FuzzRequestPath sends arbitrary frames, and well-formed headers with
// arbitrary bodies, to a live connection of a ZooKeeper-less broker.
//
// Invariants: the broker never panics (a recovered handler panic counts as
// a failure too); every connection is answered or closed, never hung; a
// second connection opened before keeps working.
func FuzzRequestPath(f *testing.F) {
	// Seeds: valid requests of every API in the table at their lowest and
	// highest versions, sent as "header + body" (mode 1)...
	for _, a := range apiTable {
		for _, v := range []int16{a.minVersion, a.maxVersion} {
			req := kmsg.RequestForKey(a.key)
			req.SetVersion(v)
			f.Add(uint8(1), a.key, v, req.AppendTo(nil))
		}
	}
	// ...and raw frames (mode 0): empty, zero length, huge, negative,
	// valid prefix plus garbage.
	f.Add(uint8(0), int16(0), int16(0), []byte{})
	f.Add(uint8(0), int16(0), int16(0), []byte{0, 0, 0, 0})
	f.Add(uint8(0), int16(0), int16(0), []byte{0x7f, 0xff, 0xff, 0xff})
	f.Add(uint8(0), int16(0), int16(0), []byte{0xff, 0xff, 0xff, 0xfe, 1})
	f.Add(uint8(0), int16(0), int16(0), []byte{0, 0, 0, 10, 0, 18, 0, 3, 0, 0, 0, 1, 0xff, 0xff, 0xde, 0xad})

	b, logs := newConnBroker(f, "socket.request.max.bytes", "65536")
	witness, err := net.Dial("tcp", b.addr())
	if err != nil {
		f.Fatal(err)
	}
	defer witness.Close()

	f.Fuzz(func(t *testing.T, mode uint8, key, version int16, body []byte) {
		var frame []byte
		if mode%2 == 0 {
			frame = body
		} else {
			payload := kbin.AppendInt16(nil, key)
			payload = kbin.AppendInt16(payload, version)
			payload = kbin.AppendInt32(payload, 1)
			payload = kbin.AppendNullableString(payload, nil)
			if req := kmsg.RequestForKey(key); req != nil {
				req.SetVersion(version)
				if req.IsFlexible() && !(key == 7 && version == 0) {
					payload = append(payload, 0)
				}
			}
			payload = append(payload, body...)
			frame = kbin.AppendInt32(nil, int32(len(payload)))
			frame = append(frame, payload...)
		}
		nc, err := net.Dial("tcp", b.addr())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.Write(frame)
		nc.(*net.TCPConn).CloseWrite() // a cut frame then reads as EOF
		nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err = io.Copy(io.Discard, nc) // answered and/or closed
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("connection neither answered nor closed (frame % x)", frame)
		}
		if n := logs.FilterMessageSnippet("Unexpected error handling").Len(); n > 0 {
			t.Fatalf("handler panicked: %v", logs.FilterMessageSnippet("Unexpected error handling").All()[0].Message)
		}
		// The witness connection is unaffected.
		req := apiVersionsReq(3)
		witness.SetDeadline(time.Now().Add(10 * time.Second))
		c := &rawClient{t: t, nc: witness}
		c.roundTrip(req, 9)
	})
}
