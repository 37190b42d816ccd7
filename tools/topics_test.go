package tools

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"gokafka/broker/brokertest"
	"gokafka/zkcoord"
	"gokafka/zkcoord/zktest"
)

// TestMain stops the package's shared ZooKeeper (zktest.Shared) when the
// tests end. It is the only TestMain of package tools.
func TestMain(m *testing.M) { os.Exit(zktest.Main(m)) }

// topicsCluster is a chroot on the shared ZooKeeper with fake broker
// registrations: enough for --zookeeper mode, which only talks to ZooKeeper.
type topicsCluster struct {
	t       *testing.T
	connect string
	zk      *zkcoord.Client
}

func newTopicsCluster(t *testing.T, brokers ...int32) *topicsCluster {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: runs ZooKeeper")
	}
	cs := zktest.SharedConnect(t)
	zc, err := zkcoord.Connect(cs, 10*time.Second, 10*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(zc.Close)
	if err := zc.CreateTopLevelPaths(); err != nil {
		t.Fatal(err)
	}
	for _, id := range brokers {
		info := zkcoord.BrokerInfo{ID: id, JmxPort: -1, Timestamp: time.Now().UnixMilli(),
			Endpoints: []zkcoord.EndPoint{{ListenerName: "PLAINTEXT", Host: "localhost", Port: 9092 + id, SecurityProtocol: "PLAINTEXT"}}}
		if _, err := zc.RegisterBroker(info); err != nil {
			t.Fatal(err)
		}
	}
	return &topicsCluster{t: t, connect: cs, zk: zc}
}

// setLeader writes a partition state as the controller would.
func (c *topicsCluster) setLeader(topic string, p int32, leader int32, isr ...int32) {
	c.t.Helper()
	st := zkcoord.PartitionState{Leader: leader, ISR: isr, ControllerEpoch: 1}
	if err := c.zk.CreateRecursive(zkcoord.PartitionStatePath(topic, p), st.Encode()); err != nil {
		c.t.Fatal(err)
	}
}

// topicsShellQuote quotes an argument the way a user would type it.
func topicsShellQuote(a string) string {
	if a == "" || strings.ContainsAny(a, " |*'\"$\\") {
		return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return a
}

var topicsLogTimestamp = regexp.MustCompile(`^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] `)

// topicsTranscript runs kafka-topics.sh commands and records them as a shell
// session would show them: the command (with the chroot connect string
// shown as localhost:2181), stdout, stderr (log timestamps masked, the usage
// table folded into one line) and a non-zero exit code.
type topicsTranscript struct {
	c *topicsCluster
	b strings.Builder
}

func (tr *topicsTranscript) run(args ...string) toolResult {
	tr.c.t.Helper()
	full := make([]string, len(args))
	shown := make([]string, len(args))
	for i, a := range args {
		full[i] = strings.NewReplacer("ZK", tr.c.connect, "BROKER", tr.c.connect).Replace(a)
		shown[i] = topicsShellQuote(strings.NewReplacer("ZK", "localhost:2181", "BROKER", "localhost:9092").Replace(a))
	}
	r := runTool(tr.c.t, runTopics, "", full...)
	fmt.Fprintf(&tr.b, "$ bin/kafka-topics.sh %s\n", strings.Join(shown, " "))
	tr.b.WriteString(r.Stdout)
	if r.Stderr != "" {
		tr.b.WriteString("[stderr]\n")
		lines := strings.Split(strings.TrimSuffix(r.Stderr, "\n"), "\n")
		for i := 0; i < len(lines); i++ {
			l := topicsLogTimestamp.ReplaceAllString(lines[i], "[<time>] ")
			if strings.HasPrefix(l, "Option ") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "------") {
				tr.b.WriteString("<usage table>\n")
				break
			}
			tr.b.WriteString(l + "\n")
		}
	}
	if r.Code != 0 {
		fmt.Fprintf(&tr.b, "[exit %d]\n", r.Code)
	}
	tr.b.WriteString("\n")
	return r
}

