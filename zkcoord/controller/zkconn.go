package controller

import (
	"github.com/go-zookeeper/zk"
)

// chrootConn is zkAPI over zkcoord.Client's connection: paths are given relative to the chroot.
// The controller uses the raw connection (not Client's callback watches) because its watches
// forward into the event queue with a generation tag.
type chrootConn struct {
	conn *zk.Conn
	root string // "" or "/kafka"
}

func (c chrootConn) abs(p string) string {
	if c.root == "" {
		return p
	}
	if p == "/" {
		return c.root
	}
	return c.root + p
}

func (c chrootConn) Get(p string) ([]byte, *zk.Stat, error) { return c.conn.Get(c.abs(p)) }
func (c chrootConn) GetW(p string) ([]byte, *zk.Stat, <-chan zk.Event, error) {
	return c.conn.GetW(c.abs(p))
}
func (c chrootConn) Children(p string) ([]string, *zk.Stat, error) { return c.conn.Children(c.abs(p)) }
func (c chrootConn) ChildrenW(p string) ([]string, *zk.Stat, <-chan zk.Event, error) {
	return c.conn.ChildrenW(c.abs(p))
}
func (c chrootConn) Exists(p string) (bool, *zk.Stat, error) { return c.conn.Exists(c.abs(p)) }
func (c chrootConn) ExistsW(p string) (bool, *zk.Stat, <-chan zk.Event, error) {
	return c.conn.ExistsW(c.abs(p))
}
func (c chrootConn) Create(p string, data []byte, flags int32, acl []zk.ACL) (string, error) {
	return c.conn.Create(c.abs(p), data, flags, acl)
}
func (c chrootConn) Set(p string, data []byte, version int32) (*zk.Stat, error) {
	return c.conn.Set(c.abs(p), data, version)
}
func (c chrootConn) Delete(p string, version int32) error { return c.conn.Delete(c.abs(p), version) }

func (c chrootConn) Multi(ops ...any) ([]zk.MultiResponse, error) {
	out := make([]any, len(ops))
	for i, op := range ops {
		switch o := op.(type) {
		case *zk.CreateRequest:
			cp := *o
			cp.Path = c.abs(o.Path)
			out[i] = &cp
		case *zk.SetDataRequest:
			cp := *o
			cp.Path = c.abs(o.Path)
			out[i] = &cp
		case *zk.DeleteRequest:
			cp := *o
			cp.Path = c.abs(o.Path)
			out[i] = &cp
		case *zk.CheckVersionRequest:
			cp := *o
			cp.Path = c.abs(o.Path)
			out[i] = &cp
		default:
			out[i] = op
		}
	}
	return c.conn.Multi(out...)
}
