package controller

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"
)

// BrokerChannel carries the controller's requests to brokers; the broker implements it (Kafka's
// ControllerChannelManager). The controller never opens sockets.
type BrokerChannel interface {
	// AddBroker opens a FIFO queue and a connection to the broker's inter-broker listener.
	AddBroker(info BrokerInfo)
	// RemoveBroker drops the broker's queue; queued requests are discarded.
	RemoveBroker(id int32)
	// Send queues req for broker id. Requests to one broker are sent in Send order. cb, when not
	// nil, gets the response or the error (also when the request is dropped); it may run on any
	// goroutine and must not block.
	Send(id int32, req kmsg.Request, cb func(kmsg.Response, error))
}

// drainer is implemented by a BrokerChannel that can wait for its queues to
// empty (the broker's); Close uses it before resigning.
type drainer interface {
	Drain(timeout time.Duration)
}

// shutdownDrainTimeout bounds that wait.
const shutdownDrainTimeout = time.Second

// Errors returned by the entry points the broker calls; each maps to one Kafka error code.
var (
	ErrNotController      = errors.New("controller: this broker is not the controller")  // NOT_CONTROLLER
	ErrStaleBrokerEpoch   = errors.New("controller: stale broker epoch")                 // STALE_BROKER_EPOCH
	ErrBrokerNotAvailable = errors.New("controller: broker not available")               // BROKER_NOT_AVAILABLE
	ErrClosed             = errors.New("controller: closed")                             // NOT_CONTROLLER to clients
	errControllerMoved    = errors.New("controller: controller moved to another broker") // BADVERSION on /controller_epoch
)

// event is one unit of controller work. fn runs on the event goroutine.
type event struct {
	name string
	fn   func()
}

// Controller is the ZooKeeper-mode controller component every broker runs. Its exported methods
// are safe for concurrent use; all state lives on one goroutine that drains an event queue
// (Kafka's ControllerEventManager).
type Controller struct {
	zk  zkAPI
	cfg Config
	ch  BrokerChannel
	lg  *zap.Logger // "[Controller id=N] ..." messages (controller.log)
	// stateChange logs requests and state transitions (state-change.log).
	stateChange *zap.Logger
	now         func() time.Time

	mu      sync.Mutex
	queue   []event       // guarded by mu
	wake    chan struct{} // capacity 1: something was queued
	closing chan struct{}
	wg      sync.WaitGroup
	started atomic.Bool
	closed  atomic.Bool

	active   atomic.Bool
	activeID atomic.Int32
	epoch    atomic.Int32

	// Owned by the event goroutine.
	cc                *controllerContext
	batch             *requestBatch
	gen               uint64          // bumped on every resignation: stale watch events are dropped
	watched           map[string]bool // data/child/exists watches set in this generation
	controllerWatched bool            // the exists watch on /controller is set
	moved             bool            // a fenced write hit BADVERSION during this event
	rebalance         *time.Timer
}

// newController builds a controller over a ZooKeeper connection seam.
func newController(api zkAPI, cfg Config, ch BrokerChannel, lg *zap.Logger) *Controller {
	cfg.normalize()
	if lg == nil {
		lg = zap.NewNop()
	}
	c := &Controller{
		zk:          api,
		cfg:         cfg,
		ch:          ch,
		lg:          lg.Named("kafka.controller.KafkaController"),
		stateChange: lg.Named("state.change.logger"),
		now:         time.Now,
		wake:        make(chan struct{}, 1),
		closing:     make(chan struct{}),
		cc:          newContext(),
		batch:       newRequestBatch(),
		watched:     map[string]bool{},
	}
	c.activeID.Store(-1)
	return c
}

func (c *Controller) prefix() string { return fmt.Sprintf("[Controller id=%d] ", c.cfg.BrokerID) }

