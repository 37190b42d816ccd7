package zkcoord

import (
	"errors"
	"fmt"
	"net"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zookeeper/zk"
	"go.uber.org/zap"
)

// Stat is a znode's metadata (czxid, version, ephemeralOwner, ...).
type Stat = zk.Stat

// ZooKeeper errors, comparable with errors.Is, also through MultiError.
var (
	ErrNoNode           = zk.ErrNoNode
	ErrNodeExists       = zk.ErrNodeExists
	ErrBadVersion       = zk.ErrBadVersion
	ErrNotEmpty         = zk.ErrNotEmpty
	ErrSessionExpired   = zk.ErrSessionExpired
	ErrNoAuth           = zk.ErrNoAuth
	ErrConnectionClosed = zk.ErrConnectionClosed
	ErrClosing          = zk.ErrClosing
)

// ErrControllerMoved means a fenced write failed its check on
// /controller_epoch: another controller has been elected since (Kafka's
// ControllerMovedException). The caller must resign.
var ErrControllerMoved = errors.New("zkcoord: controller moved to another broker")

// ConnectTimeoutError is returned by Connect when no session was established
// in time. Its message is Kafka's ZooKeeperClientTimeoutException's.
type ConnectTimeoutError struct{ State string }

func (e *ConnectTimeoutError) Error() string {
	return "Timed out waiting for connection while in state: " + e.State
}

// dialer, when set, replaces net.DialTimeout (tests cut connections with it
// to make sessions expire).
var dialer zk.Dialer

// Client is a ZooKeeper session with an optional chroot: every path given to
// its methods is relative to the chroot. It is safe for concurrent use.
//
// On session expiry go-zookeeper opens a new session by itself; the Client
// then runs the OnSessionExpired hooks, and the OnReconnected hooks once the
// new session exists (ephemeral nodes and watches of the old one are gone:
// re-register the broker, re-run the election, re-set watches).
type Client struct {
	conn           *zk.Conn
	chroot         string // "" or "/kafka"
	lg             *zap.Logger
	sessionTimeout time.Duration // bounds retries after connection loss

	events chan zk.Event // session events, drained by dispatch

	mu            sync.Mutex
	onExpired     []func() // guarded by mu
	onReconnected []func() // guarded by mu
	expired       bool     // guarded by mu: waiting for a new session
	connected     chan struct{}
	connectedOnce sync.Once
	closeOnce     sync.Once
	done          chan struct{} // closed by Close
	stopped       chan struct{} // closed when dispatch has returned
	inHook        atomic.Bool   // dispatch is running a hook (which may call Close)
}

// Connect opens a session with the ensemble of a zookeeper.connect string
// ("host1:2181,host2:2181/chroot") and waits up to connTimeout for it. With
// a chroot, the chroot path is created first if missing (as a Kafka broker
// does), then everything lives below it.
func Connect(connect string, sessionTimeout, connTimeout time.Duration, lg *zap.Logger) (*Client, error) {
	if lg == nil {
		lg = zap.NewNop()
	}
	hosts, chroot := connect, ""
	if i := strings.IndexByte(connect, '/'); i >= 0 {
		hosts, chroot = connect[:i], path.Clean(connect[i:])
		if chroot == "/" {
			chroot = ""
		}
	}
	var servers []string
	for _, h := range strings.Split(hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			servers = append(servers, h)
		}
	}
	if len(servers) == 0 {
		return nil, fmt.Errorf("zkcoord: no ZooKeeper server in %q", connect)
	}
	c := &Client{
		lg:             lg,
		sessionTimeout: sessionTimeout,
		events:         make(chan zk.Event, 256),
		connected:      make(chan struct{}),
		done:           make(chan struct{}),
		stopped:        make(chan struct{}),
	}
	lg.Info("[ZooKeeperClient] Initializing a new session to " + connect + ".")
	dial := dialer
	if dial == nil {
		dial = net.DialTimeout
	}
	conn, _, err := zk.Connect(servers, sessionTimeout,
		zk.WithLogger(zkLogger{lg}), zk.WithLogInfo(false),
		zk.WithEventCallback(c.onEvent), zk.WithDialer(dial))
	if err != nil {
		return nil, fmt.Errorf("zkcoord: %w", err)
	}
	c.conn = conn
	go c.dispatch()

	lg.Info("[ZooKeeperClient] Waiting until connected.")
	select {
	case <-c.connected:
	case <-time.After(connTimeout):
		c.Close()
		return nil, &ConnectTimeoutError{State: "CONNECTING"}
	}
	lg.Info("[ZooKeeperClient] Connected.")
	if chroot != "" {
		if err := c.ensurePathRaw(chroot); err != nil {
			c.Close()
			return nil, fmt.Errorf("zkcoord: creating chroot %s: %w", chroot, err)
		}
		c.chroot = chroot
	}
	return c, nil
}

