package broker

import (
	"slices"
	"sort"
	"sync"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// MetadataCache is this broker's view of the cluster as the controller last
// described it with UpdateMetadata (Kafka 2.8's ZkMetadataCache): the live
// brokers with their endpoints, the controller id, and the leader, ISR and
// replicas of every partition. Client Metadata requests and the leadership
// checks of Produce and Fetch read it; nothing here reads ZooKeeper.
//
// Safe for concurrent use: readers share an RWMutex with the single writer
// (the UpdateMetadata handler). Returned values are copies.
type MetadataCache struct {
	brokerID int32 // immutable

	mu           sync.RWMutex
	controllerID int32                   // -1 until the first UpdateMetadata; guarded by mu
	brokers      map[int32]CachedBroker  // live brokers; guarded by mu
	topics       map[string]*cachedTopic // guarded by mu
	changed      chan struct{}           // closed and replaced on every update; guarded by mu
}

// CachedBroker is one live broker as UpdateMetadata announced it.
type CachedBroker struct {
	ID        int32
	Rack      *string
	Endpoints map[string]BrokerEndpoint // by listener name
}

// BrokerEndpoint is one listener of a live broker.
type BrokerEndpoint struct {
	Host             string
	Port             int32
	SecurityProtocol int16
}

// PartitionState is one partition's state as the controller last sent it.
type PartitionState struct {
	Topic           string
	Partition       int32
	ControllerEpoch int32
	Leader          int32
	LeaderEpoch     int32
	ISR             []int32
	ZkVersion       int32
	Replicas        []int32
	OfflineReplicas []int32
}

type cachedTopic struct {
	id         [16]byte
	partitions map[int32]*PartitionState
}

// leaderDuringDelete is the leader the controller sends in UpdateMetadata for
// partitions of a topic being deleted (LeaderAndIsr.LeaderDuringDelete):
// the broker drops them from its cache, so clients no longer see the topic.
const leaderDuringDelete = -2

// securityProtocolNames are Kafka's SecurityProtocol ids, used as listener
// names by UpdateMetadata v1-v2 (before listener names existed).
var securityProtocolNames = map[int16]string{0: "PLAINTEXT", 1: "SSL", 2: "SASL_PLAINTEXT", 3: "SASL_SSL"}

func newMetadataCache(brokerID int32) *MetadataCache {
	return &MetadataCache{
		brokerID:     brokerID,
		controllerID: -1,
		brokers:      map[int32]CachedBroker{},
		topics:       map[string]*cachedTopic{},
		changed:      make(chan struct{}),
	}
}

// Update applies an UpdateMetadata request (any version 0-7) and returns the
// partitions it removed (topics being deleted), as
// ZkMetadataCache.updateMetadata does.
func (m *MetadataCache) Update(req *kmsg.UpdateMetadataRequest) (deleted []PartitionState) {
	brokers := make(map[int32]CachedBroker, len(req.LiveBrokers))
	for _, lb := range req.LiveBrokers {
		cb := CachedBroker{ID: lb.ID, Rack: lb.Rack, Endpoints: map[string]BrokerEndpoint{}}
		if req.Version == 0 {
			cb.Endpoints["PLAINTEXT"] = BrokerEndpoint{Host: lb.Host, Port: lb.Port}
		}
		for _, ep := range lb.Endpoints {
			name := ep.ListenerName
			if req.Version < 3 {
				name = securityProtocolNames[ep.SecurityProtocol]
			}
			cb.Endpoints[name] = BrokerEndpoint{Host: ep.Host, Port: ep.Port, SecurityProtocol: ep.SecurityProtocol}
		}
		brokers[lb.ID] = cb
	}

	type topicPart struct {
		id [16]byte
		p  *kmsg.UpdateMetadataRequestTopicPartition
	}
	var parts []topicPart
	for i := range req.PartitionStates { // v0-v4
		parts = append(parts, topicPart{p: &req.PartitionStates[i]})
	}
	for i := range req.TopicStates { // v5+
		ts := &req.TopicStates[i]
		for j := range ts.PartitionStates {
			ts.PartitionStates[j].Topic = ts.Topic
			parts = append(parts, topicPart{id: ts.TopicID, p: &ts.PartitionStates[j]})
		}
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	m.controllerID = req.ControllerID
	m.brokers = brokers
	for _, tp := range parts {
		p := tp.p
		if p.Leader == leaderDuringDelete {
			if t := m.topics[p.Topic]; t != nil {
				if old := t.partitions[p.Partition]; old != nil {
					deleted = append(deleted, *old)
				}
				delete(t.partitions, p.Partition)
				if len(t.partitions) == 0 {
					delete(m.topics, p.Topic)
				}
			}
			continue
		}
		t := m.topics[p.Topic]
		if t == nil {
			t = &cachedTopic{partitions: map[int32]*PartitionState{}}
			m.topics[p.Topic] = t
		}
		if tp.id != ([16]byte{}) {
			t.id = tp.id
		}
		t.partitions[p.Partition] = &PartitionState{
			Topic: p.Topic, Partition: p.Partition, ControllerEpoch: p.ControllerEpoch,
			Leader: p.Leader, LeaderEpoch: p.LeaderEpoch, ISR: slices.Clone(p.ISR), ZkVersion: p.ZKVersion,
			Replicas: slices.Clone(p.Replicas), OfflineReplicas: slices.Clone(p.OfflineReplicas),
		}
	}
	close(m.changed)
	m.changed = make(chan struct{})
	return deleted
}

// Changed returns a channel closed at the next Update, for callers that wait
// for the controller's decisions to arrive (CreateTopics, DeleteTopics).
func (m *MetadataCache) Changed() <-chan struct{} {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.changed
}

// ControllerID returns the controller the last UpdateMetadata named, or -1.
func (m *MetadataCache) ControllerID() int32 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.controllerID
}

// AliveBrokers returns the live brokers, sorted by id.
func (m *MetadataCache) AliveBrokers() []CachedBroker {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]CachedBroker, 0, len(m.brokers))
	for _, b := range m.brokers {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Broker returns one live broker.
func (m *MetadataCache) Broker(id int32) (CachedBroker, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	b, ok := m.brokers[id]
	return b, ok
}

// IsAlive reports whether id is a live broker.
func (m *MetadataCache) IsAlive(id int32) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, ok := m.brokers[id]
	return ok
}

