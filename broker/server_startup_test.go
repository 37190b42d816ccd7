package broker

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"gokafka/log"
	"gokafka/zkcoord/zktest"
)

// startErr runs Start on a broker built from props and returns its error
// (the broker has cleaned up after itself).
func startErr(t *testing.T, props map[string]string) error {
	t.Helper()
	cfg, _, err := ParseConfig(props)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(cfg, zaptest.NewLogger(t))
	if err != nil {
		return err
	}
	err = b.Start()
	if err == nil {
		b.Shutdown()
		t.Fatal("Start succeeded")
	}
	b.Wait()
	return err
}

func baseProps(t *testing.T, connect string, id string) map[string]string {
	return map[string]string{
		"zookeeper.connect": connect,
		"broker.id":         id,
		"listeners":         "PLAINTEXT://127.0.0.1:0",
		"log.dirs":          t.TempDir(),
	}
}

// Startup failures end Start with Kafka's reason, and leave nothing behind.
func TestStartupFailures(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	t.Run("ZooKeeper unreachable", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0") // a port nobody answers on after Close
		addr := ln.Addr().String()
		ln.Close()
		props := baseProps(t, addr, "0")
		props["zookeeper.connection.timeout.ms"] = "1000"
		start := time.Now()
		err := startErr(t, props)
		if err == nil || !strings.Contains(err.Error(), "Timed out waiting for connection while in state: CONNECTING") {
			t.Fatalf("err = %v", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("gave up after %v, want about zookeeper.connection.timeout.ms", d)
		}
	})

	connect := zktest.Shared(t).ChrootConnect(t)
	running := startTestBroker(t, connect, 1)

	t.Run("duplicate broker.id", func(t *testing.T) {
		err := startErr(t, baseProps(t, connect, "1"))
		if err == nil || !strings.Contains(err.Error(), "NodeExists") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("port in use", func(t *testing.T) {
		props := baseProps(t, connect, "2")
		props["listeners"] = "PLAINTEXT://" + running.addr()
		err := startErr(t, props)
		if err == nil || !strings.Contains(err.Error(), "Socket server failed to bind to "+running.addr()+": Address already in use.") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("cluster id mismatch", func(t *testing.T) {
		props := baseProps(t, connect, "3")
		if err := log.WriteMetaProperties(props["log.dirs"], 3, "another-cluster-id"); err != nil {
			t.Fatal(err)
		}
		err := startErr(t, props)
		want := "The Cluster ID " + running.clusterID + " doesn't match stored clusterId Some(another-cluster-id) in meta.properties. The broker is trying to join the wrong cluster. Configured zookeeper.connect may be wrong."
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("broker id mismatch", func(t *testing.T) {
		props := baseProps(t, connect, "4")
		if err := log.WriteMetaProperties(props["log.dirs"], 5, running.clusterID); err != nil {
			t.Fatal(err)
		}
		err := startErr(t, props)
		if err == nil || !strings.Contains(err.Error(), "Configured broker.id 4 doesn't match stored broker.id Some(5) in meta.properties.") {
			t.Fatalf("err = %v", err)
		}
	})
}

// With no broker.id, one is generated from /brokers/seqid (1001 first) and
// kept in meta.properties for the next start.
func TestGeneratedBrokerID(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	connect := zktest.Shared(t).ChrootConnect(t)
	dir := t.TempDir()
	cfg, _, err := ParseConfig(map[string]string{"zookeeper.connect": connect, "listeners": "PLAINTEXT://127.0.0.1:0", "log.dirs": dir})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	// Let the election finish, so that controlled shutdown finds a controller.
	waitFor(t, 15*time.Second, func() error {
		if b.metadata.ControllerID() < 0 {
			return errors.New("no controller yet")
		}
		return nil
	})
	b.Shutdown()
	if b.cfg.BrokerID != 1001 {
		t.Fatalf("generated broker id %d, want 1001", b.cfg.BrokerID)
	}
	id, cid, err := log.ReadMetaProperties(dir)
	if err != nil || id != 1001 || cid != b.clusterID {
		t.Fatalf("meta.properties: %d %q %v", id, cid, err)
	}
}
