package zkcoord

import (
	"errors"
	"net"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"gokafka/zkcoord/zktest"
)

func TestMain(m *testing.M) { os.Exit(zktest.Main(m)) }

// connect opens a client on a fresh chroot of the package's shared ZooKeeper.
func connect(t *testing.T) (*Client, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: runs ZooKeeper")
	}
	cs := zktest.SharedConnect(t)
	return connectTo(t, cs), cs
}

func connectTo(t *testing.T, cs string) *Client {
	t.Helper()
	c, err := Connect(cs, 6*time.Second, 10*time.Second, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestConnectCreatesChroot(t *testing.T) {
	c, cs := connect(t)
	if err := c.CreateTopLevelPaths(); err != nil {
		t.Fatal(err)
	}
	root := connectTo(t, zktest.Shared(t).Connect)
	chroot := cs[strings.IndexByte(cs, '/'):]
	kids, err := root.Children(chroot)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"admin", "brokers", "config", "consumers", "isr_change_notification", "latest_producer_id_block", "log_dir_event_notification"}
	if !reflect.DeepEqual(kids, want) {
		t.Errorf("children of the chroot = %v, want %v", kids, want)
	}
	// Paths seen through the chroot client are relative.
	p, err := c.Create(ConfigChangeNotificationPath, nil, PersistentSequential)
	if err != nil || p != "/config/changes/config_change_0000000000" {
		t.Errorf("sequential create = %q, %v", p, err)
	}
}

// Kafka's ZooKeeperClientTimeoutException wording when nothing answers.
func TestConnectTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	start := time.Now()
	_, err = Connect(addr, 6*time.Second, 300*time.Millisecond, zaptest.NewLogger(t))
	var te *ConnectTimeoutError
	if !errors.As(err, &te) || err.Error() != "Timed out waiting for connection while in state: CONNECTING" {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("Connect took %v with a 300ms timeout", time.Since(start))
	}
}

func TestRegisterBroker(t *testing.T) {
	c, cs := connect(t)
	if err := c.CreateTopLevelPaths(); err != nil {
		t.Fatal(err)
	}
	info := BrokerInfo{ID: 0, Endpoints: []EndPoint{{"PLAINTEXT", "localhost", 9092, "PLAINTEXT"}}, JmxPort: -1, Timestamp: 1}
	epoch, err := c.RegisterBroker(info)
	if err != nil {
		t.Fatal(err)
	}
	data, st, err := c.Get(BrokerIDPath(0))
	if err != nil {
		t.Fatal(err)
	}
	if st.Czxid != epoch || st.Version != 1 || st.EphemeralOwner != c.SessionID() {
		t.Errorf("stat %+v: want czxid %d, data version 1 (create + setData), owned by our session", st, epoch)
	}
	jsonEqual(t, "registration", data, string(info.Encode()))

	// Registering again from the same session is fine.
	if again, err := c.RegisterBroker(info); err != nil || again != epoch {
		t.Errorf("re-register from own session: %d, %v", again, err)
	}
	// Another session: a duplicate broker.id.
	other := connectTo(t, cs)
	_, err = other.RegisterBroker(info)
	var dup *BrokerIDExistsError
	if !errors.As(err, &dup) || !errors.Is(err, ErrNodeExists) || err.Error() != "KeeperErrorCode = NodeExists for /brokers/ids/0" {
		t.Errorf("duplicate: %v", err)
	}
	bs, err := other.Brokers()
	if err != nil || len(bs) != 1 || bs[0].Epoch != epoch || bs[0].Endpoints[0].Port != 9092 {
		t.Errorf("Brokers() = %+v, %v", bs, err)
	}
	// Closing the session removes the ephemeral node at once.
	c.Close()
	waitFor(t, 5*time.Second, "ephemeral node removal", func() bool {
		ok, _, _ := other.Exists(BrokerIDPath(0))
		return !ok
	})
}

