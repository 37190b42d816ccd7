package protocol

import (
	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ResponseHeaderFlexible reports whether the response to key at version uses
// response header v1 (tagged fields). ApiVersions answers always use header
// v0: a client that sent a version the broker does not know must still be
// able to read the correlation id and the error (KIP-511).
func ResponseHeaderFlexible(key, version int16) bool {
	if key == 18 {
		return false
	}
	hv, ok := RequestHeaderVersion(key, version)
	return ok && hv == 2
}

// AppendResponseHeader appends the four reserved size bytes and a response
// header to dst. The caller appends the body and then calls PutFrameSize
// with the returned start offset.
func AppendResponseHeader(dst []byte, correlationID int32, flexible bool) (out []byte, start int) {
	start = len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst = kbin.AppendInt32(dst, correlationID)
	if flexible {
		dst = append(dst, 0) // no tagged fields
	}
	return dst, start
}

// AppendResponse appends a complete response frame for resp (whose version
// must already be set) answering correlationID.
func AppendResponse(dst []byte, correlationID int32, resp kmsg.Response) []byte {
	dst, start := AppendResponseHeader(dst, correlationID, ResponseHeaderFlexible(resp.Key(), resp.GetVersion()))
	dst = resp.AppendTo(dst)
	PutFrameSize(dst, start)
	return dst
}

// ReadResponse decodes a response frame payload (after the size) into resp,
// whose version must be set to the request's. It returns the correlation id.
// Used by the inter-broker channel and tests.
func ReadResponse(frame []byte, resp kmsg.Response) (int32, error) {
	r := kbin.Reader{Src: frame}
	corr := r.Int32()
	if ResponseHeaderFlexible(resp.Key(), resp.GetVersion()) {
		kmsg.SkipTags(&r)
	}
	if err := r.Complete(); err != nil {
		return corr, ErrShortHeader
	}
	if err := resp.ReadFrom(r.Src); err != nil {
		return corr, err
	}
	return corr, nil
}
