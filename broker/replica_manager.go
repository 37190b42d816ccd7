package broker

import (
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"

	"gokafka/log"
	"gokafka/zkcoord"
)

// ReplicaManager owns the partitions this broker hosts (Kafka's
// kafka.server.ReplicaManager): it carries out the controller's
// LeaderAndIsr and StopReplica, appends produced records as leader, reads
// for consumers and followers, tracks followers to move the high watermark
// and the ISR, checkpoints high watermarks, and runs the purgatories for
// acks=all produces and long-poll fetches.
//
// Safe for concurrent use. Lock order (docs/LOCKS.md):
//
//	ReplicaManager.stateMu -> Partition.mu -> Log.mu
//	ReplicaManager.stateMu -> ReplicaManager.partsMu
//	ReplicaManager.stateMu -> fetcherManager.mu -> replicaFetcher.mu
//	delayedOp.mu -> Partition.mu (shared) -> Log.mu
//	delayedOp.mu -> expiryTimer.mu, conn.mu (the completion queues the response)
//
// Watcher-shard and timer locks are leaves: no operation is tried while
// they are held. No Partition.mu is held while the purgatories are checked
// or while the ISR is written to ZooKeeper.
type ReplicaManager struct {
	brokerID          int32         // immutable
	logs              logStore      // immutable
	lg                *zap.Logger   // immutable
	replicaLagTimeMax time.Duration // immutable
	hwCheckpointEvery time.Duration // immutable
	minISRDefault     int32         // immutable

	// topicConfig resolves a topic's log config and min.insync.replicas
	// (broker defaults + /config/topics overrides). Immutable after
	// construction; replaceable in tests.
	topicConfig func(topic string) (log.Config, int32)

	// isr writes ISR changes (ZooKeeper path, replication.md §3.4).
	isr isrUpdater

	// uncleanOverride reports whether a topic's unclean.leader.election.enable
	// override is true, and enableUnclean tells the controller component so
	// (both nil in unit tests). Immutable after construction.
	uncleanOverride func(topic string) bool
	enableUnclean   func(topic string)

	// shuttingDown reports whether the broker's shutdown has begun (nil:
	// never). Immutable after construction.
	shuttingDown func() bool

	// stateMu serialises LeaderAndIsr and StopReplica (Kafka's
	// replicaStateChangeLock) and guards controllerEpoch.
	stateMu         sync.Mutex
	controllerEpoch int32

	partsMu sync.RWMutex
	parts   map[log.TopicPartition]*Partition // guarded by partsMu

	hooksMu sync.Mutex
	hooks   []func(tp log.TopicPartition, leader bool, leaderEpoch int32) // guarded by hooksMu

	produceWait       *purgatory[log.TopicPartition]
	fetchWait         *purgatory[log.TopicPartition]
	deleteRecordsWait *purgatory[log.TopicPartition]

	fetchers *fetcherManager
	sessions *fetchSessionCache // KIP-227 fetch sessions

	// replQuotas are the replication throttles (replication_quota.go);
	// nil in unit tests built without a broker. Immutable pointer.
	replQuotas *replicationQuotas

	startOnce sync.Once
	quit      chan struct{}
	wg        sync.WaitGroup
}

// logStore is what the replica manager needs of the log manager
// (*log.Manager); an interface so unit tests can count calls.
type logStore interface {
	GetOrCreate(tp log.TopicPartition, cfg log.Config, topicID [16]byte) (*log.Log, error)
	Get(tp log.TopicPartition) *log.Log
	Delete(tp log.TopicPartition) error
	CheckpointHighWatermarks(hw map[log.TopicPartition]int64) error
	HighWatermarks() map[log.TopicPartition]int64
}

// PartitionAppendResult is the outcome of appending one partition's
// records. Err is a *kerr.Error (or nil).
type PartitionAppendResult struct {
	Err  error
	Info log.AppendInfo
}

