package tools

import (
	"context"
	"fmt"
	"strings"
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
func startCluster(t *testing.T, topics ...string) *brokertest.Broker {
	t.Helper()
	zk := zktest.Shared(t)
	b := brokertest.StartBroker(t, zk, brokertest.WithZkConnect(zk.ChrootConnect(t)))
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
// target acknowledged), and SIGTERM's clean shutdown ends the tool.
func TestMirrorMakerBetweenTwoClusters(t *testing.T) {
	if testing.Short() {
		t.Skip("needs ZooKeeper and two broker processes")
	}
	src := startCluster(t, "mm-a", "mm-b", "mm-other")
	dst := startCluster(t)
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
	mmCtx, stop := context.WithCancel(context.Background())
	defer stop()
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		env := &toolEnv{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr}
		done <- runMirrorMaker(mmCtx, env, []string{"--consumer.config", consumerCfg, "--producer.config", producerCfg,
			"--whitelist", "mm-a, mm-b", "--offset.commit.interval.ms", "500"})
	}()

	ccl, err := kgo.NewClient(kgo.SeedBrokers(dst.Addr), kgo.ConsumeTopics("mm-a", "mm-b"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.MetadataMinAge(100*time.Millisecond), kgo.FetchMaxWait(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer ccl.Close()
	got := map[string]*kgo.Record{}
	for len(got) < 2*n {
		fs := ccl.PollFetches(ctx)
		select {
		case code := <-done:
			t.Fatalf("mirror maker exited %d after %d of %d records:\n%s", code, len(got), 2*n, stderr.String())
		default:
		}
		if ctx.Err() != nil {
			t.Fatalf("mirrored %d of %d records; mirror maker stderr:\n%s", len(got), 2*n, stderr.String())
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

	stop() // SIGTERM: the shutdown hook
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d after the clean shutdown", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no clean shutdown")
	}
	if !strings.HasPrefix(stderr.String(), mirrorMakerAssignmentWarning+"\n") || stdout.String() != "" {
		t.Errorf("stdout %q stderr %q", stdout.String(), stderr.String())
	}
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
