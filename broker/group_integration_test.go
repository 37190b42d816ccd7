package broker_test

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"

	"gokafka/broker/brokertest"
	"gokafka/zkcoord/zktest"
)

// Consumer groups against a real broker process and real ZooKeeper: franz-go
// groups with the eager range and the cooperative-sticky assignors, and
// kcat -G (librdkafka). Every record is read exactly once across the
// members, rebalances follow members joining and leaving, and committed
// offsets survive member restarts and a broker restart.
func TestConsumerGroupsIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (starts ZooKeeper and a broker)")
	}
	zk := zktest.StartZooKeeper(t)
	b := brokertest.StartBroker(t, zk,
		brokertest.WithProps("offsets.topic.replication.factor", "1"),
		brokertest.WithProps("group.initial.rebalance.delay.ms", "0"),
		brokertest.WithProps("num.partitions", "4")) // topics are auto-created with 4 partitions
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	t.Run("RangeEager", func(t *testing.T) {
		groupScenario(t, ctx, b, "range", kgo.RangeBalancer())
	})
	t.Run("CooperativeSticky", func(t *testing.T) {
		groupScenario(t, ctx, b, "coop", kgo.CooperativeStickyBalancer())
	})
	t.Run("StaticMembership", func(t *testing.T) {
		staticScenario(t, ctx, b)
	})
	t.Run("Sarama", func(t *testing.T) {
		saramaScenario(t, ctx, b)
	})
	t.Run("Kcat", func(t *testing.T) {
		kcatScenario(t, ctx, b)
	})
	t.Run("CommitsSurviveBrokerRestart", func(t *testing.T) {
		topic, group := "restart-t", "restart-g"
		groupCreateTopic(t, ctx, b, topic, 4)
		groupProduce(t, ctx, b, topic, "a", 30)
		c := groupConsumer(t, b, group, topic, kgo.RangeBalancer())
		seen := newSeenSet()
		seen.consume(ctx, c, "c")
		groupWaitFor(t, ctx, "30 records", func() bool { return seen.len() == 30 })
		if err := c.CommitUncommittedOffsets(ctx); err != nil {
			t.Fatal(err)
		}
		c.Close()
		before := groupCommitted(t, ctx, b, group, topic)
		if before != 30 {
			t.Fatalf("committed %d before the restart, want 30", before)
		}
		b.Restart()
		groupWaitFor(t, ctx, "offsets after the restart", func() bool { return groupCommitted(t, ctx, b, group, topic) == 30 })
		// A new member starts from the committed offsets.
		groupProduce(t, ctx, b, topic, "b", 5)
		c2 := groupConsumer(t, b, group, topic, kgo.RangeBalancer())
		seen2 := newSeenSet()
		seen2.consume(ctx, c2, "c2")
		groupWaitFor(t, ctx, "5 new records", func() bool { return seen2.len() >= 5 })
		// Every partition got a new record (round robin), and a re-read of
		// an old one would have come before it: no need to wait longer.
		if seen2.len() != 5 || seen2.dups() != 0 {
			t.Fatalf("after restart read %d records (%d duplicates), want the 5 new ones", seen2.len(), seen2.dups())
		}
	})
}

