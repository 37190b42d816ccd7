package controller

import (
	"errors"
	"strconv"

	"github.com/go-zookeeper/zk"
	"go.uber.org/zap"
)

// onControllerFailover is what a newly elected controller does, in the order of controller.md §3
// (Kafka's KafkaController.onControllerFailover).
func (c *Controller) onControllerFailover() {
	c.writeFeatureZNode()

	// 1. Watches. Each handler re-reads and re-arms.
	c.info("Registering handlers")
	if _, err := c.watchChildren(brokerIDsPath, "BrokerChange", c.onBrokerChange); err != nil {
		c.logZkError("watching "+brokerIDsPath, err)
	}
	if _, err := c.watchChildren(brokerTopicsPath, "TopicChange", c.onTopicChange); err != nil {
		c.logZkError("watching "+brokerTopicsPath, err)
	}
	if _, err := c.watchChildren(deleteTopicsPath, "TopicDeletion", c.onTopicDeletion); err != nil {
		c.logZkError("watching "+deleteTopicsPath, err)
	}
	if _, err := c.watchChildren(logDirEventNotification, "LogDirEventNotification", c.onLogDirEvent); err != nil {
		c.logZkError("watching "+logDirEventNotification, err)
	}
	isrKids, err := c.watchChildren(isrChangeNotificationDir, "IsrChangeNotification", c.onIsrChangeNotification)
	if err != nil {
		c.logZkError("watching "+isrChangeNotificationDir, err)
	}
	if _, err := c.watchExists(preferredElectionPath, "ReplicaLeaderElection", c.onPreferredElectionZNode); err != nil {
		c.logZkError("watching "+preferredElectionPath, err)
	}
	if _, err := c.watchExists(reassignPartitionsPath, "ZkPartitionReassignment", c.onZkReassignment); err != nil {
		c.logZkError("watching "+reassignPartitionsPath, err)
	}

	// 2. Pending notifications are stale: the context is built from ZooKeeper anyway.
	c.info("Deleting log dir event notifications")
	if kids, _, err := c.zk.Children(logDirEventNotification); err == nil {
		c.deleteChildren(logDirEventNotification, kids)
	}
	c.info("Deleting isr change notifications")
	c.deleteChildren(isrChangeNotificationDir, isrKids)

	// 3. The context.
	c.info("Initializing controller context")
	if err := c.initializeContext(); err != nil {
		c.logZkError("initializing the controller context", err)
		if c.moved {
			return
		}
	}
	c.info("Currently active brokers in the cluster: " + joinIDs(c.cc.liveOrShuttingDownIDs()))
	c.info("Currently shutting brokers in the cluster: " + joinIDs(sortedKeys(c.cc.shuttingDown)))
	c.info("Current list of topics in the cluster: " + strconv.Itoa(len(c.cc.topics)) + " topics")

	// 4. Topic deletion from the markers.
	c.info("Initializing topic deletion manager")
	c.initializeDeletion()

	// 5. Live brokers first learn of each other.
	c.info("Sending update metadata request")
	c.batch.addUpdateMetadata(c.cc, c.cc.liveOrShuttingDownIDs(), nil)
	c.sendBatch(c.batch)

	// 6. State machines: every replica on a live broker → Online (so each broker gets a
	// LeaderAndIsr), others Offline; then elect leaders where none is live.
	c.startReplicaStateMachine()
	c.startPartitionStateMachine()
	c.sendBatch(c.batch)

	// 7. Reassignments, deletions, a pending preferred election.
	c.info("Ready to serve as the new controller with epoch " + itoa(c.cc.epoch))
	c.resumeReassignments()
	c.tryTopicDeletion()
	c.onPreferredElectionZNode()

	// 8. Auto rebalance.
	if c.cfg.AutoLeaderRebalanceEnable {
		c.scheduleRebalance(c.cfg.FirstRebalanceDelay)
	}
	c.sendBatch(c.batch)
}

// writeFeatureZNode writes /feature as a 2.8 controller does at IBP ≥ 2.7-IV0: status enabled, no
// finalized features.
func (c *Controller) writeFeatureZNode() {
	_, err := c.zk.Create(featurePath, featureZNodeEnabled, 0, openACL)
	if errors.Is(err, zk.ErrNodeExists) {
		data, _, gerr := c.zk.Get(featurePath)
		if gerr == nil && string(data) == string(featureZNodeEnabled) {
			return
		}
		_, err = c.zk.Set(featurePath, featureZNodeEnabled, -1)
	}
	c.logZkError("writing "+featurePath, err)
}

