package group

import "time"

// Config holds the broker settings the coordinator uses. Field comments name
// the Kafka property each comes from.
type Config struct {
	BrokerID                      int32         // broker.id
	OffsetsTopicPartitions        int32         // offsets.topic.num.partitions (50)
	GroupMinSessionTimeout        time.Duration // group.min.session.timeout.ms (6000)
	GroupMaxSessionTimeout        time.Duration // group.max.session.timeout.ms (1800000)
	GroupInitialRebalanceDelay    time.Duration // group.initial.rebalance.delay.ms (3000)
	GroupMaxSize                  int           // group.max.size (2147483647)
	OffsetMetadataMaxBytes        int           // offset.metadata.max.bytes (4096)
	OffsetsRetention              time.Duration // offsets.retention.minutes (10080)
	OffsetsRetentionCheckInterval time.Duration // offsets.retention.check.interval.ms (600000)
}

// DefaultConfig returns Kafka 2.8's defaults.
func DefaultConfig() Config {
	return Config{
		BrokerID:                      0,
		OffsetsTopicPartitions:        50,
		GroupMinSessionTimeout:        6 * time.Second,
		GroupMaxSessionTimeout:        30 * time.Minute,
		GroupInitialRebalanceDelay:    3 * time.Second,
		GroupMaxSize:                  1<<31 - 1,
		OffsetMetadataMaxBytes:        4096,
		OffsetsRetention:              7 * 24 * time.Hour,
		OffsetsRetentionCheckInterval: 10 * time.Minute,
	}
}

// newMemberJoinTimeout bounds how long a brand-new member may sit in a
// JoinGroup that is waiting for the rebalance: its session timer does not run
// yet (it has no member id to heartbeat with), and a client that gave up and
// retried would otherwise leave a defunct member behind (Kafka's
// GroupCoordinator.NewMemberJoinTimeoutMs).
const newMemberJoinTimeout = 5 * time.Minute