// groupScenario: two members share four partitions; each record is read
// once; one member leaves and the other takes over its partitions; a
// restarted member resumes from the committed offsets.
func groupScenario(t *testing.T, ctx context.Context, b *brokertest.Broker, name string, balancer kgo.GroupBalancer) {
	topic, group := name+"-t", name+"-g"
	groupCreateTopic(t, ctx, b, topic, 4)
	seen := newSeenSet()
	c1 := groupConsumer(t, b, group, topic, balancer)
	c2 := groupConsumer(t, b, group, topic, balancer)
	seen.consume(ctx, c1, "c1")
	seen.consume(ctx, c2, "c2")
	groupWaitForMembers(t, ctx, b, group, 2)

	groupProduce(t, ctx, b, topic, "first", 200)
	groupWaitFor(t, ctx, "200 records", func() bool { return seen.len() == 200 })
	if seen.dups() != 0 {
		t.Fatalf("%d records read twice", seen.dups())
	}
	if seen.by("c1") == 0 || seen.by("c2") == 0 {
		t.Fatalf("one member read nothing: c1 %d, c2 %d", seen.by("c1"), seen.by("c2"))
	}

	// c2 leaves: c1 gets every partition.
	if err := c2.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatal(err)
	}
	c2.Close()
	groupWaitForMembers(t, ctx, b, group, 1)
	groupProduce(t, ctx, b, topic, "second", 100)
	groupWaitFor(t, ctx, "300 records", func() bool { return seen.len() == 300 })
	if seen.dups() != 0 {
		t.Fatalf("%d records read twice after the leave", seen.dups())
	}

	// c1 commits and leaves; the group keeps the offsets.
	if err := c1.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatal(err)
	}
	c1.Close()
	if n := groupCommitted(t, ctx, b, group, topic); n != 300 {
		t.Fatalf("committed offsets sum to %d, want 300", n)
	}
	adm := kadm.NewClient(groupClient(t, b))
	groupWaitFor(t, ctx, "group Empty", func() bool {
		d, err := adm.DescribeGroups(ctx, group)
		return err == nil && d[group].State == "Empty"
	})

	// A restarted member resumes where the group left off.
	c3 := groupConsumer(t, b, group, topic, balancer)
	seen.consume(ctx, c3, "c3")
	groupWaitForMembers(t, ctx, b, group, 1)
	groupProduce(t, ctx, b, topic, "third", 50)
	groupWaitFor(t, ctx, "350 records", func() bool { return seen.len() == 350 })
	// Every partition got new records (round robin); re-read old ones
	// would have arrived before them.
	if seen.dups() != 0 || seen.by("c3") != 50 {
		t.Fatalf("restarted member read %d records, %d duplicates overall", seen.by("c3"), seen.dups())
	}
}

// kcatScenario: kcat -G consumes part of a topic and commits on exit; a
// second run continues after the committed offsets.
func kcatScenario(t *testing.T, ctx context.Context, b *brokertest.Broker) {
	if _, err := exec.LookPath("kcat"); err != nil {
		t.Skip("kcat not installed")
	}
	topic, group := "kcat-t", "kcat-g"
	groupCreateTopic(t, ctx, b, topic, 4)
	groupProduce(t, ctx, b, topic, "k", 40)
	run := func(n int) []string {
		cctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		out, err := exec.CommandContext(cctx, "kcat", "-b", b.Addr, "-G", group, "-c", fmt.Sprint(n),
			"-f", "%k\n", "-X", "auto.offset.reset=earliest", "-q", topic).CombinedOutput()
		if err != nil {
			t.Fatalf("kcat -G: %v\n%s", err, out)
		}
		return strings.Fields(string(out))
	}
	first := run(25)
	if len(first) != 25 {
		t.Fatalf("first run read %d records: %v", len(first), first)
	}
	groupWaitFor(t, ctx, "kcat's commit", func() bool { return groupCommitted(t, ctx, b, group, topic) == 25 })
	second := run(15)
	keys := map[string]bool{}
	for _, k := range append(first, second...) {
		if keys[k] {
			t.Fatalf("record %s read twice", k)
		}
		keys[k] = true
	}
	if len(keys) != 40 {
		t.Fatalf("read %d distinct records, want 40", len(keys))
	}
}

