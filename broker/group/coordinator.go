package group

import (
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"go.uber.org/zap"
)

// Client identifies the connection a request came from.
type Client struct {
	ID   string // client.id of the request header
	Host string // Java-style address with a leading slash, e.g. "/127.0.0.1"
}

// Coordinator is the group coordinator of one broker. Safe for concurrent
// use; see the package doc for its locking.
type Coordinator struct {
	cfg   Config
	store Storage
	lg    *zap.Logger // kafka.coordinator.group.GroupCoordinator
	mlg   *zap.Logger // kafka.coordinator.group.GroupMetadataManager
	name  string      // "[GroupCoordinator N]: "
	mname string      // "[GroupMetadataManager brokerId=N] "

	sched  *scheduler
	commit *worker // storage completions
	loader *worker // loads and unloads of offsets partitions

	mu         sync.RWMutex
	active     bool                      // guarded by mu
	partitions map[int32]*partitionState // owned offsets partitions; guarded by mu
	epochs     map[int32]int32           // last coordinator epoch seen per partition; guarded by mu
	groups     map[string]*group         // guarded by mu

	retention *timer
	closeOnce sync.Once
}

// partitionState is an offsets partition this broker leads.
type partitionState struct {
	epoch  int32
	loaded bool // false while its groups are being replayed from the log
}

// New returns a coordinator that owns no partition yet; Start makes it
// active. It logs through lg.Named("kafka.coordinator.group.GroupCoordinator")
// and lg.Named("kafka.coordinator.group.GroupMetadataManager"), Kafka's
// logger names.
func New(cfg Config, store Storage, lg *zap.Logger) *Coordinator {
	return newCoordinator(cfg, store, lg, newScheduler(), false)
}

func newCoordinator(cfg Config, store Storage, lg *zap.Logger, sched *scheduler, inline bool) *Coordinator {
	if lg == nil {
		lg = zap.NewNop()
	}
	if cfg.OffsetsTopicPartitions <= 0 {
		cfg.OffsetsTopicPartitions = 50
	}
	return &Coordinator{
		cfg:        cfg,
		store:      store,
		lg:         lg.Named("kafka.coordinator.group.GroupCoordinator"),
		mlg:        lg.Named("kafka.coordinator.group.GroupMetadataManager"),
		name:       fmt.Sprintf("[GroupCoordinator %d]: ", cfg.BrokerID),
		mname:      fmt.Sprintf("[GroupMetadataManager brokerId=%d] ", cfg.BrokerID),
		sched:      sched,
		commit:     newWorker(inline),
		loader:     newWorker(inline),
		partitions: map[int32]*partitionState{},
		epochs:     map[int32]int32{},
		groups:     map[string]*group{},
	}
}

// Start activates the coordinator (GroupCoordinator.startup): timers, the
// workers and the periodic expiry of old offsets.
func (c *Coordinator) Start() {
	c.lg.Info(c.name + "Starting up.")
	if !c.sched.manual {
		c.sched.start()
	}
	c.commit.start()
	c.loader.start()
	c.mu.Lock()
	c.active = true
	c.mu.Unlock()
	c.scheduleRetentionCheck()
	c.lg.Info(c.name + "Startup complete.")
}

// Close deactivates the coordinator: every owned partition is unloaded
// (waiting requests are answered NOT_COORDINATOR) and the goroutines stop.
// Later calls do nothing.
func (c *Coordinator) Close() { c.closeOnce.Do(c.close) }

func (c *Coordinator) close() {
	c.lg.Info(c.name + "Shutting down.")
	c.mu.Lock()
	c.active = false
	var parts []int32
	for p := range c.partitions {
		parts = append(parts, p)
	}
	c.mu.Unlock()
	for _, p := range parts {
		c.unload(p, c.detach(p))
	}
	c.sched.stop(c.retention)
	c.loader.close()
	c.commit.close()
	c.sched.close()
	c.lg.Info(c.name + "Shutdown complete.")
}

func (c *Coordinator) now() int64 { return c.sched.Now().UnixMilli() }

// PartitionFor returns the offsets partition of groupID.
func (c *Coordinator) PartitionFor(groupID string) int32 {
	return PartitionFor(groupID, c.cfg.OffsetsTopicPartitions)
}

// statusLocked is GroupCoordinator.validateGroupStatus minus the group id
// check: 0 if this broker serves groupID now. Needs mu (read).
func (c *Coordinator) statusLocked(groupID string) int16 {
	if !c.active {
		return kerr.CoordinatorNotAvailable.Code
	}
	st := c.partitions[c.PartitionFor(groupID)]
	switch {
	case st == nil:
		return kerr.NotCoordinator.Code
	case !st.loaded:
		return kerr.CoordinatorLoadInProgress.Code
	}
	return 0
}

func (c *Coordinator) status(groupID string) int16 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.statusLocked(groupID)
}

// getGroup returns the cached group, or nil.
func (c *Coordinator) getGroup(id string) *group {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.groups[id]
}

// getOrCreateGroup returns the group, creating an Empty one if create is set
// and the partition is (still) served here; code explains a nil group.
func (c *Coordinator) getOrCreateGroup(id string, create bool) (*group, int16) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if code := c.statusLocked(id); code != 0 {
		return nil, code
	}
	if g := c.groups[id]; g != nil || !create {
		return g, 0
	}
	g := newGroup(id, c.PartitionFor(id), c.now())
	c.groups[id] = g
	return g, 0
}

