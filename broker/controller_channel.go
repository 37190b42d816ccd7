package broker

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"

	"gokafka/protocol"
	"gokafka/zkcoord/controller"
)

// controllerChannel carries the controller's LeaderAndIsr, UpdateMetadata
// and StopReplica requests to brokers (Kafka's ControllerChannelManager):
// per destination broker one FIFO queue, one sender goroutine and one
// connection to the broker's inter-broker listener. The sender retries a
// request until it gets an answer (reconnecting with backoff) or the broker
// is removed, so requests to one broker arrive in the order they were sent,
// this broker included.
//
// Safe for concurrent use; implements controller.BrokerChannel.
type controllerChannel struct {
	brokerID int32  // immutable: this broker, for log lines
	listener string // inter-broker listener name; immutable
	timeout  time.Duration
	lg       *zap.Logger

	mu      sync.Mutex
	senders map[int32]*brokerSender // guarded by mu
	closed  bool                    // guarded by mu
}

var _ controller.BrokerChannel = (*controllerChannel)(nil)

// errBrokerRemoved is the error callbacks get for requests dropped because
// their broker left (or the channel closed).
var errBrokerRemoved = errors.New("broker: destination broker removed from the controller channel")

func newControllerChannel(brokerID int32, listener string, timeout time.Duration, lg *zap.Logger) *controllerChannel {
	return &controllerChannel{brokerID: brokerID, listener: listener, timeout: timeout, lg: lg, senders: map[int32]*brokerSender{}}
}

// AddBroker opens the queue for a broker (replacing an older one).
func (ch *controllerChannel) AddBroker(info controller.BrokerInfo) {
	addr, ok := interBrokerAddr(info, ch.listener)
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.closed {
		return
	}
	if old := ch.senders[info.ID]; old != nil {
		old.stop()
	}
	s := &brokerSender{ch: ch, id: info.ID, addr: addr, hasAddr: ok, wake: make(chan struct{}, 1), done: make(chan struct{})}
	ch.senders[info.ID] = s
	go s.run()
}

// interBrokerAddr finds the broker's endpoint for the inter-broker listener.
func interBrokerAddr(info controller.BrokerInfo, listener string) (string, bool) {
	e, ok := info.EndPoint(listener)
	if !ok {
		return "", false
	}
	return net.JoinHostPort(e.Host, strconv.Itoa(int(e.Port))), true
}

// RemoveBroker stops the broker's queue; queued requests fail with
// errBrokerRemoved.
func (ch *controllerChannel) RemoveBroker(id int32) {
	ch.mu.Lock()
	s := ch.senders[id]
	delete(ch.senders, id)
	ch.mu.Unlock()
	if s != nil {
		s.stop()
	}
}

// Send queues req for broker id, in order.
func (ch *controllerChannel) Send(id int32, req kmsg.Request, cb func(kmsg.Response, error)) {
	ch.mu.Lock()
	s := ch.senders[id]
	ch.mu.Unlock()
	if s == nil || !s.enqueue(queuedRequest{req: req, cb: cb}) {
		if cb != nil {
			cb(nil, fmt.Errorf("%w: broker %d", errBrokerRemoved, id))
		}
	}
}

