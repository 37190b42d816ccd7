package broker

import (
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"gokafka/log"
)

// A throttled-replicas list is read as one broker applies it: "*" is every
// partition, "partition:broker" entries count only for this broker, and an
// empty value removes the throttle.
func TestParseThrottledReplicas(t *testing.T) {
	for _, tc := range []struct {
		value  string
		broker int32
		ok     bool
		all    bool
		parts  []int32
		bad    bool
	}{
		{value: "", broker: 1},
		{value: "  ", broker: 1},
		{value: "*", broker: 1, ok: true, all: true},
		{value: " * ", broker: 7, ok: true, all: true},
		{value: "0:1,1:2", broker: 1, ok: true, parts: []int32{0}},
		{value: "0:1,1:2", broker: 2, ok: true, parts: []int32{1}},
		{value: "0:1,1:2", broker: 3, ok: true},                             // listed, but nothing on this broker
		{value: "2:1, 0:1 ,0:1", broker: 1, ok: true, parts: []int32{0, 2}}, // sorted, deduplicated
		{value: "0-1", broker: 1, bad: true},
		{value: "a:1", broker: 1, bad: true},
		{value: "0:1,", broker: 1, bad: true},
		{value: "-1:1", broker: 1, bad: true},
	} {
		got, ok, err := parseThrottledReplicas(tc.value, tc.broker)
		if tc.bad {
			if err == nil {
				t.Errorf("%q: want an error, got %+v", tc.value, got)
			}
			continue
		}
		if err != nil || ok != tc.ok || got.all != tc.all || !slices.Equal(got.partitions, tc.parts) {
			t.Errorf("%q on broker %d: got %+v ok=%v err=%v; want all=%v parts=%v ok=%v",
				tc.value, tc.broker, got, ok, err, tc.all, tc.parts, tc.ok)
		}
	}
}

// fakeClockQuota is a replica quota on a clock the test moves.
func fakeClockQuota(bound float64) (*replicaQuota, *time.Time) {
	q := newReplicaQuota("LeaderReplication", 1, 11)
	now := time.Unix(1_000_000, 0)
	q.now = func() time.Time { return now }
	q.updateQuota(bound)
	return q, &now
}

// The decision: throttle only a throttled partition, only while the rate
// over the window exceeds the bound, and never a replica in sync.
func TestReplicaQuotaShouldThrottle(t *testing.T) {
	q, now := fakeClockQuota(1000)
	q.markThrottled("t", throttledReplicas{partitions: []int32{0}})
	t0 := log.TopicPartition{Topic: "t", Partition: 0}
	t1 := log.TopicPartition{Topic: "t", Partition: 1}
	other := log.TopicPartition{Topic: "u", Partition: 0}

	if !q.isThrottled(t0) || q.isThrottled(t1) || q.isThrottled(other) {
		t.Fatalf("isThrottled: t-0 %v, t-1 %v, u-0 %v", q.isThrottled(t0), q.isThrottled(t1), q.isThrottled(other))
	}
	if q.shouldThrottle(t0, false) {
		t.Fatal("nothing recorded yet, but throttled")
	}

	// 2000 bytes in the first second: a SimpleRate divides by one window,
	// 2000 B/s > 1000.
	q.record(2000)
	if !q.isQuotaExceeded() {
		t.Fatal("2000 B in 1 s should exceed 1000 B/s")
	}
	if !q.shouldThrottle(t0, false) {
		t.Error("out-of-sync replica of a throttled partition over quota: want throttled")
	}
	if q.shouldThrottle(t0, true) {
		t.Error("a replica in sync is never throttled")
	}
	if q.shouldThrottle(t1, false) || q.shouldThrottle(other, false) {
		t.Error("partitions not in the list are never throttled")
	}

	// Two seconds on the rate is 1000 B/s: at the bound is not over it.
	*now = now.Add(2 * time.Second)
	if q.isQuotaExceeded() {
		t.Error("2000 B over 2 s is 1000 B/s, not over a 1000 B/s bound")
	}

	// Lifting the bound (Long.MaxValue) unthrottles at once.
	q.record(1 << 30)
	if !q.isQuotaExceeded() {
		t.Fatal("1 GiB should exceed 1000 B/s")
	}
	q.updateQuota(math.MaxInt64)
	if q.isQuotaExceeded() || q.shouldThrottle(t0, false) {
		t.Error("Long.MaxValue bound still throttles")
	}

	// Removing the topic's list unthrottles its partitions.
	q.updateQuota(1)
	q.removeThrottle("t")
	if q.isThrottled(t0) || q.shouldThrottle(t0, false) {
		t.Error("removed list still throttles")
	}
	q.markThrottled("t", throttledReplicas{all: true})
	if !q.isThrottled(t1) {
		t.Error(`"*" should throttle every partition`)
	}
}

