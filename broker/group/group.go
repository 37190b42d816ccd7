package group

import (
	"bytes"
	"sort"
	"sync"
)

// State is a group's state (GroupState.scala); String gives the names
// kafka-consumer-groups.sh prints.
type State int8

const (
	Empty State = iota
	PreparingRebalance
	CompletingRebalance
	Stable
	Dead
)

func (s State) String() string {
	switch s {
	case Empty:
		return "Empty"
	case PreparingRebalance:
		return "PreparingRebalance"
	case CompletingRebalance:
		return "CompletingRebalance"
	case Stable:
		return "Stable"
	case Dead:
		return "Dead"
	}
	return "Unknown"
}

// validPrevious lists, per target state, the states a group may come from.
var validPrevious = map[State][]State{
	Dead:                {Stable, PreparingRebalance, CompletingRebalance, Empty, Dead},
	CompletingRebalance: {PreparingRebalance},
	Stable:              {CompletingRebalance},
	PreparingRebalance:  {Stable, CompletingRebalance, Empty},
	Empty:               {PreparingRebalance},
}

// protocol is one (name, metadata) pair a member supports, in its order of
// preference.
type protocol struct {
	name     string
	metadata []byte
}

// member is one group member (MemberMetadata.scala). Guarded by its group's
// mutex.
type member struct {
	id                 string
	instanceID         *string // group.instance.id of a static member (KIP-345)
	clientID           string
	clientHost         string
	rebalanceTimeoutMs int32
	sessionTimeoutMs   int32
	protocolType       string
	protocols          []protocol
	assignment         []byte
	seq                uint64 // join order, for a deterministic leader and member order

	joinDone func(joinResult) // set while a JoinGroup waits for the rebalance
	syncDone func(syncResult) // set while a SyncGroup waits for the leader
	isNew    bool             // joined during this rebalance, not yet given a generation

	// Session expiry: the member is removed once the clock passes deadline
	// without a heartbeat. hbTimer fires at or before deadline and re-arms
	// itself if a heartbeat moved the deadline (so a heartbeat costs no heap
	// operation).
	deadline int64 // ms
	hbTimer  *timer
	hbAt     int64 // ms at which hbTimer fires
}

func (m *member) isStatic() bool { return m.instanceID != nil }

// metadata returns the member's metadata for protocol name.
func (m *member) metadata(name string) []byte {
	for _, p := range m.protocols {
		if p.name == name {
			return p.metadata
		}
	}
	return nil
}

// matches reports whether protos equal the member's protocols, in order.
func (m *member) matches(protos []protocol) bool {
	if len(protos) != len(m.protocols) {
		return false
	}
	for i := range protos {
		if protos[i].name != m.protocols[i].name || !bytes.Equal(protos[i].metadata, m.protocols[i].metadata) {
			return false
		}
	}
	return true
}

// vote returns the member's first protocol among candidates.
func (m *member) vote(candidates map[string]bool) string {
	for _, p := range m.protocols {
		if candidates[p.name] {
			return p.name
		}
	}
	return ""
}

// joinOp is the pending completion of a group's join phase (Kafka's
// DelayedJoin / InitialDelayedJoin in the join purgatory).
type joinOp struct {
	initial     bool  // InitialDelayedJoin: completes only by timeout
	delayMs     int64 // this round's delay (initial only)
	remainingMs int64 // how much longer the initial delay may be extended
	t           *timer
}

// offsetEntry is a committed offset with the order of the write that stored
// it, so that a late completion never replaces a newer commit.
type offsetEntry struct {
	om  offsetAndMetadata
	seq int64
}

// group is one consumer group (GroupMetadata.scala). Every field is guarded
// by mu, except id and partition, which are immutable.
type group struct {
	mu        sync.Mutex
	id        string
	partition int32

	state          State
	stateTimestamp int64 // ms of the last transition; -1 if unknown (old records)
	generation     int32
	protocolType   string // "" = none (offsets-only group)
	protocolName   string // "" = none
	leader         string // "" = none

	members         map[string]*member
	static          map[string]string // group.instance.id -> member id
	pending         map[string]*timer // member ids handed out with MEMBER_ID_REQUIRED
	numAwaitingJoin int
	supported       map[string]int // protocol name -> number of members supporting it
	newMemberAdded  bool           // a member joined during the initial delay
	join            *joinOp
	nextSeq         uint64

	subscribed      map[string]bool // topics the members subscribe to (consumer groups)
	subscribedKnown bool

	offsets        map[topicPartition]offsetEntry
	pendingCommits map[topicPartition]offsetAndMetadata
	commitSeq      int64

	outbox []func() // callbacks to run once mu is released
}