// staticScenario: static members (group.instance.id, KIP-345) restart
// without a rebalance and get their assignment back.
func staticScenario(t *testing.T, ctx context.Context, b *brokertest.Broker) {
	topic, group := "static-t", "static-g"
	groupCreateTopic(t, ctx, b, topic, 4)
	static := func(instance string) *kgo.Client {
		return groupClient(t, b,
			kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic), kgo.Balancers(kgo.RangeBalancer()),
			kgo.InstanceID(instance), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
			kgo.FetchMaxWait(200*time.Millisecond),
			kgo.SessionTimeout(30*time.Second), kgo.HeartbeatInterval(500*time.Millisecond))
	}
	seen := newSeenSet()
	s1, s2 := static("i1"), static("i2")
	seen.consume(ctx, s1, "s1")
	seen.consume(ctx, s2, "s2")
	groupWaitForMembers(t, ctx, b, group, 2)
	groupProduce(t, ctx, b, topic, "a", 40)
	groupWaitFor(t, ctx, "40 records", func() bool { return seen.len() == 40 })
	if err := s2.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatal(err)
	}
	s2.Close() // a static member does not leave on close

	s2b := static("i2")
	seen.consume(ctx, s2b, "s2b")
	if !b.WaitForOutput("Static member which joins during Stable stage and doesn't affect selectProtocol will not trigger rebalance.", time.Minute) {
		t.Fatal("the restarted static member caused a rebalance")
	}
	groupWaitForMembers(t, ctx, b, group, 2)
	groupProduce(t, ctx, b, topic, "b", 40)
	groupWaitFor(t, ctx, "80 records", func() bool { return seen.len() == 80 })
	if seen.dups() != 0 || seen.by("s2b") == 0 {
		t.Fatalf("restarted member read %d, %d duplicates", seen.by("s2b"), seen.dups())
	}
	d, err := kadm.NewClient(groupClient(t, b)).DescribeGroups(ctx, group)
	if err != nil {
		t.Fatal(err)
	}
	instances := map[string]bool{}
	for _, m := range d[group].Members {
		if m.InstanceID != nil {
			instances[*m.InstanceID] = true
		}
	}
	if !instances["i1"] || !instances["i2"] {
		t.Fatalf("members %+v", d[group].Members)
	}
}

// saramaScenario: two sarama consumer-group members (negotiated versions,
// range assignor) read every record once and commit on close.
func saramaScenario(t *testing.T, ctx context.Context, b *brokertest.Broker) {
	topic, group := "sarama-t", "sarama-g"
	groupCreateTopic(t, ctx, b, topic, 4)
	seen := newSeenSet()
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V2_8_0_0
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategyRange()}
	cfg.Consumer.Group.Session.Timeout = 6 * time.Second
	cfg.Consumer.Group.Heartbeat.Interval = 500 * time.Millisecond
	var wg sync.WaitGroup
	start := func(who string) sarama.ConsumerGroup {
		cg, err := sarama.NewConsumerGroup([]string{b.Addr}, group, cfg)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if err := cg.Consume(ctx, []string{topic}, saramaHandler{seen, who}); err != nil {
					return // closed
				}
			}
		}()
		return cg
	}
	c1, c2 := start("s1"), start("s2")
	groupWaitForMembers(t, ctx, b, group, 2)
	groupProduce(t, ctx, b, topic, "s", 100)
	groupWaitFor(t, ctx, "100 records", func() bool { return seen.len() == 100 })
	if seen.dups() != 0 || seen.by("s1") == 0 || seen.by("s2") == 0 {
		t.Fatalf("s1 read %d, s2 read %d, %d duplicates", seen.by("s1"), seen.by("s2"), seen.dups())
	}
	for _, c := range []sarama.ConsumerGroup{c1, c2} {
		if err := c.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
	}
	wg.Wait()
	groupWaitFor(t, ctx, "sarama's commits", func() bool { return groupCommitted(t, ctx, b, group, topic) == 100 })
}

type saramaHandler struct {
	seen *seenSet
	who  string
}

func (saramaHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (saramaHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h saramaHandler) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	for m := range c.Messages() {
		h.seen.add(string(m.Key), h.who)
		s.MarkMessage(m, "")
	}
	return nil
}

// seenSet records which consumer read which key.
type seenSet struct {
	mu    sync.Mutex
	keys  map[string]int
	by_   map[string]int
	ndups int
}

func newSeenSet() *seenSet { return &seenSet{keys: map[string]int{}, by_: map[string]int{}} }

func (s *seenSet) add(key, who string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[key]++
	if s.keys[key] > 1 {
		s.ndups++
	}
	s.by_[who]++
}

