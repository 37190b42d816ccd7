package protocol

import (
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// RequestHeader is a parsed request header (v0, v1 or v2).
type RequestHeader struct {
	Key           int16
	Version       int16
	CorrelationID int32
	// ClientID is the client_id of header v1/v2; nil when null or for header v0.
	ClientID *string
	// HeaderVersion is 0, 1 or 2.
	HeaderVersion int8
}

// ClientIDString returns the client id, "" when null.
func (h *RequestHeader) ClientIDString() string {
	if h.ClientID == nil {
		return ""
	}
	return *h.ClientID
}

// Errors from header and body parsing. Each means "close the connection"
// (Kafka's InvalidRequestException path), except that the caller decides
// what to do with an unsupported version.
var (
	ErrShortHeader   = errors.New("protocol: request shorter than its header")
	ErrUnknownAPIKey = errors.New("protocol: unknown api key")
	ErrMalformed     = errors.New("protocol: malformed request")
)

// RequestHeaderVersion returns the request header version clients use for
// key at version: 2 for flexible versions (KIP-482), 0 for ControlledShutdown
// v0, 1 otherwise. ok is false when kmsg knows no such key.
func RequestHeaderVersion(key, version int16) (hv int8, ok bool) {
	req := kmsg.RequestForKey(key)
	if req == nil {
		return 0, false
	}
	if key == 7 && version == 0 { // ControlledShutdown v0 predates client_id
		return 0, true
	}
	req.SetVersion(version)
	if req.IsFlexible() {
		return 2, true
	}
	return 1, true
}

// ReadRequestHeader parses the header at the start of frame (a frame payload
// as returned by ReadFrame) and returns it with the body that follows.
//
// The header version depends on the API version, so an api key unknown to
// kmsg cannot be parsed past its first eight bytes: the returned header then
// carries key, version and correlation id and the error is ErrUnknownAPIKey.
// Versions above what kmsg knows are parsed by the flexible rule of the
// newest version, which is what KIP-511 needs for a too-new ApiVersions.
func ReadRequestHeader(frame []byte) (RequestHeader, []byte, error) {
	var h RequestHeader
	if len(frame) < 8 {
		return h, nil, ErrShortHeader
	}
	r := kbin.Reader{Src: frame}
	h.Key = r.Int16()
	h.Version = r.Int16()
	h.CorrelationID = r.Int32()
	hv, ok := RequestHeaderVersion(h.Key, h.Version)
	if !ok {
		return h, nil, ErrUnknownAPIKey
	}
	h.HeaderVersion = hv
	if hv >= 1 {
		// client_id is an int16-length nullable string even in header v2,
		// so that brokers of any age can read it.
		h.ClientID = r.NullableString()
	}
	if hv >= 2 {
		kmsg.SkipTags(&r)
	}
	if err := r.Complete(); err != nil {
		return h, nil, fmt.Errorf("%w: header v%d of api key %d version %d", ErrShortHeader, hv, h.Key, h.Version)
	}
	return h, r.Src, nil
}

// DecodeRequest decodes body as the request named by h, with its version
// set. The caller has already checked that the version is supported.
func DecodeRequest(h RequestHeader, body []byte) (kmsg.Request, error) {
	req := kmsg.RequestForKey(h.Key)
	if req == nil {
		return nil, ErrUnknownAPIKey
	}
	req.SetVersion(h.Version)
	if err := req.ReadFrom(body); err != nil {
		return nil, fmt.Errorf("%w: %s v%d: %v", ErrMalformed, kmsg.NameForKey(h.Key), h.Version, err)
	}
	return req, nil
}

// AppendRequest appends a complete request frame (size, header, body) for
// req, as a client or the controller's channel sends it. It follows the same
// header rules as ReadRequestHeader. (kmsg's RequestFormatter drops the body
// of ControlledShutdown v0, hence our own.)
func AppendRequest(dst []byte, req kmsg.Request, correlationID int32, clientID *string) []byte {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst = kbin.AppendInt16(dst, req.Key())
	dst = kbin.AppendInt16(dst, req.GetVersion())
	dst = kbin.AppendInt32(dst, correlationID)
	hv, _ := RequestHeaderVersion(req.Key(), req.GetVersion())
	if hv >= 1 {
		dst = kbin.AppendNullableString(dst, clientID)
	}
	if hv >= 2 {
		dst = append(dst, 0) // no tagged fields
	}
	dst = req.AppendTo(dst)
	PutFrameSize(dst, start)
	return dst
}
