package tools

import (
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"gokafka/zkcoord"
	"gokafka/zkcoord/zktest"
)

const zkDeprecation = "Warning: --zookeeper is deprecated and will be removed in a future version of Kafka.\nUse --bootstrap-server instead to specify a broker to connect to.\n"

// The operations chapter's --zookeeper examples: topic overrides and
// <user, client-id> quotas written to /config with a change notification.
func TestConfigsZooKeeperMode(t *testing.T) {
	if testing.Short() {
		t.Skip("needs ZooKeeper")
	}
	cs := zktest.SharedConnect(t)
	zc, err := zkcoord.Connect(cs, 10*time.Second, 10*time.Second, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer zc.Close()
	if err := zc.CreateTopic("my_topic", map[int32][]int32{0: {0}}, map[string]string{}, false); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) toolResult {
		return runTool(t, runConfigs, "", append([]string{"--zookeeper", cs}, args...)...)
	}
	res := run("--entity-type", "topics", "--entity-name", "my_topic", "--alter", "--add-config", "retention.ms=1000,cleanup.policy=compact")
	if res.Code != 0 || res.Stdout != zkDeprecation+"Completed updating config for entity: topic 'my_topic'.\n" {
		t.Fatalf("alter: %+v", res)
	}
	if cfg, _ := zc.EntityConfig("topics", "my_topic"); cfg["retention.ms"] != "1000" || cfg["cleanup.policy"] != "compact" {
		t.Errorf("znode config = %v", cfg)
	}
	if kids, _ := zc.Children("/config/changes"); len(kids) == 0 {
		t.Error("no /config/changes notification")
	}
	res = run("--entity-type", "topics", "--entity-name", "my_topic", "--describe")
	if res.Stdout != zkDeprecation+"Configs for topic 'my_topic' are cleanup.policy=compact,retention.ms=1000\n" {
		t.Errorf("describe: %q", res.Stdout)
	}
	res = run("--entity-type", "topics", "--entity-name", "my_topic", "--alter", "--delete-config", "x")
	if res.Code != 1 || res.Stderr != "Invalid config(s): x\n" {
		t.Errorf("delete unknown: %+v", res)
	}
	res = run("--entity-type", "topics", "--entity-name", "my_topic", "--alter", "--add-config", "x=y")
	if res.Code != 1 || res.Stderr != "Unknown topic config name: x\n" {
		t.Errorf("unknown topic config: %+v", res)
	}
	res = run("--entity-type", "topics", "--entity-name", "nope", "--alter", "--add-config", "retention.ms=1")
	if res.Code != 1 || !strings.HasSuffix(res.Stderr, "\norg.apache.kafka.common.errors.UnknownTopicOrPartitionException: Topic 'nope' does not exist.\n") {
		t.Errorf("missing topic: %+v", res)
	}
	res = run("--entity-type", "topics", "--entity-name", "my_topic", "--alter", "--delete-config", "retention.ms")
	if res.Code != 0 {
		t.Errorf("delete: %+v", res)
	}
	// 2.7+ writes user quotas only through the brokers; what ZooKeeper
	// holds is still described.
	res = run("--alter", "--add-config", "consumer_byte_rate=20000", "--entity-type", "users", "--entity-name", "admin")
	if res.Code != 1 || res.Stderr != "requirement failed: --bootstrap-server option must be specified to update users configs: {add: {consumer_byte_rate=20000}, delete: List()}. User configuration updates using ZooKeeper are only supported for SCRAM credential updates.\n" {
		t.Errorf("user quota: %+v", res)
	}
	if err := zc.SetEntityConfig("users", "user1/clients/clientA", map[string]string{"producer_byte_rate": "1024", "consumer_byte_rate": "2048", "request_percentage": "200"}); err != nil {
		t.Fatal(err)
	}
	res = run("--describe", "--entity-type", "users", "--entity-name", "user1", "--entity-type", "clients")
	if res.Stdout != zkDeprecation+"Configs for user-principal 'user1', client-id 'clientA' are consumer_byte_rate=2048,producer_byte_rate=1024,request_percentage=200\n" {
		t.Errorf("quota describe: %q", res.Stdout)
	}
	res = run("--alter", "--add-config", "producer_byte_rate=1024", "--entity-type", "clients", "--entity-default")
	if res.Stdout != zkDeprecation+"Completed updating config for entity: default client-id.\n" {
		t.Errorf("default client: %+v", res)
	}
	if cfg, _ := zc.EntityConfig("clients", "<default>"); cfg["producer_byte_rate"] != "1024" {
		t.Errorf("/config/clients/<default> = %v", cfg)
	}
	res = run("--describe", "--entity-type", "topics", "--entity-name", "nope")
	if res.Stdout != zkDeprecation+"Configs for topic 'nope' are \n" {
		t.Errorf("describe missing: %q", res.Stdout)
	}
	res = run("--describe", "--entity-type", "topics", "--all")
	if res.Code != 1 || res.Stderr != "--bootstrap-server must be specified for --all\n" {
		t.Errorf("--all with zookeeper: %+v", res)
	}
}