// The quickstart's single-broker steps and the usual mistakes, in
// --zookeeper mode (quickstart-expected.md steps 3-4, cli.md §1).
func TestTopicsZooKeeperSingleBroker(t *testing.T) {
	c := newTopicsCluster(t, 0)
	tr := &topicsTranscript{c: c}
	tr.run("--create", "--zookeeper", "ZK", "--replication-factor", "1", "--partitions", "1", "--topic", "test_topic")
	c.setLeader("test_topic", 0, 0, 0)
	tr.run("--create", "--zookeeper", "ZK", "--replication-factor", "1", "--partitions", "1", "--topic", "test_topic")
	tr.run("--create", "--zookeeper", "ZK", "--replication-factor", "1", "--partitions", "1", "--topic", "test_topic", "--if-not-exists")
	tr.run("--create", "--zookeeper", "ZK", "--replication-factor", "3", "--partitions", "1", "--topic", "replicated_test")
	tr.run("--create", "--zookeeper=ZK", "--partitions=2", "--replication-factor=1", "--topic=compacted", "--config", "cleanup.policy=compact", "--config", "retention.ms=1000")
	tr.run("--list", "--zookeeper", "ZK")
	tr.run("--describe", "--zookeeper", "ZK", "--topic", "test_topic")
	tr.run("--describe", "--zookeeper", "ZK")
	tr.run("--describe", "--zookeeper", "ZK", "--topics-with-overrides")
	tr.run("--describe", "--zookeeper", "ZK", "--unavailable-partitions")
	tr.run("--describe", "--zookeeper", "ZK", "--under-replicated-partitions")
	tr.run("--describe", "--zookeeper", "ZK", "--topic", "nope")
	tr.run("--describe", "--zookeeper", "ZK", "--topic", "nope", "--if-exists")
	tr.run("--alter", "--zookeeper", "ZK", "--topic", "test_topic", "--partitions", "3")
	tr.run("--alter", "--zookeeper", "ZK", "--topic", "test_topic", "--partitions", "2")
	tr.run("--alter", "--zookeeper", "ZK", "--topic", "compacted", "--config", "retention.ms=2000", "--delete-config", "cleanup.policy")
	tr.run("--describe", "--zookeeper", "ZK", "--topic", "test_topic|compacted")
	tr.run("--create", "--zookeeper", "ZK", "--partitions", "1", "--replication-factor", "1", "--topic", "a b")
	tr.run("--create", "--zookeeper", "ZK", "--partitions", "1", "--replication-factor", "1", "--topic", "test.topic")
	tr.run("--create", "--zookeeper", "ZK", "--partitions", "1", "--replication-factor", "1", "--topic", "cfg", "--config", "foo=bar")
	tr.run("--create", "--zookeeper", "ZK", "--partitions", "1", "--replication-factor", "1", "--topic", "cfg", "--config", "retention.ms")
	tr.run("--delete", "--zookeeper", "ZK", "--topic", "compacted")
	tr.run("--delete", "--zookeeper", "ZK", "--topic", "compacted")
	tr.run("--list", "--zookeeper", "ZK")
	tr.run("--describe", "--zookeeper", "ZK", "--topic", "compacted")
	tr.run("--delete", "--zookeeper", "ZK", "--topic", "missing")
	tr.run("--delete", "--zookeeper", "ZK", "--topic", "missing", "--if-exists")
	golden(t, "topics_zk_single_broker", tr.b.String())

	// The ZooKeeper contents match quickstart-expected.md step 3.
	data, _, _ := c.zk.Get(zkcoord.EntityConfigPath(zkcoord.ConfigTypeTopic, "test_topic"))
	if string(data) != `{"version":1,"config":{}}` {
		t.Errorf("/config/topics/test_topic = %s", data)
	}
	a, err := c.zk.TopicAssignment("test_topic")
	if err != nil || a.Version != 3 || !a.TopicID.IsZero() || len(a.Partitions) != 3 {
		t.Errorf("/brokers/topics/test_topic = %+v, %v (version 3, no topic id from the tool)", a, err)
	}
	kids, _ := c.zk.Children(zkcoord.ConfigChangesPath)
	if len(kids) != 1 {
		t.Errorf("config change notifications: %v, want one (from --alter --config)", kids)
	}
}

