package tools

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"gokafka/broker/brokertest"
	"gokafka/zkcoord"
	"gokafka/zkcoord/zktest"
)

// startCluster runs a one-broker cluster on its own chroot of the shared
// ZooKeeper and creates the topics (2 partitions each).
func startCluster(t *testing.T, opts []brokertest.Option, topics ...string) *brokertest.Broker {
	t.Helper()
	zk := zktest.Shared(t)
	b := brokertest.StartBroker(t, zk, append(opts, brokertest.WithZkConnect(zk.ChrootConnect(t)))...)
	if len(topics) == 0 {
		return b
	}
	zc, err := zkcoord.Connect(b.ZkConnect, 10*time.Second, 10*time.Second, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer zc.Close()
	for _, topic := range topics {
		if err := zc.CreateTopic(topic, map[int32][]int32{0: {b.ID}, 1: {b.ID}}, map[string]string{}, true); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// The operations chapter's recipe between two clusters: records of the
// topics the whitelist names ("mm-a, mm-b": a comma and a space, as Kafka
// reads them) reach the target under the same topic names, with their keys,
// values, headers and timestamps; the third topic stays behind. The source
// group's committed offsets reach the end of every partition (only after the
// target acknowledged; two streams share the partitions), and SIGTERM's
// clean shutdown ends the process.
func TestMirrorMakerBetweenTwoClusters(t *testing.T) {
	if testing.Short() {
		t.Skip("needs ZooKeeper and two broker processes")
	}
	src := startCluster(t, nil, "mm-a", "mm-b", "mm-other")
	dst := startCluster(t, nil)
	const n = 20
	ts := time.UnixMilli(1620000000000)
	pcl, err := kgo.NewClient(kgo.SeedBrokers(src.Addr))
	if err != nil {
		t.Fatal(err)
	}
	defer pcl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, topic := range []string{"mm-a", "mm-b", "mm-other"} {
		for i := 0; i < n; i++ {
			r := &kgo.Record{Topic: topic, Key: []byte(fmt.Sprintf("k%d", i)), Value: []byte(fmt.Sprintf("%s-%d", topic, i)),
				Headers: []kgo.RecordHeader{{Key: "h", Value: []byte(fmt.Sprint(i))}}, Timestamp: ts.Add(time.Duration(i) * time.Millisecond)}
			if err := pcl.ProduceSync(ctx, r).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
	}

	consumerCfg := writeFile(t, "consumer.properties", "bootstrap.servers="+src.Addr+"\ngroup.id=mirror\nauto.offset.reset=earliest\n")
	producerCfg := writeFile(t, "producer.properties", "bootstrap.servers="+dst.Addr+"\n")
	mm := startMirrorMaker(t, "--consumer.config", consumerCfg, "--producer.config", producerCfg,
		"--whitelist", "mm-a, mm-b", "--offset.commit.interval.ms", "500", "--num.streams", "2")

	ccl, err := kgo.NewClient(kgo.SeedBrokers(dst.Addr), kgo.ConsumeTopics("mm-a", "mm-b"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.MetadataMinAge(100*time.Millisecond), kgo.FetchMaxWait(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer ccl.Close()
	got := map[string]*kgo.Record{}
	for len(got) < 2*n {
		fs := ccl.PollFetches(ctx)
		if mm.exited() || ctx.Err() != nil {
			t.Fatalf("mirrored %d of %d records; mirror maker stderr:\n%s", len(got), 2*n, mm.stderr.String())
		}
		fs.EachRecord(func(r *kgo.Record) { got[string(r.Value)] = r })
	}
	for _, topic := range []string{"mm-a", "mm-b"} {
		for i := 0; i < n; i++ {
			r := got[fmt.Sprintf("%s-%d", topic, i)]
			if r == nil || r.Topic != topic || string(r.Key) != fmt.Sprintf("k%d", i) ||
				len(r.Headers) != 1 || r.Headers[0].Key != "h" || string(r.Headers[0].Value) != fmt.Sprint(i) ||
				!r.Timestamp.Equal(ts.Add(time.Duration(i)*time.Millisecond)) {
				t.Fatalf("%s record %d mirrored as %+v", topic, i, r)
			}
		}
	}

	adm := kadm.NewClient(pcl)
	waitFor(t, 30*time.Second, "the source offsets committed to the end", func() bool {
		committed, err := adm.FetchOffsets(ctx, "mirror")
		if err != nil {
			return false
		}
		ends, err := adm.ListEndOffsets(ctx, "mm-a", "mm-b")
		if err != nil {
			return false
		}
		ok := true
		ends.Each(func(e kadm.ListedOffset) {
			c, found := committed.Lookup(e.Topic, e.Partition)
			ok = ok && found && c.At == e.Offset
		})
		return ok
	})
	if committed, _ := adm.FetchOffsets(ctx, "mirror"); len(committed["mm-other"]) != 0 {
		t.Errorf("offsets committed for mm-other: %v", committed["mm-other"])
	}
	topics, err := kadm.NewClient(ccl).ListTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if topics.Has("mm-other") {
		t.Error("mm-other, which the whitelist does not name, was mirrored")
	}

	// SIGTERM runs the shutdown hook; the JVM then exits 128+15.
	if code := mm.stop(t, syscall.SIGTERM); code != 143 {
		t.Errorf("exit code %d after SIGTERM, want 143", code)
	}
	logs := mm.stderr.String()
	if !strings.Contains(logs, "] INFO Starting mirror maker (kafka.tools.MirrorMaker$)\n"+mirrorMakerAssignmentWarning+"\n") ||
		!strings.Contains(logs, "] INFO [mirrormaker-thread-0] Committing consumer offsets. (kafka.tools.MirrorMaker$MirrorMakerThread)\n") ||
		!strings.HasSuffix(logs, "] INFO Kafka mirror maker shutdown successfully (kafka.tools.MirrorMaker$)\n") ||
		strings.Contains(logs, "] WARN ") || strings.Contains(logs, "] ERROR ") {
		t.Errorf("mirror maker log:\n%s", logs)
	}
}

// No data loss (abort.on.send.failure=true, the default): a record the
// target refuses for good (larger than its message.max.bytes) is logged by
// the producer callback, no offset is committed past it, and the mirror
// maker stops itself with sys.exit(-1)'s status.
func TestMirrorMakerAbortsOnSendFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("needs ZooKeeper and two broker processes")
	}
	src := startCluster(t, nil, "big")
	dst := startCluster(t, []brokertest.Option{brokertest.WithProps("message.max.bytes", "500")})
	pcl, err := kgo.NewClient(kgo.SeedBrokers(src.Addr), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer pcl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, v := range []string{"small-0", "small-1", strings.Repeat("x", 1000), "small-3"} {
		if err := pcl.ProduceSync(ctx, &kgo.Record{Topic: "big", Partition: 0, Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	consumerCfg := writeFile(t, "consumer.properties", "bootstrap.servers="+src.Addr+"\ngroup.id=mirror\nauto.offset.reset=earliest\n"+
		"partition.assignment.strategy=org.apache.kafka.clients.consumer.RoundRobinAssignor\n")
	producerCfg := writeFile(t, "producer.properties", "bootstrap.servers="+dst.Addr+"\n")
	mm := startMirrorMaker(t, "--consumer.config", consumerCfg, "--producer.config", producerCfg, "--whitelist", "big",
		"--offset.commit.interval.ms", "100")
	if code := mm.wait(t, 30*time.Second); code != 255 {
		t.Errorf("exit code %d, want 255", code)
	}
	logs := mm.stderr.String()
	for _, want := range []string{
		"] ERROR Error when sending message to topic big with key: null, value: 1000 bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\n" +
			"org.apache.kafka.common.errors.RecordTooLargeException: ",
		"] INFO Closing producer due to send failure. (kafka.tools.MirrorMaker$)\n",
		"] FATAL [mirrormaker-thread-0] Mirror maker thread exited abnormally, stopping the whole mirror maker. (kafka.tools.MirrorMaker$MirrorMakerThread)\n",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	committed, err := kadm.NewClient(pcl).FetchOffsets(ctx, "mirror")
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := committed.Lookup("big", 0); ok && o.At > 2 {
		t.Errorf("offset %d committed past the record that was never mirrored (offset 2)", o.At)
	}
}

// mirrorMakerProcess is kafka-mirror-maker.sh as a real process (the built
// gokafka binary running kafka.tools.MirrorMaker), logging at INFO.
type mirrorMakerProcess struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan struct{}
}

func startMirrorMaker(t *testing.T, args ...string) *mirrorMakerProcess {
	t.Helper()
	cmd := exec.Command(brokertest.Binary(t), append([]string{"kafka.tools.MirrorMaker"}, args...)...)
	cmd.Env = append(os.Environ(), "GOKAFKA_LOG_LEVEL=info", "LOG_DIR="+t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	mm := &mirrorMakerProcess{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = mm.stderr, mm.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(mm.done) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-mm.done
	})
	return mm
}

func (mm *mirrorMakerProcess) exited() bool {
	select {
	case <-mm.done:
		return true
	default:
		return false
	}
}

// wait returns the exit code once the process has ended by itself.
func (mm *mirrorMakerProcess) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-mm.done:
		return mm.cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		t.Fatalf("mirror maker still running after %v:\n%s", timeout, mm.stderr.String())
		return 0
	}
}

// stop sends sig and returns the exit code.
func (mm *mirrorMakerProcess) stop(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	mm.cmd.Process.Signal(sig)
	return mm.wait(t, 30*time.Second)
}

// Start-up failures end as Kafka 2.8's do: usage for a missing config
// option, an ERROR log line for a missing whitelist, and "Exception when
// starting mirror maker." plus main's NullPointerException for the rest.
func TestMirrorMakerStartupFailures(t *testing.T) {
	cfg := writeFile(t, "c.properties", "bootstrap.servers=localhost:1\ngroup.id=g\npartition.assignment.strategy=org.apache.kafka.clients.consumer.RangeAssignor\n")
	res := runTool(t, runMirrorMaker, "", "--producer.config", cfg, "--whitelist", "x")
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "Missing required argument \"[consumer.config]\"\nOption ") {
		t.Errorf("missing consumer.config: %+v", res)
	}
	res = runTool(t, runMirrorMaker, "", "--help")
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "This tool helps to continuously copy data between two Kafka clusters.\n") ||
		!strings.Contains(res.Stderr, "--abort.on.send.failure <String: Stop") {
		t.Errorf("help: %+v", res)
	}
	res = runTool(t, runMirrorMaker, "", "--consumer.config", cfg, "--producer.config", cfg)
	if res.Code != 1 || !strings.HasSuffix(res.Stderr, "] ERROR whitelist must be specified (kafka.tools.MirrorMaker$)\n") {
		t.Errorf("missing whitelist: %+v", res)
	}
	for _, tc := range []struct {
		args      []string
		exception string
	}{
		{[]string{"--include", "x"}, "joptsimple.UnrecognizedOptionException: include is not a recognized option"},
		{[]string{"--consumer.config", "/nonexistent/c.properties", "--producer.config", cfg, "--whitelist", "x"},
			"java.nio.file.NoSuchFileException: /nonexistent/c.properties"},
		{[]string{"--consumer.config", cfg, "--producer.config", cfg, "--whitelist", "x", "--abort.on.send.failure", "yes"},
			`java.lang.IllegalArgumentException: For input string: "yes"`},
		{[]string{"--consumer.config", cfg, "--producer.config", cfg, "--whitelist", "x", "--message.handler", "com.example.Handler"},
			"java.lang.ClassNotFoundException: com.example.Handler"},
		{[]string{"--consumer.config", cfg, "--producer.config", cfg, "--whitelist", "x", "--consumer.rebalance.listener", "com.example.Listener"},
			"java.lang.ClassNotFoundException: com.example.Listener"},
	} {
		res := runTool(t, runMirrorMaker, "", tc.args...)
		want := "] ERROR Exception when starting mirror maker. (kafka.tools.MirrorMaker$)\n" + tc.exception + "\n" +
			"Exception in thread \"main\" java.lang.NullPointerException\n"
		if res.Code != 1 || !strings.HasSuffix(res.Stderr, want) || strings.Count(res.Stderr, "\n") != 3 {
			t.Errorf("%v: code %d stderr:\n%s", tc.args, res.Code, res.Stderr)
		}
	}
}

// A whitelist that does not compile stops the thread, and with it the
// mirror maker (exit 255), with 2.8's log lines.
func TestMirrorMakerInvalidWhitelist(t *testing.T) {
	cfg := writeFile(t, "c.properties", "bootstrap.servers=127.0.0.1:1\ngroup.id=g\npartition.assignment.strategy=org.apache.kafka.clients.consumer.RangeAssignor\n")
	res := runTool(t, runMirrorMaker, "", "--consumer.config", cfg, "--producer.config", cfg, "--whitelist", "a(")
	if res.Code != 255 ||
		!strings.Contains(res.Stderr, "] ERROR Invalid expression syntax: a( (kafka.tools.MirrorMaker$)\n") ||
		!strings.Contains(res.Stderr, "] FATAL [mirrormaker-thread-0] Mirror maker thread failure due to  (kafka.tools.MirrorMaker$MirrorMakerThread)\n"+
			"java.lang.RuntimeException: a( is an invalid regex.\n") ||
		!strings.HasSuffix(res.Stderr, "] FATAL [mirrormaker-thread-0] Mirror maker thread exited abnormally, stopping the whole mirror maker. (kafka.tools.MirrorMaker$MirrorMakerThread)\n") {
		t.Errorf("code %d stderr:\n%s", res.Code, res.Stderr)
	}
}

// The whitelist is read as Kafka's IncludeList reads it.
func TestIncludeListRegex(t *testing.T) {
	for raw, want := range map[string]string{
		"a,b":        "a|b",
		" 'a, b.*' ": "a|b.*",
		`"my-topic"`: "my-topic",
		".*":         ".*",
	} {
		if got := includeListRegex(raw); got != want {
			t.Errorf("includeListRegex(%q) = %q, want %q", raw, got, want)
		}
	}
}