func TestConfigsBootstrapTopic(t *testing.T) {
	addr := startKfake(t, "-seed-topics", "my-topic")
	run := func(args ...string) toolResult {
		return runTool(t, runConfigs, "", append([]string{"--bootstrap-server", addr}, args...)...)
	}
	res := run("--alter", "--entity-type", "topics", "--entity-name", "my-topic", "--add-config", "cleanup.policy=compact,retention.ms=1000")
	if res.Code != 0 || res.Stdout != "Completed updating config for topic my-topic.\n" {
		t.Fatalf("alter: %+v", res)
	}
	res = run("--describe", "--topic", "my-topic")
	// (A 2.8 broker lists DYNAMIC_TOPIC_CONFIG first among the synonyms;
	// kfake lists only the default, so only the prefix is compared.)
	if !strings.HasPrefix(res.Stdout, "Dynamic configs for topic my-topic are:\n  cleanup.policy=compact sensitive=false synonyms={") ||
		!strings.Contains(res.Stdout, "\n  retention.ms=1000 sensitive=false synonyms={") {
		t.Errorf("describe:\n%s", res.Stdout)
	}
	res = run("--alter", "--topic", "my-topic", "--delete-config", "segment.bytes")
	if res.Code != 1 || res.Stderr != "Invalid config(s): segment.bytes\n" {
		t.Errorf("delete unset: %+v", res)
	}
}

// The operations chapter's --bootstrap-server quota examples.
func TestConfigsBootstrapQuotas(t *testing.T) {
	addr := startKfake(t)
	run := func(args ...string) toolResult {
		return runTool(t, runConfigs, "", append([]string{"--bootstrap-server", addr}, args...)...)
	}
	res := run("--alter", "--add-config", "producer_byte_rate=1024,consumer_byte_rate=2048,request_percentage=200",
		"--entity-type", "users", "--entity-name", "user1", "--entity-type", "clients", "--entity-name", "clientA")
	if res.Code != 0 || res.Stdout != "Completed updating config for user user1.\n" {
		t.Fatalf("alter: %+v", res)
	}
	res = run("--describe", "--entity-type", "users", "--entity-name", "user1", "--entity-type", "clients", "--entity-name", "clientA")
	if res.Stdout != "Quota configs for user-principal 'user1', client-id 'clientA' are consumer_byte_rate=2048.0, producer_byte_rate=1024.0, request_percentage=200.0\n" {
		t.Errorf("describe: %q", res.Stdout)
	}
	res = run("--alter", "--add-config", "producer_byte_rate=1024", "--entity-type", "clients", "--entity-default")
	if res.Stdout != "Completed updating default config for clients in the cluster.\n" {
		t.Errorf("default alter: %+v", res)
	}
	res = run("--describe", "--client-defaults")
	if res.Stdout != "Quota configs for the default client-id are producer_byte_rate=1024.0\n" {
		t.Errorf("default describe: %q", res.Stdout)
	}
	res = run("--alter", "--client", "c", "--add-config", "retention.ms=1")
	if res.Code != 1 || res.Stderr != "Only quota configs can be added for 'clients' using --bootstrap-server. Unexpected config names: Set(retention.ms)\n" {
		t.Errorf("non-quota key: %+v", res)
	}
}

func TestConfigsArgumentErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--bootstrap-server", "h:1", "--describe"}, "At least one entity type must be specified\n"},
		{[]string{"--describe", "--entity-type", "topics"}, "One of the required --bootstrap-server or --zookeeper arguments must be specified\n"},
		{[]string{"--bootstrap-server", "h:1", "--zookeeper", "z:2", "--describe", "--entity-type", "topics"}, "Only one of --bootstrap-server or --zookeeper must be specified\n"},
		{[]string{"--bootstrap-server", "h:1", "--alter", "--entity-type", "topics", "--entity-name", "t"}, "At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter\n"},
		{[]string{"--bootstrap-server", "h:1", "--alter", "--entity-type", "topics", "--add-config", "a=b"}, "an entity name must be specified with --alter of topics\n"},
		{[]string{"--bootstrap-server", "h:1", "--describe", "--entity-type", "foo"}, "Invalid entity type foo, the entity type must be one of topics, clients, users, brokers, broker-loggers, ips with a --bootstrap-server argument\n"},
		{[]string{"--bootstrap-server", "h:1", "--describe", "--entity-type", "topics", "--entity-type", "users"}, "Only 'users' and 'clients' entity types may be specified together\n"},
		{[]string{"--bootstrap-server", "h:1", "--describe", "--broker", "x"}, "The entity name for brokers must be a valid integer broker id, but it is: x\n"},
	} {
		res := runTool(t, runConfigs, "", tc.args...)
		if res.Code != 1 || res.Stderr != tc.want {
			t.Errorf("%q: %+v", tc.args, res)
		}
	}
	res := runTool(t, runConfigs, "", "--bootstrap-server", "h:1", "--entity-type", "topics")
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "Command must include exactly one action: --describe, --alter\nOption") {
		t.Errorf("no action: %+v", firstLines(res.Stderr, 2))
	}
}

func TestSplitOutsideBrackets(t *testing.T) {
	got := splitOutsideBrackets("k1=v1,k2=[v1,v2,v2],k3=v3")
	if strings.Join(got, "|") != "k1=v1|k2=[v1,v2,v2]|k3=v3" {
		t.Errorf("%q", got)
	}
}
