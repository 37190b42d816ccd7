package broker_test

import (
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/broker/brokertest"
)

// ISR shrink and expand (replication.md §3.3, §3.4): a follower that stops
// fetching for longer than replica.lag.time.max.ms is dropped from the ISR
// by the leader, which writes the partition state znode itself (same leader,
// same leader epoch); once it fetches again and catches up, the leader adds
// it back. The follower is frozen with SIGSTOP, so its ZooKeeper session
// (30 s here) outlives the pause and the controller never sees it die.
func TestISRShrinkExpandIntegration(t *testing.T) {
	c := startFailoverCluster(t, 3,
		brokertest.WithProps("replica.lag.time.max.ms", "3000"),
		brokertest.WithProps("zookeeper.session.timeout.ms", "30000"))
	const topic = "lagging"
	c.createTopic(topic, 1, 3, map[string]string{"min.insync.replicas": "2"})
	lp := c.startProducer(topic, 1)
	lp.progress(c, "with a full ISR", 300)

	before := c.state(topic, 0)
	// A follower that is not the controller, so that the controller keeps
	// handling the ISR change notifications.
	var follower *brokertest.Broker
	for _, id := range before.ISR {
		if id != before.Leader && id != c.controllerID() {
			follower = c.brokers[id]
			break
		}
	}
	pause(t, follower)
	t.Cleanup(func() { resume(t, follower) })
	c.waitFor("the leader to shrink the ISR", time.Minute, func() bool {
		return !slices.Contains(c.state(topic, 0).ISR, follower.ID)
	})
	shrunk := c.state(topic, 0)
	t.Logf("ISR %v -> %v (leader %d, epoch %d)", before.ISR, shrunk.ISR, shrunk.Leader, shrunk.LeaderEpoch)
	if shrunk.Leader != before.Leader || shrunk.LeaderEpoch != before.LeaderEpoch || len(shrunk.ISR) != 2 {
		t.Errorf("after the shrink the state is %+v; want leader %d, epoch %d and two in the ISR", shrunk, before.Leader, before.LeaderEpoch)
	}
	// Two replicas still satisfy min.insync.replicas=2.
	lp.progress(c, "while the follower is paused", 300)

	resume(t, follower)
	c.waitFor("the leader to expand the ISR", time.Minute, func() bool {
		return slices.Contains(c.state(topic, 0).ISR, follower.ID)
	})
	expanded := c.state(topic, 0)
	t.Logf("ISR %v -> %v", shrunk.ISR, expanded.ISR)
	if expanded.Leader != before.Leader || expanded.LeaderEpoch != before.LeaderEpoch || len(expanded.ISR) != 3 {
		t.Errorf("after the expand the state is %+v; want leader %d, epoch %d and three in the ISR", expanded, before.Leader, before.LeaderEpoch)
	}
	// The controller passes the change on (isr_change_notification ->
	// UpdateMetadata): every broker's Metadata shows the full ISR again.
	for _, b := range c.brokers {
		c.waitFor("broker metadata to show the expanded ISR", time.Minute, func() bool {
			req := kmsg.NewPtrMetadataRequest()
			rt := kmsg.NewMetadataRequestTopic()
			rt.Topic = kmsg.StringPtr(topic)
			req.Topics = append(req.Topics, rt)
			kresp, err := c.admCl.Broker(int(b.ID)).Request(c.ctx, req)
			if err != nil {
				return false
			}
			resp := kresp.(*kmsg.MetadataResponse)
			return len(resp.Topics) == 1 && len(resp.Topics[0].Partitions) == 1 &&
				len(resp.Topics[0].Partitions[0].ISR) == 3
		})
	}
	lp.stop(c.ctx)
	c.verifyAcked(lp, 1)
}