// SimpleRate measures a fresh sensor over one window, where the client
// quotas' Rate assumes numSamples-1 windows.
func TestSimpleQuotaRateWindow(t *testing.T) {
	simple := newSimpleQuotaRate(1000, 11)
	plain := newQuotaRate(1000, 11)
	simple.record(500, 0)
	plain.record(500, 0)
	if got := simple.measure(0); got != 500 {
		t.Errorf("simple rate after 500 B at once: %v, want 500", got)
	}
	if got := plain.measure(0); got != 50 {
		t.Errorf("plain rate after 500 B at once: %v, want 50 (over 10 windows)", got)
	}
	if got := simple.measure(5000); got != 100 {
		t.Errorf("simple rate 5 s later: %v, want 100", got)
	}
	if got := simple.measure(20000); got != 0 {
		t.Errorf("simple rate after the samples expired: %v, want 0", got)
	}
}

// Rates come from this broker's dynamic config, else the cluster default,
// else unthrottled; lists from the topic's overrides for this broker.
func TestReplicationQuotasFromConfigs(t *testing.T) {
	rq := newReplicationQuotas(1, 1, 11, nil)
	bounds := func() (float64, float64) { return rq.leader.upperBound(), rq.follower.upperBound() }

	rq.applyBrokerConfigs(
		map[string]string{leaderThrottledRateConfig: "500000"},
		map[string]string{leaderThrottledRateConfig: "1", followerThrottledRateConfig: "700000"})
	if l, f := bounds(); l != 500000 || f != 700000 {
		t.Errorf("per-broker leader, default follower: got %v %v", l, f)
	}
	rq.applyBrokerConfigs(map[string]string{followerThrottledRateConfig: "x"}, nil)
	if l, f := bounds(); !math.IsInf(l, 1) || !math.IsInf(f, 1) {
		t.Errorf("no rates (one invalid): got %v %v, want unthrottled", l, f)
	}
	rq.applyBrokerConfigs(map[string]string{leaderThrottledRateConfig: strconv.FormatInt(math.MaxInt64, 10)}, nil)
	if l, _ := bounds(); !math.IsInf(l, 1) {
		t.Errorf("Long.MaxValue: got %v, want unthrottled", l)
	}

	// What kafka-reassign-partitions.sh writes when moving t-0 from
	// broker 0 to broker 1 and t-1 from 1 to 2.
	rq.applyTopicConfig("t", map[string]string{
		leaderThrottledReplicasConfig:   "0:0,1:1",
		followerThrottledReplicasConfig: "0:1,1:2",
	})
	t0 := log.TopicPartition{Topic: "t", Partition: 0}
	t1 := log.TopicPartition{Topic: "t", Partition: 1}
	if rq.leader.isThrottled(t0) || !rq.leader.isThrottled(t1) {
		t.Error("broker 1 leads t-1's move only")
	}
	if !rq.follower.isThrottled(t0) || rq.follower.isThrottled(t1) {
		t.Error("broker 1 follows t-0's move only")
	}
	// A malformed list keeps the previous one; a removed one clears it.
	rq.applyTopicConfig("t", map[string]string{leaderThrottledReplicasConfig: "bogus", followerThrottledReplicasConfig: "0:1"})
	if !rq.leader.isThrottled(t1) {
		t.Error("malformed list replaced the previous one")
	}
	rq.applyTopicConfig("t", map[string]string{})
	if rq.leader.isThrottled(t1) || rq.follower.isThrottled(t0) || rq.leader.anyThrottled.Load() {
		t.Error("throttles remain after the lists were removed")
	}
}
