package broker

import (
	"bytes"
	"encoding/binary"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"gokafka/protocol"
)

// newConnBroker is a broker with only what the connection layer and the
// ZooKeeper-free handlers need (config, metadata cache, socket server on a
// free port), for connection tests that need no cluster. The returned
// observer sees its log lines.
func newConnBroker(t testing.TB, extra ...string) (*Broker, *observer.ObservedLogs) {
	t.Helper()
	props := map[string]string{
		"zookeeper.connect":         "127.0.0.1:1",
		"broker.id":                 "0",
		"listeners":                 "PLAINTEXT://127.0.0.1:0",
		"auto.create.topics.enable": "false",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		props[extra[i]] = extra[i+1]
	}
	cfg, _, err := ParseConfig(props)
	if err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zapcore.DebugLevel)
	b, err := New(cfg, zap.New(core))
	if err != nil {
		t.Fatal(err)
	}
	b.clusterID = "test-cluster"
	b.metadata = newMetadataCache(0)
	b.replicas = newReplicaManager(b)
	b.network = newSocketServer(b, b.lg)
	eps, _ := cfg.ListenerEndpoints()
	if err := b.network.bind(eps); err != nil {
		t.Fatal(err)
	}
	b.network.serve()
	t.Cleanup(b.network.close)
	return b, logs
}

// withAPI replaces the handler of key for one test.
func withAPI(t *testing.T, key int16, handle func(*Broker, *Request)) {
	old := *apiIndex[key]
	apiIndex[key].handle = handle
	t.Cleanup(func() { *apiIndex[key] = old })
}

func apiVersionsReq(v int16) *kmsg.ApiVersionsRequest {
	req := kmsg.NewPtrApiVersionsRequest()
	req.SetVersion(v)
	req.ClientSoftwareName, req.ClientSoftwareVersion = "gokafka-test", "1.0"
	return req
}

// KIP-511: franz-go and librdkafka open with an ApiVersions newer than 3.
// The answer is a v0 body (header v0) with UNSUPPORTED_VERSION and the
// ApiVersions range, and the connection stays usable for the retry.
func TestAPIVersionsTooNew(t *testing.T) {
	b, _ := newConnBroker(t)
	c := dialRaw(t, b.addr())
	c.send(apiVersionsReq(4), 11)
	frame, err := c.readFrame()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0, 0, 0, 11, 0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, 3}
	if !bytes.Equal(frame, want) {
		t.Fatalf("got  % x\nwant % x", frame, want)
	}
	resp := c.roundTrip(apiVersionsReq(3), 12).(*kmsg.ApiVersionsResponse)
	if resp.ErrorCode != 0 || len(resp.ApiKeys) != len(apiTable) || resp.FinalizedFeaturesEpoch != -1 {
		t.Fatalf("retry with v3: %+v", resp)
	}
	for i := 1; i < len(resp.ApiKeys); i++ {
		if resp.ApiKeys[i-1].ApiKey >= resp.ApiKeys[i].ApiKey {
			t.Fatalf("keys not sorted: %+v", resp.ApiKeys)
		}
	}
}

// Every version 0-3 answers with the same table.
func TestAPIVersionsAllVersions(t *testing.T) {
	b, _ := newConnBroker(t)
	c := dialRaw(t, b.addr())
	for v := int16(0); v <= 3; v++ {
		resp := c.roundTrip(apiVersionsReq(v), int32(v)).(*kmsg.ApiVersionsResponse)
		if resp.ErrorCode != 0 || len(resp.ApiKeys) != len(apiTable) {
			t.Fatalf("v%d: %+v", v, resp)
		}
	}
}

// A v3 request with an illegal client_software_name gets INVALID_REQUEST.
func TestAPIVersionsInvalidSoftwareName(t *testing.T) {
	b, _ := newConnBroker(t)
	c := dialRaw(t, b.addr())
	req := apiVersionsReq(3)
	req.ClientSoftwareName = "bad name!"
	resp := c.roundTrip(req, 1).(*kmsg.ApiVersionsResponse)
	if resp.ErrorCode != kerr.InvalidRequest.Code || len(resp.ApiKeys) != 0 {
		t.Fatalf("%+v", resp)
	}
}

// Requests pipelined on one connection are answered in request order even
// when their handlers finish in the opposite order, and a slow request does
// not stop later ones from being decoded and handled.
func TestPipelinedResponsesInRequestOrder(t *testing.T) {
	b, _ := newConnBroker(t)
	const n = 20
	var mu sync.Mutex
	var handled []int32
	var pending []*Request
	withAPI(t, 18, func(b *Broker, r *Request) {
		mu.Lock()
		defer mu.Unlock()
		handled = append(handled, r.CorrelationID)
		pending = append(pending, r)
		if len(pending) == n { // all decoded: finish them newest first
			for i := n - 1; i >= 0; i-- {
				resp := pending[i].Msg.ResponseKind()
				pending[i].Respond(resp)
			}
		}
	})
	c := dialRaw(t, b.addr())
	var batch []byte
	for i := int32(0); i < n; i++ {
		batch = protocol.AppendRequest(batch, apiVersionsReq(2), 100+i, nil)
	}
	if _, err := c.nc.Write(batch); err != nil {
		t.Fatal(err)
	}
	for i := int32(0); i < n; i++ {
		frame, err := c.readFrame()
		if err != nil {
			t.Fatal(err)
		}
		if corr := int32(binary.BigEndian.Uint32(frame)); corr != 100+i {
			t.Fatalf("response %d has correlation id %d, want %d", i, corr, 100+i)
		}
	}
	for i, corr := range handled {
		if corr != 100+int32(i) {
			t.Fatalf("handlers ran in order %v", handled)
		}
	}
}

