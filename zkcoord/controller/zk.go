package controller

import (
	"errors"
	"strconv"
	"strings"

	"github.com/go-zookeeper/zk"
	"go.uber.org/zap"
)

// zkAPI is the part of a ZooKeeper connection the controller uses: *zk.Conn's methods, paths
// relative to the cluster's chroot.
type zkAPI interface {
	Get(path string) ([]byte, *zk.Stat, error)
	GetW(path string) ([]byte, *zk.Stat, <-chan zk.Event, error)
	Children(path string) ([]string, *zk.Stat, error)
	ChildrenW(path string) ([]string, *zk.Stat, <-chan zk.Event, error)
	Exists(path string) (bool, *zk.Stat, error)
	ExistsW(path string) (bool, *zk.Stat, <-chan zk.Event, error)
	Create(path string, data []byte, flags int32, acl []zk.ACL) (string, error)
	Set(path string, data []byte, version int32) (*zk.Stat, error)
	Delete(path string, version int32) error
	Multi(ops ...any) ([]zk.MultiResponse, error)
}

var openACL = zk.WorldACL(zk.PermAll)

// fenced runs ops in one multi behind a check of /controller_epoch's zkVersion (zookeeper.md §5).
// A failed check means another broker became controller: the event is abandoned and this broker
// resigns when it ends. It returns the responses of ops (without the check).
func (c *Controller) fenced(ops ...any) ([]zk.MultiResponse, error) {
	if c.moved {
		return nil, errControllerMoved
	}
	all := append([]any{&zk.CheckVersionRequest{Path: controllerEpochPath, Version: c.cc.epochZkVersion}}, ops...)
	res, err := c.zk.Multi(all...)
	if len(res) > 0 && (errors.Is(res[0].Error, zk.ErrBadVersion) || errors.Is(res[0].Error, zk.ErrNoNode)) {
		c.moved = true
		return nil, errControllerMoved
	}
	if err != nil {
		// go-zookeeper reports the first failing operation's error.
		return nil, err
	}
	return res[1:], nil
}

// fencedSetState writes a state znode conditionally on its cached zkVersion and returns the new
// zkVersion; zk.ErrBadVersion means the cache is stale.
func (c *Controller) fencedSetState(tp TopicPartition, l leaderIsr) (int32, error) {
	res, err := c.fenced(&zk.SetDataRequest{Path: statePath(tp), Data: encodeState(l), Version: l.ZkVersion})
	if err != nil {
		return 0, err
	}
	return res[0].Stat.Version, nil
}

// readState reads a partition's state znode; ok is false when it does not exist.
func (c *Controller) readState(tp TopicPartition) (leaderIsr, bool, error) {
	data, st, err := c.zk.Get(statePath(tp))
	if errors.Is(err, zk.ErrNoNode) {
		return leaderIsr{}, false, nil
	}
	if err != nil {
		return leaderIsr{}, false, err
	}
	l, err := decodeState(tp, data, st.Version)
	return l, err == nil, err
}

// watchChildren reads path's children and, unless a watch is already set in this generation,
// arms one that queues fn when the children change.
func (c *Controller) watchChildren(path, name string, fn func()) ([]string, error) {
	if c.watched[path] {
		kids, _, err := c.zk.Children(path)
		return kids, err
	}
	kids, _, ch, err := c.zk.ChildrenW(path)
	if err != nil {
		return nil, err
	}
	c.arm(path, name, ch, fn)
	return kids, nil
}

// watchData reads path with a data watch (see watchChildren). A missing node yields ErrNoNode
// and no watch.
func (c *Controller) watchData(path, name string, fn func()) ([]byte, *zk.Stat, error) {
	if c.watched[path] {
		return c.zk.Get(path)
	}
	data, st, ch, err := c.zk.GetW(path)
	if err != nil {
		return nil, nil, err
	}
	c.arm(path, name, ch, fn)
	return data, st, nil
}

// watchExists arms an exists watch on path (fires on create, delete and data change).
func (c *Controller) watchExists(path, name string, fn func()) (bool, error) {
	if c.watched[path] {
		ok, _, err := c.zk.Exists(path)
		return ok, err
	}
	ok, _, ch, err := c.zk.ExistsW(path)
	if err != nil {
		return false, err
	}
	c.arm(path, name, ch, fn)
	return ok, nil
}

// arm forwards one watch trigger as an event of the current generation. ZooKeeper watches fire
// once; the handler re-arms by reading with a watch again.
func (c *Controller) arm(path, name string, ch <-chan zk.Event, fn func()) {
	c.watched[path] = true
	gen := c.gen
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		select {
		case ev, ok := <-ch:
			if !ok {
				ev.Type = zk.EventNotWatching
			}
			c.enqueue(event{name: name, fn: func() {
				if gen != c.gen {
					return // registered before a resignation
				}
				delete(c.watched, path)
				if ev.Type == zk.EventNotWatching {
					return // session gone; re-armed after re-election
				}
				fn()
			}})
		case <-c.closing:
		}
	}()
}

// unwatch forgets that a watch is set on path, for a node that went away.
func (c *Controller) unwatch(path string) { delete(c.watched, path) }

// readOrCreateEpoch returns /controller_epoch and its zkVersion, creating it as "0".
func (c *Controller) readOrCreateEpoch() (int32, int32, error) {
	data, st, err := c.zk.Get(controllerEpochPath)
	if errors.Is(err, zk.ErrNoNode) {
		_, err = c.zk.Create(controllerEpochPath, []byte("0"), 0, openACL)
		if err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return 0, 0, err
		}
		data, st, err = c.zk.Get(controllerEpochPath)
	}
	if err != nil {
		return 0, 0, err
	}
	e, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 32)
	if err != nil {
		return 0, 0, err
	}
	return int32(e), st.Version, nil
}

// createPersistent creates path (and missing parents) with data, ignoring NodeExists.
func (c *Controller) createPersistent(path string, data []byte) error {
	_, err := c.zk.Create(path, data, 0, openACL)
	if errors.Is(err, zk.ErrNoNode) {
		if i := strings.LastIndex(path, "/"); i > 0 {
			if err := c.createPersistent(path[:i], nil); err != nil {
				return err
			}
		}
		_, err = c.zk.Create(path, data, 0, openACL)
	}
	if errors.Is(err, zk.ErrNodeExists) {
		return nil
	}
	return err
}

// deleteTreeOps returns delete ops for path and everything below it, children first.
func (c *Controller) deleteTreeOps(path string) ([]any, error) {
	kids, _, err := c.zk.Children(path)
	if errors.Is(err, zk.ErrNoNode) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ops []any
	for _, k := range kids {
		sub, err := c.deleteTreeOps(path + "/" + k)
		if err != nil {
			return nil, err
		}
		ops = append(ops, sub...)
	}
	return append(ops, &zk.DeleteRequest{Path: path, Version: -1}), nil
}

// fencedDelete deletes the given paths (each may be missing) in fenced multis.
func (c *Controller) fencedDelete(paths ...string) error {
	for _, p := range paths {
		ok, _, err := c.zk.Exists(p)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if _, err := c.fenced(&zk.DeleteRequest{Path: p, Version: -1}); err != nil && !errors.Is(err, zk.ErrNoNode) {
			return err
		}
	}
	return nil
}

func (c *Controller) logZkError(what string, err error) {
	if err != nil && !errors.Is(err, errControllerMoved) {
		c.errorf("ZooKeeper error: "+what, zap.Error(err))
	}
}
