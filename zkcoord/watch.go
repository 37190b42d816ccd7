package zkcoord

import (
	"sort"

	"github.com/go-zookeeper/zk"
)

// EventType says what a watch saw.
type EventType = zk.EventType

// Watch event types.
const (
	EventNodeCreated         = zk.EventNodeCreated
	EventNodeDeleted         = zk.EventNodeDeleted
	EventNodeDataChanged     = zk.EventNodeDataChanged
	EventNodeChildrenChanged = zk.EventNodeChildrenChanged
	// EventNotWatching: the watch was dropped without firing (session
	// expired or client closed); Err says why.
	EventNotWatching = zk.EventNotWatching
)

// WatchEvent is one firing of a one-shot watch. Path is relative to the
// chroot.
type WatchEvent struct {
	Type EventType
	Path string
	Err  error
}

// A watch fires once; re-arm it by calling the W method again, as Kafka does.
// Each callback runs on its own goroutine and should only hand the event to
// its owner (the controller enqueues it).

// GetDataW reads a znode and leaves a data watch on it (fires on change or
// deletion).
func (c *Client) GetDataW(p string, fn func(WatchEvent)) ([]byte, *Stat, error) {
	var data []byte
	var st *Stat
	var ch <-chan zk.Event
	err := c.retry(func() (err error) { data, st, ch, err = c.conn.GetW(c.abs(p)); return err })
	if err != nil {
		return nil, nil, wrap(p, err)
	}
	c.deliver(ch, fn)
	return data, st, nil
}

// GetChildrenW lists a znode's children (sorted) and leaves a child watch.
func (c *Client) GetChildrenW(p string, fn func(WatchEvent)) ([]string, *Stat, error) {
	var kids []string
	var st *Stat
	var ch <-chan zk.Event
	err := c.retry(func() (err error) { kids, st, ch, err = c.conn.ChildrenW(c.abs(p)); return err })
	if err != nil {
		return nil, nil, wrap(p, err)
	}
	sort.Strings(kids)
	c.deliver(ch, fn)
	return kids, st, nil
}

// ExistsW checks a znode and leaves an exists watch, which also fires when
// a missing node is created.
func (c *Client) ExistsW(p string, fn func(WatchEvent)) (bool, *Stat, error) {
	var ok bool
	var st *Stat
	var ch <-chan zk.Event
	err := c.retry(func() (err error) { ok, st, ch, err = c.conn.ExistsW(c.abs(p)); return err })
	if err != nil {
		return false, nil, wrap(p, err)
	}
	c.deliver(ch, fn)
	return ok, st, nil
}

func (c *Client) deliver(ch <-chan zk.Event, fn func(WatchEvent)) {
	go func() {
		ev, ok := <-ch
		if !ok {
			return
		}
		fn(WatchEvent{Type: ev.Type, Path: c.rel(ev.Path), Err: ev.Err})
	}()
}
