package broker_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"

	"gokafka/broker/brokertest"
	"gokafka/zkcoord"
	"gokafka/zkcoord/zktest"
)

// Durability under broker failures (replication.md §3, §5.1): three brokers,
// a topic with replication factor 3 and min.insync.replicas=2, and an
// idempotent acks=all producer sending a numbered sequence while the leader
// is killed with SIGKILL (no controlled shutdown; the controller notices
// only when its ZooKeeper session expires) and later another broker is
// stopped with SIGTERM and restarted. Every record the producer saw
// acknowledged must be readable afterwards, in the order it was sent.
// Duplicates are allowed by acks=all in general but not by an idempotent
// producer, so there must be none either.
func TestDurabilityUnderBrokerFailuresIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (starts ZooKeeper and three brokers)")
	}
	zk := zktest.StartZooKeeper(t)
	brokers := brokertest.StartCluster(t, zk, 3,
		// A short session makes the SIGKILLed leader's death visible
		// sooner; the test does not depend on how soon.
		brokertest.WithProps("zookeeper.session.timeout.ms", "6000"),
		brokertest.WithProps("controlled.shutdown.retry.backoff.ms", "500"),
		brokertest.WithProps("replica.lag.time.max.ms", "5000"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	seeds := strings.Split(brokertest.BootstrapServers(brokers...), ",")
	const topic = "durable"

	admCl, err := kgo.NewClient(kgo.SeedBrokers(seeds...))
	if err != nil {
		t.Fatal(err)
	}
	defer admCl.Close()
	adm := kadm.NewClient(admCl)
	minISR := "2"
	if _, err := adm.CreateTopic(ctx, 1, 3, map[string]*string{"min.insync.replicas": &minISR}, topic); err != nil {
		t.Fatalf("create topic: %v", err)
	}
	state := func() (leader int32, isr []int32) {
		req := kmsg.NewPtrMetadataRequest()
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(topic)
		req.Topics = append(req.Topics, rt)
		rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
		defer rcancel()
		resp, err := req.RequestWith(rctx, admCl)
		if err != nil || len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
			return -1, nil
		}
		p := resp.Topics[0].Partitions[0]
		return p.Leader, p.ISR
	}
	fullISR := func() bool { l, isr := state(); return l >= 0 && len(isr) == 3 }
	durabilityWait(t, 60*time.Second, fullISR)

	// The producer: idempotent (franz-go's default), acks=all, retrying
	// until the cluster recovers. acked[i] records that value i was
	// acknowledged.
	prod, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.DefaultProduceTopic(topic), kgo.MaxBufferedRecords(500),
		kgo.ProducerLinger(5*time.Millisecond), kgo.RecordDeliveryTimeout(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	var (
		mu      sync.Mutex
		acked   = map[int]bool{}
		failed  int
		lastErr error
	)
	stop := make(chan struct{})
	sent := 0
	producing := make(chan struct{})
	go func() {
		defer close(producing)
		for i := 0; ; i++ {
			select {
			case <-stop:
				sent = i
				return
			default:
			}
			n := i
			prod.Produce(ctx, &kgo.Record{Value: []byte(strconv.Itoa(n))}, func(_ *kgo.Record, err error) {
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failed++
					lastErr = err
					return
				}
				acked[n] = true
			})
			time.Sleep(time.Millisecond)
		}
	}()
	ackedCount := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	// progress waits until more records are acknowledged than before.
	progress := func(what string) {
		t.Helper()
		before := ackedCount()
		durabilityWait(t, 2*time.Minute, func() bool { return ackedCount() > before+100 })
		t.Logf("%s: %d records acknowledged", what, ackedCount())
	}
	progress("before any failure")

	// 1. SIGKILL the leader. Its ZooKeeper session expires, the controller
	// elects one of the two remaining ISR members, and production resumes.
	leader, _ := state()
	if leader < 0 {
		t.Fatal("no leader")
	}
	killed := brokers[leader]
	killed.Kill()
	durabilityWait(t, 2*time.Minute, func() bool { l, _ := state(); return l >= 0 && l != killed.ID })
	progress("after SIGKILL of leader " + strconv.Itoa(int(killed.ID)))

	// Restart it once its old session (and /brokers/ids/N) is gone, as
	// Kafka refuses to register over a live ephemeral node.
	zc, err := zkcoord.Connect(killed.ZkConnect, 10*time.Second, 10*time.Second, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer zc.Close()
	durabilityWait(t, 2*time.Minute, func() bool {
		ok, _, err := zc.Exists(zkcoord.BrokerIDPath(killed.ID))
		return err == nil && !ok
	})
	killed.Restart()
	durabilityWait(t, 2*time.Minute, fullISR)
	progress("after restarting broker " + strconv.Itoa(int(killed.ID)))

	// 2. SIGTERM another broker (controlled shutdown), then restart it.
	// The current leader if that is not the restarted one, so leadership
	// moves a second time.
	l, _ := state()
	other := brokers[l]
	if other == killed {
		other = brokers[(l+1)%3]
	}
	other.Stop()
	progress("while broker " + strconv.Itoa(int(other.ID)) + " is stopped")
	other.Restart()
	durabilityWait(t, 2*time.Minute, fullISR)
	progress("after restarting broker " + strconv.Itoa(int(other.ID)))

	close(stop)
	<-producing
	if err := prod.Flush(ctx); err != nil {
		t.Fatalf("flush: %v", err)
	}
	mu.Lock()
	nAcked, nFailed, errFailed := len(acked), failed, lastErr
	mu.Unlock()
	t.Logf("sent %d, acknowledged %d, failed %d (last error: %v)", sent, nAcked, nFailed, errFailed)

	// Read everything back from a fresh client up to the high watermark.
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	end, _ := ends.Lookup(topic, 0)
	if end.Err != nil {
		t.Fatal(end.Err)
	}
	cons, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{
		topic: {0: kgo.NewOffset().AtStart()},
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	seen := map[int]int{}
	last := -1
	var next int64
	for next < end.Offset {
		fs := cons.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d offsets: %v", next, end.Offset, ctx.Err())
		}
		fs.EachError(func(_ string, _ int32, err error) { t.Logf("fetch: %v", err) })
		fs.EachRecord(func(r *kgo.Record) {
			n, err := strconv.Atoi(string(r.Value))
			if err != nil {
				t.Fatalf("offset %d holds %q", r.Offset, r.Value)
			}
			if n <= last && seen[n] == 0 {
				t.Errorf("offset %d: record %d after record %d (reordered)", r.Offset, n, last)
			}
			seen[n]++
			if n > last {
				last = n
			}
			next = r.Offset + 1
		})
	}
	lost, dups := 0, 0
	for n := range acked {
		if seen[n] == 0 {
			lost++
			if lost <= 10 {
				t.Errorf("acknowledged record %d is missing", n)
			}
		}
	}
	for _, c := range seen {
		if c > 1 {
			dups += c - 1
		}
	}
	t.Logf("log holds %d records (%d distinct); %d acknowledged records lost, %d duplicates", end.Offset, len(seen), lost, dups)
	if lost > 0 {
		t.Errorf("%d of %d acknowledged records lost", lost, nAcked)
	}
	if dups > 0 {
		t.Errorf("%d duplicate records from an idempotent producer", dups)
	}
}

// durabilityWait polls cond every 50 ms until it holds, failing the test
// after timeout (a bound for a stuck cluster, not a performance check).
func durabilityWait(t *testing.T, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
