package controller

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap/zaptest"

	"gokafka/zkcoord"
	"gokafka/zkcoord/zktest"
)

func TestMain(m *testing.M) { os.Exit(zktest.Main(m)) }

// fakeChannel is a BrokerChannel that records what the controller sends and answers every
// request with success, as a healthy broker would (StopReplica can be told to fail).
type fakeChannel struct {
	mu              sync.Mutex
	open            map[int32]bool
	sent            []sentRequest
	failStopReplica bool
}

type sentRequest struct {
	to  int32
	req kmsg.Request
}

func newFakeChannel() *fakeChannel { return &fakeChannel{open: map[int32]bool{}} }

func (f *fakeChannel) AddBroker(info BrokerInfo) {
	f.mu.Lock()
	f.open[info.ID] = true
	f.mu.Unlock()
}

func (f *fakeChannel) RemoveBroker(id int32) {
	f.mu.Lock()
	delete(f.open, id)
	f.mu.Unlock()
}

func (f *fakeChannel) Send(id int32, req kmsg.Request, cb func(kmsg.Response, error)) {
	f.mu.Lock()
	open, fail := f.open[id], f.failStopReplica
	if open {
		f.sent = append(f.sent, sentRequest{id, req})
	}
	f.mu.Unlock()
	if cb == nil {
		return
	}
	if !open {
		go cb(nil, errors.New("fake: no queue for broker"))
		return
	}
	go cb(answer(req, fail), nil)
}

// answer builds the success response a broker would send.
func answer(req kmsg.Request, failStopReplica bool) kmsg.Response {
	switch r := req.(type) {
	case *kmsg.StopReplicaRequest:
		resp := r.ResponseKind().(*kmsg.StopReplicaResponse)
		for _, t := range r.Topics {
			for _, p := range t.PartitionStates {
				rp := kmsg.NewStopReplicaResponsePartition()
				rp.Topic, rp.Partition = t.Topic, p.Partition
				if failStopReplica {
					rp.ErrorCode = 56 // KAFKA_STORAGE_ERROR
				}
				resp.Partitions = append(resp.Partitions, rp)
			}
		}
		return resp
	default:
		return req.ResponseKind()
	}
}

// requests returns what was sent so far, optionally only requests of one API key.
func (f *fakeChannel) requests(key int16) []sentRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []sentRequest
	for _, s := range f.sent {
		if key < 0 || s.req.Key() == key {
			out = append(out, s)
		}
	}
	return out
}

func (f *fakeChannel) reset() {
	f.mu.Lock()
	f.sent = nil
	f.mu.Unlock()
}

// lisrFor returns the LeaderAndIsr partition states sent to broker id for tp, in order.
func (f *fakeChannel) lisrFor(id int32, tp TopicPartition) []kmsg.LeaderAndISRRequestTopicPartition {
	var out []kmsg.LeaderAndISRRequestTopicPartition
	for _, s := range f.requests(4) {
		if s.to != id {
			continue
		}
		for _, ts := range s.req.(*kmsg.LeaderAndISRRequest).TopicStates {
			if ts.Topic != tp.Topic {
				continue
			}
			for _, ps := range ts.PartitionStates {
				if ps.Partition == tp.Partition {
					out = append(out, ps)
				}
			}
		}
	}
	return out
}

// umFor returns the UpdateMetadata partition states sent to broker id for tp, in order.
func (f *fakeChannel) umFor(id int32, tp TopicPartition) []kmsg.UpdateMetadataRequestTopicPartition {
	var out []kmsg.UpdateMetadataRequestTopicPartition
	for _, s := range f.requests(6) {
		if s.to != id {
			continue
		}
		for _, ts := range s.req.(*kmsg.UpdateMetadataRequest).TopicStates {
			if ts.Topic != tp.Topic {
				continue
			}
			for _, ps := range ts.PartitionStates {
				if ps.Partition == tp.Partition {
					out = append(out, ps)
				}
			}
		}
	}
	return out
}

// cluster is a chroot on the shared ZooKeeper with brokers that are only a registration
// session each plus the controller component, as a real broker runs it.
type cluster struct {
	t       testing.TB
	connect string
	admin   *zkcoord.Client // the test's own session, for tool-like writes and reads
	brokers map[int32]*broker
	cfg     func(*Config)

	lastResult []string // output of the last transcript command that returns a result
}

type broker struct {
	mu    sync.Mutex // guards epoch after a re-registration
	id    int32
	zk    *zkcoord.Client
	ctrl  *Controller
	ch    *fakeChannel
	epoch int64
}

func newCluster(t testing.TB) *cluster {
	t.Helper()
	connect := zktest.SharedConnect(t)
	c := &cluster{t: t, connect: connect, brokers: map[int32]*broker{}}
	c.admin = c.dial()
	if err := c.admin.CreateTopLevelPaths(); err != nil {
		t.Fatalf("creating top-level paths: %v", err)
	}
	t.Cleanup(func() {
		for _, b := range c.brokers {
			b.stop()
		}
		c.admin.Close()
	})
	return c
}

func (c *cluster) dial() *zkcoord.Client {
	c.t.Helper()
	cl, err := zkcoord.Connect(c.connect, 6*time.Second, 20*time.Second, zaptest.NewLogger(c.t).Named("zk"))
	if err != nil {
		c.t.Fatalf("connecting to ZooKeeper: %v", err)
	}
	return cl
}

// startBroker registers broker id and starts its controller component.
func (c *cluster) startBroker(id int32) *broker {
	c.t.Helper()
	return c.startBrokerOn(id, c.dial())
}

