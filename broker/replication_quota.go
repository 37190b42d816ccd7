package broker

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"gokafka/log"
	"gokafka/zkcoord"
)

// Replication throttles (Kafka 2.8's ReplicationQuotaManager), what
// kafka-reassign-partitions.sh --throttle sets up. Two quotas per broker:
//
//   - leader: bytes this broker sends to followers, bounded by the dynamic
//     broker config leader.replication.throttled.rate;
//   - follower: bytes this broker's replica fetchers receive, bounded by
//     follower.replication.throttled.rate.
//
// Only throttled partitions count and are held back: a partition is
// throttled on this broker when the topic's
// leader.replication.throttled.replicas (follower...) lists "*" or an
// entry "partition:broker" with this broker's id (the reassignment tool
// lists the current replicas as leaders and the moving ones as followers).
//
// Each quota is one SimpleRate over replication.quota.window.num samples of
// replication.quota.window.size.seconds. A throttled partition is skipped
// while the quota is exceeded (rate > bound), and never for a replica in
// sync, so that a throttle cannot shrink the ISR:
//
//   - the leader answers a follower's fetch of such a partition with no
//     records (offsets and HW as usual) and does not count it towards the
//     fetch's min_bytes; the records of throttled partitions it does send
//     are recorded against the leader quota;
//   - the follower leaves such a partition out of its fetch requests (with
//     nothing left to fetch it waits replica.fetch.backoff.ms) and records
//     what it receives for throttled partitions against the follower quota.
//
// Rates come from /config/brokers/<id>, falling back to
// /config/brokers/<default> (Kafka 2.8 itself ignores the cluster default
// for these two rates; later versions honour it), else unthrottled.
// Changes apply on the next config change notification.

// replicaQuota is one direction's quota (leader or follower). Safe for
// concurrent use.
type replicaQuota struct {
	kind string // "LeaderReplication" or "FollowerReplication", for logs
	now  func() time.Time

	// anyThrottled is the fast path: no topic has a throttled list.
	anyThrottled atomic.Bool

	mu        sync.RWMutex
	bound     float64                      // bytes/s; +Inf: unthrottled; guarded by mu
	throttled map[string]throttledReplicas // per topic; guarded by mu

	rateMu sync.Mutex
	rate   *quotaRate // guarded by rateMu
}

// throttledReplicas is one topic's throttled partitions on this broker.
type throttledReplicas struct {
	all        bool    // "*"
	partitions []int32 // sorted
}

func (t throttledReplicas) contains(p int32) bool {
	if t.all {
		return true
	}
	_, ok := slices.BinarySearch(t.partitions, p)
	return ok
}

func (t throttledReplicas) String() string {
	if t.all {
		return "*"
	}
	return fmt.Sprint(t.partitions)
}

func newReplicaQuota(kind string, windowSeconds, numSamples int32) *replicaQuota {
	if windowSeconds < 1 {
		windowSeconds = 1
	}
	return &replicaQuota{
		kind:      kind,
		now:       time.Now,
		bound:     math.Inf(1),
		throttled: map[string]throttledReplicas{},
		rate:      newSimpleQuotaRate(int64(windowSeconds)*1000, int(numSamples)),
	}
}

// updateQuota sets the bound in bytes/s; +Inf (or Long.MaxValue) lifts it.
func (q *replicaQuota) updateQuota(bound float64) {
	if bound >= math.MaxInt64 {
		bound = math.Inf(1)
	}
	q.mu.Lock()
	q.bound = bound
	q.mu.Unlock()
}

func (q *replicaQuota) upperBound() float64 {
	q.mu.RLock()
	defer q.mu.RUnlock()
	return q.bound
}

// markThrottled replaces the topic's throttled partitions; an empty list
// (no entry for this broker) throttles nothing but still replaces.
func (q *replicaQuota) markThrottled(topic string, t throttledReplicas) {
	q.mu.Lock()
	q.throttled[topic] = t
	q.anyThrottled.Store(true)
	q.mu.Unlock()
}

func (q *replicaQuota) removeThrottle(topic string) {
	q.mu.Lock()
	delete(q.throttled, topic)
	q.anyThrottled.Store(len(q.throttled) > 0)
	q.mu.Unlock()
}

// isThrottled reports whether tp is in this quota's throttled list.
func (q *replicaQuota) isThrottled(tp log.TopicPartition) bool {
	if q == nil || !q.anyThrottled.Load() {
		return false
	}
	q.mu.RLock()
	t, ok := q.throttled[tp.Topic]
	q.mu.RUnlock()
	return ok && t.contains(tp.Partition)
}