// Three brokers: replica lists as given, leaders and ISR from ZooKeeper,
// a dead leader is "unavailable", a short ISR is "under-replicated".
func TestTopicsZooKeeperThreeBrokers(t *testing.T) {
	c := newTopicsCluster(t, 0, 1, 2)
	tr := &topicsTranscript{c: c}
	tr.run("--create", "--zookeeper", "ZK", "--replica-assignment", "1:2:0", "--topic", "replicated_test")
	c.setLeader("replicated_test", 0, 1, 1, 2, 0)
	tr.run("--create", "--zookeeper", "ZK", "--replica-assignment", "0,1,2,3", "--topic", "partitioned_test")
	c.setLeader("partitioned_test", 0, 0, 0)
	c.setLeader("partitioned_test", 1, 1, 1)
	c.setLeader("partitioned_test", 2, 2, 2)
	c.setLeader("partitioned_test", 3, 3, 3) // broker 3 is not registered
	tr.run("--describe", "--zookeeper", "ZK", "--topic", "replicated_test")
	tr.run("--describe", "--zookeeper", "ZK", "--unavailable-partitions")
	tr.run("--create", "--zookeeper", "ZK", "--replica-assignment", "1:1", "--topic", "dup")
	tr.run("--create", "--zookeeper", "ZK", "--replica-assignment", "1:2,1", "--topic", "uneven")
	tr.run("--create", "--zookeeper", "ZK", "--replica-assignment", "1:2", "--partitions", "1", "--topic", "both")
	tr.run("--alter", "--zookeeper", "ZK", "--topic", "replicated_test", "--partitions", "2", "--replica-assignment", "1:2:0,2:0:7")
	tr.run("--alter", "--zookeeper", "ZK", "--topic", "replicated_test", "--partitions", "2", "--replica-assignment", "1:2:0,2:0:1")
	tr.run("--describe", "--zookeeper", "ZK", "--topic", "replicated_test", "--under-replicated-partitions")
	golden(t, "topics_zk_three_brokers", tr.b.String())

	// Without --replica-assignment the replicas are spread by Kafka's
	// algorithm from a random start: every broker leads one partition.
	r := tr.run("--create", "--zookeeper", "ZK", "--replication-factor", "3", "--partitions", "3", "--topic", "spread")
	if r.Code != 0 {
		t.Fatal(r.Stdout)
	}
	a, _ := c.zk.TopicAssignment("spread")
	leaders := map[int32]bool{}
	for _, reps := range a.Partitions {
		leaders[reps[0]] = true
		if len(reps) != 3 {
			t.Errorf("replicas %v", reps)
		}
	}
	if len(leaders) != 3 {
		t.Errorf("preferred leaders %v: want all three brokers", a.Partitions)
	}
}

// Argument checks print a message and the usage table on stderr, exit 1.
func TestTopicsUsageErrors(t *testing.T) {
	tr := &topicsTranscript{c: &topicsCluster{t: t, connect: "127.0.0.1:1"}}
	tr.run()
	tr.run("--zookeeper", "ZK")
	tr.run("--list", "--describe", "--zookeeper", "ZK")
	tr.run("--list")
	tr.run("--list", "--zookeeper", "ZK", "--bootstrap-server", "localhost:9092")
	tr.run("--create", "--zookeeper", "ZK", "--topic", "t")
	tr.run("--create", "--zookeeper", "ZK", "--topic", "t", "--partitions", "1")
	tr.run("--create", "--zookeeper", "ZK", "--partitions", "1", "--replication-factor", "1")
	tr.run("--create", "--zookeeper", "ZK", "--topic", "t", "--partitions", "x", "--replication-factor", "1")
	tr.run("--list", "--zookeeper", "ZK", "--partitions", "3")
	tr.run("--describe", "--zookeeper", "ZK", "--under-min-isr-partitions")
	tr.run("--alter", "--bootstrap-server", "localhost:9092", "--topic", "t", "--config", "a=b")
	tr.run("--alter", "--bootstrap-server", "localhost:9092", "--topic", "t")
	tr.run("--list", "--zookeeper", "ZK", "--bogus")
	golden(t, "topics_usage_errors", tr.b.String())

	r := runTool(t, runTopics, "", "--help")
	if r.Code != 1 || r.Stdout != "" {
		t.Errorf("--help: exit %d, stdout %q", r.Code, r.Stdout)
	}
	golden(t, "topics_help", r.Stderr)
}

