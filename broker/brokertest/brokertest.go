package brokertest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gokafka/zkcoord/zktest"
)

// Timeouts. A broker normally starts in well under a second, but the test
// machine may be busy; stopping includes controlled shutdown, whose retries
// back off (controlled.shutdown.retry.backoff.ms).
const (
	defaultStartTimeout = 60 * time.Second
	stopTimeout         = 2 * time.Minute
	// outputTail is how many lines of output a failed test prints.
	outputTail = 400
)

// Broker is one broker process started by StartBroker. Its methods are safe
// for concurrent use.
type Broker struct {
	// ID is the broker.id (from WithID, or the next free one for this
	// zookeeper.connect string).
	ID int32
	// Addr is "127.0.0.1:port", the PLAINTEXT listener clients use.
	Addr string
	// Port is the listener's port; it stays the same across restarts.
	Port int
	// LogDir is the broker's log.dirs (partition data).
	LogDir string
	// Dir holds server.properties and $LOG_DIR (Dir/logs: server.log, ...).
	Dir string
	// ConfigFile is the generated server.properties.
	ConfigFile string
	// ZkConnect is the broker's zookeeper.connect.
	ZkConnect string

	t            testing.TB
	bin          string
	env          []string
	startTimeout time.Duration

	mu      sync.Mutex
	cmd     *exec.Cmd     // guarded by mu; nil when not running
	done    chan struct{} // guarded by mu; closed when cmd has exited
	exitErr error         // guarded by mu; the last process's Wait error
	out     strings.Builder
	readyCh chan struct{} // guarded by mu; closed at the started line
	waiters []*outputWaiter
}

type outputWaiter struct {
	substr string
	ch     chan struct{}
}

type options struct {
	id           int32
	idSet        bool
	port         int
	props        map[string]string
	zkConnect    string
	bin          string
	env          []string
	startTimeout time.Duration
}

// Option configures StartBroker.
type Option func(*options)

// WithID sets broker.id.
func WithID(id int32) Option { return func(o *options) { o.id, o.idSet = id, true } }

// WithPort sets the listener port (default: a free loopback port).
func WithPort(port int) Option { return func(o *options) { o.port = port } }

// WithProps sets a property in the generated server.properties; it wins
// over brokertest's own settings.
func WithProps(key, value string) Option {
	return func(o *options) { o.props[key] = value }
}

// WithZkConnect sets zookeeper.connect (default: the ZooKeeper's root,
// zk.Connect), e.g. zk.ChrootConnect(t) for a cluster of its own on a shared
// server.
func WithZkConnect(connect string) Option { return func(o *options) { o.zkConnect = connect } }

// WithBinary runs another executable instead of Binary(t) (tests of
// brokertest itself use a stand-in script).
func WithBinary(path string) Option { return func(o *options) { o.bin = path } }

// WithEnv adds "KEY=value" entries to the process environment.
func WithEnv(kv ...string) Option { return func(o *options) { o.env = append(o.env, kv...) } }

// WithStartTimeout bounds the wait for the started line (default 60s).
func WithStartTimeout(d time.Duration) Option { return func(o *options) { o.startTimeout = d } }

// nextIDs hands out broker ids per zookeeper.connect string, so brokers
// started without WithID into one cluster get 0, 1, 2, ...
var nextIDs = struct {
	sync.Mutex
	m map[string]int32
}{m: map[string]int32{}}

func nextID(connect string) int32 {
	nextIDs.Lock()
	defer nextIDs.Unlock()
	id := nextIDs.m[connect]
	nextIDs.m[connect] = id + 1
	return id
}

// StartBroker starts a broker registered in zk and waits until it logs
// "[KafkaServer id=N] started". It fails the test if the broker exits or
// does not start in time, printing its output. The process is killed when
// the test ends.
func StartBroker(t testing.TB, zk *zktest.ZooKeeper, opts ...Option) *Broker {
	t.Helper()
	b, err := newBroker(t, zk, opts...)
	if err == nil {
		err = b.start()
	}
	if err != nil {
		t.Fatalf("brokertest: broker %d: %v", b.ID, err)
	}
	return b
}

