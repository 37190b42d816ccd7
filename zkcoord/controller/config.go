package controller

import "time"

// Config holds the broker settings the controller uses. Field comments name the Kafka property.
type Config struct {
	BrokerID int32 // broker.id

	// InterBrokerListenerName names the listener whose endpoint LeaderAndIsr's live_leaders
	// carries (inter.broker.listener.name; default PLAINTEXT).
	InterBrokerListenerName string

	AutoLeaderRebalanceEnable           bool // auto.leader.rebalance.enable (true)
	LeaderImbalancePerBrokerPercentage  int  // leader.imbalance.per.broker.percentage (10)
	LeaderImbalanceCheckIntervalSeconds int  // leader.imbalance.check.interval.seconds (300)
	DeleteTopicEnable                   bool // delete.topic.enable (true)
	UncleanLeaderElectionEnable         bool // unclean.leader.election.enable (false); topic overrides are read from /config/topics/T

	// FirstRebalanceDelay is the delay of the first imbalance check after failover; Kafka uses 5 s.
	// Zero means 5 s.
	FirstRebalanceDelay time.Duration
}

// DefaultConfig returns Kafka 2.8's defaults for broker id.
func DefaultConfig(id int32) Config {
	return Config{
		BrokerID:                            id,
		InterBrokerListenerName:             "PLAINTEXT",
		AutoLeaderRebalanceEnable:           true,
		LeaderImbalancePerBrokerPercentage:  10,
		LeaderImbalanceCheckIntervalSeconds: 300,
		DeleteTopicEnable:                   true,
	}
}

func (c *Config) normalize() {
	if c.InterBrokerListenerName == "" {
		c.InterBrokerListenerName = "PLAINTEXT"
	}
	if c.LeaderImbalanceCheckIntervalSeconds <= 0 {
		c.LeaderImbalanceCheckIntervalSeconds = 300
	}
	if c.FirstRebalanceDelay <= 0 {
		c.FirstRebalanceDelay = 5 * time.Second
	}
}
