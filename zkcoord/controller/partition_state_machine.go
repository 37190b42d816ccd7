package controller

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/go-zookeeper/zk"
	"go.uber.org/zap"
)

// The partition state machine (controller.md §5.1, Kafka's ZkPartitionStateMachine). Callers
// queue requests into c.batch and send it when their decision is complete.

// electionStrategy selects one of the §6 rules for Online/Offline → Online.
type electionStrategy int8

const (
	electOffline electionStrategy = iota
	electOfflineUnclean
	electReassign
	electPreferred
	electControlledShutdown
)

func (s electionStrategy) String() string {
	return [...]string{"OfflinePartitionLeaderElectionStrategy(false)", "OfflinePartitionLeaderElectionStrategy(true)",
		"ReassignPartitionLeaderElectionStrategy", "PreferredReplicaPartitionLeaderElectionStrategy",
		"ControlledShutdownPartitionLeaderElectionStrategy"}[s]
}

// errNoEligibleLeader is returned for a partition no candidate can lead under the strategy.
var errNoEligibleLeader = errors.New("no eligible leader")

func (c *Controller) setPartitionState(tp TopicPartition, s partitionState) {
	old := c.cc.partStates[tp]
	if old != s {
		c.stateChange.Debug(fmt.Sprintf("Changed partition %s state from %s to %s", tpString(tp), old, s))
	}
	c.cc.partStates[tp] = s
}

// partitionsToNew moves partitions NonExistent → New.
func (c *Controller) partitionsToNew(tps []TopicPartition) {
	for _, tp := range tps {
		c.setPartitionState(tp, partitionNew)
	}
}

// partitionsToOffline is bookkeeping only: the partition has no live leader.
func (c *Controller) partitionsToOffline(tps []TopicPartition) {
	for _, tp := range tps {
		c.setPartitionState(tp, partitionOffline)
	}
}

func (c *Controller) partitionsToNonExistent(tps []TopicPartition) {
	for _, tp := range tps {
		delete(c.cc.partStates, tp)
	}
}

// partitionsToOnline moves partitions to Online: New ones get their first leader and ISR, the
// others an election with strategy. It returns the failures per partition.
func (c *Controller) partitionsToOnline(tps []TopicPartition, strategy electionStrategy) map[TopicPartition]error {
	var fresh, elect []TopicPartition
	for _, tp := range tps {
		switch c.cc.partitionState(tp) {
		case partitionNew:
			fresh = append(fresh, tp)
		case partitionOnline, partitionOffline:
			elect = append(elect, tp)
		default:
			c.stateChange.Error(fmt.Sprintf("Controller %d epoch %d failed to change state for partition %s from %s to OnlinePartition",
				c.cfg.BrokerID, c.cc.epoch, tpString(tp), c.cc.partitionState(tp)))
		}
	}
	failed := c.initializeLeaderAndIsrs(fresh)
	for tp, err := range c.electLeaders(elect, strategy) {
		failed[tp] = err
	}
	return failed
}

// initZkParallelism bounds the ZooKeeper writes of initializeLeaderAndIsrs in flight at once.
const initZkParallelism = 16

