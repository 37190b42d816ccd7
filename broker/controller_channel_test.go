package broker

import (
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"gokafka/zkcoord"
)

func brokerInfoAt(t *testing.T, id int32, addr string) zkcoord.BrokerInfo {
	host, port, err := splitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return zkcoord.BrokerInfo{ID: id, Endpoints: []zkcoord.EndPoint{{ListenerName: "PLAINTEXT", Host: host, Port: int32(port), SecurityProtocol: "PLAINTEXT"}}}
}

func updateMetadataReq(epoch int32) *kmsg.UpdateMetadataRequest {
	req := kmsg.NewPtrUpdateMetadataRequest()
	req.SetVersion(7)
	req.ControllerEpoch = epoch
	return req
}

// Requests to one broker arrive in Send order and every callback gets the
// answer.
func TestControllerChannelOrder(t *testing.T) {
	b, _ := newConnBroker(t)
	var mu sync.Mutex
	var got []int32
	withAPI(t, 6, func(b *Broker, r *Request) {
		mu.Lock()
		got = append(got, r.Msg.(*kmsg.UpdateMetadataRequest).ControllerEpoch)
		mu.Unlock()
		r.Respond(r.Msg.ResponseKind())
	})
	ch := newControllerChannel(9, "PLAINTEXT", 5*time.Second, zaptest.NewLogger(t))
	defer ch.close()
	ch.AddBroker(brokerInfoAt(t, 0, b.addr()))
	const n = 200
	var wg sync.WaitGroup
	wg.Add(n)
	for i := int32(0); i < n; i++ {
		ch.Send(0, updateMetadataReq(i), func(resp kmsg.Response, err error) {
			if err != nil || resp.(*kmsg.UpdateMetadataResponse).ErrorCode != 0 {
				t.Errorf("callback: %v %v", resp, err)
			}
			wg.Done()
		})
	}
	wg.Wait()
	for i, e := range got {
		if e != int32(i) {
			t.Fatalf("arrival order %v", got)
		}
	}
}

// A broker that is not listening yet gets its requests once it is: the
// sender retries the same request, reconnecting with backoff.
func TestControllerChannelReconnects(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nobody listens for now

	core, logs := observer.New(zapcore.WarnLevel)
	ch := newControllerChannel(9, "PLAINTEXT", 2*time.Second, zap.New(core))
	defer ch.close()
	ch.AddBroker(brokerInfoAt(t, 0, addr))
	done := make(chan error, 1)
	ch.Send(0, updateMetadataReq(1), func(_ kmsg.Response, err error) { done <- err })
	waitFor(t, 10*time.Second, func() error { // a few attempts fail first
		if logs.FilterMessageSnippet("Reconnecting to broker").Len() < 2 {
			return errors.New("no failed attempt logged yet")
		}
		return nil
	})

	newConnBroker(t, "listeners", "PLAINTEXT://"+addr)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("request never delivered after the broker came up")
	}
}

// RemoveBroker fails the queued requests; Send to an unknown broker fails
// at once.
func TestControllerChannelRemove(t *testing.T) {
	ch := newControllerChannel(9, "PLAINTEXT", time.Second, zaptest.NewLogger(t))
	defer ch.close()
	ch.AddBroker(brokerInfoAt(t, 0, "127.0.0.1:1")) // never answers
	errs := make(chan error, 3)
	for i := 0; i < 3; i++ {
		ch.Send(0, updateMetadataReq(int32(i)), func(_ kmsg.Response, err error) { errs <- err })
	}
	ch.RemoveBroker(0)
	for i := 0; i < 3; i++ {
		select {
		case err := <-errs:
			if !errors.Is(err, errBrokerRemoved) {
				t.Fatalf("err = %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("callback not called after RemoveBroker")
		}
	}
	ch.Send(5, updateMetadataReq(0), func(_ kmsg.Response, err error) { errs <- err })
	if err := <-errs; !errors.Is(err, errBrokerRemoved) {
		t.Fatalf("unknown broker: %v", err)
	}
}

// Drain waits for queued requests to be answered, but only up to its
// timeout: a broker that never answers does not hold the shutdown.
func TestControllerChannelDrain(t *testing.T) {
	b, _ := newConnBroker(t)
	var answered sync.WaitGroup
	withAPI(t, 6, func(b *Broker, r *Request) { r.Respond(r.Msg.ResponseKind()) })
	ch := newControllerChannel(9, "PLAINTEXT", 5*time.Second, zap.NewNop())
	defer ch.close()
	ch.AddBroker(brokerInfoAt(t, 0, b.addr()))
	const n = 50
	done := 0
	var mu sync.Mutex
	answered.Add(n)
	for i := int32(0); i < n; i++ {
		ch.Send(0, updateMetadataReq(i), func(kmsg.Response, error) { mu.Lock(); done++; mu.Unlock(); answered.Done() })
	}
	ch.Drain(time.Minute)
	answered.Wait() // the last callback runs right after its request leaves the queue
	if done != n {
		t.Fatalf("%d of %d answered after Drain", done, n)
	}

	// Nobody listens here: the request stays queued, Drain gives up.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	ch.AddBroker(brokerInfoAt(t, 1, dead))
	ch.Send(1, updateMetadataReq(0), nil)
	start := time.Now()
	ch.Drain(200 * time.Millisecond)
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Fatalf("Drain returned after %v with a request still queued", d)
	}
}
