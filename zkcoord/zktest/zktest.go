package zktest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Where Debian's zookeeper package puts things (see /usr/share/zookeeper/bin/zkEnv.sh
// and the Class-Path of zookeeper.jar's manifest, which pulls in its dependencies).
const (
	zookeeperJar = "/usr/share/java/zookeeper.jar"
	// slf4j binding + log4j 1.2 so the server's log lands in its directory;
	// without them ZooKeeper logs nothing at all (slf4j's NOP logger).
	slf4jLog4jJar = "/usr/share/java/slf4j-log4j12.jar"
	log4jJar      = "/usr/share/java/log4j-1.2.jar"
	confDir       = "/etc/zookeeper/conf" // holds log4j.properties
	mainClass     = "org.apache.zookeeper.server.quorum.QuorumPeerMain"
)

// startTimeout bounds how long a start may take before the test fails; the
// JVM normally answers within one or two seconds, but the machine may be busy.
const startTimeout = 60 * time.Second

// ZooKeeper is one running ZooKeeper server process. Its methods are safe for
// concurrent use.
type ZooKeeper struct {
	// Addr is "127.0.0.1:port", the client port.
	Addr string
	// Connect is the zookeeper.connect string for the server root (same as Addr).
	Connect string
	// Dir holds zoo.cfg, the data directory and zookeeper.log.
	Dir string

	mu   sync.Mutex
	cmd  *exec.Cmd     // guarded by mu; nil when stopped
	done chan struct{} // guarded by mu; closed when cmd has exited
	port int           // immutable after the first start
}

// StartZooKeeper starts a private ZooKeeper server for this test in
// t.TempDir() and stops it (killing its process group) when the test ends. It
// skips the test when java or the ZooKeeper jars are missing.
func StartZooKeeper(t testing.TB) *ZooKeeper {
	t.Helper()
	skipIfMissing(t)
	z, err := start(t.TempDir())
	if err != nil {
		t.Fatalf("zktest: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			z.dumpLog(t)
		}
		z.Stop()
	})
	return z
}

// Stop kills the server's process group and waits for it to exit. The data
// directory is kept, so Restart brings back the same znodes. Stop on a stopped
// server does nothing.
func (z *ZooKeeper) Stop() {
	z.mu.Lock()
	cmd, done := z.cmd, z.done
	z.cmd, z.done = nil, nil
	z.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-done
}

// Restart starts a stopped server again on the same port with the same data
// (stopping it first if it still runs), and waits until it answers.
func (z *ZooKeeper) Restart() error {
	z.Stop()
	return z.run()
}

// Running reports whether the server process is alive.
func (z *ZooKeeper) Running() bool {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.done == nil {
		return false
	}
	select {
	case <-z.done:
		return false
	default:
		return true
	}
}

// ChrootConnect returns a zookeeper.connect string with a chroot unique to
// this test and this call, e.g. "127.0.0.1:2181/t-TestCreate_sub-3". The chroot
// znode is not created.
func (z *ZooKeeper) ChrootConnect(t testing.TB) string {
	return z.Connect + ChrootPath(t)
}

var chrootSeq struct {
	sync.Mutex
	n int
}

// ChrootPath returns a fresh chroot path for the test, "/t-<name>-<n>", made of
// characters that are valid in a znode name.
func ChrootPath(t testing.TB) string {
	chrootSeq.Lock()
	chrootSeq.n++
	n := chrootSeq.n
	chrootSeq.Unlock()
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, t.Name())
	return fmt.Sprintf("/t-%s-%d", name, n)
}

// Log returns the server's log so far (log4j output, stdout and stderr).
func (z *ZooKeeper) Log() string {
	b, _ := os.ReadFile(filepath.Join(z.Dir, "zookeeper.log"))
	return string(b)
}

func (z *ZooKeeper) dumpLog(t testing.TB) {
	lines := strings.Split(strings.TrimRight(z.Log(), "\n"), "\n")
	if len(lines) > 60 {
		lines = lines[len(lines)-60:]
	}
	t.Logf("zktest: last lines of the ZooKeeper log (%s):\n%s", z.Addr, strings.Join(lines, "\n"))
}

// skipIfMissing skips the test when ZooKeeper cannot run here.
func skipIfMissing(t testing.TB) {
	t.Helper()
	if err := missing(); err != nil {
		t.Skipf("zktest: cannot run ZooKeeper: %v", err)
	}
}

