package group

import (
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"go.uber.org/zap"
)

// OnElection tells the coordinator that this broker now leads offsets
// partition p with leader epoch epoch. The partition's groups and offsets
// are replayed from the log in the background; meanwhile its groups are
// answered COORDINATOR_LOAD_IN_PROGRESS. Stale epochs are ignored. Never
// blocks: safe to call from the replica manager's leadership callbacks.
func (c *Coordinator) OnElection(p, epoch int32) {
	c.mu.Lock()
	if cur, ok := c.epochs[p]; ok && epoch < cur {
		c.mu.Unlock()
		c.mlg.Info(fmt.Sprintf("%sNot loading %s-%d for epoch %d since current epoch is %d", c.mname, OffsetsTopic, p, epoch, cur))
		return
	}
	c.epochs[p] = epoch
	if st := c.partitions[p]; st != nil {
		st.epoch = epoch // already loaded or loading (GroupMetadataManager.addLoadingPartition)
		c.mu.Unlock()
		return
	}
	st := &partitionState{epoch: epoch}
	c.partitions[p] = st
	c.mu.Unlock()
	c.mlg.Info(fmt.Sprintf("%sScheduling loading of offsets and group metadata from %s-%d for epoch %d", c.mname, OffsetsTopic, p, epoch))
	scheduled := time.Now()
	c.loader.submit(func() { c.load(p, st, scheduled) })
}

// OnResignation tells the coordinator that this broker no longer leads
// offsets partition p (epoch < 0: unknown). Its groups stop being served at
// once (NOT_COORDINATOR) and are unloaded in the background; their waiting
// requests are answered NOT_COORDINATOR. Never blocks.
func (c *Coordinator) OnResignation(p, epoch int32) {
	c.mu.Lock()
	if cur, ok := c.epochs[p]; ok && epoch >= 0 && epoch < cur {
		c.mu.Unlock()
		c.mlg.Info(fmt.Sprintf("%sNot removing offsets for %s-%d since current epoch %d is newer than %d", c.mname, OffsetsTopic, p, cur, epoch))
		return
	}
	if epoch >= 0 {
		c.epochs[p] = epoch
	}
	c.mu.Unlock()
	c.mlg.Info(fmt.Sprintf("%sScheduling unloading of offsets and group metadata from %s-%d", c.mname, OffsetsTopic, p))
	groups := c.detach(p)
	c.loader.submit(func() { c.unload(p, groups) })
}

// detach stops serving partition p and takes its groups out of the cache.
func (c *Coordinator) detach(p int32) []*group {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.partitions, p)
	var gs []*group
	for id, g := range c.groups {
		if g.partition == p {
			gs = append(gs, g)
			delete(c.groups, id)
		}
	}
	return gs
}

// unload retires detached groups (GroupCoordinator.onGroupUnloaded).
func (c *Coordinator) unload(p int32, groups []*group) {
	offsets := 0
	for _, g := range groups {
		g.lock()
		c.lg.Info(fmt.Sprintf("%sUnloading group metadata for %s with generation %d", c.name, g.id, g.generation))
		prev := g.state
		g.transition(Dead, c.now())
		offsets += len(g.offsets)
		if g.join != nil {
			c.sched.stop(g.join.t)
			g.join = nil
		}
		for id, t := range g.pending {
			c.sched.stop(t)
			delete(g.pending, id)
		}
		for _, m := range g.sortedMembers() {
			c.stopHeartbeatLocked(m)
			switch prev {
			case PreparingRebalance:
				g.invokeJoin(m, joinError(m.id, kerr.NotCoordinator.Code))
			case Stable, CompletingRebalance:
				g.invokeSync(m, syncResult{err: kerr.NotCoordinator.Code})
			}
		}
		g.unlock()
	}
	c.mlg.Info(fmt.Sprintf("%sFinished unloading %s-%d. Removed %d cached offsets and %d cached groups.", c.mname, OffsetsTopic, p, offsets, len(groups)))
}