// Drain waits until every queue is empty (each request answered or
// dropped) or timeout passed. The controller calls it before it resigns
// while its broker shuts down: the requests queued last carry the
// leadership changes of this broker's own controlled shutdown, and
// dropping them left the new leaders unaware of their leadership until the
// next controller's failover re-sent them.
func (ch *controllerChannel) Drain(timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		ch.mu.Lock()
		pending := 0
		for _, s := range ch.senders {
			s.mu.Lock()
			pending += len(s.queue)
			s.mu.Unlock()
		}
		ch.mu.Unlock()
		if pending == 0 {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// close stops every sender.
func (ch *controllerChannel) close() {
	ch.mu.Lock()
	ch.closed = true
	senders := ch.senders
	ch.senders = map[int32]*brokerSender{}
	ch.mu.Unlock()
	for _, s := range senders {
		s.stop()
	}
}

type queuedRequest struct {
	req kmsg.Request
	cb  func(kmsg.Response, error)
}

// brokerSender is Kafka's RequestSendThread for one destination.
type brokerSender struct {
	ch      *controllerChannel
	id      int32
	addr    string // immutable
	hasAddr bool   // immutable

	mu      sync.Mutex
	queue   []queuedRequest // guarded by mu
	stopped bool            // guarded by mu
	wake    chan struct{}
	done    chan struct{}

	client *ibClient // owned by run
}

func (s *brokerSender) enqueue(q queuedRequest) bool {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return false
	}
	s.queue = append(s.queue, q)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

func (s *brokerSender) stop() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	dropped := s.queue
	s.queue = nil
	s.mu.Unlock()
	close(s.done)
	for _, q := range dropped {
		if q.cb != nil {
			q.cb(nil, fmt.Errorf("%w: broker %d", errBrokerRemoved, s.id))
		}
	}
}

func (s *brokerSender) run() {
	defer func() {
		if s.client != nil {
			s.client.close()
		}
	}()
	for {
		s.mu.Lock()
		var q queuedRequest
		have := len(s.queue) > 0
		if have {
			q = s.queue[0]
		}
		s.mu.Unlock()
		if !have {
			select {
			case <-s.wake:
				continue
			case <-s.done:
				return
			}
		}
		resp, ok := s.sendWithRetry(q.req)
		if !ok {
			return // stopped; stop() failed the queue
		}
		s.mu.Lock()
		if s.stopped {
			s.mu.Unlock()
			return
		}
		s.queue = s.queue[1:]
		s.mu.Unlock()
		if q.cb != nil {
			q.cb(resp, nil)
		}
	}
}

// sendWithRetry sends until an answer arrives; false when stopped first.
func (s *brokerSender) sendWithRetry(req kmsg.Request) (kmsg.Response, bool) {
	backoff := 100 * time.Millisecond
	for {
		select {
		case <-s.done:
			return nil, false
		default:
		}
		var err error
		if !s.hasAddr {
			err = fmt.Errorf("broker %d has no endpoint for listener %s", s.id, s.ch.listener)
		} else {
			if s.client == nil {
				s.client, err = dialIB(s.addr, s.ch.timeout, fmt.Sprintf("broker-%d-controller", s.ch.brokerID))
			}
			if err == nil {
				var resp kmsg.Response
				resp, err = s.client.request(req)
				if err == nil {
					return resp, true
				}
				s.client.close()
				s.client = nil
			}
		}
		s.ch.lg.Warn(fmt.Sprintf("[RequestSendThread controllerId=%d] Controller %d epoch fails to send request %s to broker %d (%s). Reconnecting to broker.",
			s.ch.brokerID, s.ch.brokerID, kmsg.NameForKey(req.Key()), s.id, s.addr), zap.Error(err))
		select {
		case <-s.done:
			return nil, false
		case <-time.After(backoff):
		}
	}
}

// ibClient is a minimal blocking Kafka client over one connection: one
// request at a time, encoded and decoded with kmsg. Used by the controller
// channel and by controlled shutdown. Not safe for concurrent use.
type ibClient struct {
	nc       net.Conn
	br       *bufio.Reader
	timeout  time.Duration
	clientID string
	corr     int32
	buf      []byte
	// reuseReadBuffer makes request read each response into the previous
	// one's buffer: the caller must be done with a response (which
	// aliases it) before the next request. The replica fetcher is.
	reuseReadBuffer bool
	rbuf            []byte
}

func dialIB(addr string, timeout time.Duration, clientID string) (*ibClient, error) {
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	return &ibClient{nc: nc, br: bufio.NewReader(nc), timeout: timeout, clientID: clientID}, nil
}

func (c *ibClient) close() { c.nc.Close() }

// request sends req (its version must be set) and waits for the answer.
func (c *ibClient) request(req kmsg.Request) (kmsg.Response, error) {
	c.corr++
	c.buf = protocol.AppendRequest(c.buf[:0], req, c.corr, &c.clientID)
	if c.timeout > 0 {
		c.nc.SetDeadline(time.Now().Add(c.timeout))
	}
	if _, err := c.nc.Write(c.buf); err != nil {
		return nil, err
	}
	var rbuf []byte
	if c.reuseReadBuffer {
		rbuf = c.rbuf
	}
	frame, err := protocol.ReadFrame(c.br, rbuf, 1<<30)
	if err != nil {
		return nil, err
	}
	if c.reuseReadBuffer && cap(frame) > cap(c.rbuf) {
		c.rbuf = frame[:0]
	}
	resp := req.ResponseKind()
	resp.SetVersion(req.GetVersion())
	corr, err := protocol.ReadResponse(frame, resp)
	if err != nil {
		return nil, err
	}
	if corr != c.corr {
		return nil, fmt.Errorf("correlation id %d does not match request's %d", corr, c.corr)
	}
	return resp, nil
}
