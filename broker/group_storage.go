package broker

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"

	"gokafka/broker/group"
	"gokafka/log"
)

// groupStorage is the coordinator's view of __consumer_offsets: appends go
// through the replica manager like an internal produce with
// offsets.commit.required.acks (-1) and offsets.commit.timeout.ms; loads
// read the local log. Safe for concurrent use (stateless).
type groupStorage struct{ b *Broker }

func (b *Broker) groupStorage() group.Storage { return groupStorage{b} }

func offsetsTP(p int32) log.TopicPartition {
	return log.TopicPartition{Topic: group.OffsetsTopic, Partition: p}
}

// Append implements group.Storage.
func (s groupStorage) Append(p int32, batch []byte, done func(error)) {
	tp := offsetsTP(p)
	s.b.replicas.AppendRecords(s.b.cfg.OffsetsCommitTimeoutMs, s.b.cfg.OffsetsCommitRequiredAcks, true,
		map[log.TopicPartition][]byte{tp: batch},
		func(res map[log.TopicPartition]PartitionAppendResult) { done(res[tp].Err) })
}

// Read implements group.Storage: every batch from the log start to the log
// end, offsets.load.buffer.size at a time.
func (s groupStorage) Read(p int32, fn func([]byte) error) error {
	l := s.b.replicas.LocalLog(offsetsTP(p))
	if l == nil {
		return fmt.Errorf("%s-%d is not hosted here: %w", group.OffsetsTopic, p, kerr.NotLeaderForPartition)
	}
	maxBytes := s.b.cfg.OffsetsLoadBufferSize
	if maxBytes <= 0 {
		maxBytes = 5 << 20
	}
	end := l.LogEndOffset()
	for off := l.LogStartOffset(); off < end; {
		fd, err := l.Read(off, maxBytes, end, true)
		if err != nil {
			return err
		}
		if fd.Slice.Size == 0 {
			return nil
		}
		buf, err := fd.Slice.ReadAll()
		if err != nil {
			return err
		}
		used, next := 0, off
		for b := range log.Batches(buf) {
			used += len(b.Raw)
			next = b.LastOffset() + 1
		}
		if used == 0 || next <= off {
			return fmt.Errorf("%s-%d: no complete batch at offset %d", group.OffsetsTopic, p, off)
		}
		if err := fn(buf[:used]); err != nil {
			return err
		}
		off = next
	}
	return nil
}

// watchOffsetsLeadership feeds the coordinator the leadership changes of
// __consumer_offsets partitions (GroupCoordinator.onElection /
// onResignation), including those that happened before it started.
func (b *Broker) watchOffsetsLeadership(c *group.Coordinator, partitions int32) {
	b.replicas.OnLeadershipChange(func(tp log.TopicPartition, leader bool, epoch int32) {
		if tp.Topic != group.OffsetsTopic {
			return
		}
		if leader {
			c.OnElection(tp.Partition, epoch)
		} else {
			c.OnResignation(tp.Partition, epoch)
		}
	})
	// Partitions led before the hook was registered (the metadata cache may
	// lag LeaderAndIsr, so every possible partition is checked).
	for p := int32(0); p < partitions; p++ {
		if part := b.replicas.getPartition(offsetsTP(p)); part != nil && part.isLeader() {
			c.OnElection(p, part.snapshot().leaderEpoch)
		}
	}
}