// NoResponse (acks=0) leaves no frame; later answers still come in order.
func TestNoResponseSkipsFrame(t *testing.T) {
	b, _ := newConnBroker(t)
	withAPI(t, 18, func(b *Broker, r *Request) {
		if r.CorrelationID == 1 {
			r.NoResponse()
			return
		}
		r.Respond(r.Msg.ResponseKind())
	})
	c := dialRaw(t, b.addr())
	c.send(apiVersionsReq(0), 1)
	c.send(apiVersionsReq(0), 2)
	frame, err := c.readFrame()
	if err != nil || binary.BigEndian.Uint32(frame) != 2 {
		t.Fatalf("frame % x, %v", frame, err)
	}
}

// An unknown api key, an unsupported version, a malformed body or a frame
// above socket.request.max.bytes close that connection only, after the
// answers to earlier requests.
func TestBadRequestsCloseOnlyTheirConnection(t *testing.T) {
	b, logs := newConnBroker(t, "socket.request.max.bytes", "1000")
	other := dialRaw(t, b.addr())
	other.roundTrip(apiVersionsReq(3), 1)

	frameWith := func(payload []byte) []byte {
		return append(binary.BigEndian.AppendUint32(nil, uint32(len(payload))), payload...)
	}
	for _, tc := range []struct {
		name  string
		frame []byte
		log   string
	}{
		{"unknown api key", frameWith([]byte{0x03, 0xe8, 0, 0, 0, 0, 0, 2, 0, 0}), "unknown api key 1000"},
		{"key without a handler", protocol.AppendRequest(nil, kmsg.NewPtrDescribeACLsRequest(), 2, nil), "unknown api key 29"},
		{"unsupported version", protocol.AppendRequest(nil, func() kmsg.Request {
			r := kmsg.NewPtrMetadataRequest()
			r.SetVersion(12)
			return r
		}(), 2, nil), "unsupported version 12 of Metadata"},
		{"malformed body", frameWith([]byte{0, 3, 0, 1, 0, 0, 0, 2, 0xff, 0xff, 0, 0, 0, 9}), "malformed"},
		{"frame too large", binary.BigEndian.AppendUint32(nil, 1001), "Invalid receive (size = 1001 larger than 1000)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, b.addr())
			// One good request first: its answer must still arrive.
			c.send(apiVersionsReq(3), 1)
			if _, err := c.nc.Write(tc.frame); err != nil {
				t.Fatal(err)
			}
			if _, err := c.readFrame(); err != nil && tc.name != "frame too large" {
				t.Fatalf("answer to the earlier request lost: %v", err)
			}
			c.expectClosed()
			found := false
			for _, e := range logs.All() {
				if strings.Contains(e.Message, tc.log) {
					found = true
				}
			}
			if !found {
				t.Errorf("no log line containing %q", tc.log)
			}
			other.roundTrip(apiVersionsReq(3), 2) // unaffected
		})
	}
}

// A panicking handler closes its connection, logs, and leaves the broker up.
func TestHandlerPanicClosesConnection(t *testing.T) {
	b, logs := newConnBroker(t)
	withAPI(t, 17, func(*Broker, *Request) { panic("boom") })
	c := dialRaw(t, b.addr())
	c.send(kmsg.NewPtrSASLHandshakeRequest(), 1)
	c.expectClosed()
	if logs.FilterMessageSnippet("boom").Len() == 0 {
		t.Error("panic not logged")
	}
	dialRaw(t, b.addr()).roundTrip(apiVersionsReq(3), 1)
}

func TestSaslHandshakeUnsupported(t *testing.T) {
	b, _ := newConnBroker(t)
	req := kmsg.NewPtrSASLHandshakeRequest()
	req.SetVersion(1)
	req.Mechanism = "PLAIN"
	resp := dialRaw(t, b.addr()).roundTrip(req, 1).(*kmsg.SASLHandshakeResponse)
	if resp.ErrorCode != kerr.UnsupportedSaslMechanism.Code || len(resp.SupportedMechanisms) != 0 {
		t.Fatalf("%+v", resp)
	}
}

// Closing the socket server closes client connections and returns.
func TestSocketServerClose(t *testing.T) {
	b, _ := newConnBroker(t)
	c := dialRaw(t, b.addr())
	c.roundTrip(apiVersionsReq(3), 1)
	done := make(chan struct{})
	go func() { b.network.close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("close did not return")
	}
	c.expectClosed()
	if _, err := net.DialTimeout("tcp", b.addr(), time.Second); err == nil {
		t.Fatal("listener still accepting")
	}
}