func TestClusterIDAndIDs(t *testing.T) {
	c, _ := connect(t)
	if err := c.CreateTopLevelPaths(); err != nil {
		t.Fatal(err)
	}
	id, err := c.GetOrCreateClusterID()
	if err != nil || len(id) != 22 {
		t.Fatalf("cluster id %q, %v", id, err)
	}
	if again, _ := c.GetOrCreateClusterID(); again != id {
		t.Errorf("second call gave %q, want %q", again, id)
	}
	for _, want := range []int32{1001, 1002} {
		if got, err := c.GenerateBrokerID(1000); err != nil || got != want {
			t.Errorf("GenerateBrokerID = %d, %v; want %d", got, err, want)
		}
	}
	for _, want := range [][2]int64{{0, 999}, {1000, 1999}} {
		s, e, err := c.AllocateProducerIDBlock(3)
		if err != nil || s != want[0] || e != want[1] {
			t.Errorf("AllocateProducerIDBlock = [%d,%d] %v, want %v", s, e, err, want)
		}
	}
	data, _, _ := c.Get(ProducerIDBlockPath)
	jsonEqual(t, "producer id block", data, `{"version":1,"broker":3,"block_start":"1000","block_end":"1999"}`)

	// Concurrent claims never hand out the same block.
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, _, err := c.AllocateProducerIDBlock(int32(i))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if seen[s] {
				t.Errorf("block %d handed out twice", s)
			}
			seen[s] = true
		}()
	}
	wg.Wait()
}

