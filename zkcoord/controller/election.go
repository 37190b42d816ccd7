package controller

import (
	"errors"

	"github.com/go-zookeeper/zk"
	"go.uber.org/zap"
)

// Controller election and fencing (controller.md §2, Kafka's KafkaController.elect).

// armControllerWatch sets the exists watch on /controller (it survives resignations, unlike the
// controller-only watches) and returns the id it names, -1 if none.
func (c *Controller) armControllerWatch() (int32, error) {
	var (
		ok  bool
		ch  <-chan zk.Event
		st  *zk.Stat
		err error
	)
	if c.controllerWatched {
		ok, st, err = c.zk.Exists(controllerPath)
	} else {
		ok, st, ch, err = c.zk.ExistsW(controllerPath)
	}
	_ = st
	if err != nil {
		return -1, err
	}
	if ch != nil {
		c.controllerWatched = true
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			select {
			case ev, ok := <-ch:
				if !ok {
					ev.Type = zk.EventNotWatching
				}
				c.enqueue(event{name: "ControllerChange", fn: func() {
					c.controllerWatched = false
					if ev.Type == zk.EventNotWatching {
						return
					}
					c.onControllerChange(ev.Type)
				}})
			case <-c.closing:
			}
		}()
	}
	if !ok {
		return -1, nil
	}
	return c.readControllerID()
}

func (c *Controller) readControllerID() (int32, error) {
	data, _, err := c.zk.Get(controllerPath)
	if errors.Is(err, zk.ErrNoNode) {
		return -1, nil
	}
	if err != nil {
		return -1, err
	}
	return decodeControllerZNode(data)
}

// onControllerChange handles the /controller watch: a changed or new znode may name another
// broker (resign); a deleted one starts an election (Kafka's ControllerChange and Reelect).
func (c *Controller) onControllerChange(t zk.EventType) {
	if t == zk.EventNodeDeleted {
		c.maybeResign()
		c.elect()
		return
	}
	c.maybeResign()
}

// maybeResign re-reads /controller (re-arming the watch) and resigns if it no longer names us.
func (c *Controller) maybeResign() {
	id, err := c.armControllerWatch()
	if err != nil {
		c.logZkError("reading /controller", err)
		return
	}
	c.activeID.Store(id)
	if c.active.Load() && id != c.cfg.BrokerID {
		c.resign()
	}
}

// elect tries to become the controller unless /controller already names a broker.
func (c *Controller) elect() {
	if c.closed.Load() {
		return
	}
	id, err := c.armControllerWatch()
	if err != nil {
		c.logZkError("reading /controller", err)
		return
	}
	c.activeID.Store(id)
	if id != -1 {
		// Kafka stops here even when the znode names this broker: a live /controller is
		// always somebody's election result.
		c.lg.Debug(c.prefix()+"Broker has been elected as the controller, so stopping the election process.", zap.Int32("controller_id", id))
		return
	}
	epoch, ver, err := c.readOrCreateEpoch()
	if err != nil {
		c.logZkError("reading /controller_epoch", err)
		return
	}
	res, err := c.zk.Multi(
		&zk.CreateRequest{Path: controllerPath, Data: encodeControllerZNode(c.cfg.BrokerID, c.now()), Acl: openACL, Flags: zk.FlagEphemeral},
		&zk.SetDataRequest{Path: controllerEpochPath, Data: []byte(itoa(epoch + 1)), Version: ver},
	)
	if err == nil {
		c.becomeController(epoch+1, res[1].Stat.Version)
		return
	}
	if errors.Is(err, zk.ErrNodeExists) || errors.Is(err, zk.ErrBadVersion) {
		// Lost the race, or our own retried request won: /controller tells.
		id, rerr := c.readControllerID()
		if rerr != nil {
			c.logZkError("reading /controller", rerr)
			return
		}
		c.activeID.Store(id)
		if id == c.cfg.BrokerID {
			if e, v, rerr := c.readOrCreateEpoch(); rerr == nil && e == epoch+1 {
				c.becomeController(e, v)
				return
			}
		}
		c.info("Broker has been elected as the controller, so stopping the election process.", zap.Int32("controller_id", id))
		return
	}
	c.logZkError("Error while electing or becoming controller on broker", err)
}

func (c *Controller) becomeController(epoch, zkVersion int32) {
	c.cc = newContext()
	c.cc.epoch, c.cc.epochZkVersion = epoch, zkVersion
	c.activeID.Store(c.cfg.BrokerID)
	c.epoch.Store(epoch)
	c.active.Store(true)
	c.info(itoa(c.cfg.BrokerID)+" successfully elected as the controller. Epoch incremented to "+itoa(epoch)+
		" and epoch zk version is now "+itoa(zkVersion), zap.Int32("controller_epoch", epoch))
	c.onControllerFailover()
}

// resign drops the controller role: forget state, drop the controller-only watches (their
// events are ignored from now on) and close the broker channel's queues (Kafka's
// onControllerResignation).
func (c *Controller) resign() {
	if !c.active.Load() {
		return
	}
	c.info("Resigned")
	c.active.Store(false)
	c.gen++
	c.watched = map[string]bool{}
	if c.rebalance != nil {
		c.rebalance.Stop()
		c.rebalance = nil
	}
	c.batch.reset()
	for _, id := range c.cc.liveOrShuttingDownIDs() {
		c.ch.RemoveBroker(id)
	}
	c.cc = newContext()
}

func itoa[T ~int32 | ~int64 | ~int](v T) string {
	return formatInt(int64(v))
}
