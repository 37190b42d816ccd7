package broker

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"gokafka/log"
)

// Partition is one topic-partition this broker hosts, as leader or
// follower (Kafka's kafka.cluster.Partition).
//
// Concurrency: mu is Kafka's leaderIsrUpdateLock. Appends and reads take it
// shared; leadership changes, ISR changes and follower-state updates take it
// exclusively. The high watermark is an atomic that only moves forward
// while leading, so readers need no lock.
type Partition struct {
	tp      log.TopicPartition // immutable
	rm      *ReplicaManager    // immutable
	localID int32              // immutable

	mu              sync.RWMutex
	log             *log.Log // guarded by mu; nil until the first LeaderAndIsr
	topicID         [16]byte // guarded by mu
	leaderID        int32    // guarded by mu; -1 when unknown
	leaderEpoch     int32    // guarded by mu; -1 before the first LeaderAndIsr
	controllerEpoch int32    // guarded by mu; of the last accepted LeaderAndIsr
	zkVersion       int32    // guarded by mu; version of the state znode we last saw
	replicas        []int32  // guarded by mu
	isr             []int32  // guarded by mu
	// leaderEpochStartOffset is the LEO when this broker became leader for
	// leaderEpoch (-1 when following); guarded by mu.
	leaderEpochStartOffset int64
	// followers tracks the other replicas while leading; guarded by mu
	// (written under the exclusive lock, read under either).
	followers map[int32]*followerState
	// minISR is min.insync.replicas for the topic; guarded by mu.
	minISR int32

	hw atomic.Int64
}

// followerState is what the leader knows about one follower
// (Kafka's kafka.cluster.Replica).
type followerState struct {
	leo                int64 // -1 until the follower's first fetch since we became leader
	logStartOffset     int64
	lastFetchTime      time.Time
	lastFetchLeaderLEO int64
	lastCaughtUpTime   time.Time
}

func newPartition(rm *ReplicaManager, tp log.TopicPartition) *Partition {
	p := &Partition{tp: tp, rm: rm, localID: rm.brokerID, leaderID: -1, leaderEpoch: -1, leaderEpochStartOffset: -1, minISR: 1}
	return p
}

// partitionState is the part of a LeaderAndIsr partition state the
// partition keeps.
type partitionState struct {
	controllerEpoch int32
	leader          int32
	leaderEpoch     int32
	isr             []int32
	zkVersion       int32
	replicas        []int32
}

// makeLeader installs state with this broker as leader (Kafka's
// Partition.makeLeader). It records the new epoch's start offset in the
// leader-epoch cache and resets follower tracking: ISR members count as
// caught up now, the others never. It returns true when this broker was
// not already leading.
func (p *Partition) makeLeader(st partitionState, l *log.Log, minISR int32, now time.Time) (becameLeader bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	wasLeader := p.leaderID == p.localID
	p.setStateLocked(st, l, minISR)
	leo := l.LogEndOffset()
	l.Epochs().AssignStartOffset(st.leaderEpoch, leo)
	p.leaderEpochStartOffset = leo
	p.followers = make(map[int32]*followerState, len(st.replicas))
	for _, id := range st.replicas {
		if id == p.localID {
			continue
		}
		fs := &followerState{leo: -1, logStartOffset: -1, lastFetchLeaderLEO: -1}
		if slices.Contains(st.isr, id) {
			fs.lastCaughtUpTime = now
		}
		p.followers[id] = fs
	}
	p.maybeIncrementHWLocked(now)
	return !wasLeader
}

// makeFollower installs state with another broker as leader. Produce is
// refused from now on; the HW stays as it was until the leader tells us
// more. It returns true when the leader changed.
func (p *Partition) makeFollower(st partitionState, l *log.Log, minISR int32) (leaderChanged bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	changed := p.leaderID != st.leader
	p.setStateLocked(st, l, minISR)
	p.leaderEpochStartOffset = -1
	p.followers = nil
	return changed
}

func (p *Partition) setStateLocked(st partitionState, l *log.Log, minISR int32) {
	p.log = l
	p.leaderID = st.leader
	p.leaderEpoch = st.leaderEpoch
	p.controllerEpoch = st.controllerEpoch
	p.zkVersion = st.zkVersion
	p.replicas = slices.Clone(st.replicas)
	p.isr = slices.Clone(st.isr)
	p.minISR = minISR
	if hw := p.hw.Load(); hw > l.LogEndOffset() {
		p.hw.Store(l.LogEndOffset())
	}
}