// Nothing listens: the tool gives up after its connection timeout with
// Kafka's uncaught-exception line.
func TestTopicsZooKeeperUnreachable(t *testing.T) {
	old := topicsZkConnectionTimeout
	topicsZkConnectionTimeout = 200 * time.Millisecond
	defer func() { topicsZkConnectionTimeout = old }()
	port := freePort(t)
	r := runTool(t, runTopics, "", "--list", "--zookeeper", fmt.Sprintf("127.0.0.1:%d", port))
	want := "Exception in thread \"main\" kafka.zookeeper.ZooKeeperClientTimeoutException: Timed out waiting for connection while in state: CONNECTING\n"
	if r.Code != 1 || r.Stderr != want || r.Stdout != "" {
		t.Errorf("got exit %d, stdout %q, stderr %q", r.Code, r.Stdout, r.Stderr)
	}
}

// --config pairs split at "=" with surrounding spaces, and need exactly
// one "=" (TopicCommand.parseTopicConfigsToBeAdded).
func TestParseTopicConfigs(t *testing.T) {
	cfg, err := parseTopicConfigs([]string{"retention.ms = 1000", " cleanup.policy=compact "})
	if err != nil || cfg["retention.ms"] != "1000" || cfg["cleanup.policy"] != "compact" {
		t.Errorf("got %v, %v", cfg, err)
	}
	for _, bad := range []string{"a=b=c", "retention.ms"} {
		if _, err := parseTopicConfigs([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	ra, err := parseTopicReplicaAssignment("1:2, 2 :3")
	if err != nil || len(ra) != 2 || ra[1][0] != 2 || ra[1][1] != 3 {
		t.Errorf("replica assignment %v %v", ra, err)
	}
	if _, err := parseTopicReplicaAssignment("1:x"); err == nil || err.Error() != `For input string: "x"` {
		t.Errorf("bad broker id: %v", err)
	}
}

// --topic is Kafka's IncludeList: a whole-name regular expression where a
// comma means "or".
func TestTopicIncludeList(t *testing.T) {
	all := []string{"a", "ab", "b", "__consumer_offsets"}
	for spec, want := range map[string]string{"a": "a", "a.*": "a,ab", "a,b": "a,b", "'b'": "b", ".*": "__consumer_offsets,a,ab,b"} {
		re, err := topicIncludeList(spec)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range all {
			if re.MatchString(n) {
				got = append(got, n)
			}
		}
		sort.Strings(got)
		if strings.Join(got, ",") != want {
			t.Errorf("%q matched %v, want %s", spec, got, want)
		}
	}
}

var topicIDField = regexp.MustCompile(`TopicId: [A-Za-z0-9_-]{22}`)

// --bootstrap-server mode against a peer broker (franz-go's kfake stands in
// until gokafka's broker runs here): the same outputs through the admin API.
func TestTopicsBootstrap(t *testing.T) {
	addr := startKfake(t)
	tr := &topicsTranscript{c: &topicsCluster{t: t, connect: addr}}
	tr.run("--list", "--bootstrap-server", "BROKER")
	tr.run("--create", "--bootstrap-server", "BROKER", "--replication-factor", "1", "--partitions", "1", "--topic", "test_topic")
	tr.run("--create", "--bootstrap-server", "BROKER", "--replication-factor", "1", "--partitions", "1", "--topic", "test_topic")
	tr.run("--create", "--bootstrap-server", "BROKER", "--replication-factor", "1", "--partitions", "1", "--topic", "test_topic", "--if-not-exists")
	tr.run("--create", "--bootstrap-server", "BROKER", "--replication-factor", "0", "--partitions", "1", "--topic", "zero")
	tr.run("--create", "--bootstrap-server", "BROKER", "--partitions", "2", "--topic", "defaults", "--config", "retention.ms=1000")
	tr.run("--list", "--bootstrap-server", "BROKER")
	tr.run("--alter", "--bootstrap-server", "BROKER", "--topic", "defaults", "--partitions", "3")
	tr.run("--describe", "--bootstrap-server", "BROKER", "--topic", "defaults")
	tr.run("--describe", "--bootstrap-server", "BROKER", "--topic", "nope")
	tr.run("--delete", "--bootstrap-server", "BROKER", "--topic", "test_topic")
	tr.run("--list", "--bootstrap-server", "BROKER")
	out := topicIDField.ReplaceAllString(tr.b.String(), "TopicId: <id>")
	golden(t, "topics_bootstrap_kfake", out)
}

// quickstart-expected.md steps 2-4 with a real gokafka broker: the tool
// writes ZooKeeper, the broker's controller elects the leader and stamps a
// topic id, and --describe shows both. The bootstrap-mode part runs once the
// broker serves the admin APIs.
func TestTopicsQuickstartWithBroker(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs ZooKeeper and a broker")
	}
	zk := zktest.Shared(t)
	cs := zk.ChrootConnect(t)
	b := brokertest.StartBroker(t, zk, brokertest.WithZkConnect(cs), brokertest.WithID(0))
	tr := &topicsTranscript{c: &topicsCluster{t: t, connect: cs}}
	tr.run("--create", "--zookeeper", "ZK", "--replication-factor", "1", "--partitions", "1", "--topic", "test_topic")
	waitFor(t, 30*time.Second, "the controller to elect a leader", func() bool {
		r := runTool(t, runTopics, "", "--describe", "--zookeeper", cs, "--topic", "test_topic")
		return strings.Contains(r.Stdout, "Leader: 0") && strings.Contains(r.Stdout, "TopicId: ")
	})
	tr.run("--list", "--zookeeper", "ZK")
	tr.run("--describe", "--zookeeper", "ZK", "--topic", "test_topic")
	golden(t, "topics_quickstart_broker", topicIDField.ReplaceAllString(tr.b.String(), "TopicId: <id>"))

	r := runTool(t, runTopics, "", "--list", "--bootstrap-server", b.Addr)
	if r.Code != 0 || r.Stdout != "test_topic\n" {
		t.Errorf("bootstrap --list: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	r = runTool(t, runTopics, "", "--create", "--bootstrap-server", b.Addr, "--partitions", "2", "--topic", "second")
	if strings.Contains(r.Stdout, "broker is too old") {
		t.Skipf("the broker does not serve CreateTopics yet: %s", r.Stdout)
	}
	if r.Code != 0 || r.Stdout != "Created topic second.\n" {
		t.Errorf("bootstrap --create: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	r = runTool(t, runTopics, "", "--create", "--bootstrap-server", b.Addr, "--replication-factor", "3", "--topic", "third")
	if r.Code != 1 || r.Stdout != "Error while executing topic command : Replication factor: 3 larger than available brokers: 1.\n" {
		t.Errorf("bootstrap --create rf 3: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	if r = runTool(t, runTopics, "", "--alter", "--bootstrap-server", b.Addr, "--topic", "second", "--partitions", "3"); r.Code != 0 || r.Stdout != "" {
		t.Errorf("bootstrap --alter: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	waitFor(t, 30*time.Second, "three partitions with leaders", func() bool {
		r = runTool(t, runTopics, "", "--describe", "--bootstrap-server", b.Addr, "--topic", "second")
		return strings.Count(r.Stdout, "Leader: 0") == 3
	})
	if !regexp.MustCompile(`^Topic: second\tTopicId: \S{22}\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: `).MatchString(r.Stdout) {
		t.Errorf("bootstrap --describe:\n%s", r.Stdout)
	}
	if r = runTool(t, runTopics, "", "--delete", "--bootstrap-server", b.Addr, "--topic", "second"); r.Code != 0 || r.Stdout != "" {
		t.Errorf("bootstrap --delete: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	waitFor(t, 30*time.Second, "the deletion", func() bool {
		return runTool(t, runTopics, "", "--list", "--bootstrap-server", b.Addr).Stdout == "test_topic\n"
	})
}

// No broker answers: after default.api.timeout.ms the admin client's
// TimeoutException; a missing --command-config file fails before that.
func TestTopicsBootstrapUnreachable(t *testing.T) {
	old := topicsAdminTimeout
	topicsAdminTimeout = 500 * time.Millisecond
	defer func() { topicsAdminTimeout = old }()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	r := runTool(t, runTopics, "", "--list", "--bootstrap-server", addr)
	if r.Code != 1 || r.Stdout != "Error while executing topic command : Timed out waiting for a node assignment. Call: listTopics\n" {
		t.Errorf("exit %d, stdout %q", r.Code, r.Stdout)
	}
	if !strings.Contains(r.Stderr, "ERROR org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: listTopics") {
		t.Errorf("stderr %q", r.Stderr)
	}
	r = runTool(t, runTopics, "", "--list", "--bootstrap-server", addr, "--command-config", "/nonexistent/admin.properties")
	if r.Code != 1 || r.Stderr != "Exception in thread \"main\" java.nio.file.NoSuchFileException: /nonexistent/admin.properties\n" {
		t.Errorf("missing command config: exit %d, stderr %q", r.Code, r.Stderr)
	}
}

var partitionLine = regexp.MustCompile(`\tTopic: (\S+)\tPartition: (\d+)\tLeader: (\S+)\tReplicas: ([\d,]*)\tIsr: ([\d,]*)`)

// quickstart-expected.md steps 7-8 on three real brokers, observed with
// kafka-topics.sh --describe: the first replica leads with the full ISR;
// after a SIGTERM of the leader (controlled shutdown) the next replica leads
// and the ISR drops the stopped broker; after its restart it rejoins the ISR.
func TestTopicsQuickstartThreeBrokers(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs ZooKeeper and three brokers")
	}
	zk := zktest.Shared(t)
	cs := zk.ChrootConnect(t)
	brokers := brokertest.StartCluster(t, zk, 3, brokertest.WithZkConnect(cs))
	r := runTool(t, runTopics, "", "--create", "--zookeeper", cs, "--replication-factor", "3", "--partitions", "1", "--topic", "replicated_test")
	if r.Code != 0 {
		t.Fatalf("create: %s%s", r.Stdout, r.Stderr)
	}
	describe := func() (leader, replicas, isr string) {
		out := runTool(t, runTopics, "", "--describe", "--zookeeper", cs, "--topic", "replicated_test").Stdout
		m := partitionLine.FindStringSubmatch(out)
		if m == nil {
			return "", "", ""
		}
		return m[3], m[4], m[5]
	}
	var leader, replicas, isr string
	waitFor(t, 60*time.Second, "a leader", func() bool {
		leader, replicas, isr = describe()
		return leader != "" && leader != "none"
	})
	reps := strings.Split(replicas, ",")
	if len(reps) != 3 || leader != reps[0] || isr != replicas {
		t.Fatalf("after creation: Leader: %s Replicas: %s Isr: %s; want the first replica leading, ISR = replicas", leader, replicas, isr)
	}
	var stopped *brokertest.Broker
	for _, b := range brokers {
		if fmt.Sprint(b.ID) == leader {
			stopped = b
		}
	}
	stopped.Stop()
	waitFor(t, 30*time.Second, "leadership to move", func() bool {
		leader, _, isr = describe()
		return leader != reps[0]
	})
	if leader != reps[1] || isr != reps[1]+","+reps[2] {
		t.Errorf("after stopping broker %s: Leader: %s Isr: %s; want Leader: %s Isr: %s,%s", reps[0], leader, isr, reps[1], reps[1], reps[2])
	}
	stopped.Restart()
	waitFor(t, 60*time.Second, "the restarted broker to rejoin the ISR", func() bool {
		_, _, isr = describe()
		return len(strings.Split(isr, ",")) == 3
	})
}