func missing() error {
	if _, err := exec.LookPath("java"); err != nil {
		return errors.New("java not found on PATH (install a JRE, e.g. openjdk-17-jre-headless)")
	}
	if _, err := os.Stat(zookeeperJar); err != nil {
		return fmt.Errorf("%s missing (install Debian's zookeeper package)", zookeeperJar)
	}
	return nil
}

// start creates a server in dir on a free port. The port is chosen by
// binding port 0 and closing it; another process may grab it in between, so a
// server that exits early is retried on a new port.
func start(dir string) (*ZooKeeper, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		z := &ZooKeeper{Dir: dir, port: port}
		z.Addr = fmt.Sprintf("127.0.0.1:%d", port)
		z.Connect = z.Addr
		if err := z.writeConfig(); err != nil {
			return nil, err
		}
		if lastErr = z.run(); lastErr == nil {
			return z, nil
		}
		z.Stop()
	}
	return nil, lastErr
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (z *ZooKeeper) writeConfig() error {
	data := filepath.Join(z.Dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return err
	}
	// tickTime 500 ms keeps session expiry tests short (minimum session
	// timeout = 2 ticks = 1 s); maxSessionTimeout is raised so Kafka's
	// default 18 s zookeeper.session.timeout.ms is granted as asked.
	// forceSync=no: tests do not need fsync, and the machine is shared.
	cfg := fmt.Sprintf(`tickTime=500
initLimit=10
syncLimit=5
dataDir=%s
clientPort=%d
clientPortAddress=127.0.0.1
maxClientCnxns=0
minSessionTimeout=1000
maxSessionTimeout=60000
admin.enableServer=false
4lw.commands.whitelist=*
forceSync=no
`, data, z.port)
	return os.WriteFile(filepath.Join(z.Dir, "zoo.cfg"), []byte(cfg), 0o644)
}

// run starts the JVM and waits until the server answers "imok" to "ruok".
func (z *ZooKeeper) run() error {
	logf, err := os.OpenFile(filepath.Join(z.Dir, "zookeeper.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close() // the child has its own copy
	cp := strings.Join([]string{confDir, zookeeperJar, slf4jLog4jJar, log4jJar}, ":")
	cmd := exec.Command("java",
		// Start fast and small: C1 only, serial GC, a modest heap.
		"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xms16m", "-Xmx256m",
		"-Dzookeeper.root.logger=INFO,CONSOLE",
		"-Dzookeeper.console.threshold=INFO",
		"-cp", cp, mainClass, filepath.Join(z.Dir, "zoo.cfg"))
	cmd.Dir = z.Dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	// Own process group (Stop kills the group); die with the test binary.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := startOnSpawner(cmd); err != nil {
		return fmt.Errorf("starting ZooKeeper: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	z.mu.Lock()
	z.cmd, z.done = cmd, done
	z.mu.Unlock()

	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("ZooKeeper on %s exited during start; its log:\n%s", z.Addr, tail(z.Log(), 30))
		default:
		}
		if FourLetterWord(z.Addr, "ruok") == "imok" {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("ZooKeeper on %s did not answer ruok within %v; its log:\n%s", z.Addr, startTimeout, tail(z.Log(), 30))
}

// Pdeathsig fires when the *thread* that forked the child exits, not the
// process. Go may retire threads, so every server is forked from one
// goroutine locked to its thread for the life of the test binary.
var spawner struct {
	once sync.Once
	reqs chan spawnReq
}

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

func startOnSpawner(cmd *exec.Cmd) error {
	spawner.once.Do(func() {
		spawner.reqs = make(chan spawnReq)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread lives as long as the process
			for r := range spawner.reqs {
				r.done <- r.cmd.Start()
			}
		}()
	})
	done := make(chan error, 1)
	spawner.reqs <- spawnReq{cmd, done}
	return <-done
}

// FourLetterWord sends one of ZooKeeper's four-letter commands ("ruok",
// "srvr", "stat", "cons", ...) to addr and returns the answer, or "" when
// the server does not answer.
func FourLetterWord(addr, cmd string) string {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return ""
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte(cmd)); err != nil {
		return ""
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(c)
	return buf.String()
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