// isLeader reports whether this broker leads the partition.
func (p *Partition) isLeader() bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.leaderID == p.localID && p.log != nil
}

// HighWatermark returns the partition's high watermark.
func (p *Partition) HighWatermark() int64 { return p.hw.Load() }

// localLog returns the log, nil before the first LeaderAndIsr.
func (p *Partition) localLog() *log.Log {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.log
}

// appendAsLeader appends batches (one Produce partition's records) to the
// local log (Kafka's Partition.appendRecordsToLeader). With acks=-1 it
// first checks the ISR against min.insync.replicas. It returns whether the
// HW moved, so the caller can complete delayed requests.
func (p *Partition) appendAsLeader(batches []byte, acks int16) (log.AppendInfo, bool, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.leaderID != p.localID || p.log == nil {
		return log.AppendInfo{}, false, kerr.NotLeaderForPartition
	}
	if acks == -1 && int32(len(p.isr)) < p.minISR {
		return log.AppendInfo{}, false, kerr.NotEnoughReplicas
	}
	info, err := p.log.AppendAsLeader(batches, p.leaderEpoch)
	if err != nil {
		return info, false, err
	}
	return info, p.maybeIncrementHWLocked(time.Now()), nil
}

// maybeIncrementHWLocked recomputes the HW on the leader (replication.md
// §3.2): the smallest LEO among the leader and every follower that is in
// the ISR or caught up within replica.lag.time.max.ms. The HW only moves
// forward. Needs mu held (shared is enough: the HW is an atomic max).
func (p *Partition) maybeIncrementHWLocked(now time.Time) bool {
	if p.leaderID != p.localID || p.log == nil {
		return false
	}
	newHW := p.log.LogEndOffset()
	lag := p.rm.replicaLagTimeMax
	for id, fs := range p.followers {
		inISR := slices.Contains(p.isr, id)
		caughtUp := !fs.lastCaughtUpTime.IsZero() && now.Sub(fs.lastCaughtUpTime) <= lag
		if (inISR || caughtUp) && fs.leo < newHW {
			newHW = fs.leo
		}
	}
	for {
		old := p.hw.Load()
		if newHW <= old {
			return false
		}
		if p.hw.CompareAndSwap(old, newHW) {
			// Retention may delete only below the HW.
			p.log.SetHighWatermark(newHW)
			return true
		}
	}
}

// checkEnoughReplicasReachOffset tells a delayed acks=all produce whether
// its records are committed (Kafka's Partition.checkEnoughReplicasReachOffset):
// done once HW >= required; the answer is then NOT_ENOUGH_REPLICAS_AFTER_APPEND
// if the ISR shrank below min.insync.replicas meanwhile.
func (p *Partition) checkEnoughReplicasReachOffset(required int64) (bool, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.leaderID != p.localID {
		return true, kerr.NotLeaderForPartition
	}
	if p.hw.Load() < required {
		return false, nil
	}
	if int32(len(p.isr)) < p.minISR {
		return true, kerr.NotEnoughReplicasAfterAppend
	}
	return true, nil
}

// updateFollowerFetchState records a follower's fetch (replication.md
// §3.1, §3.3): its LEO is its fetch offset; lastCaughtUpTime follows
// Kafka's Replica.updateFetchState. It then considers adding the follower
// to the ISR and moving the HW. It returns whether the HW moved.
func (p *Partition) updateFollowerFetchState(id int32, fetchOffset, logStartOffset int64, now time.Time) (hwMoved bool) {
	p.mu.Lock()
	fs := p.followers[id]
	if fs == nil || p.leaderID != p.localID || p.log == nil {
		p.mu.Unlock()
		return false
	}
	leaderLEO := p.log.LogEndOffset()
	switch {
	case fetchOffset >= leaderLEO:
		fs.lastCaughtUpTime = now
	case fs.lastFetchLeaderLEO >= 0 && fetchOffset >= fs.lastFetchLeaderLEO:
		fs.lastCaughtUpTime = fs.lastFetchTime
	}
	fs.leo = fetchOffset
	fs.logStartOffset = logStartOffset
	fs.lastFetchTime = now
	fs.lastFetchLeaderLEO = leaderLEO

	var expand []int32
	if !slices.Contains(p.isr, id) && slices.Contains(p.replicas, id) &&
		fetchOffset >= p.hw.Load() && fetchOffset >= p.leaderEpochStartOffset {
		expand = append(slices.Clone(p.isr), id)
	}
	moved := p.maybeIncrementHWLocked(now)
	p.mu.Unlock()
	if expand != nil {
		if p.rm.isr.updateISR(p, expand) {
			p.mu.RLock()
			if p.maybeIncrementHWLocked(now) {
				moved = true
			}
			p.mu.RUnlock()
		}
	}
	return moved
}