// newReplicaManager builds the replica manager from the broker's config,
// log manager and ZooKeeper client.
func newReplicaManager(b *Broker) *ReplicaManager {
	cfg := b.cfg
	rm := newReplicaManagerWith(cfg.BrokerID, b.logs, b.lg,
		time.Duration(cfg.ReplicaLagTimeMaxMs)*time.Millisecond,
		time.Duration(cfg.ReplicaHighWatermarkCheckpointIntervalMs)*time.Millisecond,
		cfg.MinInsyncReplicas)
	rm.topicConfig = func(topic string) (log.Config, int32) {
		var overrides map[string]string
		if b.zk != nil {
			var err error
			if overrides, err = b.zk.EntityConfig("topics", topic); err != nil {
				rm.lg.Warn("Could not read topic config overrides; using broker defaults",
					zap.String("topic", topic), zap.Error(err))
			}
		}
		return topicLogConfig(cfg, overrides)
	}
	if b.zk != nil {
		rm.isr = newZKISRUpdater(b.zk, rm)
		rm.uncleanOverride = func(topic string) bool {
			overrides, err := b.zk.EntityConfig("topics", topic)
			return err == nil && strings.EqualFold(strings.TrimSpace(overrides["unclean.leader.election.enable"]), "true")
		}
	}
	rm.shuttingDown = func() bool {
		select {
		case <-b.quit:
			return true
		default:
			return false
		}
	}
	// b.controller is created after the replica manager but before the
	// config change listener that calls TopicConfigChanged.
	rm.enableUnclean = func(topic string) {
		if b.controller != nil {
			b.controller.EnableTopicUncleanLeaderElection(topic)
		}
	}
	rm.replQuotas = newReplicationQuotas(cfg.BrokerID, cfg.ReplicationQuotaWindowSizeSeconds, cfg.ReplicationQuotaWindowNum, b.lg)
	rm.fetchers = newFetcherManager(rm, b)
	rm.sessions = newFetchSessionCache(int(cfg.MaxIncrementalFetchSessionCacheSlots))
	return rm
}

// newReplicaManagerWith is the dependency-explicit constructor (unit tests
// use it without a Broker).
func newReplicaManagerWith(brokerID int32, logs logStore, lg *zap.Logger, lagMax, hwEvery time.Duration, minISR int32) *ReplicaManager {
	if lg == nil {
		lg = zap.NewNop()
	}
	rm := &ReplicaManager{
		brokerID:          brokerID,
		logs:              logs,
		lg:                lg.Named("kafka.server.ReplicaManager"),
		replicaLagTimeMax: lagMax,
		hwCheckpointEvery: hwEvery,
		minISRDefault:     minISR,
		parts:             make(map[log.TopicPartition]*Partition),
		produceWait:       newPurgatory[log.TopicPartition]("Produce", tpHash),
		fetchWait:         newPurgatory[log.TopicPartition]("Fetch", tpHash),
		deleteRecordsWait: newPurgatory[log.TopicPartition]("DeleteRecords", tpHash),
		quit:              make(chan struct{}),
		sessions:          newFetchSessionCache(1000),
	}
	rm.topicConfig = func(string) (log.Config, int32) { return log.DefaultConfig(), rm.minISRDefault }
	rm.isr = localISRUpdater{}
	return rm
}

func tpHash(tp log.TopicPartition) uint32 {
	h := fnv.New32a()
	h.Write([]byte(tp.Topic))
	return h.Sum32() ^ uint32(tp.Partition)*2654435761
}

// Start begins the background tasks: HW checkpoints every
// replica.high.watermark.checkpoint.interval.ms, the ISR shrink check every
// replica.lag.time.max.ms/2, and the ISR change notification task.
func (rm *ReplicaManager) Start() {
	rm.startOnce.Do(func() {
		rm.goTask(rm.hwCheckpointEvery, func() { rm.checkpointHighWatermarks() })
		rm.goTask(rm.replicaLagTimeMax/2, func() { rm.maybeShrinkISRs(time.Now()) })
		if z, ok := rm.isr.(*zkISRUpdater); ok {
			rm.goTask(2500*time.Millisecond, z.maybePropagate)
		}
	})
}

