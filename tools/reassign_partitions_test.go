package tools

// The partition admin tools against a real three-broker cluster (skipped
// with -short): leadership moved away from the preferred replica and
// brought back with kafka-leader-election and the deprecated
// kafka-preferred-replica-election, a topic moved from brokers [0,1] to
// [1,2] with kafka-reassign-partitions in both modes, throttles set and
// cleared, data still readable afterwards.

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"gokafka/broker/brokertest"
	"gokafka/zkcoord"
	"gokafka/zkcoord/zktest"
)

// partitionCluster is three brokers and a ZooKeeper client on their chroot.
type partitionCluster struct {
	brokers   []*brokertest.Broker
	bootstrap string
	zkConnect string
	zc        *zkcoord.Client
}

func startPartitionCluster(t *testing.T) *partitionCluster {
	t.Helper()
	if testing.Short() {
		t.Skip("needs ZooKeeper and broker processes")
	}
	zk := zktest.Shared(t)
	// No automatic rebalance: the tests move leaders themselves.
	bs := brokertest.StartCluster(t, zk, 3, brokertest.WithProps("auto.leader.rebalance.enable", "false"))
	zc, err := zkcoord.Connect(bs[0].ZkConnect, 10*time.Second, 10*time.Second, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(zc.Close)
	return &partitionCluster{brokers: bs, bootstrap: brokertest.BootstrapServers(bs...), zkConnect: bs[0].ZkConnect, zc: zc}
}

// createTopic writes a topic with a fixed assignment and waits until every
// partition has its full ISR.
func (c *partitionCluster) createTopic(t *testing.T, topic string, assign map[int32][]int32) {
	t.Helper()
	if err := c.zc.CreateTopic(topic, assign, map[string]string{}, false); err != nil {
		t.Fatal(err)
	}
	for p, replicas := range assign {
		c.waitISR(t, topic, p, replicas)
	}
}

// waitISR waits until the partition's ISR is exactly replicas (any order).
func (c *partitionCluster) waitISR(t *testing.T, topic string, p int32, replicas []int32) {
	t.Helper()
	want := slices.Sorted(slices.Values(replicas))
	waitFor(t, 30*time.Second, "the ISR of "+topic, func() bool {
		st, err := c.zc.PartitionState(topic, p)
		return err == nil && st.Leader >= 0 && slices.Equal(slices.Sorted(slices.Values(st.ISR)), want)
	})
}

func (c *partitionCluster) leader(t *testing.T, topic string, p int32) int32 {
	t.Helper()
	st, err := c.zc.PartitionState(topic, p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Leader
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func wantResult(t *testing.T, what string, got toolResult, code int, stdout, stderr string) {
	t.Helper()
	if got.Code != code || got.Stdout != stdout || got.Stderr != stderr {
		t.Errorf("%s:\ncode %d stdout:\n%s\nstderr:\n%s\nwant code %d stdout:\n%s\nstderr:\n%s",
			what, got.Code, got.Stdout, got.Stderr, code, stdout, stderr)
	}
}

const preferredDeprecation = "This tool is deprecated. Please use kafka-leader-election tool. Tracking issue: KAFKA-8405\n"

func TestPartitionAdminToolsRealCluster(t *testing.T) {
	c := startPartitionCluster(t)

	t.Run("LeaderElection", func(t *testing.T) {
		c.createTopic(t, "lead", map[int32][]int32{0: {0, 1, 2}, 1: {1, 2, 0}})
		// A controlled shutdown of broker 0 hands lead-0 to broker 1; after
		// the restart broker 0 is back in the ISR but no longer leads.
		c.brokers[0].Restart()
		c.waitISR(t, "lead", 0, []int32{0, 1, 2})
		if l := c.leader(t, "lead", 0); l == 0 {
			t.Fatalf("lead-0 is still led by its preferred replica")
		}

		res := runTool(t, runLeaderElection, "", "--bootstrap-server", c.bootstrap, "--election-type", "preferred", "--topic", "lead", "--partition", "0")
		wantResult(t, "preferred election", res, 0, "Successfully completed leader election (PREFERRED) for partitions lead-0\n", "")
		if l := c.leader(t, "lead", 0); l != 0 {
			t.Errorf("leader of lead-0 is %d after the election, want 0", l)
		}

		// Nothing left to do: 2.8 names the (empty) succeeded set here.
		res = runTool(t, runLeaderElection, "", "--bootstrap-server", c.bootstrap, "--election-type", "PREFERRED", "--all-topic-partitions")
		wantResult(t, "all partitions", res, 0, "Valid replica already elected for partitions \n", "")

		res = runTool(t, runLeaderElection, "", "--bootstrap-server", c.bootstrap, "--election-type", "preferred", "--path-to-json-file",
			writeTemp(t, "e.json", `{"partitions":[{"topic":"lead","partition":1},{"topic":"nope","partition":0}]}`))
		wantResult(t, "unknown partition", res, 1,
			"Valid replica already elected for partitions \n"+
				"Error completing leader election (PREFERRED) for partition: nope-0: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: The partition does not exist.\n",
			"Exception in thread \"main\" kafka.common.AdminCommandFailedException: 1 replica(s) could not be elected\n")

		// Unclean: every partition has a live leader.
		res = runTool(t, runLeaderElection, "", "--bootstrap-server", c.bootstrap, "--election-type", "unclean", "--topic", "lead", "--partition", "1")
		wantResult(t, "unclean", res, 0, "Valid replica already elected for partitions \n", "")
	})

	t.Run("PreferredReplicaElection", func(t *testing.T) {
		// Broker 1, preferred for lead-1, restarts and loses that leadership.
		c.brokers[1].Restart()
		c.waitISR(t, "lead", 1, []int32{0, 1, 2})
		if l := c.leader(t, "lead", 1); l == 1 {
			t.Fatalf("lead-1 is still led by its preferred replica")
		}
		res := runTool(t, runPreferredReplicaElection, "", "--zookeeper", c.zkConnect, "--path-to-json-file",
			writeTemp(t, "p.json", `{"partitions":[{"topic":"lead","partition":1},{"topic":"lead","partition":0},{"topic":"lead","partition":9}]}`))
		wantResult(t, "zookeeper", res, 0, preferredDeprecation+
			"Warning: --zookeeper is deprecated and will be removed in a future version of Kafka.\n"+
			"Use --bootstrap-server instead to specify a broker to connect to.\n"+
			"Created preferred replica election path with lead-0,lead-1\n"+
			"Successfully started preferred replica election for partitions Set(lead-0, lead-1)\n"+
			"Skipping preferred replica leader election for partition lead-9 since it doesn't exist.\n", "")
		// The controller carries the request out and deletes it.
		waitFor(t, 30*time.Second, "the controller to elect broker 1 and delete /admin/preferred_replica_election", func() bool {
			_, pending, err := c.zc.PreferredReplicaElectionRequest()
			return err == nil && !pending && c.leader(t, "lead", 1) == 1
		})

		// Again through the admin API: one partition moves, one needs
		// nothing, and 2.8 names the moved one on both lines.
		c.brokers[1].Restart()
		c.waitISR(t, "lead", 1, []int32{0, 1, 2})
		res = runTool(t, runPreferredReplicaElection, "", "--bootstrap-server", c.bootstrap, "--path-to-json-file",
			writeTemp(t, "p.json", `{"partitions":[{"topic":"lead","partition":0},{"topic":"lead","partition":1}]}`))
		wantResult(t, "bootstrap", res, 0, preferredDeprecation+
			"Successfully completed preferred leader election for partitions lead-1\n"+
			"Preferred replica already elected for partitions lead-1\n", "")
		if l := c.leader(t, "lead", 1); l != 1 {
			t.Errorf("leader of lead-1 is %d, want 1", l)
		}
	})

	t.Run("ReassignWithBootstrapServer", func(t *testing.T) {
		c.createTopic(t, "moving", map[int32][]int32{0: {0, 1}})
		res := runTool(t, runConsoleProducer, "one\ntwo\nthree\n", "--bootstrap-server", c.bootstrap, "--topic", "moving",
			"--request-required-acks", "all") // on both replicas before the move
		if res.Code != 0 {
			t.Fatalf("producer: %+v", res)
		}

		topics := writeTemp(t, "topics.json", `{"topics":[{"topic":"moving"}],"version":1}`)
		reassignFixedStart = 0
		defer func() { reassignFixedStart = -1 }()
		res = runTool(t, runReassignPartitions, "", "--bootstrap-server", c.bootstrap, "--generate", "--topics-to-move-json-file", topics, "--broker-list", "1,2")
		if res.Code != 0 {
			t.Fatalf("generate: %+v", res)
		}
		golden(t, "reassign_generate", res.Stdout)

		plan := writeTemp(t, "plan.json", `{"version":1,"partitions":[{"topic":"moving","partition":0,"replicas":[1,2]}]}`)
		res = runTool(t, runReassignPartitions, "", "--bootstrap-server", c.bootstrap, "--execute", "--reassignment-json-file", plan)
		wantResult(t, "execute", res, 0, "Current partition replica assignment\n\n"+
			`{"version":1,"partitions":[{"topic":"moving","partition":0,"replicas":[0,1],"log_dirs":["any","any"]}]}`+"\n\n"+
			"Save this to use as the --reassignment-json-file option during rollback\n"+
			"Successfully started partition reassignment for moving-0\n", "")

		var out string
		waitFor(t, 60*time.Second, "the reassignment to complete", func() bool {
			res = runTool(t, runReassignPartitions, "", "--bootstrap-server", c.bootstrap, "--verify", "--reassignment-json-file", plan)
			out = res.Stdout
			return strings.Contains(out, "is complete.")
		})
		want := "Status of partition reassignment:\n" +
			"Reassignment of partition moving-0 is complete.\n\n" +
			"Clearing broker-level throttles on brokers 0,1,2\n" +
			"Clearing topic-level throttles on topic moving\n"
		if out != want || res.Code != 0 {
			t.Errorf("verify: code %d\n%s\nwant\n%s%s", res.Code, out, want, res.Stderr)
		}
		a, err := c.zc.TopicAssignment("moving")
		if err != nil || !slices.Equal(a.Partitions[0], []int32{1, 2}) || len(a.AddingReplicas) != 0 {
			t.Errorf("/brokers/topics/moving after the move: %+v %v", a, err)
		}
		res = runTool(t, runReassignPartitions, "", "--bootstrap-server", c.bootstrap, "--list")
		wantResult(t, "list", res, 0, "No partition reassignments found.\n", "")

		// The data moved with the partition: broker 0 no longer has it.
		res = runTool(t, runConsoleConsumer, "", "--bootstrap-server", c.brokers[1].Addr+","+c.brokers[2].Addr, "--topic", "moving",
			"--from-beginning", "--max-messages", "3", "--timeout-ms", "30000")
		if res.Stdout != "one\ntwo\nthree\n" {
			st, _ := c.zc.PartitionState("moving", 0)
			off := runTool(t, runGetOffsetShell, "", "--bootstrap-server", c.bootstrap, "--topic", "moving", "--time", "-1")
			t.Errorf("consumer after the move: %+v\npartition state %+v, end offsets %+v", res, st, off)
		}

		// An unknown broker or topic is refused before anything starts.
		res = runTool(t, runReassignPartitions, "", "--bootstrap-server", c.bootstrap, "--execute", "--reassignment-json-file",
			writeTemp(t, "bad.json", `{"version":1,"partitions":[{"topic":"moving","partition":0,"replicas":[1,7]}]}`))
		wantResult(t, "unknown broker", res, 1, "Error: Unknown broker id 7\nkafka.common.AdminCommandFailedException: Unknown broker id 7\n\n", "")
		res = runTool(t, runReassignPartitions, "", "--bootstrap-server", c.bootstrap, "--execute", "--reassignment-json-file",
			writeTemp(t, "bad.json", `{"version":1,"partitions":[{"topic":"nope","partition":0,"replicas":[1,2]}]}`))
		wantResult(t, "unknown topic", res, 1,
			"Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.\n"+
				"java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.\n"+
				"Caused by: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.\n\n", "")
	})

	t.Run("ReassignWithZooKeeper", func(t *testing.T) {
		c.createTopic(t, "zkmove", map[int32][]int32{0: {0, 1}})
		reassignFixedStart = 0
		defer func() { reassignFixedStart = -1 }()
		res := runTool(t, runReassignPartitions, "", "--zookeeper", c.zkConnect, "--generate", "--broker-list", "2,1",
			"--topics-to-move-json-file", writeTemp(t, "topics.json", `{"topics":[{"topic":"zkmove"}]}`))
		wantResult(t, "generate", res, 0, "Warning: --zookeeper is deprecated, and will be removed in a future version of Kafka.\n"+
			"Current partition replica assignment\n"+
			`{"version":1,"partitions":[{"topic":"zkmove","partition":0,"replicas":[0,1],"log_dirs":["any","any"]}]}`+"\n\n"+
			"Proposed partition reassignment configuration\n"+
			`{"version":1,"partitions":[{"topic":"zkmove","partition":0,"replicas":[1,2],"log_dirs":["any","any"]}]}`+"\n", "")

		plan := writeTemp(t, "plan.json", `{"version":1,"partitions":[{"topic":"zkmove","partition":0,"replicas":[2,1]}]}`)
		res = runTool(t, runReassignPartitions, "", "--zookeeper", c.zkConnect, "--execute", "--reassignment-json-file", plan, "--throttle", "50000000")
		wantResult(t, "execute", res, 0, "Warning: --zookeeper is deprecated, and will be removed in a future version of Kafka.\n"+
			"Current partition replica assignment\n\n"+
			`{"version":1,"partitions":[{"topic":"zkmove","partition":0,"replicas":[0,1],"log_dirs":["any","any"]}]}`+"\n\n"+
			"Save this to use as the --reassignment-json-file option during rollback\n"+
			"Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.\n"+
			"The inter-broker throttle limit was set to 50000000 B/s\n"+
			"Successfully started partition reassignment for zkmove-0\n", "")
		cfg, err := c.zc.EntityConfig(zkcoord.ConfigTypeTopic, "zkmove")
		if err != nil || cfg["leader.replication.throttled.replicas"] != "0:0,0:1" || cfg["follower.replication.throttled.replicas"] != "0:2" {
			t.Errorf("topic throttles: %v %v", cfg, err)
		}
		for _, b := range []string{"0", "1", "2"} {
			cfg, err := c.zc.EntityConfig(zkcoord.ConfigTypeBroker, b)
			if err != nil || cfg["leader.replication.throttled.rate"] != "50000000" || cfg["follower.replication.throttled.rate"] != "50000000" {
				t.Errorf("broker %s throttles: %v %v", b, cfg, err)
			}
		}

		var out string
		waitFor(t, 60*time.Second, "the reassignment to complete", func() bool {
			res = runTool(t, runReassignPartitions, "", "--zookeeper", c.zkConnect, "--verify", "--reassignment-json-file", plan)
			out = res.Stdout
			return strings.Contains(out, "is complete.")
		})
		want := "Warning: --zookeeper is deprecated, and will be removed in a future version of Kafka.\n" +
			"Warning: because you are using the deprecated --zookeeper option, the results may be incomplete.  Use --bootstrap-server instead for more accurate results.\n" +
			"Status of partition reassignment:\n" +
			"Reassignment of partition zkmove-0 is complete.\n" +
			"Clearing broker-level throttles on brokers 0,1,2\n" +
			"Clearing topic-level throttles on topic zkmove\n"
		if out != want {
			t.Errorf("verify:\n%s\nwant\n%s", out, want)
		}
		if cfg, _ := c.zc.EntityConfig(zkcoord.ConfigTypeTopic, "zkmove"); len(cfg) != 0 {
			t.Errorf("topic throttles left after verify: %v", cfg)
		}
		if cfg, _ := c.zc.EntityConfig(zkcoord.ConfigTypeBroker, "2"); len(cfg) != 0 {
			t.Errorf("broker throttles left after verify: %v", cfg)
		}
		if l := c.leader(t, "zkmove", 0); l != 2 {
			t.Errorf("leader of zkmove-0 is %d, want the new preferred replica 2", l)
		}
	})
	t.Run("ListAndCancel", func(t *testing.T) {
		// A broker killed with SIGKILL stays registered until its ZooKeeper
		// session times out (18 s), so a reassignment onto it is accepted
		// and stays in flight. It must not be the controller, and the
		// cluster is not used after this.
		data, _, err := c.zc.Get(zkcoord.ControllerPath)
		if err != nil {
			t.Fatal(err)
		}
		ctl, err := zkcoord.DecodeControllerInfo(data)
		if err != nil {
			t.Fatal(err)
		}
		dead := (ctl.BrokerID + 1) % 3
		var others []int32
		for id := int32(0); id < 3; id++ {
			if id != dead {
				others = append(others, id)
			}
		}
		c.createTopic(t, "stuck", map[int32][]int32{0: others})
		c.brokers[dead].Kill()
		bootstrap := c.brokers[others[0]].Addr + "," + c.brokers[others[1]].Addr

		ids := func(xs ...int32) string { return joinInts(xs, ",") }
		plan := writeTemp(t, "plan.json", fmt.Sprintf(`{"version":1,"partitions":[{"topic":"stuck","partition":0,"replicas":[%s]}]}`, ids(others[1], dead)))
		res := runTool(t, runReassignPartitions, "", "--bootstrap-server", bootstrap, "--execute", "--reassignment-json-file", plan)
		if res.Code != 0 || !strings.HasSuffix(res.Stdout, "Successfully started partition reassignment for stuck-0\n") {
			t.Fatalf("execute: %+v", res)
		}
		res = runTool(t, runReassignPartitions, "", "--bootstrap-server", bootstrap, "--execute", "--reassignment-json-file", plan)
		wantResult(t, "execute again", res, 1, cannotExecuteBecauseOfExisting+"\n", "")
		res = runTool(t, runReassignPartitions, "", "--bootstrap-server", bootstrap, "--list")
		wantResult(t, "list", res, 0, "Current partition reassignments:\n"+
			fmt.Sprintf("stuck-0: replicas: %s. adding: %s. removing: %s.\n", ids(others[1], dead, others[0]), ids(dead), ids(others[0])), "")
		res = runTool(t, runReassignPartitions, "", "--bootstrap-server", bootstrap, "--verify", "--reassignment-json-file", plan)
		wantResult(t, "verify", res, 0, "Status of partition reassignment:\nReassignment of partition stuck-0 is still in progress.\n\n", "")
		// The dead broker could not take a config change: keep throttles.
		res = runTool(t, runReassignPartitions, "", "--bootstrap-server", bootstrap, "--cancel", "--reassignment-json-file", plan, "--preserve-throttles")
		wantResult(t, "cancel", res, 0, "Successfully cancelled partition reassignment for: stuck-0\n"+
			"None of the specified partition moves are active.\n", "")
		res = runTool(t, runReassignPartitions, "", "--bootstrap-server", bootstrap, "--list")
		wantResult(t, "list after cancel", res, 0, "No partition reassignments found.\n", "")
		// Kafka reverts to the in-flight replicas minus the adding ones
		// (PartitionReplicaAssignment.originReplicas), so the original order
		// is not restored.
		a, err := c.zc.TopicAssignment("stuck")
		if err != nil || !slices.Equal(a.Partitions[0], []int32{others[1], others[0]}) {
			t.Errorf("/brokers/topics/stuck after the cancel: %+v %v", a, err)
		}
	})
}
