package broker

import (
	"crypto/rand"
	"fmt"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// throttleCounter is a franz-go hook counting the throttle_time_ms the
// brokers report.
type throttleCounter struct {
	n     atomic.Int64
	maxMs atomic.Int64
}

func (c *throttleCounter) OnBrokerThrottle(_ kgo.BrokerMetadata, d time.Duration, _ bool) {
	c.n.Add(1)
	for {
		old := c.maxMs.Load()
		if d.Milliseconds() <= old || c.maxMs.CompareAndSwap(old, d.Milliseconds()) {
			return
		}
	}
}

// A producer_byte_rate quota set with AlterClientQuotas (as kafka-configs
// --alter --add-config does) reaches every broker through /config/changes
// and throttles that client id only: its produce responses carry
// throttle_time_ms and its throughput falls to about the quota, while a
// client without a quota is not throttled. Removing the quota lifts the
// throttle without a restart. quota.window.num=2 keeps the window (and so
// the burst a fresh client is allowed) at about one second. The same holds
// for a consumer under consumer_byte_rate.
func TestQuotaProduceThrottleIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (starts ZooKeeper and brokers)")
	}
	bs := startTestCluster(t, 2, "quota.window.num", "2", "quota.window.size.seconds", "1")
	seeds := kgo.SeedBrokers(bs[0].addr(), bs[1].addr())
	adm := kadm.NewClient(newClient(t, seeds))
	c := ctx(t)
	const topic = "quota"
	if _, err := adm.CreateTopic(c, 1, 1, nil, topic); err != nil {
		t.Fatal(err)
	}

	const quota = 100000
	clientA := "clientA"
	setQuota := func(remove bool) {
		t.Helper()
		res, err := adm.AlterClientQuotas(c, []kadm.AlterClientQuotaEntry{{
			Entity: kadm.ClientQuotaEntity{{Type: "client-id", Name: &clientA}},
			Ops:    []kadm.AlterClientQuotaOp{{Key: "producer_byte_rate", Value: quota, Remove: remove}},
		}})
		if err == nil {
			for _, r := range res {
				if r.Err != nil {
					err = r.Err
				}
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		want := float64(quota)
		if remove {
			want = math.Inf(1)
		}
		waitFor(t, 10*time.Second, func() error {
			for _, b := range bs {
				if got := b.quotas().produce.quotaFor(anonymousUser, clientA); got != want {
					return fmt.Errorf("broker %d: quota of %s is %v, want %v", b.cfg.BrokerID, clientA, got, want)
				}
			}
			return nil
		})
	}

	// produce sends total bytes in 10 KB records, in batches of at most
	// 16 KB so the quota sees a stream of requests, and returns the rate.
	produce := func(clientID string, total int, hook *throttleCounter) float64 {
		t.Helper()
		cl := newClient(t, seeds, kgo.ClientID(clientID), kgo.WithHooks(hook),
			kgo.ProducerBatchMaxBytes(16<<10), kgo.ProducerLinger(0))
		value := make([]byte, 10000)
		rand.Read(value) // incompressible: the quota counts bytes on the wire
		start := time.Now()
		var recs []*kgo.Record
		for sent := 0; sent < total; sent += len(value) {
			recs = append(recs, &kgo.Record{Topic: topic, Value: value})
		}
		if err := cl.ProduceSync(c, recs...).FirstErr(); err != nil {
			t.Fatalf("%s: produce: %v", clientID, err)
		}
		rate := float64(total) / time.Since(start).Seconds()
		t.Logf("%s: %d bytes at %.0f bytes/s; %d throttled responses, longest %d ms",
			clientID, total, rate, hook.n.Load(), hook.maxMs.Load())
		return rate
	}

	setQuota(false)
	var throttledA throttleCounter
	rateA := produce(clientA, 1000000, &throttledA)
	if throttledA.n.Load() == 0 || throttledA.maxMs.Load() <= 0 {
		t.Errorf("%s over its quota got no throttle_time_ms", clientA)
	}
	// Loosely: the quota allows about 100 KB/s plus a one-window burst;
	// unthrottled, loopback runs at tens of MB/s.
	if rateA > 4*quota {
		t.Errorf("%s produced at %.0f bytes/s under a %d bytes/s quota", clientA, rateA, quota)
	}

	var throttledB throttleCounter
	produce("clientB", 1000000, &throttledB)
	if n := throttledB.n.Load(); n != 0 {
		t.Errorf("clientB without a quota was throttled %d times", n)
	}

	setQuota(true)
	var after throttleCounter
	produce(clientA, 500000, &after)
	if n := after.n.Load(); n != 0 {
		t.Errorf("%s still throttled %d times after its quota was removed", clientA, n)
	}

	// consumer_byte_rate for the default client id: a consumer's fetches
	// are capped to one window's worth, answered empty with
	// throttle_time_ms once it is over, and it still reads everything.
	res, err := adm.AlterClientQuotas(c, []kadm.AlterClientQuotaEntry{{
		Entity: kadm.ClientQuotaEntity{{Type: "client-id"}},
		Ops:    []kadm.AlterClientQuotaOp{{Key: "consumer_byte_rate", Value: quota}},
	}})
	if err == nil {
		err = res[0].Err
	}
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, func() error {
		for _, b := range bs {
			if got := b.quotas().fetch.quotaFor(anonymousUser, "consumerA"); got != quota {
				return fmt.Errorf("broker %d: fetch quota %v", b.cfg.BrokerID, got)
			}
		}
		return nil
	})
	var fetchThrottled throttleCounter
	cons := newClient(t, seeds, kgo.ClientID("consumerA"), kgo.WithHooks(&fetchThrottled),
		kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	got, start := 0, time.Now()
	for got < 300000 {
		fs := cons.PollFetches(c)
		if err := fs.Err(); err != nil {
			t.Fatalf("consume: %v", err)
		}
		fs.EachRecord(func(r *kgo.Record) { got += len(r.Value) })
	}
	t.Logf("consumerA: %d bytes at %.0f bytes/s; %d throttled responses, longest %d ms",
		got, float64(got)/time.Since(start).Seconds(), fetchThrottled.n.Load(), fetchThrottled.maxMs.Load())
	if fetchThrottled.n.Load() == 0 {
		t.Errorf("consumerA over its quota got no throttle_time_ms")
	}
}
