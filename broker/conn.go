package broker

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"

	"gokafka/protocol"
)

// A connection runs two goroutines (STYLE.md "Connections, pipelining"):
//
//   - the reader reads frames, parses headers, decodes bodies with kmsg and
//     calls each request's handler in arrival order. A handler that cannot
//     answer at once (acks=all produce, long-poll fetch, admin calls that
//     wait for the controller) returns and finishes the request later from
//     another goroutine, so the reader goes on decoding behind it.
//   - the writer writes finished responses strictly in request order: each
//     request gets a sequence number and the writer only writes the answer
//     with the next number, holding back answers that finish early.
//
// Anything the broker cannot parse (unknown api key, unsupported version,
// malformed body, frame above socket.request.max.bytes) closes the
// connection after the answers to earlier requests have been written, as
// Kafka does; a panicking handler closes only its own connection.

// maxInFlight bounds the requests a connection has decoded but not yet
// answered: the reader stops reading while that many wait, so a client
// that never reads its answers cannot make the broker buffer without end.
const maxInFlight = 128

// pending is how a request finished: exactly one field is set.
type pending struct {
	resp     kmsg.Response
	fetch    *FetchResult
	none     bool
	closeErr error

	keepVersion bool   // resp already has its version (the KIP-511 answer is v0)
	frame       []byte // resp encoded by complete, so the writer only writes
	corr        int32
}

// conn is one client (or broker) connection. Safe for concurrent use:
// complete may be called from any goroutine.
type conn struct {
	b        *Broker
	nc       net.Conn
	listener string // immutable
	host     string // remote host, immutable
	lg       *zap.Logger

	slots chan struct{} // in-flight tokens: the reader takes one per request, the writer returns it

	mu      sync.Mutex
	nextSeq uint64             // next sequence number to assign; reader only, under mu
	ready   map[uint64]pending // finished, not yet written; guarded by mu
	closed  bool               // guarded by mu
	wake    chan struct{}      // capacity 1: something became ready

	done      chan struct{} // closed when the connection shuts down
	closeOnce sync.Once

	// mutedUntil (unix ns, 0: never muted) is when a quota throttle on
	// this connection ends. Until then the reader dispatches no further
	// request (Kafka mutes the channel, KIP-219); set from any goroutine.
	mutedUntil atomic.Int64

	// frame is the pooled buffer of the request being dispatched; reader
	// goroutine only. A handler that knows when its request's bytes are no
	// longer referenced takes it (takeFrame) and gives it back to the pool
	// then; an untaken frame is left to the garbage collector, since
	// decoded requests keep references into it (record batches, group
	// metadata, SASL tokens).
	frame []byte
}

func newConn(b *Broker, nc net.Conn, listener string, lg *zap.Logger) *conn {
	host, _, err := net.SplitHostPort(nc.RemoteAddr().String())
	if err != nil {
		host = nc.RemoteAddr().String()
	}
	return &conn{
		b:        b,
		nc:       nc,
		listener: listener,
		host:     host,
		lg:       lg,
		slots:    make(chan struct{}, maxInFlight),
		ready:    map[uint64]pending{},
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
}

// serve runs the connection until it closes; it returns after both
// goroutines have stopped.
func (c *conn) serve() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.writeLoop()
	}()
	c.readLoop()
	wg.Wait()
}

// shutdown closes the socket and wakes both goroutines; safe to call many
// times from anywhere.
func (c *conn) shutdown() {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.ready = nil
		c.mu.Unlock()
		close(c.done)
		c.nc.Close()
	})
}

func (c *conn) readLoop() {
	br := bufio.NewReaderSize(c.nc, 64<<10)
	maxBytes := c.b.cfg.SocketRequestMaxBytes
	idle := time.Duration(c.b.cfg.ConnectionsMaxIdleMs) * time.Millisecond
	for {
		select {
		case c.slots <- struct{}{}:
		case <-c.done:
			return
		}
		if idle > 0 {
			c.nc.SetReadDeadline(time.Now().Add(idle))
		}
		// Each frame gets its own buffer: handlers keep references into it
		// (record batches) after the reader moves on. Those of 4 KiB or
		// more come from a pool and go back only through takeFrame.
		frame, err := protocol.ReadPooledFrame(br, maxBytes)
		if err != nil {
			c.readFailed(err)
			c.shutdown()
			return
		}
		if !c.waitUnmuted() {
			return
		}
		c.frame = frame
		ok := c.dispatch(frame)
		c.frame = nil
		if !ok {
			// The request was finished with a close: the writer closes
			// the connection after the earlier answers.
			return
		}
	}
}

// throttle mutes the connection for d from now: a later request is read
// no sooner than that (ClientQuotaManager.throttle). An overlapping throttle
// extends the mute, never shortens it.
func (c *conn) throttle(d time.Duration) {
	until := time.Now().Add(d).UnixNano()
	for {
		old := c.mutedUntil.Load()
		if old >= until || c.mutedUntil.CompareAndSwap(old, until) {
			return
		}
	}
}

// waitUnmuted blocks the reader while the connection is throttled. The
// check runs after a frame is read, because the reader is usually blocked
// in the read when a handler decides to throttle. It returns false if the
// connection closed meanwhile.
func (c *conn) waitUnmuted() bool {
	for {
		until := c.mutedUntil.Load()
		if until == 0 {
			return true
		}
		d := time.Until(time.Unix(0, until))
		if d <= 0 {
			return true
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-c.done:
			t.Stop()
			return false
		}
	}
}

// takeFrame hands the current request's frame buffer to the caller, who
// gives it back with protocol.PutFrame once nothing references any part of
// it (the decoded request included). Only a handler, running on the reader
// goroutine, may call it, and at most once per request.
func (c *conn) takeFrame() []byte {
	f := c.frame
	c.frame = nil
	return f
}

