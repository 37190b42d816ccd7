package controller

import (
	"maps"
	"slices"
)

// partitionState is a state of the partition state machine (controller.md §5.1).
type partitionState int8

const (
	partitionNonExistent partitionState = iota
	partitionNew
	partitionOnline
	partitionOffline
)

func (s partitionState) String() string {
	return [...]string{"NonExistentPartition", "NewPartition", "OnlinePartition", "OfflinePartition"}[s]
}

// replicaState is a state of the replica state machine (controller.md §5.2).
type replicaState int8

const (
	replicaNonExistent replicaState = iota
	replicaNew
	replicaOnline
	replicaOffline
	replicaDeletionStarted
	replicaDeletionSuccessful
	replicaDeletionIneligible
)

func (s replicaState) String() string {
	return [...]string{"NonExistentReplica", "NewReplica", "OnlineReplica", "OfflineReplica",
		"ReplicaDeletionStarted", "ReplicaDeletionSuccessful", "ReplicaDeletionIneligible"}[s]
}

// partitionReplica names one replica: a partition on a broker.
type partitionReplica struct {
	TopicPartition
	Replica int32
}

// liveBroker is a registered broker as the controller knows it.
type liveBroker struct {
	info      BrokerInfo
	epoch     int64 // czxid of /brokers/ids/N
	endpoints []endpoint
	rack      string
}

func newLiveBroker(info BrokerInfo, epoch int64) *liveBroker {
	return &liveBroker{info: info, epoch: epoch, endpoints: brokerEndpoints(info), rack: brokerRack(info)}
}

func (lb *liveBroker) endpoint(listener string) (endpoint, bool) {
	for _, e := range lb.endpoints {
		if e.Listener == listener {
			return e, true
		}
	}
	return endpoint{}, false
}

// topicInfo is what the controller caches of /brokers/topics/T.
type topicInfo struct {
	id         [16]byte // zero when the topic has none
	partitions map[int32]assignment
}

// controllerContext is the controller's in-memory view of the cluster (Kafka's
// ControllerContext). Owned by the event goroutine; never touched elsewhere.
type controllerContext struct {
	epoch          int32 // the controller epoch this broker won
	epochZkVersion int32 // zkVersion of /controller_epoch: the fencing token

	live         map[int32]*liveBroker // registered brokers, shutting-down ones included
	shuttingDown map[int32]bool

	topics     map[string]*topicInfo
	leadership map[TopicPartition]leaderIsr
	partStates map[TopicPartition]partitionState
	replStates map[partitionReplica]replicaState

	// Topic deletion (Kafka's TopicDeletionManager bookkeeping).
	toDelete   map[string]bool // queued, marker present
	ineligible map[string]bool // cannot progress for now (dead replica, reassignment)
	// deletionStarted holds topics whose partitions went NonExistent.
	deletionStarted map[string]bool

	// reassigning holds partitions with a reassignment in progress.
	reassigning map[TopicPartition]bool
}

func newContext() *controllerContext {
	return &controllerContext{
		live:            map[int32]*liveBroker{},
		shuttingDown:    map[int32]bool{},
		topics:          map[string]*topicInfo{},
		leadership:      map[TopicPartition]leaderIsr{},
		partStates:      map[TopicPartition]partitionState{},
		replStates:      map[partitionReplica]replicaState{},
		toDelete:        map[string]bool{},
		ineligible:      map[string]bool{},
		deletionStarted: map[string]bool{},
		reassigning:     map[TopicPartition]bool{},
	}
}

// isLive reports whether broker id is registered and not shutting down (Kafka's
// liveBrokerIds); isLiveOrShuttingDown includes shutting-down brokers.
func (cc *controllerContext) isLive(id int32) bool {
	_, ok := cc.live[id]
	return ok && !cc.shuttingDown[id]
}

func (cc *controllerContext) isLiveOrShuttingDown(id int32) bool {
	_, ok := cc.live[id]
	return ok
}

func (cc *controllerContext) isShuttingDown(id int32) bool { return cc.shuttingDown[id] }

// liveOrShuttingDownIDs returns the registered broker ids, sorted.
func (cc *controllerContext) liveOrShuttingDownIDs() []int32 {
	return slices.Sorted(maps.Keys(cc.live))
}

