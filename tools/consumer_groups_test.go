package tools

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// groupFixture: a broker with topic my-topic (4 records in partition 0,
// none in 1) and group my-group, Empty, committed at 2 on partition 0.
func groupFixture(t *testing.T) (addr string, adm *kadm.Client) {
	t.Helper()
	addr = startKfake(t, "-seed-topics", "my-topic:2")
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DisableIdempotentWrite(), kgo.RequiredAcks(kgo.LeaderAck()),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	ctx := context.Background()
	for i := 0; i < 4; i++ {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "my-topic", Partition: 0, Value: []byte("v")}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	adm = kadm.NewClient(cl)
	offs := kadm.Offsets{}
	offs.Add(kadm.Offset{Topic: "my-topic", Partition: 0, At: 2, LeaderEpoch: -1})
	if err := adm.CommitAllOffsets(ctx, "my-group", offs); err != nil {
		t.Fatal(err)
	}
	return addr, adm
}

func TestConsumerGroupsDescribeEmptyGroup(t *testing.T) {
	addr, _ := groupFixture(t)
	res := runTool(t, runConsumerGroups, "", "--bootstrap-server", addr, "--describe", "--group", "my-group")
	if res.Code != 0 || res.Stderr != "\nConsumer group 'my-group' has no active members.\n" {
		t.Fatalf("%+v", res)
	}
	golden(t, "consumer_groups_describe_empty", res.Stdout)

	res = runTool(t, runConsumerGroups, "", "--bootstrap-server", addr, "--describe", "--group", "nope")
	if res.Stdout != "\nError: Consumer group 'nope' does not exist.\n" {
		t.Errorf("missing group: %+v", res)
	}
	res = runTool(t, runConsumerGroups, "", "--bootstrap-server", addr, "--list")
	if res.Stdout != "my-group\n" {
		t.Errorf("list: %+v", res)
	}
	res = runTool(t, runConsumerGroups, "", "--bootstrap-server", addr, "--list", "--state")
	if res.Stdout != "GROUP           STATE\nmy-group        Empty\n" {
		t.Errorf("list --state: %q", res.Stdout)
	}
}

// An active member shows up in the offsets, members and state views, and
// blocks a reset.
func TestConsumerGroupsActiveMember(t *testing.T) {
	addr, _ := groupFixture(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumerGroup("live"), kgo.ConsumeTopics("my-topic"),
		kgo.ClientID("consumer-1"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got := 0
	for got < 4 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatal("no records")
		}
		got += len(fs.Records())
	}
	if err := cl.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatal(err)
	}
	res := runTool(t, runConsumerGroups, "", "--bootstrap-server", addr, "--describe", "--group", "live")
	rows := regexp.MustCompile(`(?m)^live +my-topic +([01]) +(\S+) +(\S+) +(\S+) +(\S+) +(\S+) +consumer-1$`).FindAllStringSubmatch(res.Stdout, -1)
	if len(rows) != 2 || rows[0][1] != "0" || rows[0][2] != "4" || rows[0][3] != "4" || rows[0][4] != "0" {
		t.Errorf("describe live:\n%s%s", res.Stdout, res.Stderr)
	}
	if !strings.HasPrefix(res.Stdout, "\nGROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID") {
		t.Errorf("header: %q", res.Stdout)
	}
	res = runTool(t, runConsumerGroups, "", "--bootstrap-server", addr, "--describe", "--group", "live", "--members", "--verbose")
	if !regexp.MustCompile(`\nGROUP +CONSUMER-ID +HOST +CLIENT-ID +#PARTITIONS +ASSIGNMENT\nlive +\S+ +\S+ +consumer-1 +2 +my-topic\(0,1\)\n$`).MatchString(res.Stdout) {
		t.Errorf("members:\n%q", res.Stdout)
	}
	res = runTool(t, runConsumerGroups, "", "--bootstrap-server", addr, "--describe", "--group", "live", "--state")
	if !regexp.MustCompile(`^\nGROUP +COORDINATOR \(ID\) +ASSIGNMENT-STRATEGY +STATE +#MEMBERS\nlive +\S+:\d+ \(\d+\) +\S+ +Stable +1\n$`).MatchString(res.Stdout) {
		t.Errorf("state:\n%q", res.Stdout)
	}
	res = runTool(t, runConsumerGroups, "", "--bootstrap-server", addr, "--reset-offsets", "--group", "live", "--to-earliest", "--all-topics", "--execute")
	if !strings.HasPrefix(res.Stdout, "\nError: Assignments can only be reset if the group 'live' is inactive, but the current state is Stable.\n") {
		t.Errorf("reset of an active group: %+v", res)
	}
}

