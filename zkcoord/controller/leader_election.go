package controller

import "slices"

// The four leader-election strategies of controller.md §6 (Kafka's
// PartitionLeaderElectionAlgorithms). They are pure functions of the assignment order, the
// current ISR and the brokers' liveness; the caller bumps the leader epoch (leaderIsr.withLeader).
//
// "live" never includes a broker that is shutting down, except in the controlled-shutdown
// strategy, where shutting-down brokers are live but not eligible.

// offlineLeader picks a leader for a partition whose leader died, after failover, or when a
// broker came back: the first replica in assignment order that is alive and in the ISR; the new
// ISR is the old one restricted to live replicas. With no such replica and unclean election
// enabled it takes the first live replica, alone in the ISR (unclean reports that). ok is false
// when no candidate exists: the partition stays offline.
func offlineLeader(replicas, isr []int32, live func(int32) bool, uncleanEnabled bool) (leader int32, newISR []int32, unclean, ok bool) {
	for _, r := range replicas {
		if live(r) && slices.Contains(isr, r) {
			return r, filter(isr, live), false, true
		}
	}
	if uncleanEnabled {
		for _, r := range replicas {
			if live(r) {
				return r, []int32{r}, true, true
			}
		}
	}
	return noLeader, nil, false, false
}

// reassignLeader picks the first replica of the target set that is alive and in the ISR.
func reassignLeader(target, isr []int32, live func(int32) bool) (int32, bool) {
	for _, r := range target {
		if live(r) && slices.Contains(isr, r) {
			return r, true
		}
	}
	return noLeader, false
}

// preferredLeader returns assignment[0] when it is alive and in the ISR.
func preferredLeader(replicas, isr []int32, live func(int32) bool) (int32, bool) {
	if len(replicas) == 0 {
		return noLeader, false
	}
	p := replicas[0]
	if live(p) && slices.Contains(isr, p) {
		return p, true
	}
	return noLeader, false
}

// controlledShutdownLeader picks the first replica that is alive, in the ISR and not shutting
// down; the new ISR drops every shutting-down broker.
func controlledShutdownLeader(replicas, isr []int32, liveOrShuttingDown, shuttingDown func(int32) bool) (int32, []int32, bool) {
	newISR := filter(isr, func(r int32) bool { return !shuttingDown(r) })
	for _, r := range replicas {
		if liveOrShuttingDown(r) && slices.Contains(isr, r) && !shuttingDown(r) {
			return r, newISR, true
		}
	}
	return noLeader, nil, false
}

// isrWithout is the ISR after the controller takes replica r offline (Kafka's
// doRemoveReplicasFromIsr): r leaves the ISR unless it is the last member, because ZooKeeper's
// ISR is never emptied; if r led, the partition has no leader until the next election.
func isrWithout(cur leaderIsr, r int32) (leader int32, isr []int32) {
	leader = cur.Leader
	if leader == r {
		leader = noLeader
	}
	if len(cur.ISR) == 1 {
		return leader, slices.Clone(cur.ISR)
	}
	return leader, filter(cur.ISR, func(x int32) bool { return x != r })
}
