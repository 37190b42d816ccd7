package zkcoord

import (
	"fmt"
	"math/rand/v2"
	"sort"
)

// AdminError is an admin failure with the Java exception Kafka throws for
// it (tools print "Error while executing topic command : <Msg>" and log the
// class); Code is the Kafka error name a broker would answer with.
type AdminError struct {
	Class string // e.g. "org.apache.kafka.common.errors.InvalidReplicationFactorException"
	Code  string // e.g. "INVALID_REPLICATION_FACTOR"
	Msg   string
}

func (e *AdminError) Error() string { return e.Msg }

// Exception classes and error names used below.
const (
	classInvalidPartitions        = "org.apache.kafka.common.errors.InvalidPartitionsException"
	classInvalidReplicationFactor = "org.apache.kafka.common.errors.InvalidReplicationFactorException"
	classInvalidReplicaAssignment = "org.apache.kafka.common.errors.InvalidReplicaAssignmentException"
	classTopicExists              = "org.apache.kafka.common.errors.TopicExistsException"
	classInvalidTopic             = "org.apache.kafka.common.errors.InvalidTopicException"
	classBrokerNotAvailable       = "org.apache.kafka.common.errors.BrokerNotAvailableException"
	classUnknownTopic             = "org.apache.kafka.common.errors.UnknownTopicOrPartitionException"
	classInvalidConfig            = "org.apache.kafka.common.errors.InvalidConfigurationException"
	classAdminOperation           = "kafka.admin.AdminOperationException"
)

func adminErr(class, code, format string, args ...any) error {
	return &AdminError{Class: class, Code: code, Msg: fmt.Sprintf(format, args...)}
}

// IsTopicExists reports whether err is Kafka's TopicExistsException.
func IsTopicExists(err error) bool {
	ae, ok := err.(*AdminError)
	return ok && ae.Class == classTopicExists
}

// RackAwareMode says how racks are used by BrokerMetas (Kafka's RackAwareMode).
type RackAwareMode int

const (
	// RackEnforced: use racks; fail if only some brokers have one (the
	// topic tool's default).
	RackEnforced RackAwareMode = iota
	// RackSafe: use racks only if every broker has one (CreateTopics).
	RackSafe
	// RackDisabled: ignore racks (--disable-rack-aware).
	RackDisabled
)