func (s *seenSet) len() int        { s.mu.Lock(); defer s.mu.Unlock(); return len(s.keys) }
func (s *seenSet) dups() int       { s.mu.Lock(); defer s.mu.Unlock(); return s.ndups }
func (s *seenSet) by(w string) int { s.mu.Lock(); defer s.mu.Unlock(); return s.by_[w] }

// consume polls c on a goroutine until c is closed.
func (s *seenSet) consume(ctx context.Context, c *kgo.Client, who string) {
	go func() {
		for {
			fs := c.PollFetches(ctx)
			if fs.IsClientClosed() || ctx.Err() != nil {
				return
			}
			fs.EachRecord(func(r *kgo.Record) { s.add(string(r.Key), who) })
		}
	}()
}

func groupClient(t *testing.T, b *brokertest.Broker, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(b.Addr)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func groupConsumer(t *testing.T, b *brokertest.Broker, group, topic string, balancer kgo.GroupBalancer) *kgo.Client {
	return groupClient(t, b,
		kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic), kgo.Balancers(balancer),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(200*time.Millisecond),
		kgo.SessionTimeout(6*time.Second), kgo.HeartbeatInterval(500*time.Millisecond))
}

func groupCreateTopic(t *testing.T, ctx context.Context, b *brokertest.Broker, topic string, partitions int32) {
	t.Helper()
	// Created through Metadata auto-creation (num.partitions).
	cl := groupClient(t, b)
	req := kmsg.NewPtrMetadataRequest()
	req.AllowAutoTopicCreation = true
	req.Topics = []kmsg.MetadataRequestTopic{{Topic: kmsg.StringPtr(topic)}}
	adm := kadm.NewClient(cl)
	groupWaitFor(t, ctx, "leaders of "+topic, func() bool {
		// Repeated: right after startup the broker may not know itself
		// as alive yet, and creation fails until it does.
		if _, err := req.RequestWith(ctx, cl); err != nil {
			return false
		}
		md, err := adm.Metadata(ctx, topic)
		if err != nil {
			return false
		}
		d := md.Topics[topic]
		if d.Err != nil || len(d.Partitions) != int(partitions) {
			return false
		}
		for _, p := range d.Partitions {
			if p.Leader < 0 || p.Err != nil {
				return false
			}
		}
		return true
	})
}

func groupProduce(t *testing.T, ctx context.Context, b *brokertest.Broker, topic, prefix string, n int) {
	t.Helper()
	p := groupClient(t, b, kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))
	var recs []*kgo.Record
	for i := 0; i < n; i++ {
		recs = append(recs, &kgo.Record{Key: []byte(fmt.Sprintf("%s-%d", prefix, i)), Value: []byte("v")})
	}
	if err := p.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
}

// committed returns the sum of the group's committed offsets on topic.
func groupCommitted(t *testing.T, ctx context.Context, b *brokertest.Broker, group, topic string) int64 {
	t.Helper()
	adm := kadm.NewClient(groupClient(t, b))
	os, err := adm.FetchOffsets(ctx, group)
	if err != nil {
		return -1
	}
	var sum int64
	os.Each(func(o kadm.OffsetResponse) {
		if o.Topic == topic && o.Err == nil && o.At > 0 {
			sum += o.At
		}
	})
	return sum
}

func groupWaitForMembers(t *testing.T, ctx context.Context, b *brokertest.Broker, group string, n int) {
	t.Helper()
	adm := kadm.NewClient(groupClient(t, b))
	groupWaitFor(t, ctx, fmt.Sprintf("group %s Stable with %d members", group, n), func() bool {
		d, err := adm.DescribeGroups(ctx, group)
		return err == nil && d[group].State == "Stable" && len(d[group].Members) == n
	})
}