func (cc *controllerContext) liveIDs() []int32 {
	return filter(cc.liveOrShuttingDownIDs(), cc.isLive)
}

func (cc *controllerContext) assignmentOf(tp TopicPartition) (assignment, bool) {
	t, ok := cc.topics[tp.Topic]
	if !ok {
		return assignment{}, false
	}
	a, ok := t.partitions[tp.Partition]
	return a, ok
}

func (cc *controllerContext) replicasOf(tp TopicPartition) []int32 {
	a, _ := cc.assignmentOf(tp)
	return a.Replicas
}

func (cc *controllerContext) topicID(topic string) [16]byte {
	if t, ok := cc.topics[topic]; ok {
		return t.id
	}
	return [16]byte{}
}

// allPartitions returns every known partition, sorted for deterministic output.
func (cc *controllerContext) allPartitions() []TopicPartition {
	var out []TopicPartition
	for name, t := range cc.topics {
		for p := range t.partitions {
			out = append(out, TopicPartition{Topic: name, Partition: p})
		}
	}
	sortTPs(out)
	return out
}

func (cc *controllerContext) partitionsOf(topic string) []TopicPartition {
	t, ok := cc.topics[topic]
	if !ok {
		return nil
	}
	out := make([]TopicPartition, 0, len(t.partitions))
	for p := range t.partitions {
		out = append(out, TopicPartition{Topic: topic, Partition: p})
	}
	sortTPs(out)
	return out
}

// partitionsOnBroker returns the partitions with a replica on broker id.
func (cc *controllerContext) partitionsOnBroker(id int32) []TopicPartition {
	var out []TopicPartition
	for _, tp := range cc.allPartitions() {
		if slices.Contains(cc.replicasOf(tp), id) {
			out = append(out, tp)
		}
	}
	return out
}

func (cc *controllerContext) replicasOnBroker(id int32) []partitionReplica {
	var out []partitionReplica
	for _, tp := range cc.partitionsOnBroker(id) {
		out = append(out, partitionReplica{tp, id})
	}
	return out
}

func (cc *controllerContext) replicasOfTopic(topic string) []partitionReplica {
	var out []partitionReplica
	for _, tp := range cc.partitionsOf(topic) {
		for _, r := range cc.replicasOf(tp) {
			out = append(out, partitionReplica{tp, r})
		}
	}
	return out
}

// partitionsLedBy returns the partitions whose cached leader is id.
func (cc *controllerContext) partitionsLedBy(id int32) []TopicPartition {
	var out []TopicPartition
	for tp, l := range cc.leadership {
		if l.Leader == id {
			out = append(out, tp)
		}
	}
	sortTPs(out)
	return out
}

func (cc *controllerContext) partitionsWithLeaders() []TopicPartition {
	var out []TopicPartition
	for tp := range cc.leadership {
		if !cc.toDelete[tp.Topic] {
			out = append(out, tp)
		}
	}
	sortTPs(out)
	return out
}

func (cc *controllerContext) partitionState(tp TopicPartition) partitionState {
	return cc.partStates[tp]
}

func (cc *controllerContext) replicaState(r partitionReplica) replicaState {
	return cc.replStates[r]
}

func (cc *controllerContext) removeTopic(topic string) {
	t, ok := cc.topics[topic]
	if !ok {
		return
	}
	for p, a := range t.partitions {
		tp := TopicPartition{Topic: topic, Partition: p}
		delete(cc.leadership, tp)
		delete(cc.partStates, tp)
		delete(cc.reassigning, tp)
		for _, r := range a.Replicas {
			delete(cc.replStates, partitionReplica{tp, r})
		}
	}
	delete(cc.topics, topic)
	delete(cc.toDelete, topic)
	delete(cc.ineligible, topic)
	delete(cc.deletionStarted, topic)
}

func sortTPs(tps []TopicPartition) {
	slices.SortFunc(tps, func(a, b TopicPartition) int {
		if a.Topic != b.Topic {
			if a.Topic < b.Topic {
				return -1
			}
			return 1
		}
		return int(a.Partition) - int(b.Partition)
	})
}