// goTask runs fn every interval until Close (Kafka's scheduler tasks).
func (rm *ReplicaManager) goTask(every time.Duration, fn func()) {
	if every <= 0 {
		return
	}
	rm.wg.Add(1)
	go func() {
		defer rm.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-rm.quit:
				return
			case <-t.C:
				fn()
			}
		}
	}()
}

// Close stops the fetchers and background tasks and writes a final HW
// checkpoint. Operations still in purgatory are dropped (their connections
// close with the broker).
func (rm *ReplicaManager) Close() {
	select {
	case <-rm.quit:
		return
	default:
	}
	close(rm.quit)
	rm.wg.Wait()
	if rm.fetchers != nil {
		rm.fetchers.close()
	}
	rm.checkpointHighWatermarks()
	rm.produceWait.shutdown()
	rm.fetchWait.shutdown()
	rm.deleteRecordsWait.shutdown()
}

// OnLeadershipChange registers fn, called after a LeaderAndIsr (or
// StopReplica) changed this broker's role for a partition: leader=true when
// it became leader (with the new epoch), false when it became follower or
// stopped hosting it. Calls happen on the request goroutine after the
// partition lock is released; fn must not block (hand long work off).
func (rm *ReplicaManager) OnLeadershipChange(fn func(tp log.TopicPartition, leader bool, leaderEpoch int32)) {
	rm.hooksMu.Lock()
	rm.hooks = append(rm.hooks, fn)
	rm.hooksMu.Unlock()
}

type leadershipChange struct {
	tp     log.TopicPartition
	leader bool
	epoch  int32
}

func (rm *ReplicaManager) fireLeadershipChanges(changes []leadershipChange) {
	rm.hooksMu.Lock()
	hooks := slices.Clone(rm.hooks)
	rm.hooksMu.Unlock()
	for _, c := range changes {
		for _, fn := range hooks {
			fn(c.tp, c.leader, c.epoch)
		}
	}
}

// getPartition returns the hosted partition, or nil.
func (rm *ReplicaManager) getPartition(tp log.TopicPartition) *Partition {
	rm.partsMu.RLock()
	p := rm.parts[tp]
	rm.partsMu.RUnlock()
	return p
}

// LocalLog returns the local log of tp, nil when this broker does not host
// it.
func (rm *ReplicaManager) LocalLog(tp log.TopicPartition) *log.Log {
	if p := rm.getPartition(tp); p != nil {
		return p.localLog()
	}
	return nil
}

// HighWatermark returns tp's high watermark, -1 when not hosted.
func (rm *ReplicaManager) HighWatermark(tp log.TopicPartition) int64 {
	if p := rm.getPartition(tp); p != nil {
		return p.HighWatermark()
	}
	return -1
}

// IsLeader reports whether this broker leads tp.
func (rm *ReplicaManager) IsLeader(tp log.TopicPartition) bool {
	p := rm.getPartition(tp)
	return p != nil && p.isLeader()
}

// TopicConfigChanged applies a changed min.insync.replicas to the hosted
// partitions of topic (the log settings are applied to the logs by the
// config-change listener; this is the part the replica manager keeps).
// Parked acks=all produces are re-checked. When the topic's
// unclean.leader.election.enable override is true, the controller component
// is told, as Kafka's TopicConfigHandler does, so that an active controller
// retries the election of the topic's offline partitions.
func (rm *ReplicaManager) TopicConfigChanged(topic string, minISR int32) {
	if rm.uncleanOverride != nil && rm.enableUnclean != nil && rm.uncleanOverride(topic) {
		rm.enableUnclean(topic)
	}
	rm.partsMu.RLock()
	var ps []*Partition
	for tp, p := range rm.parts {
		if tp.Topic == topic {
			ps = append(ps, p)
		}
	}
	rm.partsMu.RUnlock()
	for _, p := range ps {
		p.mu.Lock()
		p.minISR = minISR
		p.mu.Unlock()
		rm.produceWait.checkAndComplete(p.tp)
	}
}