// Contains reports whether the cache knows topic.
func (m *MetadataCache) Contains(topic string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, ok := m.topics[topic]
	return ok
}

// Topics returns every known topic name, sorted.
func (m *MetadataCache) Topics() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]string, 0, len(m.topics))
	for t := range m.topics {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// TopicID returns a topic's id (zero if unknown or not assigned).
func (m *MetadataCache) TopicID(topic string) [16]byte {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if t := m.topics[topic]; t != nil {
		return t.id
	}
	return [16]byte{}
}

// Partition returns a copy of one partition's state.
func (m *MetadataCache) Partition(topic string, partition int32) (PartitionState, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	t := m.topics[topic]
	if t == nil {
		return PartitionState{}, false
	}
	p := t.partitions[partition]
	if p == nil {
		return PartitionState{}, false
	}
	return *p, true
}

// Partitions returns copies of a topic's partition states sorted by
// partition, or nil for an unknown topic.
func (m *MetadataCache) Partitions(topic string) []PartitionState {
	m.mu.RLock()
	defer m.mu.RUnlock()
	t := m.topics[topic]
	if t == nil {
		return nil
	}
	out := make([]PartitionState, 0, len(t.partitions))
	for _, p := range t.partitions {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Partition < out[j].Partition })
	return out
}

// PartitionCount returns the number of partitions of topic (0 if unknown).
func (m *MetadataCache) PartitionCount(topic string) int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if t := m.topics[topic]; t != nil {
		return len(t.partitions)
	}
	return 0
}