func groupWaitFor(t *testing.T, ctx context.Context, what string, fn func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !fn() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Coordinator failover: with __consumer_offsets replicated on two brokers,
// killing the coordinator moves leadership of the group's offsets partition;
// the new leader loads it (GroupMetadataManager's load on election) and
// serves the offsets committed through the old one.
func TestGroupCoordinatorFailoverIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (starts ZooKeeper and two brokers)")
	}
	zk := zktest.StartZooKeeper(t)
	bs := brokertest.StartCluster(t, zk, 2,
		brokertest.WithProps("offsets.topic.replication.factor", "2"),
		brokertest.WithProps("offsets.topic.num.partitions", "4"),
		brokertest.WithProps("default.replication.factor", "2"),
		brokertest.WithProps("num.partitions", "2"),
		brokertest.WithProps("group.initial.rebalance.delay.ms", "0"),
		brokertest.WithProps("zookeeper.session.timeout.ms", "6000"))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	topic, group := "failover-t", "failover-g"
	groupCreateTopic(t, ctx, bs[0], topic, 2)
	groupProduce(t, ctx, bs[0], topic, "x", 20)
	c := groupConsumer(t, bs[0], group, topic, kgo.RangeBalancer())
	seen := newSeenSet()
	seen.consume(ctx, c, "c")
	groupWaitFor(t, ctx, "20 records", func() bool { return seen.len() == 20 })
	if err := c.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatal(err)
	}
	c.Close()
	d, err := kadm.NewClient(groupClient(t, bs[0])).DescribeGroups(ctx, group)
	if err != nil {
		t.Fatal(err)
	}
	old := d[group].Coordinator.NodeID
	survivor := bs[1-old]
	// acks=all: the commit was acknowledged once both replicas had it.
	bs[old].Kill()

	// Fresh clients each round: a client may keep dialing the coordinator
	// it cached.
	groupWaitFor(t, ctx, "the offsets from the new coordinator", func() bool {
		cl := groupClient(t, survivor)
		defer cl.Close()
		fc := kmsg.NewPtrFindCoordinatorRequest()
		fc.CoordinatorKey = group
		r, err := fc.RequestWith(ctx, cl)
		if err != nil || r.ErrorCode != 0 || r.NodeID != survivor.ID {
			return false
		}
		fctx, fcancel := context.WithTimeout(ctx, 3*time.Second)
		defer fcancel()
		os, err := kadm.NewClient(cl).FetchOffsets(fctx, group)
		if err != nil {
			return false
		}
		var sum int64
		os.Each(func(o kadm.OffsetResponse) { sum += o.At })
		return sum == 20
	})
}

