package zkcoord

import (
	"encoding/json"
	"sort"
)

// Admin request and notification nodes (zookeeper.md §3.5, §3.6).
const (
	AdminPath                    = "/admin"
	DeleteTopicsPath             = "/admin/delete_topics"
	ReassignPartitionsPath       = "/admin/reassign_partitions"
	PreferredReplicaElectionPath = "/admin/preferred_replica_election"
	IsrChangeNotificationPath    = "/isr_change_notification"
	IsrChangePrefix              = "isr_change_"
	LogDirEventNotificationPath  = "/log_dir_event_notification"
	LogDirEventPrefix            = "log_dir_event_"
	ConsumersPath                = "/consumers"
)

// DeleteTopicPath is the deletion marker /admin/delete_topics/T (no data).
func DeleteTopicPath(topic string) string { return DeleteTopicsPath + "/" + topic }

// TopicPartition names one partition.
type TopicPartition struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
}

func sortTPs(tps []TopicPartition) {
	sort.Slice(tps, func(i, j int) bool {
		if tps[i].Topic != tps[j].Topic {
			return tps[i].Topic < tps[j].Topic
		}
		return tps[i].Partition < tps[j].Partition
	})
}

// ReassignPartitions is the content of /admin/reassign_partitions, the
// legacy reassignment request: target replicas per partition.
type ReassignPartitions map[TopicPartition][]int32

type reassignJSON struct {
	Version    int `json:"version"`
	Partitions []struct {
		Topic     string  `json:"topic"`
		Partition int32   `json:"partition"`
		Replicas  []int32 `json:"replicas"`
	} `json:"partitions"`
}

// Encode returns {"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[5,6]}]},
// partitions sorted by topic and number.
func (r ReassignPartitions) Encode() []byte {
	tps := make([]TopicPartition, 0, len(r))
	for tp := range r {
		tps = append(tps, tp)
	}
	sortTPs(tps)
	j := reassignJSON{Version: 1}
	for _, tp := range tps {
		j.Partitions = append(j.Partitions, struct {
			Topic     string  `json:"topic"`
			Partition int32   `json:"partition"`
			Replicas  []int32 `json:"replicas"`
		}{tp.Topic, tp.Partition, r[tp]})
	}
	if j.Partitions == nil {
		j.Partitions = j.Partitions[:0]
	}
	out, _ := json.Marshal(j)
	return out
}

// DecodeReassignPartitions parses /admin/reassign_partitions.
func DecodeReassignPartitions(data []byte) (ReassignPartitions, error) {
	var j reassignJSON
	if err := decodeJSON(ReassignPartitionsPath, data, &j); err != nil {
		return nil, err
	}
	r := ReassignPartitions{}
	for _, p := range j.Partitions {
		r[TopicPartition{p.Topic, p.Partition}] = p.Replicas
	}
	return r, nil
}

type partitionsJSON struct {
	Version    int              `json:"version"`
	Partitions []TopicPartition `json:"partitions"`
}

func encodePartitions(tps []TopicPartition) []byte {
	tps = append([]TopicPartition{}, tps...)
	sortTPs(tps)
	out, _ := json.Marshal(partitionsJSON{Version: 1, Partitions: tps})
	return out
}

func decodePartitions(path string, data []byte) ([]TopicPartition, error) {
	var j partitionsJSON
	if err := decodeJSON(path, data, &j); err != nil {
		return nil, err
	}
	return j.Partitions, nil
}

// EncodePreferredReplicaElection returns
// {"version":1,"partitions":[{"topic":"foo","partition":0}]}.
func EncodePreferredReplicaElection(tps []TopicPartition) []byte { return encodePartitions(tps) }

// DecodePreferredReplicaElection parses /admin/preferred_replica_election.
func DecodePreferredReplicaElection(data []byte) ([]TopicPartition, error) {
	return decodePartitions(PreferredReplicaElectionPath, data)
}

// EncodeIsrChangeNotification returns the content of an isr_change_ node (same layout).
func EncodeIsrChangeNotification(tps []TopicPartition) []byte { return encodePartitions(tps) }

// DecodeIsrChangeNotification parses an isr_change_ node.
func DecodeIsrChangeNotification(data []byte) ([]TopicPartition, error) {
	return decodePartitions(IsrChangeNotificationPath, data)
}

// LogDirFailureEvent is the only log-dir event kind.
const LogDirFailureEvent = 1

// EncodeLogDirEvent returns {"version":1,"broker":0,"event":1}.
func EncodeLogDirEvent(brokerID int32) []byte {
	out, _ := json.Marshal(struct {
		Version int   `json:"version"`
		Broker  int32 `json:"broker"`
		Event   int   `json:"event"`
	}{1, brokerID, LogDirFailureEvent})
	return out
}

// DecodeLogDirEvent returns the broker of a log_dir_event_ node.
func DecodeLogDirEvent(data []byte) (int32, error) {
	var j struct {
		Broker int32 `json:"broker"`
	}
	if err := decodeJSON(LogDirEventNotificationPath, data, &j); err != nil {
		return 0, err
	}
	return j.Broker, nil
}
