package tools

// End-to-end tests of the client tools against real gokafka broker
// processes and Debian's real ZooKeeper (skipped with -short).

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"gokafka/broker/brokertest"
	"gokafka/zkcoord"
	"gokafka/zkcoord/zktest"
)

// startRealBroker runs one gokafka broker on a fresh chroot of the shared
// ZooKeeper (stopped by TestMain) and creates topic (1 partition, RF 1) as quickstart step 3
// does, waiting until the broker serves it.
func startRealBroker(t *testing.T, topic string) *brokertest.Broker {
	t.Helper()
	if testing.Short() {
		t.Skip("needs ZooKeeper and a broker process")
	}
	zk := zktest.Shared(t)
	b := brokertest.StartBroker(t, zk, brokertest.WithZkConnect(zk.ChrootConnect(t)))
	zc, err := zkcoord.Connect(b.ZkConnect, 10*time.Second, 10*time.Second, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer zc.Close()
	if err := zc.CreateTopic(topic, map[int32][]int32{0: {b.ID}}, map[string]string{}, false); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "a leader for "+topic, func() bool {
		res := runTool(t, runGetOffsetShell, "", "--bootstrap-server", b.Addr, "--topic", topic)
		return res.Stdout == topic+":0:0\n"
	})
	return b
}

// Quickstart steps 5 and 6, verbatim: two lines typed into
// kafka-console-producer.sh --broker-list come back from
// kafka-console-consumer.sh --from-beginning, and Ctrl-C prints the count.
func TestQuickstartConsoleToolsRealBroker(t *testing.T) {
	b := startRealBroker(t, "test_topic")
	res := runTool(t, runConsoleProducer, "This is a message\nThis is another message\n", "--broker-list", b.Addr, "--topic", "test_topic")
	if res.Code != 0 || res.Stdout != "" || res.Stderr != "" {
		t.Fatalf("producer: %+v", res)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb lockedBuffer
	env := &toolEnv{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}
	done := make(chan int)
	go func() {
		done <- runConsoleConsumer(ctx, env, []string{"--bootstrap-server", b.Addr, "--topic", "test_topic", "--from-beginning"})
	}()
	want := "This is a message\nThis is another message\n"
	waitFor(t, 60*time.Second, "both lines from the consumer", func() bool { return out.String() == want })
	cancel() // Ctrl-C
	if code := <-done; code != 0 || out.String() != want || errb.String() != "Processed a total of 2 messages\n" {
		t.Errorf("consumer: code %d stdout %q stderr %q", code, out.String(), errb.String())
	}
	res = runTool(t, runGetOffsetShell, "", "--broker-list", b.Addr, "--topic", "test_topic", "--time", "-1")
	if res.Stdout != "test_topic:0:2\n" {
		t.Errorf("GetOffsetShell: %+v", res)
	}
	res = runTool(t, runBrokerAPIVersions, "", "--bootstrap-server", b.Addr)
	if !regexp.MustCompile(`^127\.0\.0\.1:\d+ \(id: \d+ rack: null\) -> \(\n\tProduce\(0\): \d+ to \d+ \[usable: \d+\],\n`).MatchString(res.Stdout) {
		t.Errorf("broker api versions:\n%s%s", res.Stdout, res.Stderr)
	}
}

// kafka-consumer-groups.sh --describe and --reset-offsets against a group
// that a console consumer with --group left behind.
func TestConsumerGroupsRealBroker(t *testing.T) {
	b := startRealBroker(t, "my-topic")
	res := runTool(t, runConsoleProducer, "a\nb\nc\nd\n", "--bootstrap-server", b.Addr, "--topic", "my-topic")
	if res.Code != 0 {
		t.Fatalf("producer: %+v", res)
	}
	res = runTool(t, runConsoleConsumer, "", "--bootstrap-server", b.Addr, "--topic", "my-topic", "--group", "my-group",
		"--from-beginning", "--max-messages", "4", "--timeout-ms", "60000")
	if res.Stdout != "a\nb\nc\nd\n" {
		t.Fatalf("consumer: %+v", res)
	}
	describe := func() toolResult {
		return runTool(t, runConsumerGroups, "", "--bootstrap-server", b.Addr, "--describe", "--group", "my-group")
	}
	var d toolResult
	waitFor(t, 30*time.Second, "the group to be Empty", func() bool {
		d = describe()
		return strings.Contains(d.Stderr, "has no active members")
	})
	want := "\nGROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n" +
		"my-group        my-topic        0          4               4               0               -               -               -\n"
	if d.Stdout != want {
		t.Errorf("describe:\n%q\nwant\n%q", d.Stdout, want)
	}
	res = runTool(t, runConsumerGroups, "", "--bootstrap-server", b.Addr, "--reset-offsets", "--group", "my-group", "--topic", "my-topic", "--to-earliest", "--execute")
	if res.Stdout != "\nGROUP                          TOPIC                          PARTITION  NEW-OFFSET     \nmy-group                       my-topic                       0          0              \n" {
		t.Errorf("reset: %+v", res)
	}
	if d = describe(); !strings.Contains(d.Stdout, "my-group        my-topic        0          0               4               4 ") {
		t.Errorf("describe after reset:\n%s", d.Stdout)
	}
	res = runTool(t, runConsumerGroups, "", "--bootstrap-server", b.Addr, "--list")
	if res.Stdout != "my-group\n" {
		t.Errorf("list: %+v", res)
	}
}

// kafka-configs.sh against a real broker: a topic override set with
// --bootstrap-server is what --zookeeper reads back from /config/topics.
func TestConfigsRealBroker(t *testing.T) {
	b := startRealBroker(t, "my-topic")
	res := runTool(t, runConfigs, "", "--bootstrap-server", b.Addr, "--alter", "--entity-type", "topics", "--entity-name", "my-topic", "--add-config", "retention.ms=1000,cleanup.policy=compact")
	if res.Code != 0 || res.Stdout != "Completed updating config for topic my-topic.\n" {
		t.Fatalf("alter: %+v", res)
	}
	res = runTool(t, runConfigs, "", "--bootstrap-server", b.Addr, "--describe", "--topic", "my-topic")
	want := "Dynamic configs for topic my-topic are:\n" +
		"  cleanup.policy=compact sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact, DEFAULT_CONFIG:log.cleanup.policy=delete}\n" +
		// Kafka's ConfigHelper drops the broker synonyms before
		// log.retention.ms, which is never set: only the topic's own remains.
		"  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000}\n"
	if res.Stdout != want {
		t.Errorf("describe:\n%s\nwant\n%s", res.Stdout, want)
	}
	res = runTool(t, runConfigs, "", "--zookeeper", b.ZkConnect, "--describe", "--entity-type", "topics", "--entity-name", "my-topic")
	if res.Stdout != zkDeprecation+"Configs for topic 'my-topic' are cleanup.policy=compact,retention.ms=1000\n" {
		t.Errorf("zookeeper describe: %q", res.Stdout)
	}
}
