package group

import (
	"encoding/binary"
	"fmt"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// topicPartition names a partition whose offset a group commits.
type topicPartition struct {
	topic     string
	partition int32
}

// offsetAndMetadata is one committed offset (Kafka's OffsetAndMetadata).
type offsetAndMetadata struct {
	offset      int64
	leaderEpoch int32 // -1: none
	metadata    string
	commitTs    int64 // ms
	expireTs    int64 // ms; -1 unless the commit carried a retention time (v2-v4)
}

// Schema versions written (Kafka 2.8 with inter.broker.protocol.version 2.8).
const (
	offsetKeyVersion         = 1
	groupKeyVersion          = 2
	offsetValueVersion       = 3
	offsetValueVersionRetain = 1 // carries expire_timestamp
	groupValueVersion        = 3
)

func offsetCommitKey(group string, tp topicPartition) []byte {
	k := kmsg.OffsetCommitKey{Version: offsetKeyVersion, Group: group, Topic: tp.topic, Partition: tp.partition}
	return k.AppendTo(nil)
}

// offsetCommitValue encodes om with value version 3, or version 1 when the
// commit has an explicit expiry (GroupMetadataManager.offsetCommitValue).
func offsetCommitValue(om offsetAndMetadata) []byte {
	v := kmsg.NewOffsetCommitValue()
	v.Version = offsetValueVersion
	if om.expireTs >= 0 {
		v.Version = offsetValueVersionRetain
		v.ExpireTimestamp = om.expireTs
	}
	v.Offset = om.offset
	v.LeaderEpoch = om.leaderEpoch
	v.Metadata = om.metadata
	v.CommitTimestamp = om.commitTs
	return v.AppendTo(nil)
}

func groupMetadataKey(group string) []byte {
	k := kmsg.GroupMetadataKey{Version: groupKeyVersion, Group: group}
	return k.AppendTo(nil)
}

// groupMetadataValue encodes g (locked by the caller) with the given
// assignment per member (GroupMetadataManager.groupMetadataValue, v3).
func groupMetadataValue(g *group, assignment map[string][]byte) []byte {
	v := kmsg.NewGroupMetadataValue()
	v.Version = groupValueVersion
	v.ProtocolType = g.protocolType
	v.Generation = g.generation
	v.Protocol = nullable(g.protocolName)
	v.Leader = nullable(g.leader)
	v.CurrentStateTimestamp = g.stateTimestamp
	for _, m := range g.sortedMembers() {
		mv := kmsg.NewGroupMetadataValueMember()
		mv.MemberID = m.id
		mv.InstanceID = m.instanceID
		mv.ClientID = m.clientID
		mv.ClientHost = m.clientHost
		mv.RebalanceTimeoutMillis = m.rebalanceTimeoutMs
		mv.SessionTimeoutMillis = m.sessionTimeoutMs
		mv.Subscription = m.metadata(g.protocolName)
		if mv.Subscription == nil {
			mv.Subscription = []byte{}
		}
		mv.Assignment = assignment[m.id]
		if mv.Assignment == nil {
			mv.Assignment = []byte{}
		}
		v.Members = append(v.Members, mv)
	}
	return v.AppendTo(nil)
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// parsedKey is a decoded __consumer_offsets key: an offset key (versions 0
// and 1) or a group metadata key (version 2).
type parsedKey struct {
	isGroup bool
	group   string
	tp      topicPartition
}

func parseKey(key []byte) (parsedKey, error) {
	if len(key) < 2 {
		return parsedKey{}, fmt.Errorf("group: %s key of %d bytes", OffsetsTopic, len(key))
	}
	switch ver := int16(binary.BigEndian.Uint16(key)); ver {
	case 0, 1:
		var k kmsg.OffsetCommitKey
		if err := k.ReadFrom(key); err != nil {
			return parsedKey{}, fmt.Errorf("group: offset commit key: %w", err)
		}
		return parsedKey{group: k.Group, tp: topicPartition{k.Topic, k.Partition}}, nil
	case 2:
		var k kmsg.GroupMetadataKey
		if err := k.ReadFrom(key); err != nil {
			return parsedKey{}, fmt.Errorf("group: group metadata key: %w", err)
		}
		return parsedKey{isGroup: true, group: k.Group}, nil
	default:
		return parsedKey{}, fmt.Errorf("group: unknown group metadata message version %d", ver)
	}
}

func parseOffsetValue(value []byte) (offsetAndMetadata, error) {
	var v kmsg.OffsetCommitValue
	if err := v.ReadFrom(value); err != nil {
		return offsetAndMetadata{}, fmt.Errorf("group: offset commit value: %w", err)
	}
	if v.Version > 3 {
		return offsetAndMetadata{}, fmt.Errorf("group: unknown offset message version %d", v.Version)
	}
	om := offsetAndMetadata{offset: v.Offset, leaderEpoch: -1, metadata: v.Metadata, commitTs: v.CommitTimestamp, expireTs: -1}
	if v.Version >= 3 {
		om.leaderEpoch = v.LeaderEpoch
	}
	if v.Version == 1 {
		om.expireTs = v.ExpireTimestamp
	}
	return om, nil
}

func parseGroupValue(value []byte) (*kmsg.GroupMetadataValue, error) {
	v := new(kmsg.GroupMetadataValue)
	if err := v.ReadFrom(value); err != nil {
		return nil, fmt.Errorf("group: group metadata value: %w", err)
	}
	if v.Version > 3 {
		return nil, fmt.Errorf("group: unknown group metadata version %d", v.Version)
	}
	return v, nil
}

// subscribedTopics decodes the topics of a consumer-protocol subscription
// (int16 version, [string] topics, ...); ok is false if it does not parse.
func subscribedTopics(meta []byte) (topics []string, ok bool) {
	if len(meta) < 6 {
		return nil, false
	}
	n := int32(binary.BigEndian.Uint32(meta[2:]))
	p := meta[6:]
	if n < 0 || int(n) > len(p)/2 {
		return nil, false
	}
	for i := int32(0); i < n; i++ {
		if len(p) < 2 {
			return nil, false
		}
		l := int(int16(binary.BigEndian.Uint16(p)))
		if l < 0 || l > len(p)-2 {
			return nil, false
		}
		topics = append(topics, string(p[2:2+l]))
		p = p[2+l:]
	}
	return topics, true
}
