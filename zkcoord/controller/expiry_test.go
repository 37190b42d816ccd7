package controller

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"gokafka/zkcoord"
)

// cuttableProxy forwards TCP to ZooKeeper until cut: then it drops every connection and refuses
// new ones, so the server stops hearing from the session and expires it.
type cuttableProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	cut    bool
	conns  []net.Conn
}

func newCuttableProxy(t *testing.T, target string) *cuttableProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttableProxy{ln: ln, target: target}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.setCut(true) })
	return p
}

func (p *cuttableProxy) serve() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			in.Close()
			continue
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			in.Close()
			continue
		}
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		go func() { io.Copy(out, in); out.Close() }()
		go func() { io.Copy(in, out); in.Close() }()
	}
}

func (p *cuttableProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

// A real session expiry of the controller's broker (zookeeper.md §5): ZooKeeper drops its
// ephemeral znodes, another broker becomes controller with the next epoch; when the expired
// broker is back it resigns (it could not write anyway: its epoch's zkVersion is stale),
// re-registers with a new broker epoch and follows the new controller.
func TestSessionExpiryOfTheController(t *testing.T) {
	integration(t)
	c := newCluster(t)
	hostport, chroot, _ := strings.Cut(c.connect, "/")
	proxy := newCuttableProxy(t, hostport)
	cl, err := zkcoord.Connect(proxy.ln.Addr().String()+"/"+chroot, 2*time.Second, 10*time.Second, zaptest.NewLogger(t).Named("zk0"))
	if err != nil {
		t.Fatal(err)
	}
	b0 := c.startBrokerOn(0, cl)
	if c.active() != b0 {
		t.Fatal("broker 0 is not the controller")
	}
	b1 := c.startBroker(1)
	c.createTopic("foo", map[int32][]int32{0: {0, 1}})
	c.waitState("foo", 0, "created", isrIs(0, 1))
	b0.mu.Lock()
	oldEpoch := b0.epoch
	b0.mu.Unlock()

	proxy.setCut(true)
	waitFor(t, 20*time.Second, "broker 1 to take over", func() bool { return b1.ctrl.IsActive() })
	if b1.ctrl.Epoch() != 2 {
		t.Errorf("new controller epoch %d, want 2", b1.ctrl.Epoch())
	}
	c.waitState("foo", 0, "leader moved to 1", func(s zkcoord.PartitionState) bool { return s.Leader == 1 && s.ControllerEpoch == 2 })

	proxy.setCut(false)
	waitFor(t, 20*time.Second, "broker 0 to resign and follow broker 1", func() bool {
		return !b0.ctrl.IsActive() && b0.ctrl.ActiveControllerID() == 1
	})
	waitFor(t, 20*time.Second, "broker 0 re-registered with a new epoch", func() bool {
		b0.mu.Lock()
		defer b0.mu.Unlock()
		return b0.epoch > oldEpoch
	})
	c.waitControllerSees(0, true)
	if b0.ctrl.IsActive() {
		t.Error("two active controllers")
	}
}