func newGroup(id string, partition int32, now int64) *group {
	return &group{
		id:             id,
		partition:      partition,
		state:          Empty,
		stateTimestamp: now,
		members:        map[string]*member{},
		static:         map[string]string{},
		pending:        map[string]*timer{},
		supported:      map[string]int{},
		offsets:        map[topicPartition]offsetEntry{},
		pendingCommits: map[topicPartition]offsetAndMetadata{},
	}
}

func (g *group) lock() { g.mu.Lock() }

// unlock releases mu and then runs the callbacks queued meanwhile, so that
// responses are never sent with a group lock held.
func (g *group) unlock() {
	out := g.outbox
	g.outbox = nil
	g.mu.Unlock()
	for _, f := range out {
		f()
	}
}

// later queues f to run after unlock.
func (g *group) later(f func()) { g.outbox = append(g.outbox, f) }

func (g *group) is(s State) bool { return g.state == s }

// transition moves g to s, stamping the time (GroupMetadata.transitionTo).
func (g *group) transition(s State, now int64) {
	ok := false
	for _, p := range validPrevious[s] {
		if p == g.state {
			ok = true
		}
	}
	if !ok {
		panic("group: illegal transition of group " + g.id + " from " + g.state.String() + " to " + s.String())
	}
	g.state = s
	g.stateTimestamp = now
}

func (g *group) canRebalance() bool {
	return g.state == Stable || g.state == CompletingRebalance || g.state == Empty
}

func (g *group) has(id string) bool { _, ok := g.members[id]; return ok }

func (g *group) isPending(id string) bool { _, ok := g.pending[id]; return ok }

// sortedMembers returns the members in join order.
func (g *group) sortedMembers() []*member {
	ms := make([]*member, 0, len(g.members))
	for _, m := range g.members {
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].seq < ms[j].seq })
	return ms
}

func (g *group) add(m *member, done func(joinResult)) {
	if m.instanceID != nil {
		g.static[*m.instanceID] = m.id
	}
	if len(g.members) == 0 {
		g.protocolType = m.protocolType
	}
	if g.leader == "" {
		g.leader = m.id
	}
	g.nextSeq++
	m.seq = g.nextSeq
	g.members[m.id] = m
	for _, p := range m.protocols {
		g.supported[p.name]++
	}
	m.joinDone = done
	if done != nil {
		g.numAwaitingJoin++
	}
	delete(g.pending, m.id)
}

// remove drops a member (GroupMetadata.remove); a leaving leader is replaced
// by the longest-standing remaining member.
func (g *group) remove(id string) {
	m, ok := g.members[id]
	if !ok {
		return
	}
	delete(g.members, id)
	for _, p := range m.protocols {
		g.supported[p.name]--
	}
	if m.joinDone != nil {
		g.numAwaitingJoin--
	}
	if g.leader == id {
		g.leader = ""
		if ms := g.sortedMembers(); len(ms) > 0 {
			g.leader = ms[0].id
		}
	}
}

func (g *group) removeStatic(instanceID *string) {
	if instanceID != nil {
		delete(g.static, *instanceID)
	}
}

// staticMemberFenced reports whether instanceID belongs to another member id
// (GroupMetadata.isStaticMemberFenced).
func (g *group) staticMemberFenced(memberID string, instanceID *string) bool {
	if instanceID == nil {
		return false
	}
	cur, ok := g.static[*instanceID]
	return ok && cur != memberID
}

// updateMember replaces a member's protocols and join callback
// (GroupMetadata.updateMember). A JoinGroup still waiting is answered first:
// Kafka drops it silently, which would leave the request hanging in our
// strictly ordered connection.
func (g *group) updateMember(m *member, protos []protocol, done func(joinResult)) {
	for _, p := range m.protocols {
		g.supported[p.name]--
	}
	for _, p := range protos {
		g.supported[p.name]++
	}
	m.protocols = protos
	if m.joinDone != nil && done != nil {
		old := m.joinDone
		res := joinError(m.id, rebalanceInProgress)
		g.later(func() { old(res) })
	}
	if done != nil && m.joinDone == nil {
		g.numAwaitingJoin++
	} else if done == nil && m.joinDone != nil {
		g.numAwaitingJoin--
	}
	m.joinDone = done
}

