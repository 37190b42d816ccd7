package zkcoord

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// Paths of topic assignments (zookeeper.md §3.2).
const BrokerTopicsPath = "/brokers/topics"

// TopicPath is /brokers/topics/T.
func TopicPath(topic string) string { return BrokerTopicsPath + "/" + topic }

// TopicPartitionsPath is /brokers/topics/T/partitions.
func TopicPartitionsPath(topic string) string { return TopicPath(topic) + "/partitions" }

// TopicPartitionPath is /brokers/topics/T/partitions/P.
func TopicPartitionPath(topic string, partition int32) string {
	return TopicPartitionsPath(topic) + "/" + strconv.Itoa(int(partition))
}

// TopicID is Kafka's 16-byte topic id (org.apache.kafka.common.Uuid). The
// zero value means "no id".
type TopicID [16]byte

// NewTopicID returns a random, non-zero id, as Uuid.randomUuid does.
func NewTopicID() TopicID {
	for {
		var id TopicID
		if _, err := rand.Read(id[:]); err != nil {
			panic(err)
		}
		// Uuid.METADATA_TOPIC_ID is 0...01; neither it nor zero may be used.
		if id != (TopicID{}) && id != (TopicID{15: 1}) {
			return id
		}
	}
}

// IsZero reports whether the id is unset.
func (id TopicID) IsZero() bool { return id == TopicID{} }

// String renders the id as Kafka does: URL-safe base64 without padding, 22
// characters.
func (id TopicID) String() string { return base64.RawURLEncoding.EncodeToString(id[:]) }

// ParseTopicID parses the 22-character form.
func ParseTopicID(s string) (TopicID, error) {
	var id TopicID
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 16 {
		return id, fmt.Errorf("zkcoord: invalid topic id %q", s)
	}
	copy(id[:], b)
	return id, nil
}

// TopicAssignment is the content of /brokers/topics/T. Encode writes version
// 3; DecodeTopicAssignment reads versions 1, 2 and 3.
type TopicAssignment struct {
	// Partitions maps each partition to its ordered replica list; the first
	// replica is the preferred leader.
	Partitions map[int32][]int32
	// AddingReplicas and RemovingReplicas are non-empty only for partitions
	// being reassigned (KIP-455).
	AddingReplicas   map[int32][]int32
	RemovingReplicas map[int32][]int32
	TopicID          TopicID // zero when the topic has no id yet

	Version   int   // set by DecodeTopicAssignment
	ZkVersion int32 // the znode's data version, set by Client.TopicAssignment
}

// PartitionIDs returns the partition numbers in ascending order.
func (a TopicAssignment) PartitionIDs() []int32 {
	ids := make([]int32, 0, len(a.Partitions))
	for p := range a.Partitions {
		ids = append(ids, p)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

type topicJSON struct {
	Version          jsonVersion  `json:"version"`
	Partitions       partitionMap `json:"partitions"`
	AddingReplicas   partitionMap `json:"adding_replicas,omitempty"`
	RemovingReplicas partitionMap `json:"removing_replicas,omitempty"`
	TopicID          string       `json:"topic_id,omitempty"`
}

// Encode returns the version 3 JSON, e.g.
// {"version":3,"partitions":{"0":[1,2,0]},"adding_replicas":{},"removing_replicas":{},"topic_id":"u7tQ4nbTQ5yoqfFDmKfzdA"}
func (a TopicAssignment) Encode() []byte {
	// Written field by field so that the empty maps appear as {} and
	// topic_id only when set, as Kafka writes them.
	type v3 struct {
		Version          int          `json:"version"`
		Partitions       partitionMap `json:"partitions"`
		AddingReplicas   partitionMap `json:"adding_replicas"`
		RemovingReplicas partitionMap `json:"removing_replicas"`
		TopicID          string       `json:"topic_id,omitempty"`
	}
	j := v3{Version: 3, Partitions: toPartitionMap(a.Partitions),
		AddingReplicas: toPartitionMap(a.AddingReplicas), RemovingReplicas: toPartitionMap(a.RemovingReplicas)}
	if !a.TopicID.IsZero() {
		j.TopicID = a.TopicID.String()
	}
	out, _ := json.Marshal(j)
	return out
}

// DecodeTopicAssignment parses /brokers/topics/<topic>.
func DecodeTopicAssignment(topic string, data []byte) (TopicAssignment, error) {
	var j topicJSON
	path := TopicPath(topic)
	if err := decodeJSON(path, data, &j); err != nil {
		return TopicAssignment{}, err
	}
	a := TopicAssignment{Version: int(j.Version)}
	var err error
	if a.Partitions, err = j.Partitions.decode(); err != nil {
		return a, err
	}
	if a.AddingReplicas, err = j.AddingReplicas.decode(); err != nil {
		return a, err
	}
	if a.RemovingReplicas, err = j.RemovingReplicas.decode(); err != nil {
		return a, err
	}
	if j.TopicID != "" {
		if a.TopicID, err = ParseTopicID(j.TopicID); err != nil {
			return a, err
		}
	}
	return a, nil
}