// onEvent runs on go-zookeeper's goroutine and must not block.
func (c *Client) onEvent(ev zk.Event) {
	if ev.Type != zk.EventSession {
		return
	}
	if ev.State == zk.StateHasSession {
		c.connectedOnce.Do(func() { close(c.connected) })
	}
	select {
	case c.events <- ev:
	default:
		c.lg.Warn("zkcoord: session event queue full, dropping event", zap.String("state", ev.State.String()))
	}
}

// dispatch runs the session hooks in event order on one goroutine.
func (c *Client) dispatch() {
	defer close(c.stopped)
	run := func(hooks []func()) {
		c.inHook.Store(true)
		defer c.inHook.Store(false)
		for _, h := range hooks {
			h()
		}
	}
	for {
		select {
		case <-c.done:
			return
		case ev := <-c.events:
			select {
			case <-c.done: // closed meanwhile: no more hooks or logs
				return
			default:
			}
			switch ev.State {
			case zk.StateExpired:
				c.lg.Info("[ZooKeeperClient] Session expired.")
				c.mu.Lock()
				c.expired = true
				hooks := append([]func(){}, c.onExpired...)
				c.mu.Unlock()
				run(hooks)
			case zk.StateHasSession:
				c.mu.Lock()
				was := c.expired
				c.expired = false
				hooks := append([]func(){}, c.onReconnected...)
				c.mu.Unlock()
				if was {
					c.lg.Info("[ZooKeeperClient] Re-established a session after expiry.")
					run(hooks)
				}
			case zk.StateDisconnected:
				c.lg.Debug("[ZooKeeperClient] Disconnected.")
			}
		}
	}
}

// OnSessionExpired registers fn to run when the session has expired.
func (c *Client) OnSessionExpired(fn func()) {
	c.mu.Lock()
	c.onExpired = append(c.onExpired, fn)
	c.mu.Unlock()
}

// OnReconnected registers fn to run once a new session exists after an
// expiry.
func (c *Client) OnReconnected(fn func()) {
	c.mu.Lock()
	c.onReconnected = append(c.onReconnected, fn)
	c.mu.Unlock()
}

// SessionID returns the current session id (the ephemeralOwner of the
// ephemeral nodes this client creates).
func (c *Client) SessionID() int64 { return c.conn.SessionID() }

// Chroot returns the chroot path ("" for none).
func (c *Client) Chroot() string { return c.chroot }

// Conn exposes the underlying connection; paths on it are absolute (no chroot).
func (c *Client) Conn() *zk.Conn { return c.conn }

// Close ends the session: its ephemeral nodes vanish at once. It returns
// after the session hooks have stopped (unless called from a hook).
func (c *Client) Close() {
	c.closeOnce.Do(func() {
		close(c.done)
		c.conn.Close()
	})
	if !c.inHook.Load() {
		<-c.stopped
	}
}

func (c *Client) abs(p string) string {
	if c.chroot == "" {
		return p
	}
	if p == "/" {
		return c.chroot
	}
	return c.chroot + p
}

func (c *Client) rel(p string) string {
	if c.chroot == "" {
		return p
	}
	if r := strings.TrimPrefix(p, c.chroot); r != p {
		if r == "" {
			return "/"
		}
		return r
	}
	return p
}

var openACL = zk.WorldACL(zk.PermAll)

// CreateMode says how a znode is created.
type CreateMode int32

// Create modes.
const (
	Persistent           CreateMode = zk.FlagPersistent
	Ephemeral            CreateMode = zk.FlagEphemeral
	PersistentSequential CreateMode = zk.FlagSequence
	EphemeralSequential  CreateMode = zk.FlagEphemeral | zk.FlagSequence
)

// Get returns a znode's data and stat.
func (c *Client) Get(p string) (data []byte, st *Stat, err error) {
	err = c.retry(func() error { data, st, err = c.conn.Get(c.abs(p)); return err })
	return data, st, wrap(p, err)
}

