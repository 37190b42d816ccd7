package zkcoord

import "encoding/json"

// PartitionStatePath is /brokers/topics/T/partitions/P/state.
func PartitionStatePath(topic string, partition int32) string {
	return TopicPartitionPath(topic, partition) + "/state"
}

// NoLeader is the leader id stored when a partition has no leader.
const NoLeader int32 = -1

// PartitionState is the content of .../partitions/P/state (version 1), the
// leader and ISR decided by the controller (zookeeper.md §3.3).
type PartitionState struct {
	Leader          int32
	LeaderEpoch     int32
	ISR             []int32
	ControllerEpoch int32

	// ZkVersion is the znode's data version: sent in LeaderAndIsr and the
	// compare-and-set token of the next update. Not part of the JSON.
	ZkVersion int32
}

type partitionStateJSON struct {
	ControllerEpoch int32   `json:"controller_epoch"`
	Leader          int32   `json:"leader"`
	Version         int     `json:"version"`
	LeaderEpoch     int32   `json:"leader_epoch"`
	ISR             []int32 `json:"isr"`
}

// Encode returns e.g. {"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2,0]}.
func (s PartitionState) Encode() []byte {
	isr := s.ISR
	if isr == nil {
		isr = []int32{}
	}
	out, _ := json.Marshal(partitionStateJSON{ControllerEpoch: s.ControllerEpoch, Leader: s.Leader,
		Version: 1, LeaderEpoch: s.LeaderEpoch, ISR: isr})
	return out
}

// DecodePartitionState parses a state znode; zkVersion is its data version.
func DecodePartitionState(topic string, partition int32, data []byte, zkVersion int32) (PartitionState, error) {
	var j partitionStateJSON
	if err := decodeJSON(PartitionStatePath(topic, partition), data, &j); err != nil {
		return PartitionState{}, err
	}
	return PartitionState{Leader: j.Leader, LeaderEpoch: j.LeaderEpoch, ISR: j.ISR,
		ControllerEpoch: j.ControllerEpoch, ZkVersion: zkVersion}, nil
}
