package broker

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
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
	t  testing.TB
	nc net.Conn
}

func dialRaw(t testing.TB, addr string) *rawClient {
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

// startTestCluster runs n brokers (ids 0..n-1) in this process on one
// ZooKeeper chroot and waits until every broker's metadata cache lists all
// of them with the same controller.
func startTestCluster(t *testing.T, n int, extra ...string) []*Broker {
	t.Helper()
	connect := zktest.Shared(t).ChrootConnect(t)
	var bs []*Broker
	for i := 0; i < n; i++ {
		bs = append(bs, startTestBroker(t, connect, int32(i), extra...))
	}
	waitFor(t, 30*time.Second, func() error {
		ctrl := bs[0].metadata.ControllerID()
		for _, b := range bs {
			if got := len(b.metadata.AliveBrokers()); got != n {
				return fmt.Errorf("broker %d knows %d brokers", b.cfg.BrokerID, got)
			}
			if c := b.metadata.ControllerID(); c < 0 || c != ctrl {
				return fmt.Errorf("broker %d says controller %d, broker 0 says %d", b.cfg.BrokerID, c, ctrl)
			}
		}
		return nil
	})
	return bs
}

// Three brokers: every one answers Metadata with the whole cluster, and an
// auto-created topic with replication factor 3 gets leaders and full ISRs
// through the controller's LeaderAndIsr and UpdateMetadata, carried by the
// controller channel.
func TestClusterMetadata(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	bs := startTestCluster(t, 3, "default.replication.factor", "3", "num.partitions", "4")
	cl := newClient(t, kgo.SeedBrokers(bs[1].addr()))
	req := kmsg.NewPtrMetadataRequest()
	tp := kmsg.NewMetadataRequestTopic()
	tp.Topic = kmsg.StringPtr("replicated")
	req.Topics = append(req.Topics, tp)
	req.AllowAutoTopicCreation = true
	waitFor(t, 30*time.Second, func() error {
		resp, err := req.RequestWith(ctx(t), cl)
		if err != nil {
			return err
		}
		if len(resp.Brokers) != 3 {
			return fmt.Errorf("%d brokers", len(resp.Brokers))
		}
		mt := resp.Topics[0]
		if mt.ErrorCode != 0 || len(mt.Partitions) != 4 {
			return fmt.Errorf("topic error %d, %d partitions", mt.ErrorCode, len(mt.Partitions))
		}
		for _, p := range mt.Partitions {
			if p.ErrorCode != 0 || p.Leader < 0 || len(p.Replicas) != 3 || len(p.ISR) != 3 || p.LeaderEpoch < 0 {
				return fmt.Errorf("partition %+v", p)
			}
		}
		return nil
	})
	// Every broker's cache catches up (UpdateMetadata goes to all).
	waitFor(t, 15*time.Second, func() error {
		for _, b := range bs {
			if !b.hasAllLeaders("replicated", 4) {
				return fmt.Errorf("broker %d caches %d partitions", b.cfg.BrokerID, len(b.metadata.Partitions("replicated")))
			}
		}
		return nil
	})
}

// kcat -L (librdkafka: ApiVersions v3, then Metadata) lists the brokers,
// the controller and the topics.
func TestKcatList(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	if _, err := exec.LookPath("kcat"); err != nil {
		t.Skip("kcat not installed")
	}
	connect := zktest.Shared(t).ChrootConnect(t)
	b := startTestBroker(t, connect, 3)
	cl := newClient(t, kgo.SeedBrokers(b.addr()), kgo.AllowAutoTopicCreation())
	waitFor(t, 15*time.Second, func() error {
		req := kmsg.NewPtrMetadataRequest()
		tp := kmsg.NewMetadataRequestTopic()
		tp.Topic = kmsg.StringPtr("kcat-topic")
		req.Topics = append(req.Topics, tp)
		req.AllowAutoTopicCreation = true
		resp, err := req.RequestWith(ctx(t), cl)
		if err != nil {
			return err
		}
		if resp.Topics[0].ErrorCode != 0 {
			return kerr.ErrorForCode(resp.Topics[0].ErrorCode)
		}
		return nil
	})
	out, err := exec.Command("kcat", "-L", "-b", b.addr(), "-m", "10").CombinedOutput()
	if err != nil {
		t.Fatalf("kcat -L: %v\n%s", err, out)
	}
	for _, want := range []string{
		"1 brokers:",
		"broker 3 at " + b.addr() + " (controller)",
		`topic "kcat-topic" with 1 partitions:`,
		"partition 0, leader 3, replicas: 3, isrs: 3",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("kcat -L output lacks %q:\n%s", want, out)
		}
	}
}
