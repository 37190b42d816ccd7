package broker

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"

	"go.uber.org/zap"
)

// socketServer owns the listeners and every open connection (Kafka's
// SocketServer). Safe for concurrent use.
type socketServer struct {
	b  *Broker
	lg *zap.Logger

	mu        sync.Mutex
	listeners map[string]net.Listener // by listener name; guarded by mu
	conns     map[*conn]struct{}      // guarded by mu
	closed    bool                    // guarded by mu
	wg        sync.WaitGroup          // accept loops and connections
}

func newSocketServer(b *Broker, lg *zap.Logger) *socketServer {
	return &socketServer{b: b, lg: lg, listeners: map[string]net.Listener{}, conns: map[*conn]struct{}{}}
}

// bind opens every listener without serving yet (startup step 4: the socket
// server starts before the broker registers, requests are served after).
// Port 0 binds a free port; boundPort reports it.
func (s *socketServer) bind(eps []Endpoint) error {
	for _, ep := range eps {
		if ep.SecurityProtocol != "PLAINTEXT" {
			s.closeListeners()
			return fmt.Errorf("listener %s: security protocol %s is not supported (only PLAINTEXT)", ep.Name, ep.SecurityProtocol)
		}
		ln, err := net.Listen("tcp", ep.Addr())
		if err != nil {
			s.closeListeners()
			if errors.Is(err, syscall.EADDRINUSE) {
				return fmt.Errorf("Socket server failed to bind to %s: Address already in use.", kafkaBindAddr(ep.Addr()))
			}
			return fmt.Errorf("Socket server failed to bind to %s: %w", kafkaBindAddr(ep.Addr()), err)
		}
		s.mu.Lock()
		s.listeners[ep.Name] = ln
		s.mu.Unlock()
		s.lg.Info(fmt.Sprintf("Awaiting socket connections on %s.", kafkaBindAddr(ln.Addr().String())))
	}
	return nil
}

// kafkaBindAddr shows a wildcard listen address as Java does ("0.0.0.0:9092"
// where Go says ":9092" or "[::]:9092").
func kafkaBindAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || (host != "" && host != "::") {
		return addr
	}
	return "0.0.0.0:" + port
}

// boundPort is the port a listener really got (for port 0 in tests).
func (s *socketServer) boundPort(name string) (int32, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ln, ok := s.listeners[name]
	if !ok {
		return 0, false
	}
	return int32(ln.Addr().(*net.TCPAddr).Port), true
}

// serve starts one accept loop per listener.
func (s *socketServer) serve() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, ln := range s.listeners {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.acceptLoop(name, ln)
		}()
	}
}

// acceptLoop is net/http's Serve: on a temporary error back off from 5 ms
// doubling to 1 s; return once the listener is closed.
func (s *socketServer) acceptLoop(name string, ln net.Listener) {
	var delay time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed || errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
				errors.Is(err, syscall.ECONNABORTED) {
				if delay == 0 {
					delay = 5 * time.Millisecond
				} else if delay *= 2; delay > time.Second {
					delay = time.Second
				}
				s.lg.Warn(fmt.Sprintf("Error accepting connection on %s; retrying in %v", name, delay), zap.Error(err))
				time.Sleep(delay)
				continue
			}
			s.lg.Error(fmt.Sprintf("Error accepting connection on %s", name), zap.Error(err))
			return
		}
		delay = 0
		if tc, ok := nc.(*net.TCPConn); ok {
			tc.SetNoDelay(true)
			if n := s.b.cfg.SocketSendBufferBytes; n > 0 {
				tc.SetWriteBuffer(int(n))
			}
			if n := s.b.cfg.SocketReceiveBufferBytes; n > 0 {
				tc.SetReadBuffer(int(n))
			}
		}
		c := newConn(s.b, nc, name, s.lg)
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			c.serve()
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

func (s *socketServer) closeListeners() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ln := range s.listeners {
		ln.Close()
	}
}

// stopAccepting closes the listeners: no new connections (Kafka's
// stopProcessingRequests, first half).
func (s *socketServer) stopAccepting() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.closeListeners()
}

// close stops accepting, closes every connection and waits for their
// goroutines.
func (s *socketServer) close() {
	s.stopAccepting()
	s.mu.Lock()
	for c := range s.conns {
		c.shutdown()
	}
	s.mu.Unlock()
	s.wg.Wait()
}