// BecomeLeaderOrFollower applies a LeaderAndIsr request (Kafka's
// ReplicaManager.becomeLeaderOrFollower, replication.md §1): partition
// states with a leader epoch higher than the one we hold are accepted;
// logs are created with the topic's config; leaders record the new epoch
// start offset, followers stop serving produce and fetch from the leader.
func (rm *ReplicaManager) BecomeLeaderOrFollower(req *kmsg.LeaderAndISRRequest) *kmsg.LeaderAndISRResponse {
	resp := req.ResponseKind().(*kmsg.LeaderAndISRResponse)
	type item struct {
		topic   string
		topicID [16]byte
		st      *kmsg.LeaderAndISRRequestTopicPartition
	}
	var items []item
	if req.Version >= 2 {
		for i := range req.TopicStates {
			ts := &req.TopicStates[i]
			for j := range ts.PartitionStates {
				items = append(items, item{ts.Topic, ts.TopicID, &ts.PartitionStates[j]})
			}
		}
	} else {
		for i := range req.PartitionStates {
			items = append(items, item{req.PartitionStates[i].Topic, [16]byte{}, &req.PartitionStates[i]})
		}
	}
	errs := make([]int16, len(items))

	rm.stateMu.Lock()
	if req.ControllerEpoch < rm.controllerEpoch {
		rm.stateMu.Unlock()
		rm.lg.Warn(fmt.Sprintf("Ignoring LeaderAndIsr request from controller %d since its controller epoch %d is old. Latest known controller epoch is %d",
			req.ControllerID, req.ControllerEpoch, rm.controllerEpoch))
		resp.ErrorCode = kerr.StaleControllerEpoch.Code
		return resp
	}
	rm.controllerEpoch = req.ControllerEpoch
	now := time.Now()
	var changes []leadershipChange
	leaders := map[int32]kmsg.LeaderAndISRRequestLiveLeader{}
	for _, l := range req.LiveLeaders {
		leaders[l.BrokerID] = l
	}
	var checkpointed map[log.TopicPartition]int64
	for i, it := range items {
		tp := log.TopicPartition{Topic: it.topic, Partition: it.st.Partition}
		st := partitionState{controllerEpoch: it.st.ControllerEpoch, leader: it.st.Leader,
			leaderEpoch: it.st.LeaderEpoch, isr: it.st.ISR, zkVersion: it.st.ZKVersion, replicas: it.st.Replicas}
		p := rm.getOrCreatePartition(tp)
		cur := p.snapshot()
		if cur.leaderEpoch >= 0 && st.leaderEpoch <= cur.leaderEpoch {
			rm.lg.Info(fmt.Sprintf("Ignoring LeaderAndIsr request for partition %s since its associated leader epoch %d is not higher than the current leader epoch %d",
				tpString(tp), st.leaderEpoch, cur.leaderEpoch))
			errs[i] = kerr.StaleControllerEpoch.Code
			continue
		}
		if !slices.Contains(st.replicas, rm.brokerID) {
			rm.lg.Warn(fmt.Sprintf("Ignoring LeaderAndIsr request for partition %s as the local replica for the partition is not in the new replica assignment", tpString(tp)))
			errs[i] = kerr.UnknownTopicOrPartition.Code
			continue
		}
		cfg, minISR := rm.topicConfig(tp.Topic)
		l, err := rm.logs.GetOrCreate(tp, cfg, it.topicID)
		if err != nil {
			rm.lg.Error("Error creating log for partition", zap.String("topic", tp.Topic), zap.Int32("partition", tp.Partition), zap.Error(err))
			errs[i] = kerr.KafkaStorageError.Code
			continue
		}
		if p.HighWatermark() == 0 {
			if checkpointed == nil {
				checkpointed = rm.logs.HighWatermarks() // once per request
			}
			rm.initHighWatermark(p, l, checkpointed)
		}
		if st.leader == rm.brokerID {
			if rm.fetchers != nil {
				rm.fetchers.remove(tp)
			}
			p.makeLeader(st, l, minISR, now)
			// Partition.makeLeader's line, which Kafka sends to the state
			// change log (state-change.log), not to server.log.
			rm.lg.Named("state.change.logger").Info(fmt.Sprintf("[Broker id=%d] Leader %s starts at leader epoch %d from offset %d with high watermark %d ISR %s addingReplicas [] removingReplicas []. Previous leader epoch was %d.",
				rm.brokerID, tpString(tp), st.leaderEpoch, l.LogEndOffset(), p.HighWatermark(), scalaList(st.isr), cur.leaderEpoch))
			changes = append(changes, leadershipChange{tp, true, st.leaderEpoch})
		} else {
			p.makeFollower(st, l, minISR)
			if rm.fetchers != nil {
				// A broker in controlled shutdown is made follower of the
				// partitions it led but does not fetch: it is about to stop,
				// and the new leader, which cannot tell, would add it back
				// to the ISR, only for the controller to drop it again with
				// a leader-epoch bump when it deregisters (fencing the other
				// followers' fetches meanwhile).
				if ll, ok := leaders[st.leader]; ok && (rm.shuttingDown == nil || !rm.shuttingDown()) {
					rm.fetchers.add(tp, ll, st.leaderEpoch)
				} else {
					rm.fetchers.remove(tp)
				}
			}
			changes = append(changes, leadershipChange{tp, false, st.leaderEpoch})
		}
	}
	rm.stateMu.Unlock()

	// Requests parked on these partitions may now fail (not leader) or
	// complete (HW moved).
	for _, c := range changes {
		rm.completeDelayed(c.tp)
	}
	rm.fireLeadershipChanges(changes)
	out := make([]respItem, len(items))
	for i, it := range items {
		out[i] = respItem{it.topic, it.topicID, it.st.Partition}
	}
	return fillLeaderAndISRResponse(resp, req.Version, out, errs)
}

