package tools

// Argument and input errors of kafka-leader-election.sh and
// kafka-preferred-replica-election.sh, with Kafka 2.8's messages. None of
// these reach a broker (127.0.0.1:1 is never dialled).

import (
	"strings"
	"testing"
	"time"
)

const noBroker = "127.0.0.1:1"

// LeaderElectionCommand throws its validation errors out of main: the JVM
// prints the exception on stderr, no usage, exit 1.
func TestLeaderElectionValidation(t *testing.T) {
	exc := func(msg string) string { return "Exception in thread \"main\" " + msg + "\n" }
	cases := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"nothing required", []string{"--topic", "t"},
			exc("kafka.common.AdminCommandFailedException: Missing required option(s): election-type, bootstrap-server")},
		{"no election type", []string{"--bootstrap-server", noBroker, "--all-topic-partitions"},
			exc("kafka.common.AdminCommandFailedException: Missing required option(s): election-type")},
		{"no partition selector", []string{"--bootstrap-server", noBroker, "--election-type", "preferred"},
			exc("kafka.common.AdminCommandFailedException: One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file")},
		{"two selectors", []string{"--bootstrap-server", noBroker, "--election-type", "preferred", "--all-topic-partitions", "--topic", "t", "--partition", "0"},
			exc("kafka.common.AdminCommandFailedException: One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file")},
		{"topic without partition", []string{"--bootstrap-server", noBroker, "--election-type", "preferred", "--topic", "t"},
			exc("kafka.common.AdminCommandFailedException: Missing required option(s): partition")},
		{"partition without topic", []string{"--bootstrap-server", noBroker, "--election-type", "preferred", "--all-topic-partitions", "--partition", "0"},
			exc("kafka.common.AdminCommandFailedException: Option partition is only allowed if topic is used")},
		{"bad election type", []string{"--bootstrap-server", noBroker, "--election-type", "dirty", "--all-topic-partitions"},
			exc("joptsimple.OptionArgumentConversionException: Cannot parse argument 'dirty' of option election-type") +
				"Caused by: joptsimple.ValueConversionException: Value [dirty] is not one of [PREFERRED,UNCLEAN]\n"},
		{"bad partition", []string{"--bootstrap-server", noBroker, "--election-type", "preferred", "--topic", "t", "--partition", "x"},
			exc("joptsimple.OptionArgumentConversionException: Cannot parse argument 'x' of option partition")},
		{"unknown option", []string{"--bootstrap-server", noBroker, "--zookeeper", "zk:2181"},
			exc("joptsimple.UnrecognizedOptionException: zookeeper is not a recognized option")},
		{"missing file", []string{"--bootstrap-server", noBroker, "--election-type", "preferred", "--path-to-json-file", "/nonexistent/e.json"},
			exc("java.nio.file.NoSuchFileException: /nonexistent/e.json")},
	}
	for _, c := range cases {
		res := runTool(t, runLeaderElection, "", c.args...)
		wantResult(t, c.name, res, 1, "", c.stderr)
	}
}

func TestLeaderElectionUsage(t *testing.T) {
	res := runTool(t, runLeaderElection, "")
	if res.Code != 1 || res.Stdout != "" || !strings.HasPrefix(res.Stderr, "This tool attempts to elect a new leader for a set of topic partitions. The type of elections supported are preferred replicas and unclean replicas.\nOption ") {
		t.Errorf("no arguments: %+v", res)
	}
	golden(t, "leader_election_usage", res.Stderr)
	if res := runTool(t, runLeaderElection, "", "--version"); res.Code != 0 || !strings.HasPrefix(res.Stdout, "2.8") {
		t.Errorf("--version: %+v", res)
	}
}