// isQuotaExceeded reports whether the rate over the window is above the
// bound (Sensor.checkQuotas on an upper bound).
func (q *replicaQuota) isQuotaExceeded() bool {
	bound := q.upperBound()
	if math.IsInf(bound, 1) {
		return false
	}
	q.rateMu.Lock()
	defer q.rateMu.Unlock()
	return q.rate.measure(q.now().UnixMilli()) > bound
}

// record adds bytes to the rate whatever the bound (recording never
// throttles by itself).
func (q *replicaQuota) record(bytes int64) {
	if q == nil || bytes <= 0 {
		return
	}
	q.rateMu.Lock()
	q.rate.record(float64(bytes), q.now().UnixMilli())
	q.rateMu.Unlock()
}

// shouldThrottle is Kafka's shouldLeaderThrottle and shouldFollowerThrottle:
// a replica that is in sync is never held back, to avoid ISR thrashing.
func (q *replicaQuota) shouldThrottle(tp log.TopicPartition, inSync bool) bool {
	return q != nil && !inSync && q.isThrottled(tp) && q.isQuotaExceeded()
}

// parseThrottledReplicas reads a *.replication.throttled.replicas value as
// broker brokerID applies it: "*" is every partition, "p:b,..." the
// partitions p listed with b == brokerID. ok is false for an empty value
// (the throttle is removed). A malformed value is an error, as Kafka's
// ThrottledReplicaListValidator rejects it.
func parseThrottledReplicas(value string, brokerID int32) (t throttledReplicas, ok bool, err error) {
	value = strings.TrimSpace(value)
	switch value {
	case "":
		return throttledReplicas{}, false, nil
	case "*":
		return throttledReplicas{all: true}, true, nil
	}
	for _, e := range strings.Split(value, ",") {
		ps, bs, found := strings.Cut(strings.TrimSpace(e), ":")
		p, perr := strconv.ParseInt(ps, 10, 32)
		b, berr := strconv.ParseInt(bs, 10, 32)
		if !found || perr != nil || berr != nil || p < 0 || b < 0 {
			return throttledReplicas{}, false, fmt.Errorf("invalid throttled replica %q: expected partition:broker or *", e)
		}
		if int32(b) == brokerID && !slices.Contains(t.partitions, int32(p)) {
			t.partitions = append(t.partitions, int32(p))
		}
	}
	slices.Sort(t.partitions)
	return t, true, nil
}

// Names of the configs that drive replication throttles.
const (
	leaderThrottledRateConfig       = "leader.replication.throttled.rate"
	followerThrottledRateConfig     = "follower.replication.throttled.rate"
	leaderThrottledReplicasConfig   = "leader.replication.throttled.replicas"
	followerThrottledReplicasConfig = "follower.replication.throttled.replicas"
)

// replicationQuotas are a broker's two replication quotas.
type replicationQuotas struct {
	brokerID int32
	leader   *replicaQuota
	follower *replicaQuota
	lg       *zap.Logger
}

func newReplicationQuotas(brokerID, windowSeconds, numSamples int32, lg *zap.Logger) *replicationQuotas {
	if lg == nil {
		lg = zap.NewNop()
	}
	return &replicationQuotas{
		brokerID: brokerID,
		leader:   newReplicaQuota("LeaderReplication", windowSeconds, numSamples),
		follower: newReplicaQuota("FollowerReplication", windowSeconds, numSamples),
		lg:       lg.Named("kafka.server.ReplicationQuotaManager"),
	}
}

// applyBrokerConfigs sets both rates from this broker's dynamic overrides,
// else the cluster defaults, else unthrottled (BrokerConfigHandler).
func (rq *replicationQuotas) applyBrokerConfigs(perBroker, defaults map[string]string) {
	rate := func(name string) float64 {
		for _, m := range []map[string]string{perBroker, defaults} {
			if v, ok := m[name]; ok {
				f, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				if err == nil && f >= 0 {
					return float64(f)
				}
				rq.lg.Warn("Ignoring invalid " + name + " " + strconv.Quote(v))
			}
		}
		return math.Inf(1)
	}
	for _, x := range []struct {
		q    *replicaQuota
		name string
	}{{rq.leader, leaderThrottledRateConfig}, {rq.follower, followerThrottledRateConfig}} {
		r := rate(x.name)
		if old := x.q.upperBound(); old != r && !(math.IsInf(old, 1) && r >= math.MaxInt64) {
			rq.lg.Info(fmt.Sprintf("Broker %d: %s quota set to %s bytes/s", rq.brokerID, x.q.kind, formatRate(r)))
		}
		x.q.updateQuota(r)
	}
}