type respItem struct {
	topic     string
	topicID   [16]byte
	partition int32
}

// fillLeaderAndISRResponse lists every partition with its error: flat
// before v5, grouped by topic (with topic ids) from v5.
func fillLeaderAndISRResponse(resp *kmsg.LeaderAndISRResponse, version int16, items []respItem, errs []int16) *kmsg.LeaderAndISRResponse {
	byTopic := map[string]int{}
	for i, it := range items {
		rp := kmsg.NewLeaderAndISRResponseTopicPartition()
		rp.Topic = it.topic
		rp.Partition = it.partition
		rp.ErrorCode = errs[i]
		if version < 5 {
			resp.Partitions = append(resp.Partitions, rp)
			continue
		}
		ti, ok := byTopic[it.topic]
		if !ok {
			t := kmsg.NewLeaderAndISRResponseTopic()
			t.TopicID = it.topicID
			resp.Topics = append(resp.Topics, t)
			ti = len(resp.Topics) - 1
			byTopic[it.topic] = ti
		}
		resp.Topics[ti].Partitions = append(resp.Topics[ti].Partitions, rp)
	}
	return resp
}

func (rm *ReplicaManager) getOrCreatePartition(tp log.TopicPartition) *Partition {
	rm.partsMu.Lock()
	defer rm.partsMu.Unlock()
	p := rm.parts[tp]
	if p == nil {
		p = newPartition(rm, tp)
		rm.parts[tp] = p
	}
	return p
}