func TestConsumerGroupsResetOffsets(t *testing.T) {
	addr, adm := groupFixture(t)
	run := func(args ...string) toolResult {
		return runTool(t, runConsumerGroups, "", append([]string{"--bootstrap-server", addr, "--group", "my-group", "--reset-offsets"}, args...)...)
	}
	// Dry run is the default, with Kafka's warning.
	res := run("--to-earliest", "--topic", "my-topic:0")
	if !strings.HasPrefix(res.Stderr, "WARN: No action will be performed as the --execute option is missing.In a future major release") {
		t.Errorf("dry-run warning: %q", res.Stderr)
	}
	golden(t, "consumer_groups_reset_dry_run", res.Stdout)
	committedAt := func() int64 {
		r, err := adm.FetchOffsets(context.Background(), "my-group")
		if err != nil {
			t.Fatal(err)
		}
		o, _ := r.Lookup("my-topic", 0)
		return o.At
	}
	if committedAt() != 2 {
		t.Fatal("dry run committed")
	}
	res = run("--to-offset", "10", "--topic", "my-topic:0", "--execute")
	if !strings.Contains(res.Stderr, "WARN New offset (10) is higher than latest offset for topic partition my-topic-0. Value will be set to 4 (kafka.admin.ConsumerGroupCommand$)") ||
		!strings.Contains(res.Stdout, "my-group                       my-topic                       0          4              \n") || committedAt() != 4 {
		t.Errorf("to-offset clamp: %+v", res)
	}
	res = run("--shift-by", "-3", "--all-topics", "--execute")
	if committedAt() != 1 {
		t.Errorf("shift-by: %+v", res)
	}
	res = run("--to-latest", "--topic", "my-topic", "--export", "--dry-run")
	if res.Stdout != "my-topic,0,4\nmy-topic,1,0\n\n" {
		t.Errorf("export: %q", res.Stdout)
	}
	plan := filepath.Join(t.TempDir(), "plan.csv")
	os.WriteFile(plan, []byte("my-topic,0,3\n"), 0o644)
	run("--from-file", plan, "--execute")
	if committedAt() != 3 {
		t.Error("from-file not applied")
	}
	res = run("--to-datetime", "2000-01-01T00:00:00.000", "--topic", "my-topic:0", "--dry-run")
	if !strings.Contains(res.Stdout, "my-topic                       0          0") {
		t.Errorf("to-datetime: %q", res.Stdout)
	}
	res = run("--by-duration", "PT0.001S", "--topic", "my-topic:0", "--dry-run")
	if !strings.Contains(res.Stdout, "my-topic                       0          4") {
		t.Errorf("by-duration: %q", res.Stdout)
	}
	res = run("--to-current", "--all-topics", "--dry-run")
	if !strings.Contains(res.Stdout, "my-topic                       0          3") {
		t.Errorf("to-current: %q", res.Stdout)
	}
	// An IllegalArgumentException in 2.8's run() prints the usage.
	res = run("--shift-by", "1", "--topic", "my-topic:1", "--dry-run")
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "Cannot shift offset for partition my-topic-1 since there is no current committed offset\nOption ") {
		t.Errorf("shift without committed offset: %+v", firstLines(res.Stderr, 1))
	}
	res = run("--topic", "my-topic", "--dry-run")
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "Option '[reset-offsets]' requires one of the following scenarios:") {
		t.Errorf("no scenario: %+v", res)
	}
	res = run("--to-earliest", "--to-latest", "--all-topics")
	if res.Code != 1 || !strings.Contains(res.Stderr, "Option \"[to-earliest]\" can't be used with option \"[to-latest]\"") {
		t.Errorf("two scenarios: %+v", res)
	}
}

func TestConsumerGroupsDelete(t *testing.T) {
	addr, _ := groupFixture(t)
	res := runTool(t, runConsumerGroups, "", "--bootstrap-server", addr, "--delete-offsets", "--group", "my-group", "--topic", "my-topic")
	golden(t, "consumer_groups_delete_offsets", res.Stdout)
	res = runTool(t, runConsumerGroups, "", "--bootstrap-server", addr, "--delete", "--group", "my-group")
	if res.Stdout != "Deletion of requested consumer groups ('my-group') was successful.\n" {
		t.Errorf("delete: %+v", res)
	}
	res = runTool(t, runConsumerGroups, "", "--bootstrap-server", addr, "--delete", "--group", "my-group")
	if !strings.HasPrefix(res.Stdout, "\nError: Deletion of some consumer groups failed:\n* Group 'my-group' could not be deleted due to: org.apache.kafka.common.errors.GroupIdNotFoundException") {
		t.Errorf("delete again: %+v", res)
	}
}

func TestConsumerGroupsUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--bootstrap-server", "h:1"}, "Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets"},
		{[]string{"--list"}, "Missing required argument \"[bootstrap-server]\""},
		{[]string{"--bootstrap-server", "h:1", "--describe"}, "Option [describe] takes one of these options: [group], [all-groups]"},
		{[]string{"--bootstrap-server", "h:1", "--list", "--members"}, "Option(s) [members] are unavailable given other options on the command line"},
		{[]string{"--bootstrap-server", "h:1", "--describe", "--group", "g", "--members", "--state"}, "Option [describe] takes at most one of these options: [members], [offsets], [state]"},
		{[]string{"--bootstrap-server", "h:1", "--list", "--state", "nope"}, "Invalid state list 'nope'. Valid states are: PreparingRebalance, CompletingRebalance, Stable, Dead, Empty"},
		{[]string{"--help"}, "Missing required argument \"[bootstrap-server]\""},
	} {
		res := runTool(t, runConsumerGroups, "", tc.args...)
		if res.Code != 1 || !strings.HasPrefix(res.Stderr, tc.want+"\nOption ") {
			t.Errorf("%q: %+v", tc.args, firstLines(res.Stderr, 2))
		}
	}
}

func TestParseJavaDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"PT1H": time.Hour, "P1DT2M": 24*time.Hour + 2*time.Minute, "PT0.5S": 500 * time.Millisecond, "-PT1S": -time.Second} {
		if got, err := parseJavaDuration(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	if _, err := parseJavaDuration("P"); err == nil {
		t.Error("P parsed")
	}
}