// initializeLeaderAndIsrs is New → Online for tps: leader = first live replica in assignment
// order, ISR = all live replicas, leader epoch 0; the state znodes must not exist yet. It returns
// the failures per partition.
//
// Like Kafka's createTopicPartitionStatesRaw the state znodes are written concurrently (each in
// its own multi behind the controller-epoch check): a ZooKeeper that syncs every transaction to
// disk takes tens of milliseconds per write, which one at a time made creating
// __consumer_offsets (50 partitions) take seconds. Only the ZooKeeper calls run concurrently;
// the results are applied to the controller's state in partition order on this goroutine.
func (c *Controller) initializeLeaderAndIsrs(tps []TopicPartition) map[TopicPartition]error {
	failed := map[TopicPartition]error{}
	type job struct {
		tp   TopicPartition
		a    assignment
		live []int32
		st   leaderIsr
		err  error
	}
	var jobs []*job
	topics := map[string]bool{}
	for _, tp := range tps {
		a, _ := c.cc.assignmentOf(tp)
		live := filter(a.Replicas, c.cc.isLive)
		if len(live) == 0 {
			err := fmt.Errorf("Controller %d epoch %d encountered error during state change of partition %s from New to Online, assigned replicas are [%s], live brokers are [%s]. No assigned replica is alive.",
				c.cfg.BrokerID, c.cc.epoch, tpString(tp), joinIDs(a.Replicas), joinIDs(c.cc.liveIDs()))
			c.stateChange.Error(err.Error())
			failed[tp] = err
			continue
		}
		st := leaderIsr{Leader: live[0], LeaderEpoch: 0, ISR: live, ControllerEpoch: c.cc.epoch}
		jobs = append(jobs, &job{tp: tp, a: a, live: live, st: st})
		topics[tp.Topic] = true
	}
	if len(jobs) == 0 {
		return failed
	}
	// The topics' partitions znodes first, one per topic, so that concurrent multis do not race
	// to create the same parent.
	for t := range topics {
		ok, _, err := c.zk.Exists(partitionsPath(t))
		if err == nil && !ok {
			_, err = c.fenced(&zk.CreateRequest{Path: partitionsPath(t), Acl: openACL})
			if errors.Is(err, zk.ErrNodeExists) {
				err = nil
			}
		}
		if err != nil {
			for _, j := range jobs {
				if j.tp.Topic == t {
					j.err = err
				}
			}
		}
	}
	if c.moved {
		for _, j := range jobs {
			failed[j.tp] = errControllerMoved
		}
		return failed
	}

	check := &zk.CheckVersionRequest{Path: controllerEpochPath, Version: c.cc.epochZkVersion}
	results := make([][]zk.MultiResponse, len(jobs))
	sem := make(chan struct{}, initZkParallelism)
	var wg sync.WaitGroup
	for i, j := range jobs {
		if j.err != nil {
			continue
		}
		data := encodeState(j.st)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			ops := []any{check}
			ok, _, err := c.zk.Exists(partitionPath(j.tp))
			if err != nil {
				j.err = err
				return
			}
			if !ok {
				ops = append(ops, &zk.CreateRequest{Path: partitionPath(j.tp), Acl: openACL})
			}
			ops = append(ops, &zk.CreateRequest{Path: statePath(j.tp), Data: data, Acl: openACL})
			results[i], j.err = c.zk.Multi(ops...)
		}()
	}
	wg.Wait()

	for i, j := range jobs {
		err := j.err
		if res := results[i]; len(res) > 0 && (errors.Is(res[0].Error, zk.ErrBadVersion) || errors.Is(res[0].Error, zk.ErrNoNode)) {
			// The epoch check failed: another broker is controller (as in fenced).
			c.moved = true
		}
		if c.moved {
			err = errControllerMoved
		}
		if err != nil {
			if errors.Is(err, zk.ErrNodeExists) {
				err = fmt.Errorf("Controller %d epoch %d encountered error while changing partition %s's state from New to Online since LeaderAndIsr path already exists with value %v",
					c.cfg.BrokerID, c.cc.epoch, tpString(j.tp), c.cc.leadership[j.tp])
				c.stateChange.Error(err.Error())
			}
			failed[j.tp] = err
			continue
		}
		st := j.st
		st.ZkVersion = 0
		c.cc.leadership[j.tp] = st
		c.setPartitionState(j.tp, partitionOnline)
		c.batch.addLeaderAndIsr(c.cc, j.live, j.tp, st, j.a, true)
	}
	return failed
}

// electLeaders elects leaders with strategy, writing each state znode conditionally on its
// zkVersion (re-reading on BADVERSION), and queues LeaderAndIsr to the partition's live replicas
// plus UpdateMetadata to everyone.
func (c *Controller) electLeaders(tps []TopicPartition, strategy electionStrategy) map[TopicPartition]error {
	failed := map[TopicPartition]error{}
	for _, tp := range tps {
		if err := c.electLeader(tp, strategy); err != nil {
			failed[tp] = err
			if !errors.Is(err, errControllerMoved) {
				c.stateChange.Error(fmt.Sprintf("Controller %d epoch %d failed to change state for partition %s from %s to OnlinePartition",
					c.cfg.BrokerID, c.cc.epoch, tpString(tp), c.cc.partitionState(tp)), zap.Error(err), zap.Stringer("strategy", strategy))
			}
		}
	}
	return failed
}

func (c *Controller) electLeader(tp TopicPartition, strategy electionStrategy) error {
	for attempt := 0; ; attempt++ {
		cur, ok, err := c.readState(tp)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("LeaderAndIsr information doesn't exist for partition %s in OnlinePartition state", tpString(tp))
		}
		if cur.ControllerEpoch > c.cc.epoch {
			return fmt.Errorf("Aborted leader election for partition %s since the LeaderAndIsr path was already written by another controller. This probably means that the current controller %d went through a soft failure and another controller was elected with epoch %d.",
				tpString(tp), c.cfg.BrokerID, cur.ControllerEpoch)
		}
		c.cc.leadership[tp] = cur
		a, _ := c.cc.assignmentOf(tp)
		leader, isr, recipients, err := c.chooseLeader(tp, a, cur, strategy)
		if err != nil {
			if strategy == electOffline || strategy == electOfflineUnclean {
				c.setPartitionState(tp, partitionOffline)
			}
			return err
		}
		next := cur.withLeader(leader, isr)
		next.ControllerEpoch = c.cc.epoch
		v, err := c.fencedSetState(tp, next)
		if errors.Is(err, zk.ErrBadVersion) && attempt < 10 {
			continue // someone (a leader's ISR change) wrote since we read: decide again
		}
		if err != nil {
			return err
		}
		next.ZkVersion = v
		c.cc.leadership[tp] = next
		c.stateChange.Info(fmt.Sprintf("Changed partition %s from %s to OnlinePartition with state %s", tpString(tp), c.cc.partitionState(tp), next),
			zap.Stringer("strategy", strategy))
		c.setPartitionState(tp, partitionOnline)
		c.batch.addLeaderAndIsr(c.cc, recipients, tp, next, a, false)
		return nil
	}
}