// BrokerMetas turns broker registrations into assignment inputs, sorted by
// id, applying the rack mode as Kafka's AdminZkClient.getBrokerMetadatas does.
func BrokerMetas(brokers []BrokerInfo, mode RackAwareMode) ([]BrokerMeta, error) {
	out := make([]BrokerMeta, 0, len(brokers))
	withRack := 0
	for _, b := range brokers {
		out = append(out, b.Meta())
		if b.Rack != "" {
			withRack++
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	if mode == RackEnforced && withRack > 0 && withRack < len(out) {
		return nil, adminErr(classAdminOperation, "INVALID_REPLICA_ASSIGNMENT",
			"Not all brokers have rack information. Add --disable-rack-aware in command line to make replica assignment without rack information.")
	}
	if mode == RackDisabled || (mode == RackSafe && withRack < len(out)) {
		for i := range out {
			out[i].Rack = ""
		}
	}
	return out, nil
}

// AssignReplicas spreads partitions and their replicas over brokers with
// Kafka's AdminUtils.assignReplicasToBrokers (controller.md §11.2, §11.3):
// round-robin first replicas from a start index, followers shifted by a
// growing amount; rack-aware when every broker has a rack. fixedStart < 0
// picks the start index and the shift at random; startPartition is the first
// partition id (0 for a new topic, the current count when adding).
// Brokers are used in the order given (callers pass them sorted by id).
func AssignReplicas(brokers []BrokerMeta, partitions, rf int, fixedStart, startPartition int) (map[int32][]int32, error) {
	if partitions <= 0 {
		return nil, adminErr(classInvalidPartitions, "INVALID_PARTITIONS", "Number of partitions must be larger than 0.")
	}
	if rf <= 0 {
		return nil, adminErr(classInvalidReplicationFactor, "INVALID_REPLICATION_FACTOR", "Replication factor must be larger than 0.")
	}
	if rf > len(brokers) {
		return nil, adminErr(classInvalidReplicationFactor, "INVALID_REPLICATION_FACTOR",
			"Replication factor: %d larger than available brokers: %d.", rf, len(brokers))
	}
	withRack := 0
	for _, b := range brokers {
		if b.Rack != "" {
			withRack++
		}
	}
	if withRack == 0 {
		ids := make([]int32, len(brokers))
		for i, b := range brokers {
			ids[i] = b.ID
		}
		start, shift := startAndShift(len(ids), fixedStart)
		return assignRackUnaware(ids, partitions, rf, start, shift, startPartition), nil
	}
	if withRack < len(brokers) {
		return nil, adminErr(classAdminOperation, "INVALID_REPLICA_ASSIGNMENT",
			"Not all brokers have rack information for replica rack aware assignment.")
	}
	return assignRackAware(brokers, partitions, rf, fixedStart, startPartition), nil
}

// startAndShift returns the index of the first partition's leader and the
// initial follower shift: both fixedStart when given, else random.
func startAndShift(n, fixedStart int) (int, int) {
	if fixedStart >= 0 {
		return fixedStart, fixedStart
	}
	return rand.IntN(n), rand.IntN(n)
}

// replicaIndex is the broker index of follower j of a partition whose leader
// is at first: never the leader's own index.
func replicaIndex(first, shift, j, n int) int {
	return (first + 1 + (shift+j)%(n-1)) % n
}

func assignRackUnaware(ids []int32, partitions, rf, start, shift, startPartition int) map[int32][]int32 {
	n := len(ids)
	out := make(map[int32][]int32, partitions)
	p := max(0, startPartition)
	for range partitions {
		if p > 0 && p%n == 0 {
			shift++
		}
		first := (p + start) % n
		replicas := []int32{ids[first]}
		for j := 0; j < rf-1; j++ {
			replicas = append(replicas, ids[replicaIndex(first, shift, j, n)])
		}
		out[int32(p)] = replicas
		p++
	}
	return out
}

// RackAlternatedBrokers orders brokers one per rack in turn: racks by name,
// brokers within a rack by id. r1{0,1,2} r2{3,4,5} r3{6,7,8} → 0,3,6,1,4,7,2,5,8.
func RackAlternatedBrokers(brokers []BrokerMeta) []int32 {
	byRack := map[string][]int32{}
	for _, b := range brokers {
		byRack[b.Rack] = append(byRack[b.Rack], b.ID)
	}
	racks := make([]string, 0, len(byRack))
	for r, ids := range byRack {
		racks = append(racks, r)
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	}
	sort.Strings(racks)
	out := make([]int32, 0, len(brokers))
	next := make(map[string]int, len(racks))
	for i := 0; len(out) < len(brokers); i = (i + 1) % len(racks) {
		r := racks[i]
		if next[r] < len(byRack[r]) {
			out = append(out, byRack[r][next[r]])
			next[r]++
		}
	}
	return out
}

func assignRackAware(brokers []BrokerMeta, partitions, rf, fixedStart, startPartition int) map[int32][]int32 {
	rackOf := make(map[int32]string, len(brokers))
	racks := map[string]bool{}
	for _, b := range brokers {
		rackOf[b.ID] = b.Rack
		racks[b.Rack] = true
	}
	numRacks := len(racks)
	arranged := RackAlternatedBrokers(brokers)
	n := len(arranged)
	out := make(map[int32][]int32, partitions)
	start, shift := startAndShift(n, fixedStart)
	p := max(0, startPartition)
	for range partitions {
		if p > 0 && p%n == 0 {
			shift++
		}
		first := (p + start) % n
		leader := arranged[first]
		replicas := []int32{leader}
		racksWith := map[string]bool{rackOf[leader]: true}
		brokersWith := map[int32]bool{leader: true}
		k := 0
		for range rf - 1 {
			for {
				b := arranged[replicaIndex(first, shift*numRacks, k, n)]
				rack := rackOf[b]
				k++
				// Skip a broker whose rack already has a replica while some
				// rack has none, or that already has one while some broker
				// has none.
				if (!racksWith[rack] || len(racksWith) == numRacks) &&
					(!brokersWith[b] || len(brokersWith) == n) {
					replicas = append(replicas, b)
					racksWith[rack] = true
					brokersWith[b] = true
					break
				}
			}
		}
		out[int32(p)] = replicas
		p++
	}
	return out
}
