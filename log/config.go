package log

import (
	"math"
	"strings"
)

// Config holds the topic-level settings that the log obeys. The broker
// resolves each field from the topic override or the broker default
// (log-format.md §8) before handing it over; the log never reads
// properties itself.
type Config struct {
	SegmentBytes                    int64   // segment.bytes
	SegmentMs                       int64   // segment.ms
	SegmentJitterMs                 int64   // segment.jitter.ms
	SegmentIndexBytes               int32   // segment.index.bytes
	IndexIntervalBytes              int32   // index.interval.bytes
	FlushMessages                   int64   // flush.messages
	FlushMs                         int64   // flush.ms
	RetentionMs                     int64   // retention.ms (-1 = forever)
	RetentionBytes                  int64   // retention.bytes (-1 = unlimited)
	CleanupPolicy                   string  // cleanup.policy: "delete", "compact" or "compact,delete"
	DeleteRetentionMs               int64   // delete.retention.ms
	MinCleanableDirtyRatio          float64 // min.cleanable.dirty.ratio
	MinCompactionLagMs              int64   // min.compaction.lag.ms
	FileDeleteDelayMs               int64   // file.delete.delay.ms
	MaxMessageBytes                 int32   // max.message.bytes
	MessageTimestampType            string  // message.timestamp.type: "CreateTime" or "LogAppendTime"
	MessageTimestampDifferenceMaxMs int64   // message.timestamp.difference.max.ms
	Preallocate                     bool    // preallocate
}

// DefaultConfig returns Kafka 2.8's topic defaults (log-format.md §8).
func DefaultConfig() Config {
	return Config{
		SegmentBytes:                    1 << 30,
		SegmentMs:                       7 * 24 * 3600 * 1000,
		SegmentIndexBytes:               10 * 1024 * 1024,
		IndexIntervalBytes:              4096,
		FlushMessages:                   math.MaxInt64,
		FlushMs:                         math.MaxInt64,
		RetentionMs:                     7 * 24 * 3600 * 1000,
		RetentionBytes:                  -1,
		CleanupPolicy:                   "delete",
		DeleteRetentionMs:               86400000,
		MinCleanableDirtyRatio:          0.5,
		MinCompactionLagMs:              0,
		FileDeleteDelayMs:               60000,
		MaxMessageBytes:                 1048588,
		MessageTimestampType:            "CreateTime",
		MessageTimestampDifferenceMaxMs: math.MaxInt64,
	}
}

// Compact reports whether cleanup.policy includes "compact".
func (c Config) Compact() bool { return policyHas(c.CleanupPolicy, "compact") }

// Delete reports whether cleanup.policy includes "delete".
func (c Config) Delete() bool { return policyHas(c.CleanupPolicy, "delete") }

// policyHas scans the comma-separated policy without allocating (it is
// consulted on every append).
func policyHas(policy, want string) bool {
	for policy != "" {
		var p string
		p, policy, _ = strings.Cut(policy, ",")
		if strings.EqualFold(strings.TrimSpace(p), want) {
			return true
		}
	}
	return false
}

// liveConfig is a Log's current Config with the answers the append path
// needs precomputed, so that an append reads flags instead of comparing
// strings (cleanup.policy, message.timestamp.type) every time.
type liveConfig struct {
	Config
	appendTime bool // message.timestamp.type=LogAppendTime
	compact    bool // cleanup.policy contains compact
	checkTs    bool // message.timestamp.difference.max.ms is finite (and CreateTime)
}

func newLiveConfig(cfg Config) *liveConfig {
	c := cfg.sanitized()
	return &liveConfig{Config: c, appendTime: c.logAppendTime(), compact: c.Compact(),
		checkTs: !c.logAppendTime() && c.MessageTimestampDifferenceMaxMs != math.MaxInt64}
}

// logAppendTime reports whether the broker stamps timestamps.
func (c Config) logAppendTime() bool { return c.MessageTimestampType == "LogAppendTime" }

// sanitized fills zero fields with defaults so a partially filled Config
// (common in tests) cannot make the log divide by zero or roll forever.
func (c Config) sanitized() Config {
	d := DefaultConfig()
	if c.SegmentBytes <= 0 {
		c.SegmentBytes = d.SegmentBytes
	}
	if c.SegmentMs <= 0 {
		c.SegmentMs = d.SegmentMs
	}
	if c.SegmentIndexBytes < 8*4 {
		if c.SegmentIndexBytes <= 0 {
			c.SegmentIndexBytes = d.SegmentIndexBytes
		} else {
			c.SegmentIndexBytes = 8 * 4
		}
	}
	if c.IndexIntervalBytes < 0 {
		c.IndexIntervalBytes = d.IndexIntervalBytes
	}
	if c.FlushMessages <= 0 {
		c.FlushMessages = d.FlushMessages
	}
	if c.FlushMs <= 0 {
		c.FlushMs = d.FlushMs
	}
	if c.CleanupPolicy == "" {
		c.CleanupPolicy = d.CleanupPolicy
	}
	if c.MinCleanableDirtyRatio <= 0 {
		c.MinCleanableDirtyRatio = d.MinCleanableDirtyRatio
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = d.MaxMessageBytes
	}
	if c.MessageTimestampType == "" {
		c.MessageTimestampType = d.MessageTimestampType
	}
	if c.MessageTimestampDifferenceMaxMs <= 0 {
		c.MessageTimestampDifferenceMaxMs = d.MessageTimestampDifferenceMaxMs
	}
	if c.FileDeleteDelayMs < 0 {
		c.FileDeleteDelayMs = 0
	}
	return c
}
