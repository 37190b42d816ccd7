package streams

import "github.com/twmb/franz-go/pkg/kgo"

// streamBalancer is range assignment under the protocol name Kafka Streams
// registers, "stream", so that tools (kafka-consumer-groups.sh --describe
// --state) show the assignor Kafka would. Range keeps partition p of every
// topic on one member, which co-locates the partitions one task reads.
// Java's StreamsPartitionAssignor metadata is not spoken: a Java instance
// cannot join a Go instance's group (see doc.go).
type streamBalancer struct{ kgo.GroupBalancer }

func (streamBalancer) ProtocolName() string { return "stream" }

// streamsPartitioner sends changelog records to the partition the task set
// (the task's own partition) and every other record by the default
// partitioner: murmur2 of the key, as Java's DefaultPartitioner.
type streamsPartitioner struct{ def kgo.Partitioner }

func newStreamsPartitioner() kgo.Partitioner {
	return streamsPartitioner{def: kgo.StickyKeyPartitioner(nil)}
}

func (p streamsPartitioner) ForTopic(topic string) kgo.TopicPartitioner {
	return topicPartitioner{def: p.def.ForTopic(topic)}
}

type topicPartitioner struct{ def kgo.TopicPartitioner }

func (p topicPartitioner) RequiresConsistency(r *kgo.Record) bool {
	return r.Partition >= 0 || p.def.RequiresConsistency(r)
}

func (p topicPartitioner) Partition(r *kgo.Record, n int) int {
	if r.Partition >= 0 {
		return int(r.Partition)
	}
	return p.def.Partition(r, n)
}
