package controller

import (
	"fmt"
	"slices"
)

// noLeader is the leader id stored in a state znode when no replica leads (Kafka's
// LeaderAndIsr.NoLeader); leaderDuringDelete is only ever sent in UpdateMetadata for partitions of
// a topic being deleted (LeaderAndIsr.LeaderDuringDelete).
const (
	noLeader           int32 = -1
	leaderDuringDelete int32 = -2
)

// leaderIsr is the content of /brokers/topics/T/partitions/P/state plus its zkVersion, the
// compare-and-set token of the next write (Kafka's LeaderIsrAndControllerEpoch).
type leaderIsr struct {
	Leader          int32
	LeaderEpoch     int32
	ISR             []int32
	ControllerEpoch int32
	ZkVersion       int32
}

// withLeader returns the state a controller decision writes: a new leader and ISR always bump
// the leader epoch (Kafka's LeaderAndIsr.newLeaderAndIsr), the zkVersion stays the expected one.
func (l leaderIsr) withLeader(leader int32, isr []int32) leaderIsr {
	return leaderIsr{Leader: leader, LeaderEpoch: l.LeaderEpoch + 1, ISR: slices.Clone(isr),
		ControllerEpoch: l.ControllerEpoch, ZkVersion: l.ZkVersion}
}

func (l leaderIsr) String() string {
	return fmt.Sprintf("(Leader:%d,ISR:%s,LeaderEpoch:%d,ZkVersion:%d,ControllerEpoch:%d)",
		l.Leader, joinIDs(l.ISR), l.LeaderEpoch, l.ZkVersion, l.ControllerEpoch)
}

// assignment is a partition's replica list as /brokers/topics/T holds it, with the KIP-455
// reassignment sets (Kafka's ReplicaAssignment). Replicas is the full set RS while a reassignment
// runs; Adding and Removing are empty otherwise.
type assignment struct {
	Replicas []int32
	Adding   []int32
	Removing []int32
}

func (a assignment) reassigning() bool { return len(a.Adding) > 0 || len(a.Removing) > 0 }

// target is TRS: the replicas the partition ends with.
func (a assignment) target() []int32 { return without(a.Replicas, a.Removing) }

// origin is ORS: the replicas the partition started with.
func (a assignment) origin() []int32 { return without(a.Replicas, a.Adding) }

// without returns xs minus every element of drop, order kept.
func without(xs, drop []int32) []int32 {
	out := make([]int32, 0, len(xs))
	for _, x := range xs {
		if !slices.Contains(drop, x) {
			out = append(out, x)
		}
	}
	return out
}

// filter returns the elements of xs for which keep is true, order kept.
func filter(xs []int32, keep func(int32) bool) []int32 {
	out := make([]int32, 0, len(xs))
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

func joinIDs(ids []int32) string {
	s := ""
	for i, id := range ids {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprint(id)
	}
	return s
}

func formatInt(v int64) string { return fmt.Sprint(v) }
