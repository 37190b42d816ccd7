package tools

// Argument and input errors of kafka-reassign-partitions.sh with Kafka
// 2.8's messages, and the throttle arithmetic of --execute. Nothing here
// reaches a broker: the JSON is checked before the first admin call.

import (
	"strings"
	"testing"
)

func TestReassignUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		msg  string
	}{
		{"no action", []string{"--bootstrap-server", noBroker},
			"Command must include exactly one action: --generate, --execute, --verify, --cancel, --list"},
		{"two actions", []string{"--bootstrap-server", noBroker, "--list", "--verify"},
			"Command must include exactly one action: --generate, --execute, --verify, --cancel, --list"},
		{"no connection", []string{"--list"}, "Please specify --bootstrap-server"},
		{"verify without file", []string{"--bootstrap-server", noBroker, "--verify"},
			`Missing required argument "[reassignment-json-file]"`},
		{"generate without brokers", []string{"--bootstrap-server", noBroker, "--generate", "--topics-to-move-json-file", "t.json"},
			`Missing required argument "[broker-list]"`},
		{"throttle with verify", []string{"--bootstrap-server", noBroker, "--verify", "--reassignment-json-file", "r.json", "--throttle", "10"},
			`Option "[throttle]" can't be used with action "[verify]"`},
		{"zookeeper with list", []string{"--zookeeper", "localhost:2181", "--list"},
			`Option "[zookeeper]" can't be used with action "[list]"`},
	}
	for _, c := range cases {
		res := runTool(t, runReassignPartitions, "", c.args...)
		if res.Code != 1 || res.Stdout != "" || !strings.HasPrefix(res.Stderr, c.msg+"\nOption ") {
			t.Errorf("%s: code %d stdout %q stderr %.200q, want %q and the usage", c.name, res.Code, res.Stdout, res.Stderr, c.msg)
		}
	}
	// Thrown out of main before the try block.
	res := runTool(t, runReassignPartitions, "", "--zookeeper", "localhost:2181", "--execute", "--reassignment-json-file", "r.json", "--additional")
	wantResult(t, "--additional with --zookeeper", res, 1, "",
		"Exception in thread \"main\" java.lang.RuntimeException: You must specify --bootstrap-server when using \"[additional]\"\n")
	res = runTool(t, runReassignPartitions, "", "--bootstrap-server", noBroker, "--list", "--nope")
	wantResult(t, "unknown option", res, 1, "", "Exception in thread \"main\" joptsimple.UnrecognizedOptionException: nope is not a recognized option\n")
	res = runTool(t, runReassignPartitions, "")
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "This tool helps to move topic partitions between replicas.\nOption ") {
		t.Errorf("no arguments: %+v", res)
	}
	golden(t, "reassign_partitions_usage", res.Stderr)
}

// Bad reassignment files fail with "Error: <message>" and the exception on
// stdout, exit 1.
func TestReassignBadReassignmentJSON(t *testing.T) {
	cases := []struct {
		json, class, msg string
	}{
		{`{"version":1,"partitions":[]}`, "kafka.common.AdminCommandFailedException", "Partition reassignment list cannot be empty"},
		{`{"version":1}`, "kafka.common.AdminCommandFailedException", "Partition reassignment list cannot be empty"},
		{`{"version":2,"partitions":[]}`, "kafka.admin.AdminOperationException", "Not supported version field value 2"},
		{`{"partitions":[{"topic":"a","partition":0,"replicas":[]}]}`, "kafka.common.AdminCommandFailedException", "Partition replica list cannot be empty"},
		{`{"partitions":[{"topic":"a","partition":0,"replicas":[1]},{"topic":"a","partition":0,"replicas":[2]}]}`,
			"kafka.common.AdminCommandFailedException", "Partition reassignment contains duplicate topic partitions: a-0"},
		{`{"partitions":[{"topic":"a","partition":0,"replicas":[1,1]},{"topic":"a","partition":1,"replicas":[2,3,2]}]}`,
			"kafka.common.AdminCommandFailedException", "Partition replica lists may not contain duplicate entries: a-0 contains multiple entries for 1. a-1 contains multiple entries for 2"},
		{`{"partitions":[{"topic":"a","partition":0,"replicas":[1,2],"log_dirs":["any"]}]}`,
			"kafka.common.AdminCommandFailedException", "Size of replicas list List(1, 2) is different from size of log dirs list List(any) for partition a-0"},
		{`{"partitions":[{"topic":"a","replicas":[1]}]}`, "com.fasterxml.jackson.databind.JsonMappingException", "No such field exists: `partition`"},
		{`{"partitions":[{"topic":"a","partition":0,"replicas":"1"}]}`, "com.fasterxml.jackson.databind.JsonMappingException", `Expected JSON array, received "1"`},
		{`x`, "kafka.admin.AdminOperationException",
			"Unexpected character ('x' (code 120)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (String)\"x\"; line: 1, column: 2]"},
	}
	for _, c := range cases {
		file := writeTemp(t, "r.json", c.json)
		res := runTool(t, runReassignPartitions, "", "--bootstrap-server", noBroker, "--execute", "--reassignment-json-file", file)
		want := "Error: " + c.msg + "\n" + c.class + ": " + c.msg + "\n"
		if c.class == "kafka.admin.AdminOperationException" && strings.HasPrefix(c.json, "x") {
			want += "Caused by: com.fasterxml.jackson.core.JsonParseException: " + c.msg + "\n"
		}
		wantResult(t, c.json, res, 1, want+"\n", "")
	}
	res := runTool(t, runReassignPartitions, "", "--bootstrap-server", noBroker, "--verify", "--reassignment-json-file", "/nonexistent/r.json")
	wantResult(t, "missing file", res, 1, "Error: /nonexistent/r.json\njava.nio.file.NoSuchFileException: /nonexistent/r.json\n\n", "")
}