func (c *Controller) deleteChildren(dir string, kids []string) {
	for _, k := range kids {
		if _, err := c.fenced(&zk.DeleteRequest{Path: dir + "/" + k, Version: -1}); err != nil && !errors.Is(err, zk.ErrNoNode) {
			c.logZkError("deleting "+dir+"/"+k, err)
		}
	}
}

// initializeContext reads brokers, topics, assignments and partition states (controller.md §3
// step 3), and opens a channel queue per live broker.
func (c *Controller) initializeContext() error {
	brokers, err := c.readBrokers()
	if err != nil {
		return err
	}
	for id, lb := range brokers {
		c.cc.live[id] = lb
	}
	for _, id := range c.cc.liveOrShuttingDownIDs() {
		c.ch.AddBroker(c.cc.live[id].info)
	}
	names, _, err := c.zk.Children(brokerTopicsPath)
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := c.loadTopic(name); err != nil {
			c.logZkError("reading topic "+name, err)
		}
	}
	for _, tp := range c.cc.allPartitions() {
		st, ok, err := c.readState(tp)
		if err != nil {
			return err
		}
		if ok {
			c.cc.leadership[tp] = st
		}
		if a, _ := c.cc.assignmentOf(tp); a.reassigning() {
			c.cc.reassigning[tp] = true
		}
	}
	return nil
}

// readBrokers reads every /brokers/ids/N with a data watch, keyed by id; the epoch is the
// znode's czxid.
func (c *Controller) readBrokers() (map[int32]*liveBroker, error) {
	kids, err := c.watchChildren(brokerIDsPath, "BrokerChange", c.onBrokerChange)
	if err != nil {
		return nil, err
	}
	out := map[int32]*liveBroker{}
	for _, k := range kids {
		id64, err := strconv.ParseInt(k, 10, 32)
		if err != nil {
			continue
		}
		id := int32(id64)
		data, st, err := c.watchData(brokerPath(id), "BrokerModification", func() { c.onBrokerModification(id) })
		if errors.Is(err, zk.ErrNoNode) {
			continue // went away meanwhile; the child watch will tell
		}
		if err != nil {
			return nil, err
		}
		info, err := decodeBroker(id, data)
		if err != nil {
			c.warn("Ignoring broker with unreadable registration", zap.Int32("broker_id", id), zap.Error(err))
			continue
		}
		info.Epoch = st.Czxid
		out[id] = newLiveBroker(info, st.Czxid)
	}
	return out, nil
}

// loadTopic reads /brokers/topics/T with a data watch into the context, stamping a topic id when
// the topic has none (IBP ≥ 2.8).
func (c *Controller) loadTopic(name string) error {
	data, st, err := c.watchData(topicPath(name), "PartitionModifications", func() { c.onPartitionModifications(name) })
	if err != nil {
		return err
	}
	t, err := decodeTopic(name, data)
	if err != nil {
		return err
	}
	if t.id == ([16]byte{}) {
		t.id = newTopicID()
		if _, err := c.fenced(&zk.SetDataRequest{Path: topicPath(name), Data: encodeTopic(t), Version: st.Version}); err != nil {
			// Another writer changed the znode; its data watch brings us back here.
			c.logZkError("writing the topic id of "+name, err)
			t.id = [16]byte{}
		} else {
			c.info("Assigned topic id to topic", zap.String("topic", name), zap.String("topic_id", encodeTopicID(t.id)))
		}
	}
	c.cc.topics[name] = t
	return nil
}

// startReplicaStateMachine: replicas on live brokers → Online, others → Offline (Kafka's
// ZkReplicaStateMachine.startup).
func (c *Controller) startReplicaStateMachine() {
	var online, offline []partitionReplica
	for _, tp := range c.cc.allPartitions() {
		for _, r := range c.cc.replicasOf(tp) {
			pr := partitionReplica{tp, r}
			if c.cc.isLiveOrShuttingDown(r) {
				c.cc.replStates[pr] = replicaOnline
				online = append(online, pr)
			} else {
				c.cc.replStates[pr] = replicaDeletionIneligible
				offline = append(offline, pr)
			}
		}
	}
	c.replicasToOnline(online)
	c.replicasToOffline(offline)
}

// startPartitionStateMachine: a partition with a live leader is Online, with a state znode but
// no live leader Offline, without one New; then every New/Offline partition gets an election.
func (c *Controller) startPartitionStateMachine() {
	for _, tp := range c.cc.allPartitions() {
		if l, ok := c.cc.leadership[tp]; ok {
			if c.cc.isLiveOrShuttingDown(l.Leader) {
				c.cc.partStates[tp] = partitionOnline
			} else {
				c.cc.partStates[tp] = partitionOffline
			}
		} else {
			c.cc.partStates[tp] = partitionNew
		}
	}
	c.triggerOnlinePartitionStateChange()
}