// Every advertised version of every group API, through a client pinned to
// that version: the request decodes, the response encodes the fields of
// that version, and the answer is the one the version calls for
// (MEMBER_ID_REQUIRED from JoinGroup v4, mandatory protocol fields in
// SyncGroup v5, per-member results of LeaveGroup v3+, ...).
func TestGroupAPIVersionsIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (starts ZooKeeper and a broker)")
	}
	zk := zktest.StartZooKeeper(t)
	b := brokertest.StartBroker(t, zk,
		brokertest.WithProps("offsets.topic.replication.factor", "1"),
		brokertest.WithProps("group.initial.rebalance.delay.ms", "0"),
		brokertest.WithProps("num.partitions", "4"))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	groupCreateTopic(t, ctx, b, "vt", 4)
	pin := func(key, v int16) *kgo.Client {
		vs := kversion.Stable()
		vs.SetMaxKeyVersion(key, v)
		return groupClient(t, b, kgo.MaxVersions(vs))
	}
	check := func(what string, err error, code int16) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if code != 0 {
			t.Fatalf("%s: error %d", what, code)
		}
	}

	// The first lookup creates __consumer_offsets and answers
	// COORDINATOR_NOT_AVAILABLE until its leaders are elected.
	first := kmsg.NewPtrFindCoordinatorRequest()
	first.CoordinatorKey = "g"
	groupWaitFor(t, ctx, "the coordinator", func() bool {
		r, err := first.RequestWith(ctx, pin(10, 0))
		return err == nil && r.ErrorCode == 0
	})
	for v := int16(0); v <= 3; v++ {
		req := kmsg.NewPtrFindCoordinatorRequest()
		req.CoordinatorKey = "g"
		resp, err := req.RequestWith(ctx, pin(10, v))
		check(fmt.Sprintf("FindCoordinator v%d", v), err, resp.ErrorCode)
		if resp.NodeID != b.ID {
			t.Fatalf("FindCoordinator v%d: node %d", v, resp.NodeID)
		}
		if v >= 1 {
			tx := kmsg.NewPtrFindCoordinatorRequest()
			tx.CoordinatorKey, tx.CoordinatorType = "txn", 1
			r, err := tx.RequestWith(ctx, pin(10, v))
			if err != nil || r.ErrorCode != 15 {
				t.Fatalf("FindCoordinator v%d for a transactional id: %v %+v", v, err, r)
			}
		}
	}

	var groups []string
	for jv := int16(0); jv <= 7; jv++ {
		group := fmt.Sprintf("v-%d", jv)
		groups = append(groups, group)
		join := func(member string) *kmsg.JoinGroupResponse {
			req := kmsg.NewPtrJoinGroupRequest()
			req.Group, req.MemberID, req.ProtocolType = group, member, "consumer"
			req.SessionTimeoutMillis, req.RebalanceTimeoutMillis = 10000, 10000
			req.Protocols = []kmsg.JoinGroupRequestProtocol{{Name: "range", Metadata: []byte{0, 0, 0, 0, 0, 1, 0, 2, 'v', 't', 0xff, 0xff, 0xff, 0xff}}}
			resp, err := req.RequestWith(ctx, pin(11, jv))
			if err != nil {
				t.Fatalf("JoinGroup v%d: %v", jv, err)
			}
			return resp
		}
		j := join("")
		if jv >= 4 {
			if j.ErrorCode != 79 || j.MemberID == "" {
				t.Fatalf("JoinGroup v%d without member id: %+v", jv, j)
			}
			j = join(j.MemberID)
		}
		check(fmt.Sprintf("JoinGroup v%d", jv), nil, j.ErrorCode)
		if j.Generation != 1 || j.LeaderID != j.MemberID || len(j.Members) != 1 || j.Protocol == nil || *j.Protocol != "range" {
			t.Fatalf("JoinGroup v%d: %+v", jv, j)
		}
		member := j.MemberID

		sv := min(jv, 5)
		sreq := kmsg.NewPtrSyncGroupRequest()
		sreq.Group, sreq.Generation, sreq.MemberID = group, 1, member
		if sv >= 5 {
			sreq.ProtocolType, sreq.Protocol = kmsg.StringPtr("consumer"), kmsg.StringPtr("range")
		}
		sreq.GroupAssignment = []kmsg.SyncGroupRequestGroupAssignment{{MemberID: member, MemberAssignment: []byte("assigned")}}
		s, err := sreq.RequestWith(ctx, pin(14, sv))
		check(fmt.Sprintf("SyncGroup v%d", sv), err, s.ErrorCode)
		if string(s.MemberAssignment) != "assigned" {
			t.Fatalf("SyncGroup v%d: %+v", sv, s)
		}

		hv := min(jv, 4)
		hreq := kmsg.NewPtrHeartbeatRequest()
		hreq.Group, hreq.Generation, hreq.MemberID = group, 1, member
		h, err := hreq.RequestWith(ctx, pin(12, hv))
		check(fmt.Sprintf("Heartbeat v%d", hv), err, h.ErrorCode)

		ov := jv + 1 // OffsetCommit v1-v8
		creq := kmsg.NewPtrOffsetCommitRequest()
		creq.Group, creq.Generation, creq.MemberID = group, 1, member
		creq.RetentionTimeMillis = -1
		creq.Topics = []kmsg.OffsetCommitRequestTopic{{Topic: "vt", Partitions: []kmsg.OffsetCommitRequestTopicPartition{
			{Partition: 0, Offset: int64(10 + jv), LeaderEpoch: -1, Timestamp: -1},
			{Partition: 99, Offset: 1, LeaderEpoch: -1, Timestamp: -1}, // no such partition
		}}}
		c, err := creq.RequestWith(ctx, pin(8, ov))
		check(fmt.Sprintf("OffsetCommit v%d", ov), err, c.Topics[0].Partitions[0].ErrorCode)
		if c.Topics[0].Partitions[1].ErrorCode != 3 {
			t.Fatalf("OffsetCommit v%d to a missing partition: %+v", ov, c.Topics[0].Partitions[1])
		}

		fv := max(1, min(jv, 7))
		freq := kmsg.NewPtrOffsetFetchRequest()
		freq.Group = group
		freq.Topics = []kmsg.OffsetFetchRequestTopic{{Topic: "vt", Partitions: []int32{0, 1}}}
		f, err := freq.RequestWith(ctx, pin(9, fv))
		check(fmt.Sprintf("OffsetFetch v%d", fv), err, f.ErrorCode)
		if p := f.Topics[0].Partitions; p[0].Offset != int64(10+jv) || p[1].Offset != -1 || p[1].ErrorCode != 0 {
			t.Fatalf("OffsetFetch v%d: %+v", fv, p)
		}

		lv := min(jv, 4)
		lreq := kmsg.NewPtrLeaveGroupRequest()
		lreq.Group, lreq.MemberID = group, member
		if lv >= 3 {
			lreq.Members = []kmsg.LeaveGroupRequestMember{{MemberID: member}}
		}
		l, err := lreq.RequestWith(ctx, pin(13, lv))
		check(fmt.Sprintf("LeaveGroup v%d", lv), err, l.ErrorCode)
		if lv >= 3 && (len(l.Members) != 1 || l.Members[0].ErrorCode != 0) {
			t.Fatalf("LeaveGroup v%d: %+v", lv, l)
		}
	}

	for v := int16(0); v <= 5; v++ {
		req := kmsg.NewPtrDescribeGroupsRequest()
		req.Groups = []string{"v-0", "nope"}
		req.IncludeAuthorizedOperations = true
		d, err := req.RequestWith(ctx, pin(15, v))
		if err != nil || len(d.Groups) != 2 || d.Groups[0].State != "Empty" || d.Groups[1].State != "Dead" {
			t.Fatalf("DescribeGroups v%d: %v %+v", v, err, d)
		}
	}
	for v := int16(0); v <= 4; v++ {
		req := kmsg.NewPtrListGroupsRequest()
		l, err := req.RequestWith(ctx, pin(16, v))
		check(fmt.Sprintf("ListGroups v%d", v), err, l.ErrorCode)
		if len(l.Groups) != len(groups) || (v >= 4 && l.Groups[0].GroupState != "Empty") {
			t.Fatalf("ListGroups v%d: %+v", v, l.Groups)
		}
	}
	// v-7's only offset goes: an Empty group without offsets is retired.
	od := kmsg.NewPtrOffsetDeleteRequest()
	od.Group = "v-7"
	od.Topics = []kmsg.OffsetDeleteRequestTopic{{Topic: "vt", Partitions: []kmsg.OffsetDeleteRequestTopicPartition{{Partition: 0}}}}
	o, err := od.RequestWith(ctx, pin(47, 0))
	check("OffsetDelete v0", err, o.ErrorCode)
	if d, err := kadm.NewClient(groupClient(t, b)).DescribeGroups(ctx, "v-7"); err != nil || d["v-7"].State != "Dead" {
		t.Fatalf("v-7 after its last offset was deleted: %v %+v", err, d)
	}
	for v := int16(0); v <= 2; v++ {
		req := kmsg.NewPtrDeleteGroupsRequest()
		req.Groups = groups[v*2 : v*2+2]
		d, err := req.RequestWith(ctx, pin(42, v))
		if err != nil || len(d.Groups) != 2 || d.Groups[0].ErrorCode != 0 || d.Groups[1].ErrorCode != 0 {
			t.Fatalf("DeleteGroups v%d: %v %+v", v, err, d)
		}
	}
}