// startBrokerOn is startBroker over a given session, wired to its expiry hooks as the broker
// is: resign on expiry, re-register and re-elect once the new session exists.
func (c *cluster) startBrokerOn(id int32, cl *zkcoord.Client) *broker {
	c.t.Helper()
	info := BrokerInfo{ID: id, JmxPort: -1, Timestamp: time.Now().UnixMilli(), Endpoints: []zkcoord.EndPoint{
		{ListenerName: "PLAINTEXT", Host: "127.0.0.1", Port: 9092 + id, SecurityProtocol: "PLAINTEXT"}}}
	epoch, err := cl.RegisterBroker(info)
	if err != nil {
		c.t.Fatalf("registering broker %d: %v", id, err)
	}
	cfg := DefaultConfig(id)
	cfg.AutoLeaderRebalanceEnable = false
	if c.cfg != nil {
		c.cfg(&cfg)
	}
	ch := newFakeChannel()
	b := &broker{id: id, zk: cl, ch: ch, epoch: epoch,
		ctrl: New(cl, cfg, ch, zaptest.NewLogger(c.t).Named(fmt.Sprintf("broker%d", id)))}
	cl.OnSessionExpired(b.ctrl.OnSessionExpired)
	cl.OnReconnected(func() {
		if epoch, err := cl.RegisterBroker(info); err == nil {
			b.mu.Lock()
			b.epoch = epoch
			b.mu.Unlock()
			b.ctrl.OnSessionReestablished()
		}
	})
	b.ctrl.Start()
	c.brokers[id] = b
	c.waitControllerSees(id, true) // so a test's next step finds it live
	return b
}

// stop ends the broker as a crash would: the controller stops and the session closes, so its
// ephemeral znodes vanish at once.
func (b *broker) stop() {
	b.ctrl.Close()
	b.zk.Close()
}

func (c *cluster) killBroker(id int32) {
	c.t.Helper()
	c.brokers[id].stop()
	delete(c.brokers, id)
	c.waitControllerSees(id, false)
}

// active waits for a broker to be the active controller and returns it.
func (c *cluster) active() *broker {
	c.t.Helper()
	var found *broker
	waitFor(c.t, 20*time.Second, "an active controller", func() bool {
		for _, b := range c.brokers {
			if b.ctrl.IsActive() {
				found = b
				return true
			}
		}
		return false
	})
	return found
}

func (c *cluster) createTopic(name string, assign map[int32][]int32) {
	c.t.Helper()
	if err := c.admin.CreateTopic(name, assign, nil, false); err != nil {
		c.t.Fatalf("creating topic %s: %v", name, err)
	}
}

// state reads a partition's state znode; ok is false when it does not exist (yet).
func (c *cluster) state(topic string, p int32) (zkcoord.PartitionState, bool) {
	s, err := c.admin.PartitionState(topic, p)
	if errors.Is(err, zkcoord.ErrNoNode) {
		return s, false
	}
	if err != nil {
		c.t.Fatalf("reading state of %s-%d: %v", topic, p, err)
	}
	return s, true
}

// waitState waits until the state znode satisfies ok and returns it.
func (c *cluster) waitState(topic string, p int32, what string, ok func(zkcoord.PartitionState) bool) zkcoord.PartitionState {
	c.t.Helper()
	var s zkcoord.PartitionState
	waitFor(c.t, 20*time.Second, fmt.Sprintf("%s-%d: %s", topic, p, what), func() bool {
		var exists bool
		s, exists = c.state(topic, p)
		return exists && ok(s)
	})
	return s
}

func (c *cluster) exists(path string) bool {
	ok, _, err := c.admin.Exists(path)
	if err != nil {
		c.t.Fatalf("exists %s: %v", path, err)
	}
	return ok
}

// waitFor polls fn until it returns true, failing the test after timeout.
func waitFor(t testing.TB, timeout time.Duration, what string, fn func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !fn() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func isrIs(want ...int32) func(zkcoord.PartitionState) bool {
	return func(s zkcoord.PartitionState) bool { return slices.Equal(s.ISR, want) }
}

// sync waits until the controller has processed every event queued so far.
func (b *broker) sync(t testing.TB) {
	t.Helper()
	if err := b.ctrl.call("Sync", func() {}); err != nil {
		t.Fatal(err)
	}
}

// leaderSetsISR changes a partition's ISR as its leader does on the direct ZooKeeper path
// (replication.md §3.4): a conditional write of the state znode with the same leader and leader
// epoch, then an /isr_change_notification sequential znode.
func (c *cluster) leaderSetsISR(topic string, p int32, isr ...int32) {
	c.t.Helper()
	c.leadersSetISRs(map[TopicPartition][]int32{{Topic: topic, Partition: p}: isr}, true)
}

// leadersSetISRs writes several ISR changes and, if notify, one notification listing them all,
// as the leaders' batching task does a few seconds later.
func (c *cluster) leadersSetISRs(isrs map[TopicPartition][]int32, notify bool) {
	c.t.Helper()
	var tps []TopicPartition
	for tp, isr := range isrs {
		s, ok := c.state(tp.Topic, tp.Partition)
		if !ok {
			c.t.Fatalf("%s has no state", tpString(tp))
		}
		s.ISR = isr
		if _, err := c.admin.Set(zkcoord.PartitionStatePath(tp.Topic, tp.Partition), s.Encode(), s.ZkVersion); err != nil {
			c.t.Fatalf("writing ISR of %s: %v", tpString(tp), err)
		}
		tps = append(tps, tp)
	}
	if !notify {
		return
	}
	note := zkcoord.EncodeIsrChangeNotification(tps)
	if _, err := c.admin.Create(zkcoord.IsrChangeNotificationPath+"/isr_change_", note, zkcoord.PersistentSequential); err != nil {
		c.t.Fatalf("writing ISR change notification: %v", err)
	}
}