// chooseLeader applies strategy to a partition's current state.
func (c *Controller) chooseLeader(tp TopicPartition, a assignment, cur leaderIsr, strategy electionStrategy) (leader int32, isr, recipients []int32, err error) {
	cc := c.cc
	switch strategy {
	case electOffline, electOfflineUnclean:
		live := filter(a.Replicas, cc.isLive)
		unclean := strategy == electOfflineUnclean || c.cfg.UncleanLeaderElectionEnable
		l, newISR, _, ok := offlineLeader(a.Replicas, cur.ISR, cc.isLive, false)
		if !ok && !unclean && hasLive(a.Replicas, cc.isLive) {
			// Only read the topic override when it can matter (Kafka does the same).
			unclean = c.topicUncleanEnabled(tp.Topic)
		}
		if !ok && unclean {
			var wasUnclean bool
			l, newISR, wasUnclean, ok = offlineLeader(a.Replicas, cur.ISR, cc.isLive, true)
			if ok && wasUnclean {
				c.stateChange.Warn(fmt.Sprintf("Unclean leader election. Partition %s has been elected leader %d. Data loss may occur.", tpString(tp), l))
			}
		}
		if !ok {
			return 0, nil, nil, fmt.Errorf("%w: no replica in ISR [%s] for partition %s is alive. Live brokers are: [%s]",
				errNoEligibleLeader, joinIDs(cur.ISR), tpString(tp), joinIDs(cc.liveIDs()))
		}
		return l, newISR, live, nil
	case electReassign:
		target := a.target()
		l, ok := reassignLeader(target, cur.ISR, cc.isLive)
		if !ok {
			return 0, nil, nil, fmt.Errorf("%w: none of the reassigned replicas for partition %s are in-sync replicas. Reassigned replicas: [%s], ISR: [%s]",
				errNoEligibleLeader, tpString(tp), joinIDs(target), joinIDs(cur.ISR))
		}
		return l, cur.ISR, filter(target, cc.isLive), nil
	case electPreferred:
		l, ok := preferredLeader(a.Replicas, cur.ISR, cc.isLive)
		if !ok {
			return 0, nil, nil, fmt.Errorf("%w: preferred replica %d for partition %s is either not alive or not in the isr. Current leader and ISR: %s",
				errNoEligibleLeader, first(a.Replicas), tpString(tp), cur)
		}
		return l, cur.ISR, filter(a.Replicas, cc.isLive), nil
	case electControlledShutdown:
		l, newISR, ok := controlledShutdownLeader(a.Replicas, cur.ISR, cc.isLiveOrShuttingDown, cc.isShuttingDown)
		if !ok {
			return 0, nil, nil, fmt.Errorf("%w: no other replicas in ISR [%s] for %s besides shutting down brokers [%s]",
				errNoEligibleLeader, joinIDs(cur.ISR), tpString(tp), joinIDs(filter(cur.ISR, cc.isShuttingDown)))
		}
		return l, newISR, filter(a.Replicas, cc.isLiveOrShuttingDown), nil
	}
	return 0, nil, nil, fmt.Errorf("unknown election strategy %d", strategy)
}

func hasLive(replicas []int32, live func(int32) bool) bool {
	return slices.ContainsFunc(replicas, live)
}

func first(xs []int32) int32 {
	if len(xs) == 0 {
		return noLeader
	}
	return xs[0]
}

// triggerOnlinePartitionStateChange elects leaders for every New or Offline partition of topics
// not queued for deletion (Kafka's triggerOnlinePartitionStateChange).
func (c *Controller) triggerOnlinePartitionStateChange() {
	var tps []TopicPartition
	for _, tp := range c.cc.allPartitions() {
		s := c.cc.partitionState(tp)
		if (s == partitionNew || s == partitionOffline) && !c.cc.toDelete[tp.Topic] {
			tps = append(tps, tp)
		}
	}
	c.partitionsToOnline(tps, electOffline)
}