// initHighWatermark seeds a partition's HW from replication-offset-checkpoint
// (capped at the LEO), as Kafka does when it creates the Partition's log.
func (rm *ReplicaManager) initHighWatermark(p *Partition, l *log.Log, checkpointed map[log.TopicPartition]int64) {
	hw, ok := checkpointed[p.tp]
	if !ok {
		return
	}
	if leo := l.LogEndOffset(); hw > leo {
		hw = leo
	}
	if hw > p.hw.Load() {
		p.hw.Store(hw)
	}
}

// StopReplicas applies a StopReplica request: the partitions stop being
// hosted (fetchers removed, parked requests failed), and with delete=true
// their logs are removed (Kafka's ReplicaManager.stopReplicas).
func (rm *ReplicaManager) StopReplicas(req *kmsg.StopReplicaRequest) *kmsg.StopReplicaResponse {
	resp := req.ResponseKind().(*kmsg.StopReplicaResponse)
	type item struct {
		tp     log.TopicPartition
		delete bool
		epoch  int32
	}
	var items []item
	for _, t := range req.Topics {
		switch {
		case req.Version >= 3:
			for _, ps := range t.PartitionStates {
				items = append(items, item{log.TopicPartition{Topic: t.Topic, Partition: ps.Partition}, ps.Delete, ps.LeaderEpoch})
			}
		case req.Version >= 1:
			for _, pid := range t.Partitions {
				items = append(items, item{log.TopicPartition{Topic: t.Topic, Partition: pid}, req.DeletePartitions, -2})
			}
		default:
			items = append(items, item{log.TopicPartition{Topic: t.Topic, Partition: t.Partition}, req.DeletePartitions, -2})
		}
	}
	rm.stateMu.Lock()
	if req.ControllerEpoch < rm.controllerEpoch {
		rm.stateMu.Unlock()
		resp.ErrorCode = kerr.StaleControllerEpoch.Code
		return resp
	}
	rm.controllerEpoch = req.ControllerEpoch
	var changes []leadershipChange
	for _, it := range items {
		rp := kmsg.NewStopReplicaResponsePartition()
		rp.Topic, rp.Partition = it.tp.Topic, it.tp.Partition
		p := rm.getPartition(it.tp)
		// -1: no epoch (deletion); -2: pre-v3 request, always applies.
		if p != nil && it.epoch >= 0 {
			if cur := p.snapshot().leaderEpoch; it.epoch < cur {
				rp.ErrorCode = kerr.FencedLeaderEpoch.Code
				resp.Partitions = append(resp.Partitions, rp)
				continue
			}
		}
		if rm.fetchers != nil {
			rm.fetchers.remove(it.tp)
		}
		if p != nil && p.isLeader() {
			changes = append(changes, leadershipChange{it.tp, false, -1})
		}
		if it.delete {
			rm.partsMu.Lock()
			delete(rm.parts, it.tp)
			rm.partsMu.Unlock()
			if p != nil {
				p.mu.Lock()
				p.leaderID, p.log = -1, nil
				p.mu.Unlock()
			}
			if err := rm.logs.Delete(it.tp); err != nil && rm.logs.Get(it.tp) != nil {
				rm.lg.Error("Error deleting log", zap.String("topic", it.tp.Topic), zap.Int32("partition", it.tp.Partition), zap.Error(err))
				rp.ErrorCode = kerr.KafkaStorageError.Code
			}
		} else if p != nil {
			// Still hosted, but no longer leader or fetching (a controlled
			// shutdown or a reassignment moving it away).
			p.mu.Lock()
			p.leaderID = -1
			p.followers = nil
			p.mu.Unlock()
		}
		resp.Partitions = append(resp.Partitions, rp)
	}
	rm.stateMu.Unlock()
	for _, it := range items {
		rm.completeDelayed(it.tp)
	}
	rm.fireLeadershipChanges(changes)
	return resp
}

// completeDelayed retries the requests parked on tp.
func (rm *ReplicaManager) completeDelayed(tp log.TopicPartition) {
	rm.produceWait.checkAndComplete(tp)
	rm.fetchWait.checkAndComplete(tp)
	rm.deleteRecordsWait.checkAndComplete(tp)
}

