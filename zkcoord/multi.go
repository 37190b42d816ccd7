package zkcoord

import (
	"errors"
	"fmt"

	"github.com/go-zookeeper/zk"
)

// Op is one operation of a multi (a ZooKeeper transaction). Build it with
// CreateOp, SetDataOp, DeleteOp or CheckOp.
type Op struct {
	kind    int // opCreate, opSet, opDelete, opCheck
	Path    string
	Data    []byte
	Version int32
	Mode    CreateMode
}

const (
	opCreate = iota
	opSet
	opDelete
	opCheck
)

// CreateOp creates p with data.
func CreateOp(p string, data []byte, mode CreateMode) Op {
	return Op{kind: opCreate, Path: p, Data: data, Mode: mode}
}

// SetDataOp writes data if the version matches (-1: any).
func SetDataOp(p string, data []byte, version int32) Op {
	return Op{kind: opSet, Path: p, Data: data, Version: version}
}

// DeleteOp removes p if the version matches (-1: any).
func DeleteOp(p string, version int32) Op { return Op{kind: opDelete, Path: p, Version: version} }

// CheckOp fails the transaction unless p has the given data version.
func CheckOp(p string, version int32) Op { return Op{kind: opCheck, Path: p, Version: version} }

// OpResult is the outcome of one operation of a successful multi.
type OpResult struct {
	Path string // created path (sequential creates)
	Stat *Stat  // for set-data
}

// MultiError says which operation made a multi fail; it unwraps to the
// ZooKeeper error (errors.Is(err, ErrNodeExists), ...).
type MultiError struct {
	Index int
	Op    Op
	Err   error
}

func (e *MultiError) Error() string {
	return fmt.Sprintf("zkcoord: multi op %d on %s: %v", e.Index, e.Op.Path, e.Err)
}
func (e *MultiError) Unwrap() error { return e.Err }

// Multi runs ops atomically: all or none.
func (c *Client) Multi(ops ...Op) ([]OpResult, error) {
	reqs := make([]any, len(ops))
	for i, op := range ops {
		p := c.abs(op.Path)
		switch op.kind {
		case opCreate:
			reqs[i] = &zk.CreateRequest{Path: p, Data: op.Data, Acl: openACL, Flags: int32(op.Mode)}
		case opSet:
			reqs[i] = &zk.SetDataRequest{Path: p, Data: op.Data, Version: op.Version}
		case opDelete:
			reqs[i] = &zk.DeleteRequest{Path: p, Version: op.Version}
		case opCheck:
			reqs[i] = &zk.CheckVersionRequest{Path: p, Version: op.Version}
		}
	}
	var resps []zk.MultiResponse
	err := c.retry(func() (err error) { resps, err = c.conn.Multi(reqs...); return err })
	for i, r := range resps {
		// The failing op carries its error; ops after it carry a
		// "runtime inconsistency" marker, so the first error is the cause.
		if r.Error != nil {
			return nil, &MultiError{Index: i, Op: ops[i], Err: r.Error}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("zkcoord: multi: %w", err)
	}
	out := make([]OpResult, len(resps))
	for i, r := range resps {
		out[i] = OpResult{Path: c.rel(r.String), Stat: r.Stat}
	}
	return out, nil
}

// MultiFenced runs ops in one transaction together with a check that
// /controller_epoch still has controllerEpochZkVersion, as every controller
// write in Kafka does. If the check fails it returns ErrControllerMoved; the
// results returned are those of ops (the check's is dropped).
func (c *Client) MultiFenced(controllerEpochZkVersion int32, ops ...Op) ([]OpResult, error) {
	all := append([]Op{CheckOp(ControllerEpochPath, controllerEpochZkVersion)}, ops...)
	res, err := c.Multi(all...)
	var me *MultiError
	if errors.As(err, &me) {
		if me.Index == 0 {
			return nil, fmt.Errorf("%w (controller epoch zkVersion %d: %v)", ErrControllerMoved, controllerEpochZkVersion, me.Err)
		}
		me.Index--
		return nil, me
	}
	if err != nil {
		return nil, err
	}
	return res[1:], nil
}
