package protocol

import (
	"bytes"
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// FuzzReadRequest feeds arbitrary bytes through the broker's decode path:
// ReadFrame, ReadRequestHeader, DecodeRequest.
//
// Invariants: nothing panics; a frame above the limit is rejected before its
// payload is read; when the header parses, the body is a suffix of the
// frame; an unknown key is reported as ErrUnknownAPIKey, never decoded.
func FuzzReadRequest(f *testing.F) {
	for _, req := range []kmsg.Request{
		kmsg.NewPtrApiVersionsRequest(), kmsg.NewPtrMetadataRequest(), kmsg.NewPtrProduceRequest(),
		kmsg.NewPtrFetchRequest(), kmsg.NewPtrControlledShutdownRequest(), kmsg.NewPtrLeaderAndISRRequest(),
		kmsg.NewPtrCreateTopicsRequest(), kmsg.NewPtrJoinGroupRequest(),
	} {
		for _, v := range []int16{0, req.MaxVersion() / 2, req.MaxVersion(), req.MaxVersion() + 1} {
			req.SetVersion(v)
			f.Add(AppendRequest(nil, req, 1, kmsg.StringPtr("fuzz")))
		}
	}
	f.Add([]byte{})                                                                     // empty
	f.Add([]byte{0, 0, 0, 0})                                                           // zero length
	f.Add([]byte{0x7f, 0xff, 0xff, 0xff})                                               // max length
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})                                               // negative
	f.Add([]byte{0, 0, 0, 8, 0x7f, 0, 0, 0, 0, 0, 0, 1})                                // unknown key
	f.Add(append(AppendRequest(nil, kmsg.NewPtrMetadataRequest(), 1, nil), 0xde, 0xad)) // valid prefix + garbage

	const max = 1 << 16
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		frame, err := ReadFrame(r, nil, max)
		if err != nil {
			var tooLarge *FrameTooLargeError
			if errors.As(err, &tooLarge) && r.Len() != len(data)-4 {
				t.Fatalf("payload consumed for an oversized frame")
			}
			return
		}
		h, body, err := ReadRequestHeader(frame)
		if err != nil {
			if errors.Is(err, ErrUnknownAPIKey) && kmsg.RequestForKey(h.Key) != nil {
				t.Fatalf("known key %d reported unknown", h.Key)
			}
			return
		}
		if !bytes.HasSuffix(frame, body) {
			t.Fatal("body is not a suffix of the frame")
		}
		if h.Version < 0 || h.Version > kmsg.RequestForKey(h.Key).MaxVersion() {
			return // the broker closes the connection before decoding
		}
		req, err := DecodeRequest(h, body)
		if err == nil && (req.Key() != h.Key || req.GetVersion() != h.Version) {
			t.Fatalf("decoded %d v%d for header %+v", req.Key(), req.GetVersion(), h)
		}
	})
}
