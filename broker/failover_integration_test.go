package broker_test

import (
	"fmt"
	"testing"
	"time"

	"gokafka/broker/brokertest"
)

// Leader failover under load (replication.md §3, §5; controller.md §7, §9):
// three brokers, a topic with three partitions, replication factor 3 and
// min.insync.replicas=2, and an idempotent acks=all producer writing to all
// partitions the whole time. The leader of partition 0 is stopped five times
// in a row, and restarted each time once it is out of the picture; before
// the next round it must be back in every partition's ISR. Finally the
// controller is stopped the same way. Every acknowledged record must then be
// in the log exactly where it was acknowledged.

const (
	failoverTopic      = "failover"
	failoverPartitions = 3
	failoverRounds     = 5
)

// SIGKILL: no controlled shutdown. The controller learns of the death only
// when the broker's ZooKeeper session expires, elects a new leader from the
// ISR, and the producer retries meanwhile.
func TestFailoverKillIntegration(t *testing.T) {
	c := startFailoverCluster(t, 3)
	lp := failoverScenario(t, c, func(b *brokertest.Broker) { c.kill(b) })
	if retried, fatal := lp.errorsSeen(); len(fatal) > 0 {
		t.Logf("producer saw non-retriable errors %v (retried %v)", fatal, retried)
	}
}

// SIGTERM: controlled shutdown moves leadership away before the broker
// stops, so the producer sees at most retriable errors (NOT_LEADER, a
// closed connection) and not one record fails.
func TestFailoverShutdownIntegration(t *testing.T) {
	c := startFailoverCluster(t, 3)
	lp := failoverScenario(t, c, func(b *brokertest.Broker) { b.Stop() })
	retried, fatal := lp.errorsSeen()
	t.Logf("errors the producer retried: %v", retried)
	if len(fatal) > 0 {
		t.Errorf("producer saw non-retriable errors: %v", fatal)
	}
	if f := lp.failures(); len(f) > 0 {
		t.Errorf("records failed: %v", f)
	}
}

func failoverScenario(t *testing.T, c *failoverCluster, stop func(*brokertest.Broker)) *loadProducer {
	c.createTopic(failoverTopic, failoverPartitions, 3, map[string]string{"min.insync.replicas": "2"})
	lp := c.startProducer(failoverTopic, failoverPartitions)
	lp.progress(c, "before any failure", 500)

	for round := 1; round <= failoverRounds; round++ {
		leader := c.leader(failoverTopic, 0)
		stop(leader)
		c.waitFor("a new leader of partition 0", time.Minute, func() bool {
			l := c.state(failoverTopic, 0).Leader
			return l >= 0 && l != leader.ID
		})
		lp.progress(c, fmt.Sprintf("round %d: broker %d down", round, leader.ID), 300)
		leader.Restart()
		c.waitInISR(failoverTopic, failoverPartitions, leader.ID)
		lp.progress(c, fmt.Sprintf("round %d: broker %d back in the ISR", round, leader.ID), 300)
	}

	// The controller too: a new one is elected, and it must elect leaders
	// for the partitions the old one led.
	ctl := c.controller()
	stop(ctl)
	c.waitFor("a new controller", time.Minute, func() bool { id := c.controllerID(); return id >= 0 && id != ctl.ID })
	for p := range int32(failoverPartitions) {
		c.waitFor("partition leaders on live brokers", time.Minute, func() bool {
			l := c.state(failoverTopic, p).Leader
			return l >= 0 && l != ctl.ID
		})
	}
	lp.progress(c, fmt.Sprintf("controller %d down", ctl.ID), 300)
	lp.stop(c.ctx)
	c.verifyAcked(lp, failoverPartitions)

	// Every replica that came back truncated what its new leader did not
	// have: once the old controller is back too, all three copies of each
	// partition are the same bytes.
	ctl.Restart()
	c.waitInISR(failoverTopic, failoverPartitions, ctl.ID)
	c.waitReplicasIdentical(failoverTopic, failoverPartitions)
	return lp
}
