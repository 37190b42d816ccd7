package broker_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"gokafka/broker/brokertest"
	"gokafka/zkcoord"
	"gokafka/zkcoord/zktest"
)

// The harness shared by the failover tests (failover_*_integration_test.go):
// a cluster of real broker processes on the package's shared ZooKeeper, a
// ZooKeeper client to read the partition states the controller and the
// leaders write (the source of truth for leader and ISR), a producer that
// writes numbered records continuously and remembers where each one was
// acknowledged, and the check that every acknowledged record is in the log
// exactly there.

// failoverCluster is n brokers in a fresh chroot of the shared ZooKeeper.
type failoverCluster struct {
	t       testing.TB
	ctx     context.Context
	brokers []*brokertest.Broker
	zk      *zkcoord.Client
	admCl   *kgo.Client
	adm     *kadm.Client
}

// Settings every failover test uses: a short ZooKeeper session so that a
// SIGKILLed broker is noticed within seconds, and quick retries of the
// controlled shutdown. Tests add their own (WithProps wins, last one set).
var failoverDefaults = []brokertest.Option{
	brokertest.WithProps("zookeeper.session.timeout.ms", "4000"),
	brokertest.WithProps("controlled.shutdown.retry.backoff.ms", "300"),
	brokertest.WithProps("replica.lag.time.max.ms", "5000"),
	brokertest.WithProps("auto.leader.rebalance.enable", "false"),
}