func TestReassignBadGenerateInput(t *testing.T) {
	cases := []struct {
		json, brokers, class, msg string
	}{
		{`{"topics":[{"topic":"a"}]}`, "1,x", "java.lang.NumberFormatException", `For input string: "x"`},
		{`{"topics":[{"topic":"a"}]}`, "1,2,1", "kafka.common.AdminCommandFailedException", "Broker list contains duplicate entries: 1"},
		{`not json`, "1,2", "kafka.admin.AdminOperationException", "The input string is not a valid JSON"},
		{`{"topics":[{"topic":"a"},{"topic":"a"}]}`, "1,2", "kafka.common.AdminCommandFailedException", "List of topics to reassign contains duplicate entries: a"},
		{`{"topics":[{"name":"a"}]}`, "1,2", "com.fasterxml.jackson.databind.JsonMappingException", "No such field exists: `topic`"},
	}
	for _, c := range cases {
		res := runTool(t, runReassignPartitions, "", "--bootstrap-server", noBroker, "--generate",
			"--topics-to-move-json-file", writeTemp(t, "t.json", c.json), "--broker-list", c.brokers)
		wantResult(t, c.json+" "+c.brokers, res, 1, "Error: "+c.msg+"\n"+c.class+": "+c.msg+"\n\n", "")
	}
}

// --throttle sets leader throttles on every replica the data comes from and
// follower throttles on every new one, as partition:broker lists sorted as
// strings (Kafka keeps them in a TreeSet[String]).
func TestReassignThrottleLists(t *testing.T) {
	current := map[topicPart][]int32{{"a", 0}: {0, 1}, {"a", 1}: {1, 2}, {"a", 10}: {2, 0}}
	proposed := map[topicPart][]int32{{"a", 0}: {1, 2}, {"a", 1}: {1, 2}, {"a", 10}: {0, 3}}
	mm, err := proposedMoveMap(nil, proposed, current)
	if err != nil {
		t.Fatal(err)
	}
	if got := throttledReplicas(mm, true)["a"]; got != "0:0,0:1,10:0,10:2,1:1,1:2" {
		t.Errorf("leader throttles %q", got)
	}
	if got := throttledReplicas(mm, false)["a"]; got != "0:2,10:3" {
		t.Errorf("follower throttles %q", got)
	}
	if got := joinInts(reassigningBrokers(mm), ","); got != "0,1,2,3" {
		t.Errorf("reassigning brokers %s", got)
	}
	// A partition already moving keeps its original sources.
	inFlight := map[topicPart]ongoing{{"a", 0}: {replicas: []int32{5, 0, 1}, adding: []int32{5}, removing: []int32{0, 1}}}
	mm, _ = proposedMoveMap(inFlight, map[topicPart][]int32{{"a", 0}: {6}}, current)
	if m := mm["a"][0]; joinInts(m.sources, ",") != "0,1" || joinInts(m.destinations, ",") != "6" {
		t.Errorf("move of a partition in flight: %+v", m)
	}
	if _, err := proposedMoveMap(nil, map[topicPart][]int32{{"a", 9}: {1}}, current); err == nil ||
		throwableString(err) != "java.lang.RuntimeException: Trying to reassign a topic partition a-9 with 0 replicas" {
		t.Errorf("unknown partition: %v", err)
	}
}
