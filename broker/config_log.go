package broker

import "gokafka/log"

// LogConfig is the broker-level default of every topic config, the log
// package's Config built from the log.* keys they fall back to
// (log-format.md §8; Kafka's KafkaServer.copyKafkaConfigToLog). Topic
// overrides from ZooKeeper apply on top of it.
func (c *Config) LogConfig() log.Config {
	return log.Config{
		SegmentBytes:                    c.LogSegmentBytes,
		SegmentMs:                       c.LogRollMs(),
		SegmentJitterMs:                 c.LogRollJitterMs(),
		SegmentIndexBytes:               c.LogIndexSizeMaxBytes,
		IndexIntervalBytes:              c.LogIndexIntervalBytes,
		FlushMessages:                   c.LogFlushIntervalMessages,
		FlushMs:                         c.LogFlushMs(),
		RetentionMs:                     c.LogRetentionMs(),
		RetentionBytes:                  c.LogRetentionBytes,
		CleanupPolicy:                   c.LogCleanupPolicyString(),
		DeleteRetentionMs:               c.LogCleanerDeleteRetentionMs,
		MinCleanableDirtyRatio:          c.LogCleanerMinCleanableRatio,
		MinCompactionLagMs:              c.LogCleanerMinCompactionLagMs,
		FileDeleteDelayMs:               c.LogSegmentDeleteDelayMs,
		MaxMessageBytes:                 c.MessageMaxBytes,
		MessageTimestampType:            c.LogMessageTimestampType,
		MessageTimestampDifferenceMaxMs: c.LogMessageTimestampDifferenceMaxMs,
		Preallocate:                     c.LogPreallocate,
	}
}
