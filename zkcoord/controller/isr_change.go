package controller

import (
	"errors"
	"slices"

	"github.com/go-zookeeper/zk"
	"go.uber.org/zap"

	"gokafka/zkcoord"
)

// ISR changes written by partition leaders (controller.md §8, replication.md §3.4; the direct
// ZooKeeper path of the reference's decision 3). A leader rewrites its partition's state znode
// and later creates /isr_change_notification/isr_change_N listing the partitions; the controller
// re-reads those states, tells every broker with UpdateMetadata, checks pending reassignments and
// deletes the notifications.

func (c *Controller) onIsrChangeNotification() {
	if !c.active.Load() {
		return
	}
	kids, err := c.watchChildren(isrChangeNotificationDir, "IsrChangeNotification", c.onIsrChangeNotification)
	if err != nil {
		c.logZkError("reading "+isrChangeNotificationDir, err)
		return
	}
	if len(kids) == 0 {
		return
	}
	slices.Sort(kids)
	seen := map[TopicPartition]bool{}
	for _, k := range kids {
		data, _, err := c.zk.Get(isrChangeNotificationDir + "/" + k)
		if errors.Is(err, zk.ErrNoNode) {
			continue
		}
		if err != nil {
			c.logZkError("reading ISR change notification", err)
			continue
		}
		tps, err := zkcoord.DecodeIsrChangeNotification(data)
		if err != nil {
			c.warn("Ignoring unreadable ISR change notification", zap.String("path", k), zap.Error(err))
			continue
		}
		for _, tp := range tps {
			seen[tp] = true
		}
	}
	// Handled or not, the notifications go: the states in ZooKeeper are what counts.
	defer c.deleteChildren(isrChangeNotificationDir, kids)

	tps := sortedTPKeys(seen)
	var changed []TopicPartition
	for _, tp := range tps {
		if _, ok := c.cc.assignmentOf(tp); !ok {
			continue
		}
		st, ok, err := c.readState(tp)
		if err != nil || !ok {
			c.logZkError("reading partition state", err)
			continue
		}
		if st.ControllerEpoch > c.cc.epoch {
			continue // written under a newer controller: we are about to be fenced
		}
		c.cc.leadership[tp] = st
		changed = append(changed, tp)
	}
	c.info("Handling ISR change notifications for " + tpList(changed))
	c.batch.addUpdateMetadata(c.cc, c.cc.liveOrShuttingDownIDs(), changed)
	c.sendBatch(c.batch)
	for _, tp := range changed {
		if c.cc.reassigning[tp] {
			c.maybeCompleteReassignment(tp)
		}
	}
	c.sendBatch(c.batch)
}

// onLogDirEvent drops log-dir failure notifications: gokafka brokers have no JBOD failure
// handling (KIP-112), they stop instead.
func (c *Controller) onLogDirEvent() {
	if !c.active.Load() {
		return
	}
	kids, err := c.watchChildren(logDirEventNotification, "LogDirEventNotification", c.onLogDirEvent)
	if err != nil {
		c.logZkError("reading "+logDirEventNotification, err)
		return
	}
	c.deleteChildren(logDirEventNotification, kids)
}