// removeGroupLocked drops a Dead group from the cache; true if it was there.
// Called with g.mu held (lock order group -> coordinator).
func (c *Coordinator) removeGroupLocked(g *group) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.groups[g.id] == g {
		delete(c.groups, g.id)
		return true
	}
	return false
}

// groupNotExists reports whether groupID is absent and its partition is
// served here (GroupMetadataManager.groupNotExists).
func (c *Coordinator) groupNotExists(id string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.statusLocked(id) != 0 {
		return false
	}
	g := c.groups[id]
	return g == nil
}

// appendLocked writes batch to the group's partition; onDone runs later on
// the commit worker with g locked. Called with g locked, so the records of
// a group reach the log in state-machine order.
func (c *Coordinator) appendLocked(g *group, batch []byte, onDone func(err error)) {
	c.store.Append(g.partition, batch, func(err error) {
		c.commit.submit(func() {
			g.lock()
			defer g.unlock()
			onDone(err)
		})
	})
}

// scheduleHeartbeatLocked completes the member's current heartbeat
// expectation and expects the next one within timeout
// (GroupCoordinator.completeAndScheduleNextExpiration).
func (c *Coordinator) scheduleHeartbeatLocked(g *group, m *member, timeout time.Duration) {
	now := c.sched.Now()
	m.deadline = now.Add(timeout).UnixMilli()
	if m.hbTimer != nil {
		if m.hbAt <= m.deadline {
			return // fires early, sees the later deadline and re-arms
		}
		c.sched.stop(m.hbTimer)
	}
	var t *timer
	t = c.sched.after(timeout, func() { c.onHeartbeatTimer(g, m, t) })
	m.hbTimer, m.hbAt = t, m.deadline
}

func (c *Coordinator) scheduleSessionLocked(g *group, m *member) {
	c.scheduleHeartbeatLocked(g, m, time.Duration(m.sessionTimeoutMs)*time.Millisecond)
}

func (c *Coordinator) stopHeartbeatLocked(m *member) {
	c.sched.stop(m.hbTimer)
	m.hbTimer = nil
}

// onHeartbeatTimer handles a member's session deadline
// (GroupCoordinator.onExpireHeartbeat).
func (c *Coordinator) onHeartbeatTimer(g *group, m *member, t *timer) {
	g.lock()
	defer g.unlock()
	if m.hbTimer != t {
		return
	}
	m.hbTimer = nil
	if g.is(Dead) || g.members[m.id] != m {
		return
	}
	now := c.sched.Now()
	if now.UnixMilli() < m.deadline {
		var nt *timer
		nt = c.sched.after(time.Duration(m.deadline-now.UnixMilli())*time.Millisecond, func() { c.onHeartbeatTimer(g, m, nt) })
		m.hbTimer, m.hbAt = nt, m.deadline
		return
	}
	// Members waiting in a rebalance satisfy their heartbeats; the
	// rebalance itself re-arms the timer when it answers them.
	if !m.isNew && (m.joinDone != nil || m.syncDone != nil) {
		return
	}
	c.lg.Info(fmt.Sprintf("%sMember %s in group %s has failed, removing it from the group", c.name, m.id, g.id))
	c.removeMemberAndUpdateGroupLocked(g, m, fmt.Sprintf("removing member %s on heartbeat expiration", m.id))
}

// addPendingMemberLocked remembers a member id handed out with
// MEMBER_ID_REQUIRED until the member re-joins or its session times out.
func (c *Coordinator) addPendingMemberLocked(g *group, id string, sessionMs int32) {
	var t *timer
	t = c.sched.after(time.Duration(sessionMs)*time.Millisecond, func() {
		g.lock()
		defer g.unlock()
		if g.pending[id] != t || g.is(Dead) {
			return
		}
		c.lg.Info(fmt.Sprintf("%sPending member %s in group %s has been removed after session timeout expiration.", c.name, id, g.id))
		c.removePendingMemberLocked(g, id)
	})
	g.pending[id] = t
}

func (c *Coordinator) removePendingMemberLocked(g *group, id string) {
	c.sched.stop(g.pending[id])
	delete(g.pending, id)
	if g.is(PreparingRebalance) {
		c.tryCompleteJoinLocked(g)
	}
}

// removeMemberAndUpdateGroupLocked is GroupCoordinator.removeMemberAndUpdateGroup.
func (c *Coordinator) removeMemberAndUpdateGroupLocked(g *group, m *member, reason string) {
	// A new member may time out while its JoinGroup waits; answer it so the
	// client retries. A SyncGroup still waiting is answered too rather than
	// left hanging.
	g.invokeJoin(m, joinError("", kerr.UnknownMemberID.Code))
	g.invokeSync(m, syncResult{err: kerr.UnknownMemberID.Code})
	c.stopHeartbeatLocked(m)
	g.remove(m.id)
	g.removeStatic(m.instanceID)
	switch g.state {
	case Stable, CompletingRebalance:
		c.maybePrepareRebalanceLocked(g, reason)
	case PreparingRebalance:
		c.tryCompleteJoinLocked(g)
	}
}
