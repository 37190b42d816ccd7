package broker

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap/zaptest"

	"gokafka/protocol"
	"gokafka/zkcoord/zktest"
)

// TestMain stops the package's shared ZooKeeper (zktest.Shared) when the
// tests end. It is the only TestMain of package broker.
func TestMain(m *testing.M) { os.Exit(zktest.Main(m)) }

// startTestBroker runs a broker in this process against connect (a chroot
// on the shared ZooKeeper), on a free loopback port, with its logs in a
// temporary directory. Extra properties override the defaults.
func startTestBroker(t *testing.T, connect string, id int32, extra ...string) *Broker {
	t.Helper()
	props := map[string]string{
		"zookeeper.connect":                    connect,
		"broker.id":                            strconv.Itoa(int(id)),
		"listeners":                            "PLAINTEXT://127.0.0.1:0",
		"log.dirs":                             t.TempDir(),
		"offsets.topic.replication.factor":     "1",
		"controlled.shutdown.retry.backoff.ms": "200",
		"zookeeper.session.timeout.ms":         "6000",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		props[extra[i]] = extra[i+1]
	}
	cfg, _, err := ParseConfig(props)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(b.Shutdown)
	return b
}

// addr is the broker's PLAINTEXT address.
func (b *Broker) addr() string {
	port, _ := b.network.boundPort("PLAINTEXT")
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(int(port)))
}

// waitFor polls fn until it returns nil or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v: %v", timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rawClient is a bare socket speaking the Kafka protocol, for tests that
// need to control exact bytes and pipelining.
type rawClient struct {
	t  *testing.T
	nc net.Conn
}

func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawClient{t: t, nc: nc}
}

func (c *rawClient) send(req kmsg.Request, corr int32) {
	c.t.Helper()
	if _, err := c.nc.Write(protocol.AppendRequest(nil, req, corr, kmsg.StringPtr("test"))); err != nil {
		c.t.Fatal(err)
	}
}

// readFrame returns the next response frame (without the size), or the error.
func (c *rawClient) readFrame() ([]byte, error) {
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	return protocol.ReadFrame(c.nc, nil, 1<<28)
}

// roundTrip sends req and decodes the answer, checking the correlation id.
func (c *rawClient) roundTrip(req kmsg.Request, corr int32) kmsg.Response {
	c.t.Helper()
	c.send(req, corr)
	frame, err := c.readFrame()
	if err != nil {
		c.t.Fatalf("reading %s response: %v", kmsg.NameForKey(req.Key()), err)
	}
	resp := req.ResponseKind()
	resp.SetVersion(req.GetVersion())
	got, err := protocol.ReadResponse(frame, resp)
	if err != nil || got != corr {
		c.t.Fatalf("response corr %d (want %d): %v", got, corr, err)
	}
	return resp
}

// expectClosed checks that the broker closed the connection.
func (c *rawClient) expectClosed() {
	c.t.Helper()
	if frame, err := c.readFrame(); err == nil {
		c.t.Fatalf("connection still open; got a %d-byte frame", len(frame))
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		c.t.Fatal("connection still open (read timed out)")
	}
}

func newClient(t *testing.T, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

var _ = fmt.Sprint

func splitHostPort(addr string) (string, int, error) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	n, err := strconv.Atoi(p)
	return h, n, err
}
