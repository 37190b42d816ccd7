package controller

import (
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"go.uber.org/zap"

	"gokafka/zkcoord"
)

// Preferred-replica and unclean elections, manual and automatic (controller.md §10).

// ElectionResult is the outcome of ElectLeaders for one partition. Err is nil or a *kerr.Error
// (ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE,
// UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION); Message is the text for the response's
// error_message.
type ElectionResult struct {
	Leader  int32
	Err     error
	Message string
}

// ElectLeaders serves the ElectLeaders API (key 43): preferred (election_type 0) or unclean (1)
// elections for partitions, all partitions when partitions is nil. It blocks until done.
func (c *Controller) ElectLeaders(preferred bool, partitions []TopicPartition) (map[TopicPartition]ElectionResult, error) {
	var (
		out map[TopicPartition]ElectionResult
		err error
	)
	cerr := c.call("ReplicaLeaderElection", func() {
		if !c.active.Load() {
			err = ErrNotController
			return
		}
		if partitions == nil {
			partitions = c.cc.allPartitions()
		}
		out = c.replicaLeaderElection(preferred, partitions)
		if c.moved {
			err = ErrNotController
		}
	})
	if cerr != nil {
		return nil, cerr
	}
	return out, err
}

func (c *Controller) replicaLeaderElection(preferred bool, partitions []TopicPartition) map[TopicPartition]ElectionResult {
	out := map[TopicPartition]ElectionResult{}
	var valid []TopicPartition
	for _, tp := range partitions {
		a, ok := c.cc.assignmentOf(tp)
		if !ok {
			out[tp] = ElectionResult{Leader: noLeader, Err: kerr.UnknownTopicOrPartition, Message: "The partition does not exist."}
			continue
		}
		if c.cc.toDelete[tp.Topic] {
			out[tp] = ElectionResult{Leader: noLeader, Err: kerr.InvalidTopicException, Message: "The topic is being deleted"}
			continue
		}
		l, hasLeader := c.cc.leadership[tp]
		if preferred {
			if hasLeader && l.Leader == first(a.Replicas) {
				out[tp] = ElectionResult{Leader: l.Leader, Err: kerr.ElectionNotNeeded, Message: "Leader election not needed for topic partition"}
				continue
			}
		} else if hasLeader && l.Leader != noLeader && c.cc.isLive(l.Leader) {
			out[tp] = ElectionResult{Leader: l.Leader, Err: kerr.ElectionNotNeeded, Message: "Leader election not needed for topic partition"}
			continue
		}
		valid = append(valid, tp)
	}
	for tp, r := range c.onReplicaElection(valid, preferred) {
		out[tp] = r
	}
	c.sendBatch(c.batch)
	return out
}

// onReplicaElection elects with the preferred rule, or the unclean offline rule, and returns per
// partition the new leader or the error.
func (c *Controller) onReplicaElection(tps []TopicPartition, preferred bool) map[TopicPartition]ElectionResult {
	out := map[TopicPartition]ElectionResult{}
	if len(tps) == 0 {
		return out
	}
	strategy := electPreferred
	if !preferred {
		strategy = electOfflineUnclean
		c.partitionsToOffline(tps)
	}
	c.info(fmt.Sprintf("Starting replica leader election (%s) for partitions %s", map[bool]string{true: "PREFERRED", false: "UNCLEAN"}[preferred], tpList(tps)))
	failed := c.partitionsToOnline(tps, strategy)
	for _, tp := range tps {
		if err, bad := failed[tp]; bad {
			code := kerr.PreferredLeaderNotAvailable
			if !preferred {
				code = kerr.EligibleLeadersNotAvailable
			}
			out[tp] = ElectionResult{Leader: noLeader, Err: code, Message: err.Error()}
			continue
		}
		out[tp] = ElectionResult{Leader: c.cc.leadership[tp].Leader}
	}
	return out
}

// onPreferredElectionZNode handles /admin/preferred_replica_election (the legacy tool): elect
// the listed partitions' preferred replicas, then delete the znode.
func (c *Controller) onPreferredElectionZNode() {
	if !c.active.Load() {
		return
	}
	exists, err := c.watchExists(preferredElectionPath, "ReplicaLeaderElection", c.onPreferredElectionZNode)
	if err != nil || !exists {
		c.logZkError("reading "+preferredElectionPath, err)
		return
	}
	data, _, err := c.zk.Get(preferredElectionPath)
	if err != nil {
		c.logZkError("reading "+preferredElectionPath, err)
		return
	}
	tps, err := zkcoord.DecodePreferredReplicaElection(data)
	if err != nil {
		c.warn("Ignoring unreadable "+preferredElectionPath, zap.Error(err))
	} else {
		var known []TopicPartition
		for _, tp := range tps {
			if _, ok := c.cc.assignmentOf(tp); ok && !c.cc.toDelete[tp.Topic] {
				known = append(known, tp)
			}
		}
		c.replicaLeaderElection(true, known)
	}
	c.logZkError("deleting "+preferredElectionPath, c.fencedDelete(preferredElectionPath))
}

// scheduleRebalance arms the imbalance check (Kafka's AutoPreferredReplicaLeaderElection).
func (c *Controller) scheduleRebalance(d time.Duration) {
	if c.rebalance != nil {
		c.rebalance.Stop()
	}
	gen := c.gen
	c.rebalance = time.AfterFunc(d, func() {
		c.enqueue(event{name: "AutoPreferredReplicaLeaderElection", fn: func() {
			if gen != c.gen || !c.active.Load() {
				return
			}
			c.checkAndTriggerAutoLeaderRebalance()
			c.scheduleRebalance(time.Duration(c.cfg.LeaderImbalanceCheckIntervalSeconds) * time.Second)
		}})
	})
}

// checkAndTriggerAutoLeaderRebalance: per preferred leader, imbalance = partitions it should
// lead but does not ÷ partitions it should lead; above leader.imbalance.per.broker.percentage,
// run preferred elections where the preferred replica is alive and in the ISR. Skipped while a
// reassignment runs.
func (c *Controller) checkAndTriggerAutoLeaderRebalance() {
	byPreferred := map[int32][]TopicPartition{}
	for _, tp := range c.cc.allPartitions() {
		if c.cc.toDelete[tp.Topic] {
			continue
		}
		if rs := c.cc.replicasOf(tp); len(rs) > 0 {
			byPreferred[rs[0]] = append(byPreferred[rs[0]], tp)
		}
	}
	for _, broker := range sortedKeys(byPreferred) {
		tps := byPreferred[broker]
		var notLed []TopicPartition
		for _, tp := range tps {
			if l, ok := c.cc.leadership[tp]; ok && l.Leader != broker {
				notLed = append(notLed, tp)
			}
		}
		ratio := float64(len(notLed)) / float64(len(tps))
		c.lg.Debug(c.prefix()+"Leader imbalance ratio", zap.Int32("broker_id", broker), zap.Float64("ratio", ratio))
		if ratio <= float64(c.cfg.LeaderImbalancePerBrokerPercentage)/100 {
			continue
		}
		var candidates []TopicPartition
		for _, tp := range notLed {
			if len(c.cc.reassigning) > 0 || c.cc.toDelete[tp.Topic] {
				continue
			}
			l := c.cc.leadership[tp]
			if _, ok := preferredLeader(c.cc.replicasOf(tp), l.ISR, c.cc.isLive); ok {
				candidates = append(candidates, tp)
			}
		}
		c.onReplicaElection(candidates, true)
	}
	c.sendBatch(c.batch)
}