// checkpointHighWatermarks writes every hosted partition's HW to
// replication-offset-checkpoint through the log manager.
func (rm *ReplicaManager) checkpointHighWatermarks() {
	rm.partsMu.RLock()
	hws := make(map[log.TopicPartition]int64, len(rm.parts))
	for tp, p := range rm.parts {
		if p.localLog() != nil {
			hws[tp] = p.HighWatermark()
		}
	}
	rm.partsMu.RUnlock()
	if err := rm.logs.CheckpointHighWatermarks(hws); err != nil {
		rm.lg.Error("Error while writing to highwatermark file", zap.Error(err))
	}
}

// maybeShrinkISRs runs the ISR shrink check on every partition this broker
// leads (every replica.lag.time.max.ms/2), as of now.
func (rm *ReplicaManager) maybeShrinkISRs(now time.Time) {
	rm.partsMu.RLock()
	ps := make([]*Partition, 0, len(rm.parts))
	for _, p := range rm.parts {
		ps = append(ps, p)
	}
	rm.partsMu.RUnlock()
	for _, p := range ps {
		if p.maybeShrinkISR(now) {
			rm.completeDelayed(p.tp)
		}
	}
}

// isrUpdater persists a leader's ISR change. updateISR returns true when
// the new ISR was accepted and installed in p.
type isrUpdater interface {
	updateISR(p *Partition, newISR []int32) bool
}

// localISRUpdater installs ISR changes without ZooKeeper (unit tests).
type localISRUpdater struct{}

func (localISRUpdater) updateISR(p *Partition, newISR []int32) bool {
	st := p.snapshot()
	return p.applyISR(st.leaderEpoch, newISR, st.zkVersion+1)
}

// zkISRUpdater is the ZooKeeper path of replication.md §3.4 (IBP < 2.7):
// the leader writes the partition state znode itself, conditional on its
// cached zkVersion, and batches the changed partitions into one sequential
// /isr_change_notification/isr_change_ znode.
type zkISRUpdater struct {
	zk *zkcoord.Client
	rm *ReplicaManager

	mu             sync.Mutex
	pending        []zkcoord.TopicPartition // guarded by mu
	lastChange     time.Time                // guarded by mu
	lastPropagated time.Time                // guarded by mu
}

func newZKISRUpdater(zk *zkcoord.Client, rm *ReplicaManager) *zkISRUpdater {
	return &zkISRUpdater{zk: zk, rm: rm, lastPropagated: time.Now()}
}

func (z *zkISRUpdater) updateISR(p *Partition, newISR []int32) bool {
	st := p.snapshot()
	if st.leader != z.rm.brokerID {
		return false
	}
	state := zkcoord.PartitionState{Leader: st.leader, LeaderEpoch: st.leaderEpoch, ISR: newISR, ControllerEpoch: st.controllerEpoch}
	stat, err := z.zk.Set(zkcoord.PartitionStatePath(p.tp.Topic, p.tp.Partition), state.Encode(), st.zkVersion)
	if err != nil {
		if errors.Is(err, zkcoord.ErrBadVersion) {
			z.rm.lg.Info(fmt.Sprintf("Cached zkVersion %d not equal to that in zookeeper, skip updating ISR", st.zkVersion),
				zap.String("topic", p.tp.Topic), zap.Int32("partition", p.tp.Partition))
		} else {
			z.rm.lg.Error("Failed to update ISR", zap.String("topic", p.tp.Topic), zap.Int32("partition", p.tp.Partition), zap.Error(err))
		}
		return false
	}
	if !p.applyISR(st.leaderEpoch, newISR, stat.Version) {
		return false
	}
	z.rm.lg.Info(fmt.Sprintf("[Partition %s broker=%d] ISR updated to %v and zkVersion updated to [%d]",
		tpString(p.tp), z.rm.brokerID, newISR, stat.Version))
	z.mu.Lock()
	z.pending = append(z.pending, zkcoord.TopicPartition{Topic: p.tp.Topic, Partition: p.tp.Partition})
	z.lastChange = time.Now()
	z.mu.Unlock()
	return true
}