func TestCreateTopicAndPartitions(t *testing.T) {
	c, _ := connect(t)
	if err := c.CreateTopLevelPaths(); err != nil {
		t.Fatal(err)
	}
	assign := map[int32][]int32{0: {0, 1}, 1: {1, 0}}
	if err := c.CreateTopic("test_topic", assign, map[string]string{"retention.ms": "1000"}, true); err != nil {
		t.Fatal(err)
	}
	a, err := c.TopicAssignment("test_topic")
	if err != nil || !reflect.DeepEqual(a.Partitions, assign) || a.TopicID.IsZero() || a.Version != 3 {
		t.Fatalf("assignment %+v, %v", a, err)
	}
	cfg, _ := c.EntityConfig(ConfigTypeTopic, "test_topic")
	if !reflect.DeepEqual(cfg, map[string]string{"retention.ms": "1000"}) {
		t.Errorf("config %v", cfg)
	}
	// Kafka's messages for the usual refusals.
	for name, want := range map[string]string{
		"test_topic": "Topic 'test_topic' already exists.",
		"test.topic": "Topic 'test.topic' collides with existing topics: test_topic",
		"a b":        `Topic name "a b" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
	} {
		if err := c.CreateTopic(name, assign, nil, false); err == nil || err.Error() != want {
			t.Errorf("CreateTopic(%q) = %v, want %q", name, err, want)
		}
	}
	if err := c.CreateTopic("plain", map[int32][]int32{0: {0}}, nil, false); err != nil {
		t.Fatal(err)
	}
	cfg, _ = c.EntityConfig(ConfigTypeTopic, "plain")
	data, _, _ := c.Get(EntityConfigPath(ConfigTypeTopic, "plain"))
	jsonEqual(t, "empty topic config", data, `{"version":1,"config":{}}`)

	added, err := c.AddPartitions("test_topic", metas(0, 1), 3, nil)
	if err != nil || len(added) != 1 || len(added[2]) != 2 {
		t.Fatalf("AddPartitions: %v %v", added, err)
	}
	b, _ := c.TopicAssignment("test_topic")
	if len(b.Partitions) != 3 || b.TopicID != a.TopicID {
		t.Errorf("after adding: %+v (topic id must be kept)", b)
	}
	topics, _ := c.Topics()
	if !reflect.DeepEqual(topics, []string{"plain", "test_topic"}) {
		t.Errorf("Topics() = %v", topics)
	}

	if err := c.MarkTopicForDeletion("plain"); err != nil {
		t.Fatal(err)
	}
	if err := c.MarkTopicForDeletion("plain"); !errors.Is(err, ErrNodeExists) {
		t.Errorf("second marker: %v", err)
	}
	if err := c.CreateTopic("plain", map[int32][]int32{0: {0}}, nil, false); err == nil || err.Error() != "Topic 'plain' is marked for deletion." {
		t.Errorf("create while marked: %v", err)
	}
}

func TestEntityConfigNotifications(t *testing.T) {
	c, _ := connect(t)
	if err := c.CreateTopLevelPaths(); err != nil {
		t.Fatal(err)
	}
	if err := c.SetEntityConfig(ConfigTypeClient, SanitizeEntityName("*"), map[string]string{"producer_byte_rate": "1024"}); err != nil {
		t.Fatal(err)
	}
	if err := c.ChangeTopicConfig("nope", nil); err == nil || err.Error() != "Topic 'nope' does not exist." {
		t.Errorf("ChangeTopicConfig on a missing topic: %v", err)
	}
	kids, _ := c.Children(ConfigChangesPath)
	if len(kids) != 1 {
		t.Fatalf("notifications %v", kids)
	}
	data, _, _ := c.Get(ConfigChangesPath + "/" + kids[0])
	jsonEqual(t, "notification", data, `{"version":2,"entity_path":"clients/%2A"}`)
	cfg, err := c.EntityConfig(ConfigTypeClient, "%2A")
	if err != nil || cfg["producer_byte_rate"] != "1024" {
		t.Errorf("client config %v %v", cfg, err)
	}
}

func TestMultiFenced(t *testing.T) {
	c, _ := connect(t)
	if _, err := c.Create(ControllerEpochPath, EncodeControllerEpoch(0), Persistent); err != nil {
		t.Fatal(err)
	}
	_, st, _ := c.Get(ControllerEpochPath)
	if _, err := c.MultiFenced(st.Version, CreateOp("/a", []byte("x"), Persistent)); err != nil {
		t.Fatal(err)
	}
	// Another controller bumps the epoch: our fenced writes fail.
	if _, err := c.Set(ControllerEpochPath, EncodeControllerEpoch(1), st.Version); err != nil {
		t.Fatal(err)
	}
	_, err := c.MultiFenced(st.Version, CreateOp("/b", nil, Persistent))
	if !errors.Is(err, ErrControllerMoved) {
		t.Errorf("stale fenced write: %v", err)
	}
	if ok, _, _ := c.Exists("/b"); ok {
		t.Error("/b was written despite the failed fence")
	}
	// A failure in a later op names that op, and rolls everything back.
	_, err = c.MultiFenced(st.Version+1, CreateOp("/c", nil, Persistent), CreateOp("/a", nil, Persistent))
	var me *MultiError
	if !errors.As(err, &me) || me.Index != 1 || !errors.Is(err, ErrNodeExists) {
		t.Errorf("failing op: %v", err)
	}
	if ok, _, _ := c.Exists("/c"); ok {
		t.Error("/c exists after a failed multi")
	}
}

func TestWatches(t *testing.T) {
	c, _ := connect(t)
	events := make(chan WatchEvent, 3)
	fn := func(ev WatchEvent) { events <- ev }
	if ok, _, err := c.ExistsW("/w", fn); ok || err != nil {
		t.Fatal(ok, err)
	}
	if _, err := c.Create("/w", []byte("1"), Persistent); err != nil {
		t.Fatal(err)
	}
	expect := func(typ EventType, path string) {
		t.Helper()
		select {
		case ev := <-events:
			if ev.Type != typ || ev.Path != path {
				t.Errorf("event %+v, want %v on %s", ev, typ, path)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no %v event", typ)
		}
	}
	expect(EventNodeCreated, "/w")
	if _, _, err := c.GetDataW("/w", fn); err != nil {
		t.Fatal(err)
	}
	c.Set("/w", []byte("2"), -1)
	expect(EventNodeDataChanged, "/w")
	if _, _, err := c.GetChildrenW("/w", fn); err != nil {
		t.Fatal(err)
	}
	c.Create("/w/kid", nil, Persistent)
	expect(EventNodeChildrenChanged, "/w")
}

// cuttableDialer lets a test cut the client off ZooKeeper long enough for
// the server to expire its session.
type cuttableDialer struct {
	cut   atomic.Bool
	mu    sync.Mutex
	conns []net.Conn
}

func (d *cuttableDialer) dial(network, addr string, timeout time.Duration) (net.Conn, error) {
	if d.cut.Load() {
		return nil, errors.New("cut off by the test")
	}
	c, err := net.DialTimeout(network, addr, timeout)
	if err == nil {
		d.mu.Lock()
		d.conns = append(d.conns, c)
		d.mu.Unlock()
	}
	return c, err
}

func (d *cuttableDialer) cutOff() {
	d.cut.Store(true)
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.conns {
		c.Close()
	}
	d.conns = nil
}

// After a session expiry the hooks run in order and the broker can register
// again with a new epoch (zookeeper.md §5).
func TestSessionExpiryHooks(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs ZooKeeper")
	}
	cs := zktest.SharedConnect(t)
	observer := connectTo(t, cs) // connected before the dialer is swapped
	d := &cuttableDialer{}
	dialer = d.dial
	defer func() { dialer = nil }()
	c, err := Connect(cs, 2*time.Second, 10*time.Second, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.CreateTopLevelPaths()
	info := BrokerInfo{ID: 5, Endpoints: []EndPoint{{"PLAINTEXT", "h", 1, "PLAINTEXT"}}}
	epoch1, err := c.RegisterBroker(info)
	if err != nil {
		t.Fatal(err)
	}
	var expired, reconnected atomic.Int32
	var epoch2 atomic.Int64
	c.OnSessionExpired(func() { expired.Add(1) })
	c.OnReconnected(func() {
		e, err := c.RegisterBroker(info)
		if err != nil {
			t.Error(err)
		}
		epoch2.Store(e)
		reconnected.Add(1)
	})
	d.cutOff()
	waitFor(t, 20*time.Second, "the server to expire the session", func() bool {
		ok, _, _ := observer.Exists(BrokerIDPath(5))
		return !ok
	})
	d.cut.Store(false)
	waitFor(t, 20*time.Second, "hooks", func() bool { return reconnected.Load() == 1 })
	if expired.Load() != 1 {
		t.Errorf("expired hook ran %d times", expired.Load())
	}
	if epoch2.Load() <= epoch1 {
		t.Errorf("new epoch %d not above old %d", epoch2.Load(), epoch1)
	}
	if ok, _, _ := observer.Exists(BrokerIDPath(5)); !ok {
		t.Error("not re-registered")
	}
}

// Requests made while ZooKeeper is briefly down wait for it and succeed
// (Kafka's ZooKeeperClient retries on connection loss within the session).
func TestRequestsSurviveZooKeeperRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs ZooKeeper")
	}
	z := zktest.StartZooKeeper(t)
	c := connectTo(t, z.Connect+"/kafka")
	if err := c.CreateTopLevelPaths(); err != nil {
		t.Fatal(err)
	}
	z.Stop()
	done := make(chan error, 1)
	go func() {
		_, err := c.Create(survivorPath, []byte("{}"), Persistent)
		done <- err
	}()
	if err := z.Restart(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("create across the restart: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("create never finished")
	}
	if ok, _, err := c.Exists(survivorPath); !ok || err != nil {
		t.Errorf("exists = %v, %v", ok, err)
	}
}

var survivorPath = TopicPath("survivor")

func TestNotifications(t *testing.T) {
	c, _ := connect(t)
	p, err := c.CreateIsrChangeNotification([]TopicPartition{{"foo", 0}})
	if err != nil || p != "/isr_change_notification/isr_change_0000000000" {
		t.Fatalf("isr change: %q, %v", p, err)
	}
	data, _, _ := c.Get(p)
	jsonEqual(t, "isr change", data, `{"version":1,"partitions":[{"topic":"foo","partition":0}]}`)
	p, err = c.CreateLogDirEventNotification(2)
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := SequenceNumber(p[strings.LastIndexByte(p, '/')+1:], LogDirEventPrefix); !ok || n != 0 {
		t.Errorf("sequence of %q = %d, %v", p, n, ok)
	}
	data, _, _ = c.Get(p)
	if b, err := DecodeLogDirEvent(data); err != nil || b != 2 {
		t.Errorf("log dir event broker %d, %v", b, err)
	}
}

// The legacy admin requests the 2.8 controller still obeys.
func TestAdminRequests(t *testing.T) {
	c, _ := connect(t)
	if _, _, ok, err := c.ReassignPartitionsRequest(); ok || err != nil {
		t.Fatalf("no request yet: %v %v", ok, err)
	}
	want := ReassignPartitions{{"foo", 0}: {5, 6}}
	if err := c.CreateReassignPartitions(want); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateReassignPartitions(want); !errors.Is(err, ErrNodeExists) {
		t.Errorf("second request: %v", err)
	}
	got, _, ok, err := c.ReassignPartitionsRequest()
	if !ok || err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("read back %v %v %v", got, ok, err)
	}
	tps := []TopicPartition{{"foo", 0}, {"bar", 1}}
	if err := c.CreatePreferredReplicaElection(tps); err != nil {
		t.Fatal(err)
	}
	back, ok, err := c.PreferredReplicaElectionRequest()
	if !ok || err != nil || !reflect.DeepEqual(back, []TopicPartition{{"bar", 1}, {"foo", 0}}) {
		t.Errorf("preferred election %v %v %v", back, ok, err)
	}
}