func startFailoverCluster(t testing.TB, n int, opts ...brokertest.Option) *failoverCluster {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test (starts ZooKeeper and broker processes)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	zkSrv := zktest.Shared(t)
	brokers := brokertest.StartCluster(t, zkSrv, n, append(slices.Clone(failoverDefaults), opts...)...)
	zc, err := zkcoord.Connect(brokers[0].ZkConnect, 30*time.Second, 10*time.Second, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(zc.Close)
	admCl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(brokertest.BootstrapServers(brokers...), ",")...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(admCl.Close)
	return &failoverCluster{t: t, ctx: ctx, brokers: brokers, zk: zc, admCl: admCl, adm: kadm.NewClient(admCl)}
}

func (c *failoverCluster) seeds() []string {
	return strings.Split(brokertest.BootstrapServers(c.brokers...), ",")
}

// createTopic creates topic with the given partitions and replication
// factor (or explicit assignment when assign is not nil) and topic configs,
// and waits until every partition has a leader and a full ISR.
func (c *failoverCluster) createTopic(topic string, partitions int32, rf int16, configs map[string]string) {
	c.t.Helper()
	cfg := map[string]*string{}
	for k, v := range configs {
		cfg[k] = &v
	}
	resp, err := c.adm.CreateTopic(c.ctx, partitions, rf, cfg, topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil {
		c.t.Fatalf("create topic %s: %v", topic, err)
	}
	for p := range partitions {
		c.waitISR(topic, p, int(rf))
	}
}

// state reads /brokers/topics/<topic>/partitions/<p>/state.
func (c *failoverCluster) state(topic string, p int32) zkcoord.PartitionState {
	st, err := c.zk.PartitionState(topic, p)
	if err != nil {
		return zkcoord.PartitionState{Leader: -2}
	}
	return st
}

// leader is the partition's leader according to ZooKeeper (-1: none).
func (c *failoverCluster) leader(topic string, p int32) *brokertest.Broker {
	c.t.Helper()
	var b *brokertest.Broker
	c.waitFor(fmt.Sprintf("%s-%d to have a leader", topic, p), time.Minute, func() bool {
		l := c.state(topic, p).Leader
		if l < 0 || int(l) >= len(c.brokers) {
			return false
		}
		b = c.brokers[l]
		return true
	})
	return b
}

// waitISR waits until the partition has a leader and size ISR members.
func (c *failoverCluster) waitISR(topic string, p int32, size int) {
	c.t.Helper()
	c.waitFor(fmt.Sprintf("%s-%d to have %d in-sync replicas", topic, p, size), 2*time.Minute, func() bool {
		st := c.state(topic, p)
		return st.Leader >= 0 && len(st.ISR) == size
	})
}

// waitInISR waits until broker id is back in the ISR of every partition.
func (c *failoverCluster) waitInISR(topic string, partitions int32, id int32) {
	c.t.Helper()
	c.waitFor(fmt.Sprintf("broker %d to rejoin the ISR of %s", id, topic), 2*time.Minute, func() bool {
		for p := range partitions {
			st := c.state(topic, p)
			if st.Leader < 0 || !slices.Contains(st.ISR, id) {
				return false
			}
		}
		return true
	})
}

// controllerID is the broker id in /controller, -1 when there is none.
func (c *failoverCluster) controllerID() int32 {
	data, _, err := c.zk.Get(zkcoord.ControllerPath)
	if err != nil {
		return -1
	}
	info, err := zkcoord.DecodeControllerInfo(data)
	if err != nil || info.BrokerID < 0 || int(info.BrokerID) >= len(c.brokers) {
		return -1
	}
	return info.BrokerID
}

// controller waits for a controller and returns it.
func (c *failoverCluster) controller() *brokertest.Broker {
	c.t.Helper()
	c.waitFor("a controller", time.Minute, func() bool { return c.controllerID() >= 0 })
	return c.brokers[c.controllerID()]
}

// kill SIGKILLs b and waits until its ZooKeeper session expired
// (/brokers/ids/N is gone), so that the controller has noticed and b may
// register again.
func (c *failoverCluster) kill(b *brokertest.Broker) {
	c.t.Helper()
	b.Kill()
	c.waitFor(fmt.Sprintf("broker %d's registration to expire", b.ID), time.Minute, func() bool {
		ok, _, err := c.zk.Exists(zkcoord.BrokerIDPath(b.ID))
		return err == nil && !ok
	})
}

// pause and resume send SIGSTOP and SIGCONT: the process stays alive (and
// registered) but stops fetching.
func pause(t testing.TB, b *brokertest.Broker) {
	if err := syscall.Kill(b.PID(), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
}

func resume(t testing.TB, b *brokertest.Broker) {
	if err := syscall.Kill(b.PID(), syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
}

// topicsCommand runs kafka-topics (kafka.admin.TopicCommand) against the
// cluster and returns its output.
func (c *failoverCluster) topicsCommand(args ...string) string {
	c.t.Helper()
	live := ""
	for _, b := range c.brokers {
		if b.Running() {
			live = b.Addr
			break
		}
	}
	args = append([]string{"kafka.admin.TopicCommand", "--bootstrap-server", live}, args...)
	out, err := exec.CommandContext(c.ctx, brokertest.Binary(c.t), args...).CombinedOutput()
	if err != nil {
		c.t.Fatalf("kafka-topics %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// waitFor polls cond every 50 ms; timeout bounds a stuck cluster and is
// no performance check.
func (c *failoverCluster) waitFor(what string, timeout time.Duration, cond func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) || c.ctx.Err() != nil {
			c.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ackedAt is where the cluster acknowledged a record.
type ackedAt struct {
	partition int32
	offset    int64
}

// loadProducer is an idempotent acks=all producer writing "<partition>:<n>"
// records round-robin to the topic's partitions, n counting per partition,
// one record per partition about every millisecond, until stop. Failed
// records are remembered with their errors; acknowledged ones with their
// partition and offset.
type loadProducer struct {
	t     testing.TB
	cl    *kgo.Client
	topic string

	mu     sync.Mutex
	acked  map[string]ackedAt // value -> where
	failed map[string]error   // value -> the final error
	// retried counts retriable errors the producer saw and retried
	// (produce responses' partition errors).
	retried map[string]int
	// fatal lists Kafka errors the producer saw that are not retriable.
	fatal []string

	stopCh chan struct{}
	done   chan struct{}
	cancel context.CancelFunc
}

func (c *failoverCluster) startProducer(topic string, partitions int32) *loadProducer {
	c.t.Helper()
	lp := &loadProducer{t: c.t, topic: topic, acked: map[string]ackedAt{}, failed: map[string]error{},
		retried: map[string]int{}, stopCh: make(chan struct{}), done: make(chan struct{})}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.seeds()...),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.DefaultProduceTopic(topic),
		kgo.MaxBufferedRecords(2000),
		kgo.ProducerLinger(2*time.Millisecond),
		kgo.RecordDeliveryTimeout(3*time.Minute),
		kgo.RetryBackoffFn(func(int) time.Duration { return 50 * time.Millisecond }),
		kgo.WithLogger(lp))
	if err != nil {
		c.t.Fatal(err)
	}
	lp.cl = cl
	ctx, cancel := context.WithCancel(c.ctx)
	lp.cancel = cancel
	go func() {
		defer close(lp.done)
		next := make([]int, partitions)
		for i := 0; ; i++ {
			select {
			case <-lp.stopCh:
				return
			default:
			}
			p := int32(i % int(partitions))
			v := fmt.Sprintf("%d:%d", p, next[p])
			next[p]++
			cl.Produce(ctx, &kgo.Record{Partition: p, Value: []byte(v)}, func(r *kgo.Record, err error) {
				lp.mu.Lock()
				defer lp.mu.Unlock()
				if err != nil {
					lp.failed[v] = err
					return
				}
				lp.acked[v] = ackedAt{r.Partition, r.Offset}
			})
			if i%int(partitions) == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	}()
	c.t.Cleanup(lp.abandon)
	return lp
}

// Level and Log make the producer its own kgo.Logger: franz-go reports the
// errors it retries (a produce response's partition error, a broken
// connection) only in its log, so that is where they are counted.
func (lp *loadProducer) Level() kgo.LogLevel { return kgo.LogLevelInfo }

func (lp *loadProducer) Log(_ kgo.LogLevel, msg string, keyvals ...any) {
	for i := 0; i+1 < len(keyvals); i += 2 {
		if err, ok := keyvals[i+1].(error); ok && err != nil {
			lp.mu.Lock()
			lp.retried[err.Error()]++
			if isKafkaError(err) && !isRetriable(err) {
				lp.fatal = append(lp.fatal, msg+": "+err.Error())
			}
			lp.mu.Unlock()
		}
	}
}

// acks returns how many records have been acknowledged so far.
func (lp *loadProducer) acks() int {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	return len(lp.acked)
}

// progress waits until at least n more records were acknowledged.
func (lp *loadProducer) progress(c *failoverCluster, what string, n int) {
	c.t.Helper()
	before := lp.acks()
	c.waitFor(fmt.Sprintf("%d acknowledged records %s", n, what), 2*time.Minute, func() bool { return lp.acks() >= before+n })
	c.t.Logf("%s: %d records acknowledged", what, lp.acks())
}

// stop ends production and waits for every buffered record's outcome.
func (lp *loadProducer) stop(ctx context.Context) {
	lp.t.Helper()
	close(lp.stopCh)
	<-lp.done
	fctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := lp.cl.Flush(fctx); err != nil {
		lp.t.Fatalf("flush: %v", err)
	}
	lp.t.Logf("%d records acknowledged, %d failed", len(lp.acked), len(lp.failed))
}

// abandon stops production without waiting for buffered records (which then
// fail, unacknowledged).
func (lp *loadProducer) abandon() {
	select {
	case <-lp.stopCh:
	default:
		close(lp.stopCh)
	}
	<-lp.done
	lp.cancel()
	lp.cl.Close()
}

// failures returns the final errors of the failed records, counted by text.
func (lp *loadProducer) failures() map[string]int {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	out := map[string]int{}
	for _, err := range lp.failed {
		out[err.Error()]++
	}
	return out
}

// verifyAcked reads every partition of the topic from the start to its end
// and checks what acks=all promises: every acknowledged record is in the
// log at the partition and offset it was acknowledged with; offsets are
// dense (a plain topic without transactions has no holes); each
// partition's records are in the order they were produced, without
// duplicates (idempotent producer). The end must reach every acknowledged
// offset: a new leader's high watermark catches up once its followers
// fetch, so that is waited for.
func (c *failoverCluster) verifyAcked(lp *loadProducer, partitions int32) {
	c.t.Helper()
	lp.mu.Lock()
	acked := make(map[string]ackedAt, len(lp.acked))
	for k, v := range lp.acked {
		acked[k] = v
	}
	lp.mu.Unlock()
	need := make([]int64, partitions)
	for _, at := range acked {
		need[at.partition] = max(need[at.partition], at.offset+1)
	}
	var ends kadm.ListedOffsets
	c.waitFor("the high watermarks to pass every acknowledged offset", time.Minute, func() bool {
		var err error
		ends, err = c.adm.ListEndOffsets(c.ctx, lp.topic)
		if err != nil {
			return false
		}
		for p := range partitions {
			o, ok := ends.Lookup(lp.topic, p)
			if !ok || o.Err != nil || o.Offset < need[p] {
				return false
			}
		}
		return true
	})
	offsets := map[int32]kgo.Offset{}
	for p := range partitions {
		offsets[p] = kgo.NewOffset().AtStart()
	}
	cons, err := kgo.NewClient(kgo.SeedBrokers(c.seeds()...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{lp.topic: offsets}))
	if err != nil {
		c.t.Fatal(err)
	}
	defer cons.Close()
	logs := make([][]string, partitions) // logs[p][offset] = value
	remaining := 0
	for p := range partitions {
		o, _ := ends.Lookup(lp.topic, p)
		if o.Offset > 0 {
			remaining++
		}
	}
	for remaining > 0 {
		fs := cons.PollFetches(c.ctx)
		if c.ctx.Err() != nil {
			c.t.Fatalf("consuming %s: %v", lp.topic, c.ctx.Err())
		}
		fs.EachError(func(_ string, p int32, err error) { c.t.Logf("fetch %s-%d: %v", lp.topic, p, err) })
		fs.EachRecord(func(r *kgo.Record) {
			p := r.Partition
			end, _ := ends.Lookup(lp.topic, p)
			if int64(len(logs[p])) >= end.Offset {
				return
			}
			if r.Offset != int64(len(logs[p])) {
				c.t.Fatalf("%s-%d: offset %d follows offset %d (a hole in the log)", lp.topic, p, r.Offset, len(logs[p])-1)
			}
			logs[p] = append(logs[p], string(r.Value))
			if int64(len(logs[p])) == end.Offset {
				remaining--
			}
		})
	}
	// Order: each partition's numbers strictly increase.
	for p, vals := range logs {
		last := -1
		for off, v := range vals {
			pp, n, ok := strings.Cut(v, ":")
			num, err := strconv.Atoi(n)
			if !ok || err != nil || pp != strconv.Itoa(p) {
				c.t.Errorf("%s-%d offset %d holds %q", lp.topic, p, off, v)
				continue
			}
			if num <= last {
				c.t.Errorf("%s-%d offset %d: record %d after record %d (duplicate or reordered)", lp.topic, p, off, num, last)
			}
			last = num
		}
	}
	lost := 0
	for v, at := range acked {
		vals := logs[at.partition]
		if at.offset >= int64(len(vals)) || vals[at.offset] != v {
			lost++
			if lost <= 10 {
				got := "nothing"
				if at.offset < int64(len(vals)) {
					got = strconv.Quote(vals[at.offset])
				}
				c.t.Errorf("record %q was acknowledged at %s-%d offset %d, which holds %s", v, lp.topic, at.partition, at.offset, got)
			}
		}
	}
	total := 0
	for _, vals := range logs {
		total += len(vals)
	}
	c.t.Logf("%s: the log holds %d records; %d acknowledged, %d of them not where acknowledged", lp.topic, total, len(acked), lost)
}

func isKafkaError(err error) bool {
	var ke *kerr.Error
	return errors.As(err, &ke)
}

// isRetriable reports whether a produce error is one Kafka clients retry.
func isRetriable(err error) bool {
	var ke *kerr.Error
	return errors.As(err, &ke) && ke.Retriable
}

// errorsSeen returns the errors the producer retried (by text, counted)
// and the non-retriable Kafka errors it saw.
func (lp *loadProducer) errorsSeen() (retried map[string]int, fatal []string) {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	retried = make(map[string]int, len(lp.retried))
	for k, v := range lp.retried {
		retried[k] = v
	}
	return retried, slices.Clone(lp.fatal)
}

// waitReplicasIdentical waits until every running broker's copy of each
// partition holds the same bytes: followers append the leader's batches
// unchanged, so once they caught up after the producer stopped, any
// difference is a replica that kept records its leader does not have (a
// missed truncation) or lacks some. Segment boundaries may differ, so the
// segments are concatenated in offset order (their names).
func (c *failoverCluster) waitReplicasIdentical(topic string, partitions int32) {
	c.t.Helper()
	var last string
	c.waitFor("identical replicas", time.Minute, func() bool {
		for p := range partitions {
			var first []byte
			var firstID int32
			for _, b := range c.brokers {
				if !b.Running() {
					continue
				}
				data, err := replicaBytes(b, topic, p)
				if err != nil {
					last = err.Error()
					return false
				}
				if first == nil {
					first, firstID = data, b.ID
					continue
				}
				if !bytes.Equal(first, data) {
					last = fmt.Sprintf("%s-%d: broker %d holds %d bytes, broker %d %d bytes (common prefix %d)",
						topic, p, firstID, len(first), b.ID, len(data), commonPrefix(first, data))
					return false
				}
			}
		}
		return true
	})
	if last != "" {
		c.t.Logf("replicas converged (earlier: %s)", last)
	}
}

// replicaBytes concatenates broker b's segments of topic-p in offset order.
func replicaBytes(b *brokertest.Broker, topic string, p int32) ([]byte, error) {
	segs, err := filepath.Glob(filepath.Join(b.LogDir, fmt.Sprintf("%s-%d", topic, p), "*.log"))
	if err != nil {
		return nil, err
	}
	if len(segs) == 0 {
		return nil, fmt.Errorf("broker %d has no segments of %s-%d", b.ID, topic, p)
	}
	sort.Strings(segs)
	var out []byte
	for _, s := range segs {
		data, err := os.ReadFile(s)
		if err != nil {
			return nil, err
		}
		out = append(out, data...)
	}
	return out, nil
}

func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