// maybePropagate writes one isr_change_ notification for all pending
// partitions when no change happened for 5 s or the last notification is
// older than 60 s (Kafka's ReplicaManager.maybePropagateIsrChanges).
func (z *zkISRUpdater) maybePropagate() {
	now := time.Now()
	z.mu.Lock()
	if len(z.pending) == 0 || (now.Sub(z.lastChange) < 5*time.Second && now.Sub(z.lastPropagated) < 60*time.Second) {
		z.mu.Unlock()
		return
	}
	tps := z.pending
	z.pending = nil
	z.lastPropagated = now
	z.mu.Unlock()
	path := zkcoord.IsrChangeNotificationPath + "/" + zkcoord.IsrChangePrefix
	if _, err := z.zk.Create(path, zkcoord.EncodeIsrChangeNotification(tps), zkcoord.PersistentSequential); err != nil {
		z.rm.lg.Error("Failed to write ISR change notification", zap.Error(err))
	}
}

func tpString(tp log.TopicPartition) string { return fmt.Sprintf("%s-%d", tp.Topic, tp.Partition) }

// topicLogConfig resolves a topic's log config and min.insync.replicas:
// each topic-level override when present and valid, else the broker
// default (Config.LogConfig; Kafka's LogConfig.fromProps over the
// KafkaConfig-derived defaults, log-format.md §8).
func topicLogConfig(cfg *Config, overrides map[string]string) (log.Config, int32) {
	c := cfg.LogConfig()
	minISR := cfg.MinInsyncReplicas
	i64 := func(key string, dst *int64) {
		if v, ok := overrides[key]; ok {
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				*dst = n
			}
		}
	}
	i32 := func(key string, dst *int32) {
		if v, ok := overrides[key]; ok {
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32); err == nil {
				*dst = int32(n)
			}
		}
	}
	i64("segment.bytes", &c.SegmentBytes)
	i64("segment.ms", &c.SegmentMs)
	i64("segment.jitter.ms", &c.SegmentJitterMs)
	i32("segment.index.bytes", &c.SegmentIndexBytes)
	i32("index.interval.bytes", &c.IndexIntervalBytes)
	i64("flush.messages", &c.FlushMessages)
	i64("flush.ms", &c.FlushMs)
	i64("retention.ms", &c.RetentionMs)
	i64("retention.bytes", &c.RetentionBytes)
	i64("delete.retention.ms", &c.DeleteRetentionMs)
	i64("min.compaction.lag.ms", &c.MinCompactionLagMs)
	i64("file.delete.delay.ms", &c.FileDeleteDelayMs)
	i32("max.message.bytes", &c.MaxMessageBytes)
	i64("message.timestamp.difference.max.ms", &c.MessageTimestampDifferenceMaxMs)
	i32("min.insync.replicas", &minISR)
	if v, ok := overrides["cleanup.policy"]; ok {
		c.CleanupPolicy = strings.TrimSpace(v)
	}
	if v, ok := overrides["message.timestamp.type"]; ok {
		c.MessageTimestampType = strings.TrimSpace(v)
	}
	if v, ok := overrides["min.cleanable.dirty.ratio"]; ok {
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			c.MinCleanableDirtyRatio = f
		}
	}
	if v, ok := overrides["preallocate"]; ok {
		c.Preallocate = strings.EqualFold(strings.TrimSpace(v), "true")
	}
	return c, minISR
}

// scalaList prints ids as Scala's mkString("[", ",", "]").
func scalaList(ids []int32) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(int(id))
	}
	return "[" + strings.Join(parts, ",") + "]"
}