// load replays partition p (GroupMetadataManager.doLoadGroupsAndOffsets):
// the newest record per key wins, a null value deletes.
func (c *Coordinator) load(p int32, st *partitionState, scheduled time.Time) {
	start := time.Now()
	if !c.isLoading(p, st) {
		return
	}
	type offsetsOf = map[topicPartition]offsetEntry
	offsets := map[string]offsetsOf{}
	metas := map[string][]byte{} // group -> newest GroupMetadataValue bytes
	removed := map[string]bool{}
	var maxOffset int64 = -1
	err := c.store.Read(p, func(batch []byte) error {
		return decodeBatches(batch, func(offset int64, key, value []byte) error {
			if offset > maxOffset {
				maxOffset = offset
			}
			k, err := parseKey(key)
			if err != nil {
				return err
			}
			if k.isGroup {
				if value == nil {
					delete(metas, k.group)
					removed[k.group] = true
				} else {
					metas[k.group] = value
					delete(removed, k.group)
				}
				return nil
			}
			if value == nil {
				delete(offsets[k.group], k.tp)
				return nil
			}
			om, err := parseOffsetValue(value)
			if err != nil {
				return err
			}
			if offsets[k.group] == nil {
				offsets[k.group] = offsetsOf{}
			}
			offsets[k.group][k.tp] = offsetEntry{om: om, seq: offset}
			return nil
		})
	})
	if err != nil {
		// Kafka logs and serves what it has: a broken record must not keep
		// the partition's groups unavailable forever.
		c.mlg.Error(fmt.Sprintf("%sError loading offsets from %s-%d", c.mname, OffsetsTopic, p), zap.Error(err))
	}
	now := c.now()
	var loaded []*group
	build := func(id string) *group {
		g := newGroup(id, p, now)
		g.commitSeq = maxOffset + 1
		return g
	}
	for id, raw := range metas {
		v, err := parseGroupValue(raw)
		if err != nil {
			c.mlg.Error(fmt.Sprintf("%sSkipping group %s while loading %s-%d", c.mname, id, OffsetsTopic, p), zap.Error(err))
			continue
		}
		g := build(id)
		g.protocolType = v.ProtocolType
		g.generation = v.Generation
		g.protocolName = deref(v.Protocol)
		g.leader = deref(v.Leader)
		g.stateTimestamp = -1
		if v.Version >= 2 {
			g.stateTimestamp = v.CurrentStateTimestamp
		}
		for _, mv := range v.Members {
			m := &member{
				id:                 mv.MemberID,
				instanceID:         mv.InstanceID,
				clientID:           mv.ClientID,
				clientHost:         mv.ClientHost,
				rebalanceTimeoutMs: mv.RebalanceTimeoutMillis,
				sessionTimeoutMs:   mv.SessionTimeoutMillis,
				protocolType:       v.ProtocolType,
				protocols:          []protocol{{name: g.protocolName, metadata: mv.Subscription}},
				assignment:         mv.Assignment,
			}
			if v.Version == 0 {
				m.rebalanceTimeoutMs = m.sessionTimeoutMs
			}
			g.add(m, nil)
		}
		if len(g.members) > 0 {
			g.state = Stable
		}
		g.leader = deref(v.Leader)
		g.computeSubscribedTopics()
		g.offsets = offsets[id]
		if g.offsets == nil {
			g.offsets = map[topicPartition]offsetEntry{}
		}
		delete(offsets, id)
		loaded = append(loaded, g)
	}
	// Groups that only store offsets have no metadata record.
	for id, os := range offsets {
		if len(os) == 0 {
			continue
		}
		g := build(id)
		g.offsets = os
		loaded = append(loaded, g)
	}
	for _, g := range loaded {
		g.lock()
		c.lg.Info(fmt.Sprintf("%sLoading group metadata for %s with generation %d", c.name, g.id, g.generation))
		for _, m := range g.sortedMembers() {
			c.scheduleSessionLocked(g, m)
		}
		g.unlock()
	}
	c.mu.Lock()
	if c.partitions[p] != st || st.loaded {
		c.mu.Unlock()
		// Resigned (or re-elected) meanwhile: drop what was read.
		c.unload(p, loaded)
		return
	}
	for _, g := range loaded {
		c.groups[g.id] = g
	}
	st.loaded = true
	c.mu.Unlock()
	for _, g := range loaded {
		g.lock()
		if len(g.members) > c.cfg.GroupMaxSize {
			c.prepareRebalanceLocked(g, fmt.Sprintf("Freshly-loaded group is over capacity (%d). Rebalancing in order to give a chance for consumers to commit offsets", c.cfg.GroupMaxSize))
		}
		g.unlock()
	}
	c.lg.Info(fmt.Sprintf("%sFinished loading offsets and group metadata from %s-%d in %d milliseconds, of which %d milliseconds was spent in the scheduler.",
		c.mname, OffsetsTopic, p, time.Since(scheduled).Milliseconds(), start.Sub(scheduled).Milliseconds()))
}

// isLoading reports whether st is still the pending load of p (not resigned
// or superseded meanwhile).
func (c *Coordinator) isLoading(p int32, st *partitionState) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.partitions[p] == st && !st.loaded
}
