package broker_test

import (
	"os"
	"testing"
	"time"
)

// A broker that lost its disk (replication.md §2, §4): its log directory is
// wiped while it is down. On restart it registers again, the controller
// makes it a follower of every partition it is assigned, it re-replicates
// everything from the leaders from offset 0 and rejoins the ISR. From then on
// it is as good a copy as any: after the leader is killed and the third
// broker stopped, the wiped broker leads alone and holds every acknowledged
// record.
func TestFailoverWipedLogDirIntegration(t *testing.T) {
	c := startFailoverCluster(t, 3)
	const topic, partitions = "wiped", 2
	c.createTopic(topic, partitions, 3, map[string]string{"min.insync.replicas": "2"})
	lp := c.startProducer(topic, partitions)
	lp.progress(c, "before any failure", 500)

	leader := c.leader(topic, 0)
	wiped := c.brokers[(leader.ID+1)%3]
	third := c.brokers[(leader.ID+2)%3]
	c.kill(wiped)
	if err := os.RemoveAll(wiped.LogDir); err != nil {
		t.Fatal(err)
	}
	lp.progress(c, "while the wiped broker is down", 300)
	wiped.Restart()
	c.waitInISR(topic, partitions, wiped.ID)
	lp.progress(c, "after the wiped broker rejoined the ISR", 300)

	// The leader of partition 0 dies; the other two carry on.
	c.kill(leader)
	c.waitFor("new leaders", time.Minute, func() bool {
		for p := range int32(partitions) {
			if l := c.state(topic, p).Leader; l < 0 || l == leader.ID {
				return false
			}
		}
		return true
	})
	lp.progress(c, "after the leader was killed", 300)
	lp.stop(c.ctx)

	// The third broker leaves too (controlled shutdown): the wiped broker is
	// the only replica left and leads every partition.
	third.Stop()
	for p := range int32(partitions) {
		c.waitFor("the wiped broker to lead", time.Minute, func() bool { return c.state(topic, p).Leader == wiped.ID })
	}
	c.verifyAcked(lp, partitions)
}