// Both election tools read {"partitions":[{"topic":...,"partition":...}]};
// their messages differ only in what they call the data.
func TestElectionJSONErrors(t *testing.T) {
	cases := []struct {
		json           string
		leader, legacy string
	}{
		{`not json`,
			"kafka.admin.AdminOperationException: Replica election data is empty",
			"kafka.admin.AdminOperationException: Preferred replica election data is empty"},
		{`{"partition":[]}`,
			`kafka.admin.AdminOperationException: Replica election data is missing "partitions" field`,
			"kafka.admin.AdminOperationException: Preferred replica election data is empty"},
		{`{"partitions":[{"topic":"a","partition":1},{"topic":"a","partition":1}]}`,
			"kafka.admin.AdminOperationException: Replica election data contains duplicate partitions: a-1",
			"kafka.admin.AdminOperationException: Preferred replica election data contains duplicate partitions: a-1"},
		{`{"partitions":[{"partition":1}]}`,
			"com.fasterxml.jackson.databind.JsonMappingException: No such field exists: `topic`",
			"com.fasterxml.jackson.databind.JsonMappingException: No such field exists: `topic`"},
		{`{"partitions":[{"topic":"a","partition":"1"}]}`,
			"com.fasterxml.jackson.databind.JsonMappingException: Expected `Int` value, received \"1\"",
			"com.fasterxml.jackson.databind.JsonMappingException: Expected `Int` value, received \"1\""},
		{`{"partitions":{"topic":"a"}}`,
			`com.fasterxml.jackson.databind.JsonMappingException: Expected JSON array, received {"topic":"a"}`,
			`com.fasterxml.jackson.databind.JsonMappingException: Expected JSON array, received {"topic":"a"}`},
	}
	for _, c := range cases {
		file := writeTemp(t, "e.json", c.json)
		res := runTool(t, runLeaderElection, "", "--bootstrap-server", noBroker, "--election-type", "preferred", "--path-to-json-file", file)
		wantResult(t, "leader election "+c.json, res, 1, "", "Exception in thread \"main\" "+c.leader+"\n")
		res = runTool(t, runPreferredReplicaElection, "", "--bootstrap-server", noBroker, "--path-to-json-file", file)
		wantResult(t, "preferred election "+c.json, res, 1, preferredDeprecation, "Exception in thread \"main\" "+c.legacy+"\n")
	}
}

func TestPreferredReplicaElectionArguments(t *testing.T) {
	res := runTool(t, runPreferredReplicaElection, "", "--path-to-json-file", "x.json")
	if res.Code != 1 || res.Stdout != preferredDeprecation ||
		!strings.HasPrefix(res.Stderr, "Exactly one of '[bootstrap-server]' or '[zookeeper]' must be provided\nOption ") {
		t.Errorf("no connection: %+v", res)
	}
	res = runTool(t, runPreferredReplicaElection, "", "--zookeeper", "localhost:2181", "--bootstrap-server", noBroker)
	wantResult(t, "both connections", res, 1, preferredDeprecation,
		"Exception in thread \"main\" joptsimple.UnavailableOptionException: Option(s) [zookeeper, bootstrap-server] are unavailable given other options on the command line\n")
	res = runTool(t, runPreferredReplicaElection, "", "--zookeeper", "localhost:2181", "--admin.config", "a.properties")
	wantResult(t, "admin.config with --zookeeper", res, 1, preferredDeprecation,
		"Exception in thread \"main\" joptsimple.UnavailableOptionException: Option(s) [admin.config] are unavailable given other options on the command line\n")
	res = runTool(t, runPreferredReplicaElection, "")
	if res.Code != 1 || res.Stdout != preferredDeprecation ||
		!strings.HasPrefix(res.Stderr, "This tool helps to causes leadership for each partition to be transferred back to the 'preferred replica', it can be used to balance leadership among the servers.\n") {
		t.Errorf("no arguments: %+v", res)
	}
}

// No broker answering within default.api.timeout.ms (30 s in Kafka,
// shortened here) is the tool's "Timeout waiting for election results".
func TestLeaderElectionTimeout(t *testing.T) {
	defer func(d time.Duration) { leaderElectionTimeout = d }(leaderElectionTimeout)
	leaderElectionTimeout = 500 * time.Millisecond
	res := runTool(t, runLeaderElection, "", "--bootstrap-server", noBroker, "--election-type", "preferred", "--all-topic-partitions")
	wantResult(t, "timeout", res, 1, "Timeout waiting for election results\n",
		"Exception in thread \"main\" kafka.common.AdminCommandFailedException: Timeout waiting for election results\n"+
			"Caused by: org.apache.kafka.common.errors.TimeoutException: Aborted due to timeout.\n")
}
