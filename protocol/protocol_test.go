package protocol

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func frameOf(payload []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(payload)))
	return append(out, payload...)
}

func TestReadFrame(t *testing.T) {
	t.Run("two frames back to back", func(t *testing.T) {
		r := bytes.NewReader(append(frameOf([]byte("abc")), frameOf([]byte("de"))...))
		var buf []byte
		for _, want := range []string{"abc", "de"} {
			got, err := ReadFrame(r, buf, 100)
			if err != nil || string(got) != want {
				t.Fatalf("ReadFrame = %q, %v; want %q", got, err, want)
			}
			buf = got
		}
		if _, err := ReadFrame(r, buf, 100); err != io.EOF {
			t.Fatalf("at end: err = %v, want io.EOF", err)
		}
	})
	t.Run("size above socket.request.max.bytes", func(t *testing.T) {
		_, err := ReadFrame(bytes.NewReader(frameOf(make([]byte, 101))), nil, 100)
		var tooLarge *FrameTooLargeError
		if !errors.As(err, &tooLarge) || tooLarge.Size != 101 || tooLarge.Max != 100 {
			t.Fatalf("err = %v, want FrameTooLargeError{101, 100}", err)
		}
	})
	t.Run("negative size", func(t *testing.T) {
		if _, err := ReadFrame(bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xff}), nil, 100); err != ErrNegativeFrameSize {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("truncated payload", func(t *testing.T) {
		if _, err := ReadFrame(bytes.NewReader(frameOf([]byte("abc"))[:5]), nil, 100); err != io.ErrUnexpectedEOF {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("zero-length frame", func(t *testing.T) {
		got, err := ReadFrame(bytes.NewReader(frameOf(nil)), nil, 100)
		if err != nil || len(got) != 0 {
			t.Fatalf("got %q, %v", got, err)
		}
	})
}

// encodeRequest builds a frame the way clients do and strips the size.
func encodeRequest(req kmsg.Request, corr int32, clientID *string) []byte {
	return AppendRequest(nil, req, corr, clientID)[4:]
}

func TestReadRequestHeaderVersions(t *testing.T) {
	id := "my-client"
	for _, tc := range []struct {
		name    string
		req     kmsg.Request
		version int16
		wantHV  int8
		wantID  *string
	}{
		{"Metadata v8 uses header v1", kmsg.NewPtrMetadataRequest(), 8, 1, &id},
		{"Metadata v9 (flexible) uses header v2", kmsg.NewPtrMetadataRequest(), 9, 2, &id},
		{"ApiVersions v3 uses header v2", kmsg.NewPtrApiVersionsRequest(), 3, 2, &id},
		{"ControlledShutdown v0 uses header v0", kmsg.NewPtrControlledShutdownRequest(), 0, 0, nil},
		{"ControlledShutdown v1 uses header v1", kmsg.NewPtrControlledShutdownRequest(), 1, 1, &id},
		{"null client id", kmsg.NewPtrProduceRequest(), 7, 1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.SetVersion(tc.version)
			clientID := tc.wantID
			if tc.wantHV == 0 {
				clientID = &id // the formatter must drop it for header v0
			}
			frame := encodeRequest(tc.req, 42, clientID)
			h, body, err := ReadRequestHeader(frame)
			if err != nil {
				t.Fatal(err)
			}
			if h.Key != tc.req.Key() || h.Version != tc.version || h.CorrelationID != 42 || h.HeaderVersion != tc.wantHV {
				t.Fatalf("header = %+v", h)
			}
			if (h.ClientID == nil) != (tc.wantID == nil) || (h.ClientID != nil && *h.ClientID != *tc.wantID) {
				t.Fatalf("client id = %v, want %v", h.ClientID, tc.wantID)
			}
			if _, err := DecodeRequest(h, body); err != nil {
				t.Fatalf("DecodeRequest: %v", err)
			}
		})
	}
}

func TestDecodeRequestRoundTrip(t *testing.T) {
	req := kmsg.NewPtrMetadataRequest()
	req.SetVersion(11)
	topic := kmsg.NewMetadataRequestTopic()
	topic.Topic = kmsg.StringPtr("orders")
	req.Topics = append(req.Topics, topic)
	req.AllowAutoTopicCreation = true
	h, body, err := ReadRequestHeader(encodeRequest(req, 7, nil))
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeRequest(h, body)
	if err != nil {
		t.Fatal(err)
	}
	m := got.(*kmsg.MetadataRequest)
	if m.Version != 11 || len(m.Topics) != 1 || *m.Topics[0].Topic != "orders" || !m.AllowAutoTopicCreation {
		t.Fatalf("decoded %+v", m)
	}
}

func TestReadRequestHeaderErrors(t *testing.T) {
	if _, _, err := ReadRequestHeader([]byte{0, 3, 0, 1}); !errors.Is(err, ErrShortHeader) {
		t.Errorf("4 bytes: err = %v, want ErrShortHeader", err)
	}
	h, _, err := ReadRequestHeader([]byte{0x7f, 0x00, 0, 1, 0, 0, 0, 9})
	if !errors.Is(err, ErrUnknownAPIKey) || h.Key != 0x7f00 || h.CorrelationID != 9 {
		t.Errorf("unknown key: %+v, %v", h, err)
	}
	// Metadata v1 header with a client id length pointing past the end.
	if _, _, err := ReadRequestHeader([]byte{0, 3, 0, 1, 0, 0, 0, 1, 0, 10, 'a'}); !errors.Is(err, ErrShortHeader) {
		t.Errorf("truncated client id: err = %v", err)
	}
	// A Produce v7 body that stops half way.
	req := kmsg.NewPtrProduceRequest()
	req.SetVersion(7)
	frame := encodeRequest(req, 1, nil)
	h, body, err := ReadRequestHeader(frame[:len(frame)-3])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeRequest(h, body); !errors.Is(err, ErrMalformed) {
		t.Errorf("truncated body: err = %v, want ErrMalformed", err)
	}
}

// A too-new ApiVersions (franz-go sends v4+) still has a parseable header v2.
func TestTooNewAPIVersionsHeader(t *testing.T) {
	req := kmsg.NewPtrApiVersionsRequest()
	req.SetVersion(4)
	req.ClientSoftwareName = "kgo"
	req.ClientSoftwareVersion = "1.0"
	h, _, err := ReadRequestHeader(encodeRequest(req, 5, kmsg.StringPtr("c")))
	if err != nil || h.HeaderVersion != 2 || h.Version != 4 {
		t.Fatalf("%+v %v", h, err)
	}
}

func TestUnsupportedAPIVersionsResponseBytes(t *testing.T) {
	got := AppendResponse(nil, 5, UnsupportedAPIVersionsResponse(0, 3))
	want := []byte{
		0, 0, 0, 16, // size
		0, 0, 0, 5, // correlation id, response header v0
		0, 35, // UNSUPPORTED_VERSION
		0, 0, 0, 1, // one api key
		0, 18, 0, 0, 0, 3, // ApiVersions 0-3
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got  % x\nwant % x", got, want)
	}
}

func TestResponseHeaderVersions(t *testing.T) {
	for _, tc := range []struct {
		key, version int16
		flexible     bool
	}{
		{18, 3, false}, // ApiVersions: always header v0
		{3, 8, false},
		{3, 9, true},
		{1, 12, true},
		{7, 0, false},
		{7, 3, true},
	} {
		if got := ResponseHeaderFlexible(tc.key, tc.version); got != tc.flexible {
			t.Errorf("%s v%d: flexible = %v, want %v", kmsg.NameForKey(tc.key), tc.version, got, tc.flexible)
		}
	}
}

func TestResponseRoundTrip(t *testing.T) {
	resp := kmsg.NewPtrMetadataResponse()
	resp.SetVersion(9)
	resp.ClusterID = kmsg.StringPtr("abc")
	resp.ControllerID = 2
	frame := AppendResponse(nil, 77, resp)
	if int(binary.BigEndian.Uint32(frame)) != len(frame)-4 {
		t.Fatal("size prefix wrong")
	}
	got := kmsg.NewPtrMetadataResponse()
	got.SetVersion(9)
	corr, err := ReadResponse(frame[4:], got)
	if err != nil || corr != 77 || *got.ClusterID != "abc" || got.ControllerID != 2 {
		t.Fatalf("corr %d, %+v, %v", corr, got, err)
	}
}

func TestValidClientSoftware(t *testing.T) {
	for s, want := range map[string]bool{
		"librdkafka": true, "1.9.2": true, "franz-go": true, "a": true, "v1.0-rc.1": true,
		"": false, "-x": false, "x-": false, "has space": false, "ü": false, "x_y": false,
	} {
		if got := ValidClientSoftware(s); got != want {
			t.Errorf("ValidClientSoftware(%q) = %v, want %v", s, got, want)
		}
	}
	req := kmsg.NewPtrApiVersionsRequest()
	req.SetVersion(3)
	req.ClientSoftwareName, req.ClientSoftwareVersion = "bad name", "1"
	if code := ErrorCode(ValidateAPIVersionsRequest(req)); code != kerr.InvalidRequest.Code {
		t.Fatalf("code = %d, want INVALID_REQUEST", code)
	}
	req.SetVersion(2) // fields are not on the wire before v3
	if err := ValidateAPIVersionsRequest(req); err != nil {
		t.Fatal(err)
	}
}

var errSentinel = errors.New("log: offset out of range")

func TestErrorCode(t *testing.T) {
	mappings := []ErrorMapping{{errSentinel, kerr.OffsetOutOfRange}}
	for _, tc := range []struct {
		err  error
		code int16
		msg  *string
	}{
		{nil, 0, nil},
		{kerr.NotController, kerr.NotController.Code, nil},
		{fmt.Errorf("wrapped: %w", kerr.NotController), kerr.NotController.Code, kmsg.StringPtr("wrapped: NOT_CONTROLLER: This is not the correct controller for this cluster.")},
		{Errorf(kerr.TopicAlreadyExists, "Topic 'x' already exists."), 36, kmsg.StringPtr("Topic 'x' already exists.")},
		{fmt.Errorf("read: %w", errSentinel), 1, kmsg.StringPtr("read: log: offset out of range")},
		{errors.New("boom"), -1, kmsg.StringPtr("boom")},
	} {
		if got := ErrorCode(tc.err, mappings...); got != tc.code {
			t.Errorf("ErrorCode(%v) = %d, want %d", tc.err, got, tc.code)
		}
		got := ErrorMessage(tc.err)
		if (got == nil) != (tc.msg == nil) || (got != nil && *got != *tc.msg) {
			t.Errorf("ErrorMessage(%v) = %v, want %v", tc.err, got, tc.msg)
		}
	}
	if !errors.Is(Wrap(kerr.InvalidConfig, errSentinel), errSentinel) {
		t.Error("Wrap lost the cause")
	}
}