func formatRate(r float64) string {
	if math.IsInf(r, 1) || r >= math.MaxInt64 {
		return strconv.FormatInt(math.MaxInt64, 10)
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// applyTopicConfig updates the topic's throttled partitions from its
// overrides (TopicConfigHandler's updateThrottledList). A malformed list
// leaves the previous one in force.
func (rq *replicationQuotas) applyTopicConfig(topic string, overrides map[string]string) {
	for _, x := range []struct {
		q    *replicaQuota
		name string
	}{{rq.leader, leaderThrottledReplicasConfig}, {rq.follower, followerThrottledReplicasConfig}} {
		t, ok, err := parseThrottledReplicas(overrides[x.name], rq.brokerID)
		switch {
		case err != nil:
			rq.lg.Warn(fmt.Sprintf("Ignoring %s of topic %s", x.name, topic), zap.Error(err))
		case ok:
			x.q.markThrottled(topic, t)
			rq.lg.Debug(fmt.Sprintf("Setting %s on broker %d for topic: %s and partitions %s", x.name, rq.brokerID, topic, t))
		default:
			x.q.removeThrottle(topic)
			rq.lg.Debug(fmt.Sprintf("Removing %s from broker %d for topic %s", x.name, rq.brokerID, topic))
		}
	}
}

// replicationQuotas is the broker's replication quotas; nil in unit tests
// built without a broker (then nothing is throttled).
func (rm *ReplicaManager) replicationQuotas() *replicationQuotas { return rm.replQuotas }

// leaderQuota and followerQuota are nil-safe accessors.
func (rm *ReplicaManager) leaderQuota() *replicaQuota {
	if rm.replQuotas == nil {
		return nil
	}
	return rm.replQuotas.leader
}

func (rm *ReplicaManager) followerQuota() *replicaQuota {
	if rm.replQuotas == nil {
		return nil
	}
	return rm.replQuotas.follower
}

// shouldLeaderThrottle reports whether follower replicaID's fetch of p
// gets no records now: p is leader-throttled, the leader quota is
// exceeded and the follower is not in the ISR.
func (rm *ReplicaManager) shouldLeaderThrottle(p *Partition, replicaID int32) bool {
	q := rm.leaderQuota()
	if !q.isThrottled(p.tp) {
		return false
	}
	p.mu.RLock()
	inSync := slices.Contains(p.isr, replicaID)
	p.mu.RUnlock()
	return q.shouldThrottle(p.tp, inSync)
}

// recordLeaderReplication counts the records a follower fetch returns for
// leader-throttled partitions (KafkaApis' sizeOfThrottledPartitions).
func (rm *ReplicaManager) recordLeaderReplication(params fetchParams, parts []fetchPartition, results []fetchPartitionResult) {
	q := rm.leaderQuota()
	if !params.isFollower() || q == nil || !q.anyThrottled.Load() {
		return
	}
	var n int64
	for i := range parts {
		if results[i].slice.Size > 0 && q.isThrottled(parts[i].tp) {
			n += int64(results[i].slice.Size)
		}
	}
	q.record(n)
}

// loadReplicationThrottles applies the stored broker rates and every
// topic's throttled lists (the config manager's startup pass).
func (b *Broker) loadReplicationThrottles() {
	rq := b.replicas.replicationQuotas()
	if rq == nil || b.zk == nil {
		return
	}
	b.reloadReplicationRates()
	topics, err := b.zk.EntityNames(zkcoord.ConfigTypeTopic)
	if err != nil {
		b.lg.Warn("Could not read topic configs for replication throttles", zap.Error(err))
		return
	}
	for _, t := range topics {
		overrides, err := b.zk.EntityConfig(zkcoord.ConfigTypeTopic, t)
		if err != nil {
			continue
		}
		rq.applyTopicConfig(t, overrides)
	}
}

// reloadReplicationRates re-reads /config/brokers/<id> and <default> and
// applies the throttled rates.
func (b *Broker) reloadReplicationRates() {
	rq := b.replicas.replicationQuotas()
	if rq == nil || b.zk == nil {
		return
	}
	perBroker, err := b.zk.EntityConfig(zkcoord.ConfigTypeBroker, itoa(b.cfg.BrokerID))
	if err != nil {
		b.lg.Warn("Could not read broker config for replication throttles", zap.Error(err))
		return
	}
	defaults, err := b.zk.EntityConfig(zkcoord.ConfigTypeBroker, zkcoord.DefaultEntity)
	if err != nil {
		b.lg.Warn("Could not read default broker config for replication throttles", zap.Error(err))
		return
	}
	rq.applyBrokerConfigs(perBroker, defaults)
}
