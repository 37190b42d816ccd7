package zktest_test

import (
	"io"
	"log"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"gokafka/zkcoord/zktest"
)

func TestMain(m *testing.M) { os.Exit(zktest.Main(m)) }

// A private server answers ruok, keeps its data across Stop/Restart, and is
// gone after Stop.
func TestStartStopRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	z := zktest.StartZooKeeper(t)
	if got := zktest.FourLetterWord(z.Addr, "ruok"); got != "imok" {
		t.Fatalf("ruok = %q, want imok", got)
	}
	conn := dial(t, z.Connect)
	if _, err := conn.Create("/kept", []byte("v"), 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	conn.Close()

	z.Stop()
	if z.Running() {
		t.Fatal("Running() after Stop")
	}
	if got := zktest.FourLetterWord(z.Addr, "ruok"); got != "" {
		t.Fatalf("stopped server answered %q", got)
	}
	if err := z.Restart(); err != nil {
		t.Fatal(err)
	}
	conn = dial(t, z.Connect)
	defer conn.Close()
	data, _, err := conn.Get("/kept")
	if err != nil || string(data) != "v" {
		t.Fatalf("after restart: %q, %v", data, err)
	}
}

// Tests sharing the package's server get distinct chroots.
func TestSharedChroots(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	a, b := zktest.SharedConnect(t), zktest.SharedConnect(t)
	if a == b {
		t.Fatalf("two calls gave the same chroot %q", a)
	}
	z := zktest.Shared(t)
	if !strings.HasPrefix(a, z.Connect+"/t-TestSharedChroots-") {
		t.Fatalf("chroot connect = %q", a)
	}
	if zktest.Shared(t) != z {
		t.Fatal("Shared started a second server")
	}
}

func dial(t *testing.T, addr string) *zk.Conn {
	t.Helper()
	conn, _, err := zk.Connect([]string{addr}, 10*time.Second, zk.WithLogger(log.New(io.Discard, "", 0)))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for conn.State() != zk.StateHasSession {
		if time.Now().After(deadline) {
			t.Fatalf("no session with %s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return conn
}