// outOfSyncReplicas lists ISR followers that are behind the leader's LEO
// and have not caught up within maxLag (replication.md §3.3).
func (p *Partition) outOfSyncReplicasLocked(now time.Time, maxLag time.Duration) []int32 {
	if p.leaderID != p.localID || p.log == nil {
		return nil
	}
	leo := p.log.LogEndOffset()
	var out []int32
	for _, id := range p.isr {
		if id == p.localID {
			continue
		}
		fs := p.followers[id]
		if fs == nil {
			continue
		}
		if fs.leo != leo && now.Sub(fs.lastCaughtUpTime) > maxLag {
			out = append(out, id)
		}
	}
	return out
}

// maybeShrinkISR removes out-of-sync followers (Kafka's
// Partition.maybeShrinkIsr). It returns whether the HW moved.
func (p *Partition) maybeShrinkISR(now time.Time) bool {
	p.mu.RLock()
	out := p.outOfSyncReplicasLocked(now, p.rm.replicaLagTimeMax)
	var newISR []int32
	if len(out) > 0 {
		for _, id := range p.isr {
			if !slices.Contains(out, id) {
				newISR = append(newISR, id)
			}
		}
	}
	p.mu.RUnlock()
	if len(out) == 0 {
		return false
	}
	if !p.rm.isr.updateISR(p, newISR) {
		return false
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.maybeIncrementHWLocked(now)
}

// applyISR installs an ISR the ZooKeeper write accepted, if the leader
// epoch is still the one it was computed for.
func (p *Partition) applyISR(leaderEpoch int32, isr []int32, zkVersion int32) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.leaderEpoch != leaderEpoch || p.leaderID != p.localID {
		return false
	}
	p.isr = isr
	p.zkVersion = zkVersion
	return true
}

// leaderState is a consistent snapshot for the ISR writer and responses.
type leaderState struct {
	leader, leaderEpoch, controllerEpoch, zkVersion int32
	isr, replicas                                   []int32
}

func (p *Partition) snapshot() leaderState {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return leaderState{p.leaderID, p.leaderEpoch, p.controllerEpoch, p.zkVersion, slices.Clone(p.isr), slices.Clone(p.replicas)}
}

// checkLeaderEpoch compares a client's current_leader_epoch with ours
// (replication.md §4.4); -1 means no check. Needs mu held.
func (p *Partition) checkLeaderEpochLocked(clientEpoch int32) error {
	switch {
	case clientEpoch < 0 || clientEpoch == p.leaderEpoch:
		return nil
	case clientEpoch < p.leaderEpoch:
		return kerr.FencedLeaderEpoch
	default:
		return kerr.UnknownLeaderEpoch
	}
}

// lowWatermark is the smallest log start offset among the leader and the
// followers that fetched within replica.lag.time.max.ms (Kafka's
// Partition.lowWatermarkIfLeader, which counts the replicas on live
// brokers).
func (p *Partition) lowWatermark(now time.Time) (int64, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.leaderID != p.localID || p.log == nil {
		return -1, kerr.NotLeaderForPartition
	}
	low := p.log.LogStartOffset()
	for _, fs := range p.followers {
		if fs.logStartOffset >= 0 && now.Sub(fs.lastFetchTime) <= p.rm.replicaLagTimeMax && fs.logStartOffset < low {
			low = fs.logStartOffset
		}
	}
	return low, nil
}