func (c *Controller) info(msg string, fields ...zap.Field) { c.lg.Info(c.prefix()+msg, fields...) }
func (c *Controller) warn(msg string, fields ...zap.Field) { c.lg.Warn(c.prefix()+msg, fields...) }
func (c *Controller) errorf(msg string, fields ...zap.Field) {
	c.lg.Error(c.prefix()+msg, fields...)
}

// Start starts the event goroutine and queues the startup event: watch /controller and try to
// become the controller (controller.md §2). Call it after the broker registered /brokers/ids/N.
func (c *Controller) Start() {
	if !c.started.CompareAndSwap(false, true) {
		return
	}
	c.wg.Add(1)
	go c.run()
	c.enqueue(event{name: "Startup", fn: c.elect})
}

// Close resigns (if active), stops the event goroutine and waits for it. It does not delete
// /controller: closing the ZooKeeper session does that.
func (c *Controller) Close() {
	if !c.closed.CompareAndSwap(false, true) {
		return
	}
	if c.started.Load() {
		done := make(chan struct{})
		c.enqueue(event{name: "Shutdown", fn: func() {
			// Requests already queued (LeaderAndIsr of this broker's own
			// controlled shutdown, typically) are delivered first, briefly:
			// resigning drops them.
			if d, ok := c.ch.(drainer); ok && c.active.Load() {
				d.Drain(shutdownDrainTimeout)
			}
			c.resign()
			close(done)
		}})
		select {
		case <-done:
		case <-time.After(30 * time.Second):
		}
	}
	close(c.closing)
	c.wg.Wait()
}

// IsActive reports whether this broker is the controller.
func (c *Controller) IsActive() bool { return c.active.Load() }

// ActiveControllerID returns the id in /controller as last seen, -1 if none.
func (c *Controller) ActiveControllerID() int32 { return c.activeID.Load() }

// Epoch returns the controller epoch this broker won, 0 if it never was controller.
func (c *Controller) Epoch() int32 { return c.epoch.Load() }

// OnSessionExpired must be called when the ZooKeeper session expired (before re-registration):
// the controller resigns and forgets its watches (zookeeper.md §5).
func (c *Controller) OnSessionExpired() {
	c.enqueue(event{name: "Expire", fn: func() {
		c.resign()
		c.controllerWatched = false
		c.activeID.Store(-1)
	}})
}

// OnSessionReestablished must be called after the broker re-registered /brokers/ids/N in a new
// session: the controller re-arms its /controller watch and takes part in the election again.
func (c *Controller) OnSessionReestablished() {
	c.enqueue(event{name: "RegisterBrokerAndReelect", fn: c.elect})
}

func (c *Controller) enqueue(e event) {
	if c.closed.Load() && e.name != "Shutdown" {
		return
	}
	c.mu.Lock()
	c.queue = append(c.queue, e)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// call runs fn on the event goroutine and waits for it; it returns ErrClosed if the controller
// is closed first.
func (c *Controller) call(name string, fn func()) error {
	if !c.started.Load() || c.closed.Load() {
		return ErrClosed
	}
	done := make(chan struct{})
	c.enqueue(event{name: name, fn: func() { fn(); close(done) }})
	select {
	case <-done:
		return nil
	case <-c.closing:
		return ErrClosed
	}
}

func (c *Controller) run() {
	defer c.wg.Done()
	for {
		c.mu.Lock()
		q := c.queue
		c.queue = nil
		c.mu.Unlock()
		for _, e := range q {
			c.process(e)
		}
		if len(q) > 0 {
			continue
		}
		select {
		case <-c.wake:
		case <-c.closing:
			return
		}
	}
}

// process runs one event. A fenced write that found another controller's epoch makes the
// controller resign right after the event (Kafka's ControllerMovedException handling).
func (c *Controller) process(e event) {
	c.moved = false
	c.lg.Debug(c.prefix()+"Processing event", zap.String("event", e.name))
	e.fn()
	if c.moved {
		c.moved = false
		c.info("Controller moved to another broker when processing " + e.name + ". Trigger controller move listener immediately")
		c.batch.reset()
		c.resign()
		c.elect()
	}
}