// readFailed logs why reading stopped; ordinary disconnects are quiet.
func (c *conn) readFailed(err error) {
	var tooLarge *protocol.FrameTooLargeError
	var ne net.Error
	switch {
	case errors.As(err, &tooLarge):
		// Kafka: "Unexpected error from /host (channelId=...); closing connection"
		// with InvalidReceiveException; we keep the essential part.
		c.lg.Warn(fmt.Sprintf("Unexpected error from %s; closing connection: Invalid receive (size = %d larger than %d)",
			c.nc.RemoteAddr(), tooLarge.Size, tooLarge.Max), zap.String("listener", c.listener))
	case errors.Is(err, protocol.ErrNegativeFrameSize):
		c.lg.Warn(fmt.Sprintf("Unexpected error from %s; closing connection: Invalid receive (size = negative)", c.nc.RemoteAddr()))
	case errors.As(err, &ne) && ne.Timeout():
		c.lg.Debug(fmt.Sprintf("Closing idle connection from %s", c.nc.RemoteAddr()))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
	default:
		c.lg.Debug("Connection read failed", zap.Stringer("remote", c.nc.RemoteAddr()), zap.Error(err))
	}
}

// dispatch parses one frame and runs its handler. It returns false when the
// connection must stop reading.
func (c *conn) dispatch(frame []byte) bool {
	hdr, body, err := protocol.ReadRequestHeader(frame)
	r := &Request{
		Key:           hdr.Key,
		Version:       hdr.Version,
		CorrelationID: hdr.CorrelationID,
		ClientID:      hdr.ClientIDString(),
		Listener:      c.listener,
		ClientHost:    c.host,
		conn:          c,
	}
	c.mu.Lock()
	r.seq = c.nextSeq
	c.nextSeq++
	c.mu.Unlock()

	if errors.Is(err, protocol.ErrUnknownAPIKey) {
		c.closeAfter(r, fmt.Errorf("unknown api key %d", hdr.Key))
		return false
	}
	if err != nil {
		c.closeAfter(r, fmt.Errorf("parsing request header: %w", err))
		return false
	}
	row := lookupAPI(hdr.Key)
	if row == nil {
		c.closeAfter(r, fmt.Errorf("unknown api key %d", hdr.Key))
		return false
	}
	if hdr.Key == protocol.APIVersionsKey && hdr.Version > row.maxVersion {
		// KIP-511: the one request answered despite an unknown version.
		c.complete(r, pending{resp: protocol.UnsupportedAPIVersionsResponse(row.minVersion, row.maxVersion), keepVersion: true})
		return true
	}
	if hdr.Version < row.minVersion || hdr.Version > row.maxVersion {
		c.closeAfter(r, fmt.Errorf("unsupported version %d of %s (supported %d-%d)",
			hdr.Version, kmsg.NameForKey(hdr.Key), row.minVersion, row.maxVersion))
		return false
	}
	r.Msg, err = protocol.DecodeRequest(hdr, body)
	if err != nil {
		c.closeAfter(r, err)
		return false
	}
	return c.run(row, r)
}

// closeAfter finishes r by closing the connection, logged as Kafka logs an
// InvalidRequestException.
func (c *conn) closeAfter(r *Request, err error) {
	c.lg.Warn(fmt.Sprintf("Closing connection from %s due to invalid request: %v", c.nc.RemoteAddr(), err),
		zap.Int16("api_key", r.Key), zap.Int16("api_version", r.Version), zap.Int32("correlation_id", r.CorrelationID))
	c.complete(r, pending{closeErr: err})
}

// run calls the handler, turning a panic into a closed connection.
func (c *conn) run(row *api, r *Request) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			c.lg.Error(fmt.Sprintf("Unexpected error handling %s v%d from %s; closing connection: %v",
				kmsg.NameForKey(r.Key), r.Version, c.nc.RemoteAddr(), p),
				zap.Int16("api_key", r.Key), zap.String("stack", string(debug.Stack())))
			c.complete(r, pending{closeErr: fmt.Errorf("handler panic: %v", p)})
			ok = false
		}
	}()
	row.handle(c.b, r)
	return true
}

// complete records how r finished and wakes the writer. Encoding happens
// here, on the finishing goroutine, so the writer only copies bytes.
func (c *conn) complete(r *Request, p pending) {
	if !r.finished.CompareAndSwap(false, true) {
		c.lg.Error("Request finished twice (handler bug)", zap.Int16("api_key", r.Key), zap.Int32("correlation_id", r.CorrelationID))
		return
	}
	p.corr = r.CorrelationID
	if p.resp != nil {
		if !p.keepVersion {
			p.resp.SetVersion(r.Version)
		}
		p.frame = protocol.AppendResponse(nil, r.CorrelationID, p.resp)
		p.resp = nil
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.ready[r.seq] = p
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *conn) writeLoop() {
	defer c.shutdown()
	bw := bufio.NewWriterSize(c.nc, 64<<10)
	sc := rawConnOf(c.nc)
	var next uint64
	for {
		select {
		case <-c.wake:
		case <-c.done:
			return
		}
		for {
			c.mu.Lock()
			p, ok := c.ready[next]
			if ok {
				delete(c.ready, next)
			}
			c.mu.Unlock()
			if !ok {
				break
			}
			next++
			<-c.slots
			var err error
			switch {
			case p.frame != nil:
				_, err = bw.Write(p.frame)
			case p.fetch != nil:
				err = p.fetch.WriteFrame(bw, sc, p.corr)
			case p.closeErr != nil:
				bw.Flush()
				return
			}
			if err != nil {
				return
			}
		}
		if err := bw.Flush(); err != nil {
			return
		}
	}
}
