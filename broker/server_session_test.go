package broker

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"gokafka/zkcoord"
	"gokafka/zkcoord/zktest"
)

// zkProxy forwards TCP to ZooKeeper and can cut the broker off it, long
// enough for the server to expire the session.
type zkProxy struct {
	ln     net.Listener
	target string
	cut    atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

func startZkProxy(t *testing.T, target string) *zkProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &zkProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.cutOff() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if p.cut.Load() {
				c.Close()
				continue
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	return p
}

func (p *zkProxy) cutOff() {
	p.cut.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// After its ZooKeeper session expires, the broker registers again (a new
// broker epoch), becomes controller again and keeps serving.
func TestSessionExpiryReregisters(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	z := zktest.Shared(t)
	chroot := zktest.ChrootPath(t)
	proxy := startZkProxy(t, z.Addr)
	b := startTestBroker(t, proxy.ln.Addr().String()+chroot, 4, "zookeeper.session.timeout.ms", "2000")
	waitFor(t, 15*time.Second, func() error {
		if b.metadata.ControllerID() != 4 {
			return errors.New("not controller yet")
		}
		return nil
	})
	epoch1 := b.brokerEpoch.Load()

	observer, _, err := zk.Connect([]string{z.Addr}, 10*time.Second, zk.WithLogInfo(false))
	if err != nil {
		t.Fatal(err)
	}
	defer observer.Close()
	path := chroot + zkcoord.BrokerIDPath(4)

	proxy.cutOff()
	waitFor(t, 30*time.Second, func() error {
		if ok, _, _ := observer.Exists(path); ok {
			return errors.New("registration still there")
		}
		return nil
	})
	proxy.cut.Store(false)
	waitFor(t, 30*time.Second, func() error {
		ok, st, err := observer.Exists(path)
		if err != nil || !ok {
			return fmt.Errorf("not re-registered (%v)", err)
		}
		if st.Czxid != b.brokerEpoch.Load() || st.Czxid <= epoch1 {
			return fmt.Errorf("czxid %d, broker epoch %d, old epoch %d", st.Czxid, b.brokerEpoch.Load(), epoch1)
		}
		return nil
	})
	// Serving again: the new controller (itself) refreshed its metadata.
	waitFor(t, 30*time.Second, func() error {
		if !b.controller.IsActive() || !b.metadata.IsAlive(4) {
			return errors.New("not controller/alive again")
		}
		return nil
	})
}