// replyJoin answers a JoinGroup right away (once the lock is released).
func (g *group) replyJoin(respond func(joinResult), r joinResult) {
	g.later(func() { respond(r) })
}

// invokeJoin answers a member's waiting JoinGroup, if any.
func (g *group) invokeJoin(m *member, res joinResult) bool {
	if m.joinDone == nil {
		return false
	}
	done := m.joinDone
	m.joinDone = nil
	g.numAwaitingJoin--
	g.later(func() { done(res) })
	return true
}

// invokeSync answers a member's waiting SyncGroup, if any.
func (g *group) invokeSync(m *member, res syncResult) bool {
	if m.syncDone == nil {
		return false
	}
	done := m.syncDone
	m.syncDone = nil
	g.later(func() { done(res) })
	return true
}

func (g *group) hasAllMembersJoined() bool {
	return len(g.members) == g.numAwaitingJoin && len(g.pending) == 0
}

// rebalanceTimeoutMs is the largest rebalance timeout among the members.
func (g *group) rebalanceTimeoutMs() int64 {
	var t int64
	for _, m := range g.members {
		if int64(m.rebalanceTimeoutMs) > t {
			t = int64(m.rebalanceTimeoutMs)
		}
	}
	return t
}

// supportsProtocols reports whether a member with this protocol type and
// these protocol names may join (GroupMetadata.supportsProtocols).
func (g *group) supportsProtocols(protocolType string, protos []protocol) bool {
	if g.state == Empty {
		return protocolType != "" && len(protos) > 0
	}
	if g.protocolType != protocolType {
		return false
	}
	for _, p := range protos {
		if g.supported[p.name] == len(g.members) {
			return true
		}
	}
	return false
}

// selectProtocol picks the protocol every member supports that most members
// list first (GroupMetadata.selectProtocol); ties go to the name listed first
// by the longest-standing member.
func (g *group) selectProtocol() string {
	candidates := map[string]bool{}
	for name, n := range g.supported {
		if n == len(g.members) {
			candidates[name] = true
		}
	}
	votes := map[string]int{}
	best, bestVotes := "", 0
	for _, m := range g.sortedMembers() {
		v := m.vote(candidates)
		votes[v]++
	}
	for _, m := range g.sortedMembers() {
		for _, p := range m.protocols {
			if candidates[p.name] && votes[p.name] > bestVotes {
				best, bestVotes = p.name, votes[p.name]
			}
		}
	}
	return best
}

// maybeElectNewJoinedLeader keeps the leader if it re-joined, else promotes
// any member that did; false if no member re-joined.
func (g *group) maybeElectNewJoinedLeader() bool {
	if g.leader == "" {
		return false
	}
	if l := g.members[g.leader]; l != nil && l.joinDone != nil {
		return true
	}
	for _, m := range g.sortedMembers() {
		if m.joinDone != nil {
			g.leader = m.id
			return true
		}
	}
	return false
}

// initNextGeneration starts a new generation (GroupMetadata.initNextGeneration).
func (g *group) initNextGeneration(now int64) {
	g.generation++
	if len(g.members) > 0 {
		g.protocolName = g.selectProtocol()
		g.computeSubscribedTopics()
		g.transition(CompletingRebalance, now)
	} else {
		g.protocolName = ""
		g.computeSubscribedTopics()
		g.transition(Empty, now)
	}
}

// computeSubscribedTopics decodes the consumer subscriptions so that
// OffsetDelete and expiry know which topics are in use.
func (g *group) computeSubscribedTopics() {
	g.subscribed, g.subscribedKnown = nil, false
	if g.protocolType != "consumer" {
		return
	}
	if len(g.members) == 0 {
		g.subscribed, g.subscribedKnown = map[string]bool{}, true
		return
	}
	if g.protocolName == "" {
		return
	}
	set := map[string]bool{}
	for _, m := range g.members {
		topics, ok := subscribedTopics(m.metadata(g.protocolName))
		if !ok {
			return
		}
		for _, t := range topics {
			set[t] = true
		}
	}
	g.subscribed, g.subscribedKnown = set, true
}

func (g *group) subscribedTo(topic string) bool {
	return g.subscribedKnown && g.subscribed[topic]
}
