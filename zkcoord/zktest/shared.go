package zktest

import (
	"os"
	"sync"
	"testing"
)

// shared is the package-wide server of Shared, started on first use.
var shared struct {
	sync.Mutex
	zk  *ZooKeeper
	err error // a failed start is not retried by later tests
}

// Shared returns the ZooKeeper server shared by all tests of the running test
// binary, starting it on first use. Tests must not stop it; they isolate
// themselves with ChrootConnect. Skips the test when java or the jars are
// missing.
func Shared(t testing.TB) *ZooKeeper {
	t.Helper()
	skipIfMissing(t)
	shared.Lock()
	defer shared.Unlock()
	if shared.zk == nil && shared.err == nil {
		dir, err := os.MkdirTemp("", "zktest-shared-")
		if err == nil {
			shared.zk, err = start(dir)
		}
		shared.err = err
	}
	if shared.err != nil {
		t.Fatalf("zktest: shared ZooKeeper: %v", shared.err)
	}
	z := shared.zk
	t.Cleanup(func() {
		if t.Failed() {
			z.dumpLog(t)
		}
	})
	return z
}

// SharedConnect is Shared(t).ChrootConnect(t): a zookeeper.connect string
// with a fresh chroot on the shared server.
func SharedConnect(t testing.TB) string {
	t.Helper()
	return Shared(t).ChrootConnect(t)
}

// Main runs the package's tests and then stops the shared server and removes
// its directory. Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(zktest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	shared.Lock()
	z := shared.zk
	shared.zk, shared.err = nil, nil
	shared.Unlock()
	if z != nil {
		z.Stop()
		_ = os.RemoveAll(z.Dir)
	}
	return code
}