// newBroker prepares a broker (directory, server.properties, cleanup)
// without starting it.
func newBroker(t testing.TB, zk *zktest.ZooKeeper, opts ...Option) (*Broker, error) {
	t.Helper()
	o := options{props: map[string]string{}, startTimeout: defaultStartTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	if o.zkConnect == "" {
		if zk == nil {
			t.Fatal("brokertest: StartBroker needs a ZooKeeper or WithZkConnect")
		}
		o.zkConnect = zk.Connect
	}
	if !o.idSet {
		o.id = nextID(o.zkConnect)
	}
	if o.port == 0 {
		p, err := freePort()
		if err != nil {
			return &Broker{ID: o.id}, err
		}
		o.port = p
	}
	if o.bin == "" {
		o.bin = Binary(t)
	}
	dir := t.TempDir()
	b := &Broker{
		ID:           o.id,
		Addr:         net.JoinHostPort("127.0.0.1", strconv.Itoa(o.port)),
		Port:         o.port,
		LogDir:       filepath.Join(dir, "kafka-logs"),
		Dir:          dir,
		ConfigFile:   filepath.Join(dir, "server.properties"),
		ZkConnect:    o.zkConnect,
		t:            t,
		bin:          o.bin,
		env:          o.env,
		startTimeout: o.startTimeout,
	}
	if err := b.writeConfig(o.props); err != nil {
		return b, err
	}
	t.Cleanup(func() {
		if t.Failed() {
			b.dumpOutput()
		}
		b.Kill()
	})
	return b, nil
}

// StartCluster starts n brokers (ids 0..n-1) in one fresh chroot of zk and
// returns them once every one has started.
func StartCluster(t testing.TB, zk *zktest.ZooKeeper, n int, opts ...Option) []*Broker {
	t.Helper()
	connect := zk.ChrootConnect(t)
	brokers := make([]*Broker, n)
	for i := range brokers {
		o := append([]Option{WithID(int32(i)), WithZkConnect(connect)}, opts...)
		brokers[i] = StartBroker(t, zk, o...)
	}
	return brokers
}

// BootstrapServers joins the brokers' addresses: "127.0.0.1:p1,127.0.0.1:p2".
func BootstrapServers(brokers ...*Broker) string {
	addrs := make([]string, len(brokers))
	for i, b := range brokers {
		addrs[i] = b.Addr
	}
	return strings.Join(addrs, ",")
}

// writeConfig writes server.properties: the shipped file's settings that
// matter on a single test machine, then the test's own properties.
func (b *Broker) writeConfig(extra map[string]string) error {
	props := map[string]string{
		"broker.id":                        strconv.Itoa(int(b.ID)),
		"listeners":                        "PLAINTEXT://" + b.Addr,
		"log.dirs":                         b.LogDir,
		"zookeeper.connect":                b.ZkConnect,
		"num.partitions":                   "1",
		"offsets.topic.replication.factor": "1",
		"transaction.state.log.replication.factor": "1",
		"transaction.state.log.min.isr":            "1",
		"group.initial.rebalance.delay.ms":         "0",
	}
	for k, v := range extra {
		props[k] = v
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	sb.WriteString("# Generated by brokertest.\n")
	for _, k := range keys {
		fmt.Fprintf(&sb, "%s=%s\n", k, escapeProperty(props[k]))
	}
	return os.WriteFile(b.ConfigFile, []byte(sb.String()), 0o644)
}

// escapeProperty escapes what java.util.Properties would otherwise read
// differently (backslashes, line breaks, leading blanks).
func escapeProperty(v string) string {
	v = strings.ReplaceAll(v, `\`, `\\`)
	v = strings.ReplaceAll(v, "\n", `\n`)
	if strings.HasPrefix(v, " ") {
		v = `\` + v
	}
	return v
}

var startedRE = regexp.MustCompile(`\[KafkaServer id=(-?\d+)\] started \(kafka\.server\.KafkaServer\)`)

// start runs the process and waits for the started line.
func (b *Broker) start() error {
	b.mu.Lock()
	if b.cmd != nil {
		b.mu.Unlock()
		return errors.New("already running")
	}
	r, w, err := os.Pipe()
	if err != nil {
		b.mu.Unlock()
		return err
	}
	cmd := exec.Command(b.bin, "kafka.Kafka", b.ConfigFile)
	cmd.Dir = b.Dir
	cmd.Env = append(os.Environ(), "LOG_DIR="+filepath.Join(b.Dir, "logs"))
	cmd.Env = append(cmd.Env, b.env...)
	cmd.Stdout, cmd.Stderr = w, w
	// Own process group, so Kill reaches anything the broker starts; die
	// with the test binary if it is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := startOnLockedThread(cmd); err != nil {
		b.mu.Unlock()
		r.Close()
		w.Close()
		return fmt.Errorf("starting %s: %w", b.bin, err)
	}
	w.Close() // the child holds its own copy
	ready := make(chan struct{})
	done := make(chan struct{})
	b.cmd, b.done, b.readyCh, b.exitErr = cmd, done, ready, nil
	b.mu.Unlock()

	readDone := make(chan struct{})
	go b.readOutput(r, ready, readDone)
	go func() {
		err := cmd.Wait()
		<-readDone // all output is in b.out before done is closed
		b.mu.Lock()
		b.exitErr = err
		if b.cmd == cmd {
			b.cmd = nil
		}
		b.mu.Unlock()
		close(done)
	}()

	timer := time.NewTimer(b.startTimeout)
	defer timer.Stop()
	select {
	case <-ready:
		return nil
	case <-done:
		b.mu.Lock()
		err := b.exitErr
		b.mu.Unlock()
		return fmt.Errorf("exited before it started (%v); output:\n%s", err, tail(b.Output(), 60))
	case <-timer.C:
		b.Kill()
		return fmt.Errorf("did not log %q within %v; output:\n%s",
			fmt.Sprintf("[KafkaServer id=%d] started", b.ID), b.startTimeout, tail(b.Output(), 60))
	}
}

// readOutput copies the process's output into b.out line by line, watching
// for the started line and for WaitForOutput's substrings.
func (b *Broker) readOutput(r *os.File, ready chan struct{}, readDone chan struct{}) {
	defer close(readDone)
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	signalled := false
	for sc.Scan() {
		line := sc.Text()
		b.mu.Lock()
		b.out.WriteString(line)
		b.out.WriteByte('\n')
		if !signalled {
			if m := startedRE.FindStringSubmatch(line); m != nil {
				if id, err := strconv.Atoi(m[1]); err == nil && int32(id) == b.ID {
					signalled = true
					close(ready)
				}
			}
		}
		kept := b.waiters[:0]
		for _, w := range b.waiters {
			if strings.Contains(line, w.substr) {
				close(w.ch)
			} else {
				kept = append(kept, w)
			}
		}
		b.waiters = kept
		b.mu.Unlock()
	}
}

// Output returns everything the broker printed so far (stdout and stderr,
// all runs, each restart preceded by a "=== brokertest: restart ===" line).
func (b *Broker) Output() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.out.String()
}

// WaitForOutput waits until a line containing substr is printed from now on
// and reports whether it was within timeout.
func (b *Broker) WaitForOutput(substr string, timeout time.Duration) bool {
	w := &outputWaiter{substr: substr, ch: make(chan struct{})}
	b.mu.Lock()
	b.waiters = append(b.waiters, w)
	b.mu.Unlock()
	select {
	case <-w.ch:
		return true
	case <-time.After(timeout):
		return false
	}
}

// PID is the process id of the running broker, or 0 when it is not running.
func (b *Broker) PID() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd == nil {
		return 0
	}
	return b.cmd.Process.Pid
}

// Running reports whether the broker process is alive.
func (b *Broker) Running() bool { return b.PID() != 0 }

// ExitError is the last process's exit status as os/exec reports it (nil for
// exit code 0); meaningful only once it has stopped.
func (b *Broker) ExitError() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.exitErr
}

// Stop sends SIGTERM (the broker's controlled shutdown) and waits for the
// process to exit. If it has not exited after two minutes it is killed and
// the test is marked failed. Stop on a stopped broker does nothing.
func (b *Broker) Stop() {
	b.mu.Lock()
	cmd, done := b.cmd, b.done
	b.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(stopTimeout):
		b.t.Errorf("brokertest: broker %d did not exit within %v of SIGTERM; killing it", b.ID, stopTimeout)
		b.Kill()
	}
}

// Kill sends SIGKILL to the broker's process group and waits for it to
// exit, as `kill -9` would: no controlled shutdown, the ZooKeeper session
// lingers until it times out.
func (b *Broker) Kill() {
	b.mu.Lock()
	cmd, done := b.cmd, b.done
	b.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-done
}

// Restart stops the broker if it is running (SIGTERM), then starts it again
// with the same configuration, port and log directory, and waits for the
// started line. It fails the test if the broker does not come back.
func (b *Broker) Restart() {
	b.t.Helper()
	b.Stop()
	b.mu.Lock()
	b.out.WriteString("=== brokertest: restart ===\n")
	b.mu.Unlock()
	if err := b.start(); err != nil {
		b.t.Fatalf("brokertest: restarting broker %d: %v", b.ID, err)
	}
}

// dumpOutput prints the tail of the broker's output into the test log.
func (b *Broker) dumpOutput() {
	b.t.Logf("brokertest: broker %d (%s, dir %s) output:\n%s", b.ID, b.Addr, b.Dir, tail(b.Output(), outputTail))
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= n {
		return strings.Join(lines, "\n")
	}
	return fmt.Sprintf("... (%d lines omitted)\n%s", len(lines)-n, strings.Join(lines[len(lines)-n:], "\n"))
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before the broker binds it; on this machine that is rare enough.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Pdeathsig is delivered when the thread that forked the child exits, not
// the process, and the Go runtime may retire threads. So every broker is
// forked from one goroutine that stays locked to its thread for the life of
// the test binary: brokers die with the test binary and not before.
var forker struct {
	once sync.Once
	reqs chan forkReq
}

type forkReq struct {
	cmd  *exec.Cmd
	done chan error
}

func startOnLockedThread(cmd *exec.Cmd) error {
	forker.once.Do(func() {
		forker.reqs = make(chan forkReq)
		go func() {
			runtime.LockOSThread() // never unlocked
			for r := range forker.reqs {
				r.done <- r.cmd.Start()
			}
		}()
	})
	done := make(chan error, 1)
	forker.reqs <- forkReq{cmd, done}
	return <-done
}