// Children returns a znode's children, sorted.
func (c *Client) Children(p string) (kids []string, err error) {
	err = c.retry(func() error { kids, _, err = c.conn.Children(c.abs(p)); return err })
	sort.Strings(kids)
	return kids, wrap(p, err)
}

// Exists reports whether a znode exists, with its stat.
func (c *Client) Exists(p string) (ok bool, st *Stat, err error) {
	err = c.retry(func() error { ok, st, err = c.conn.Exists(c.abs(p)); return err })
	return ok, st, wrap(p, err)
}

// Create creates one znode (its parent must exist) and returns its path,
// which differs from p for sequential modes.
func (c *Client) Create(p string, data []byte, mode CreateMode) (string, error) {
	var got string
	err := c.retry(func() (err error) { got, err = c.conn.Create(c.abs(p), data, int32(mode), openACL); return err })
	if err != nil {
		return "", wrap(p, err)
	}
	return c.rel(got), nil
}

// CreateRecursive creates a persistent znode with data, creating missing
// parents (without data) first. ErrNodeExists if p itself exists.
func (c *Client) CreateRecursive(p string, data []byte) error {
	_, err := c.Create(p, data, Persistent)
	if errors.Is(err, ErrNoNode) {
		if err := c.EnsurePath(path.Dir(p)); err != nil {
			return err
		}
		_, err = c.Create(p, data, Persistent)
	}
	return err
}

// EnsurePath creates p and its parents as empty persistent znodes when
// missing; existing nodes are left alone.
func (c *Client) EnsurePath(p string) error {
	return wrap(p, c.ensurePathRaw(c.abs(p)))
}

func (c *Client) ensurePathRaw(abs string) error {
	if abs == "/" || abs == "" {
		return nil
	}
	create := func() error {
		return c.retry(func() error { _, err := c.conn.Create(abs, nil, zk.FlagPersistent, openACL); return err })
	}
	err := create()
	if err == zk.ErrNoNode {
		if err := c.ensurePathRaw(path.Dir(abs)); err != nil {
			return err
		}
		err = create()
	}
	if err == zk.ErrNodeExists {
		return nil
	}
	return err
}

// Set writes a znode's data if its version matches (-1: any version).
func (c *Client) Set(p string, data []byte, version int32) (st *Stat, err error) {
	err = c.retry(func() error { st, err = c.conn.Set(c.abs(p), data, version); return err })
	return st, wrap(p, err)
}

// Delete removes a znode if its version matches (-1: any version).
func (c *Client) Delete(p string, version int32) error {
	return wrap(p, c.retry(func() error { return c.conn.Delete(c.abs(p), version) }))
}

// DeleteRecursive removes a znode and everything below it; a missing node
// is not an error.
func (c *Client) DeleteRecursive(p string) error {
	kids, err := c.Children(p)
	if errors.Is(err, ErrNoNode) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, k := range kids {
		if err := c.DeleteRecursive(path.Join(p, k)); err != nil {
			return err
		}
	}
	err = c.Delete(p, -1)
	if errors.Is(err, ErrNoNode) {
		return nil
	}
	return err
}

// retry runs op again while the connection is lost (ZooKeeper unreachable or
// a request cut by a disconnect), for up to one session timeout, as Kafka's
// ZooKeeperClient waits until connected and retries on CONNECTIONLOSS. A
// retried write may meet its own earlier success (NodeExists, BadVersion),
// exactly as in Kafka; callers that care check ownership (RegisterBroker).
func (c *Client) retry(op func() error) error {
	deadline := time.Now().Add(c.sessionTimeout)
	for {
		err := op()
		if err != zk.ErrConnectionClosed && err != zk.ErrNoServer {
			return err
		}
		select {
		case <-c.done:
			return err
		default:
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// PathError tells which znode an operation failed on; it unwraps to the
// ZooKeeper error.
type PathError struct {
	Path string
	Err  error
}

func (e *PathError) Error() string { return "zkcoord: " + e.Path + ": " + e.Err.Error() }
func (e *PathError) Unwrap() error { return e.Err }

func wrap(p string, err error) error {
	if err == nil {
		return nil
	}
	return &PathError{Path: p, Err: err}
}

// zkLogger routes go-zookeeper's own messages to zap at debug level.
type zkLogger struct{ lg *zap.Logger }

func (l zkLogger) Printf(format string, args ...any) {
	l.lg.Debug("zk: " + fmt.Sprintf(format, args...))
}
