package broker

import (
	"testing"

	"gokafka/log"
)

// A broker with no log.* settings hands the log package exactly its own
// Kafka 2.8 topic defaults: the two tables agree.
func TestLogConfigDefaultsAgreeWithLogPackage(t *testing.T) {
	if got, want := mustParse(t, minimal()).LogConfig(), log.DefaultConfig(); got != want {
		t.Errorf("broker defaults → log.Config\n got: %+v\nwant: %+v", got, want)
	}
}

// Broker settings reach the log config, through their fallbacks.
func TestLogConfigFollowsBrokerSettings(t *testing.T) {
	c := mustParse(t, minimal("log.segment.bytes", "1024", "log.retention.minutes", "3",
		"log.cleanup.policy", "compact,delete", "message.max.bytes", "2000",
		"log.message.timestamp.type", "LogAppendTime", "log.roll.ms", "60000"))
	lc := c.LogConfig()
	if lc.SegmentBytes != 1024 || lc.RetentionMs != 180000 || lc.CleanupPolicy != "compact,delete" ||
		lc.MaxMessageBytes != 2000 || lc.MessageTimestampType != "LogAppendTime" || lc.SegmentMs != 60000 {
		t.Errorf("LogConfig() = %+v", lc)
	}
}
