package controller

// The znodes the controller reads and writes (zookeeper.md §3), through zkcoord's codecs.

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"gokafka/zkcoord"
)

// BrokerInfo is a broker registration, as BrokerChannel.AddBroker receives it.
type BrokerInfo = zkcoord.BrokerInfo

// TopicPartition names one partition of one topic.
type TopicPartition = zkcoord.TopicPartition

func tpString(tp TopicPartition) string { return fmt.Sprintf("%s-%d", tp.Topic, tp.Partition) }

// Paths (Kafka's ZkData), relative to the chroot.
const (
	controllerPath           = zkcoord.ControllerPath
	controllerEpochPath      = zkcoord.ControllerEpochPath
	brokerIDsPath            = zkcoord.BrokerIDsPath
	brokerTopicsPath         = zkcoord.BrokerTopicsPath
	deleteTopicsPath         = zkcoord.DeleteTopicsPath
	reassignPartitionsPath   = zkcoord.ReassignPartitionsPath
	preferredElectionPath    = zkcoord.PreferredReplicaElectionPath
	isrChangeNotificationDir = zkcoord.IsrChangeNotificationPath
	logDirEventNotification  = zkcoord.LogDirEventNotificationPath
	configTopicsPath         = "/config/topics"
	featurePath              = zkcoord.FeaturePath
)

func brokerPath(id int32) string     { return zkcoord.BrokerIDPath(id) }
func topicPath(t string) string      { return zkcoord.TopicPath(t) }
func partitionsPath(t string) string { return zkcoord.TopicPartitionsPath(t) }
func partitionPath(tp TopicPartition) string {
	return zkcoord.TopicPartitionPath(tp.Topic, tp.Partition)
}
func statePath(tp TopicPartition) string {
	return zkcoord.PartitionStatePath(tp.Topic, tp.Partition)
}

// endpoint is one advertised listener of a broker, with its wire security protocol id.
type endpoint struct {
	Listener         string
	Host             string
	Port             int32
	SecurityProtocol int16
}

// securityProtocols maps Kafka's SecurityProtocol names to their wire ids.
var securityProtocols = map[string]int16{"PLAINTEXT": 0, "SSL": 1, "SASL_PLAINTEXT": 2, "SASL_SSL": 3}

func decodeBroker(id int32, data []byte) (BrokerInfo, error) {
	return zkcoord.DecodeBrokerInfo(id, data)
}

func brokerEndpoints(info BrokerInfo) []endpoint {
	out := make([]endpoint, 0, len(info.Endpoints))
	for _, e := range info.Endpoints {
		out = append(out, endpoint{Listener: e.ListenerName, Host: e.Host, Port: e.Port, SecurityProtocol: securityProtocols[e.SecurityProtocol]})
	}
	return out
}

func brokerRack(info BrokerInfo) string { return info.Rack }

func decodeTopic(name string, data []byte) (*topicInfo, error) {
	a, err := zkcoord.DecodeTopicAssignment(name, data)
	if err != nil {
		return nil, err
	}
	t := &topicInfo{id: a.TopicID, partitions: map[int32]assignment{}}
	for p, rs := range a.Partitions {
		t.partitions[p] = assignment{Replicas: rs, Adding: a.AddingReplicas[p], Removing: a.RemovingReplicas[p]}
	}
	return t, nil
}

func encodeTopic(t *topicInfo) []byte {
	a := zkcoord.TopicAssignment{Partitions: map[int32][]int32{}, AddingReplicas: map[int32][]int32{},
		RemovingReplicas: map[int32][]int32{}, TopicID: t.id}
	for _, p := range slices.Sorted(maps.Keys(t.partitions)) {
		pa := t.partitions[p]
		a.Partitions[p] = nonNil(pa.Replicas)
		if len(pa.Adding) > 0 {
			a.AddingReplicas[p] = pa.Adding
		}
		if len(pa.Removing) > 0 {
			a.RemovingReplicas[p] = pa.Removing
		}
	}
	return a.Encode()
}

func decodeState(tp TopicPartition, data []byte, zkVersion int32) (leaderIsr, error) {
	s, err := zkcoord.DecodePartitionState(tp.Topic, tp.Partition, data, zkVersion)
	if err != nil {
		return leaderIsr{}, err
	}
	return leaderIsr{Leader: s.Leader, LeaderEpoch: s.LeaderEpoch, ISR: s.ISR, ControllerEpoch: s.ControllerEpoch, ZkVersion: zkVersion}, nil
}

func encodeState(l leaderIsr) []byte {
	return zkcoord.PartitionState{Leader: l.Leader, LeaderEpoch: l.LeaderEpoch, ISR: nonNil(l.ISR), ControllerEpoch: l.ControllerEpoch}.Encode()
}

func encodeControllerZNode(id int32, now time.Time) []byte {
	return zkcoord.ControllerInfo{BrokerID: id, Timestamp: now.UnixMilli()}.Encode()
}

func decodeControllerZNode(data []byte) (int32, error) {
	ci, err := zkcoord.DecodeControllerInfo(data)
	if err != nil {
		return -1, err
	}
	return ci.BrokerID, nil
}

// featureZNodeEnabled is what a 2.8 controller writes at IBP ≥ 2.7-IV0.
var featureZNodeEnabled = []byte(`{"features":{},"version":1,"status":1}`)

func newTopicID() [16]byte { return zkcoord.NewTopicID() }

func encodeTopicID(id [16]byte) string { return zkcoord.TopicID(id).String() }

func nonNil(xs []int32) []int32 {
	if xs == nil {
		return []int32{}
	}
	return xs
}
