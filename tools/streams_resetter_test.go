package tools

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Command-line mistakes print jopt-simple's or the tool's message, then
// the option table, and exit 1, before any connection is made.
func TestStreamsResetterBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{nil, "Missing required option(s) [application-id]"},
		{[]string{"--input-topics", "t"}, "Missing required option(s) [application-id]"},
		{[]string{"--application-id"}, "Option application-id requires an argument"},
		{[]string{"--application-id", "app", "--bootstrap-server", "x:1"}, "bootstrap-server is not a recognized option"},
		{[]string{"--application-id", "app", "--internal-topics", "t"}, "internal-topics is not a recognized option"}, // Kafka 3.0
		{[]string{"--application-id", "app", "--to-offset", "ten"}, "Cannot parse argument 'ten' of option to-offset"},
		{[]string{"--application-id", "app", "--dry-run", "--execute"}, "Only one of --dry-run and --execute can be specified"},
		{[]string{"--application-id", "app", "--to-latest", "--to-offset", "3"}, `Option "[to-offset]" can't be used with option "[to-latest]"`},
		{[]string{"--application-id", "app", "--shift-by", "-1", "--to-earliest"}, `Option "[to-earliest]" can't be used with option "[shift-by]"`},
	} {
		res := runTool(t, runStreamsResetter, "", c.args...)
		if res.Code != 1 || res.Stdout != "" || !strings.HasPrefix(res.Stderr, c.msg+"\nOption ") {
			t.Errorf("%q: code %d stdout %q stderr %q", c.args, res.Code, res.Stdout, firstLine(res.Stderr))
		}
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// --help describes the tool above the table; --version wins over the
// missing --application-id, as both are jopt-simple help options.
func TestStreamsResetterHelpAndVersion(t *testing.T) {
	res := runTool(t, runStreamsResetter, "", "--help")
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "This tool helps to quickly reset an application in order to reprocess its data from scratch.\n") ||
		!strings.Contains(res.Stderr, "reset tool!\n\n\nOption ") ||
		!strings.Contains(res.Stderr, "\n* --application-id <String: id>          The Kafka Streams application ID       \n") ||
		!strings.Contains(res.Stderr, "\n                                           (default: localhost:9092)            \n") {
		t.Errorf("--help: %+v", res)
	}
	res = runTool(t, runStreamsResetter, "", "--version")
	if res.Code != 0 || res.Stdout != kafkaVersion+" (Commit:gokafka)\n" {
		t.Errorf("--version: %+v", res)
	}
}

// Failures after parsing are "ERROR: " and the Java exception, then its
// trace (here without frames), exit 1.
func TestStreamsResetterClientErrors(t *testing.T) {
	res := runTool(t, runStreamsResetter, "", "--application-id", "app", "--bootstrap-servers", "nohostport")
	want := "ERROR: org.apache.kafka.common.KafkaException: Failed to create new KafkaAdminClient\n" +
		"org.apache.kafka.common.KafkaException: Failed to create new KafkaAdminClient\n" +
		"Caused by: org.apache.kafka.common.config.ConfigException: Invalid url in bootstrap.servers: nohostport\n"
	if res.Code != 1 || res.Stdout != "" || res.Stderr != want {
		t.Errorf("bad url: %+v", res)
	}
	res = runTool(t, runStreamsResetter, "", "--application-id", "app", "--config-file", "/nonexistent/reset.properties")
	if res.Code != 1 || firstLine(res.Stderr) != "ERROR: java.nio.file.NoSuchFileException: /nonexistent/reset.properties" {
		t.Errorf("missing config file: %+v", res)
	}
}

// Internal topics are "<application.id>-" topics with a Streams suffix,
// unless named as input or intermediate topics (KAFKA-7930).
func TestStreamsResetterInternalTopicNames(t *testing.T) {
	r := &streamsResetter{appID: "app", inputs: []string{"app-in-repartition"}}
	for topic, internal := range map[string]bool{
		"app-KSTREAM-AGGREGATE-STATE-STORE-0000000003-changelog":    true,
		"app-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition":  true,
		"app-x-subscription-registration-topic":                     true,
		"app-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000012-topic": true,
		"app-in-repartition":          false, // an input topic
		"app-output":                  false,
		"other-app-store-changelog":   false,
		"app-changelog-not-the-end":   false,
		"appx-store-changelog":        false,
		"streams-wordcount-changelog": false,
	} {
		if got := r.isInternalTopic(topic); got != internal {
			t.Errorf("isInternalTopic(%q) = %v", topic, got)
		}
	}
}

// --from-file reads TOPIC,PARTITION,OFFSET lines with Kafka's errors.
func TestStreamsResetterResetPlan(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	plan, err := readResetPlan(write("ok.csv", "in,0,5\nin,1,7\n"))
	if err != nil || len(plan) != 2 || plan[topicPartition{"in", 0}] != 5 || plan[topicPartition{"in", 1}] != 7 {
		t.Errorf("plan %v, %v", plan, err)
	}
	for file, want := range map[string]string{
		write("empty.csv", ""):     "java.text.ParseException: Error parsing reset plan CSV file. It is empty,",
		write("short.csv", "in,0"): "java.text.ParseException: Reset plan CSV file is not following the format `TOPIC,PARTITION,OFFSET`.",
		write("nan.csv", "in,x,1"): `java.lang.NumberFormatException: For input string: "x"`,
		filepath.Join(dir, "none"): "java.io.IOException: Unable to read file " + filepath.Join(dir, "none"),
	} {
		if _, err := readResetPlan(file); err == nil || throwableString(err) != want {
			t.Errorf("%s: %v, want %s", file, err, want)
		}
	}
}

// --to-datetime and --by-duration parse as Utils.getDateTime and
// Duration.parse.
func TestStreamsResetterTimes(t *testing.T) {
	for in, want := range map[string]int64{
		"2021-03-04T05:06:07.089":       time.Date(2021, 3, 4, 5, 6, 7, 89e6, time.UTC).UnixMilli(),
		"2021-03-04T05:06:07.089Z":      time.Date(2021, 3, 4, 5, 6, 7, 89e6, time.UTC).UnixMilli(),
		"2021-03-04T05:06:07.089+01:00": time.Date(2021, 3, 4, 4, 6, 7, 89e6, time.UTC).UnixMilli(),
	} {
		if got, err := parseStreamsDateTime(in); err != nil || got != want {
			t.Errorf("%s: %d %v", in, got, err)
		}
	}
	for in, want := range map[string]string{
		"2021-03-04":              "java.text.ParseException: Error parsing timestamp. It does not contain a 'T' according to ISO8601 format",
		"2021-03-04T":             "java.text.ParseException: Error parsing timestamp. It does not contain a 'T' according to ISO8601 format",
		"2021-02-30T00:00:00.000": `java.text.ParseException: Unparseable date: "2021-02-30T00:00:00.000Z"`,
	} {
		if _, err := parseStreamsDateTime(in); err == nil || throwableString(err) != want {
			t.Errorf("%s: %v", in, err)
		}
	}
	if d, err := parseStreamsDuration("PT1H30M"); err != nil || d != 90*time.Minute {
		t.Errorf("PT1H30M: %v %v", d, err)
	}
	if _, err := parseStreamsDuration("1h"); err == nil || throwableString(err) != "java.time.format.DateTimeParseException: Text cannot be parsed to a Duration" {
		t.Errorf("1h: %v", err)
	}
}

// The quickstart's "start over" against a real broker: WordCount counts
// three lines; the reset refuses while the demo runs; --dry-run shows the
// plan and changes nothing; the reset proper sets the input offset to 0,
// the intermediate topic's to its end and deletes both internal topics, so
// a restarted demo counts the same lines again from zero. A left-over
// member (a consumer that died without leaving) is refused, then removed
// with --force.
func TestStreamsResetterRealBroker(t *testing.T) {
	b := startRealBroker(t, "streams-plaintext-input")
	res := runTool(t, runTopics, "", "--create", "--bootstrap-server", b.Addr, "--replication-factor", "1", "--partitions", "1",
		"--topic", "streams-wordcount-output", "--config", "cleanup.policy=compact")
	if res.Code != 0 {
		t.Fatalf("create output topic: %+v", res)
	}
	propsFile := filepath.Join(t.TempDir(), "wordcount.properties")
	if err := os.WriteFile(propsFile, []byte("bootstrap.servers="+b.Addr+"\ncommit.interval.ms=100\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	startDemo := func() (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		var out, errb lockedBuffer
		done := make(chan int, 1)
		go func() {
			done <- runWordCountDemo(ctx, &toolEnv{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}, []string{propsFile})
		}()
		stopped := false
		stop = func() {
			if !stopped {
				stopped = true
				cancel()
				if code := <-done; code != 0 || errb.String() != "" {
					t.Errorf("demo: code %d stderr %q", code, errb.String())
				}
			}
		}
		t.Cleanup(stop)
		return stop
	}
	consume := func(n string) string {
		t.Helper()
		return runTool(t, runConsoleConsumer, "", "--bootstrap-server", b.Addr, "--topic", "streams-wordcount-output",
			"--from-beginning", "--formatter", "kafka.tools.DefaultMessageFormatter",
			"--property", "print.key=true", "--property", "print.value=true",
			"--property", "key.deserializer=org.apache.kafka.common.serialization.StringDeserializer",
			"--property", "value.deserializer=org.apache.kafka.common.serialization.LongDeserializer",
			"--max-messages", n, "--timeout-ms", "20000").Stdout
	}
	describe := func() string {
		return runTool(t, runConsumerGroups, "", "--bootstrap-server", b.Addr, "--describe", "--group", "streams-wordcount").Stdout
	}
	reset := func(extra ...string) toolResult {
		args := append([]string{"--bootstrap-servers", b.Addr, "--application-id", "streams-wordcount",
			"--input-topics", "streams-plaintext-input", "--intermediate-topics", "streams-wordcount-output"}, extra...)
		return runTool(t, runStreamsResetter, "", args...)
	}
	const (
		changelog   = "streams-wordcount-KSTREAM-AGGREGATE-STATE-STORE-0000000003-changelog"
		repartition = "streams-wordcount-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition"
	)
	want := "all\t1\nstreams\t1\nlead\t1\nto\t1\nkafka\t1\nhello\t1\nkafka\t2\nstreams\t2\njoin\t1\nkafka\t3\nsummit\t1\n"

	stop := startDemo()
	res = runTool(t, runConsoleProducer, "all streams lead to kafka\nhello kafka streams\njoin kafka summit\n",
		"--bootstrap-server", b.Addr, "--topic", "streams-plaintext-input")
	if res.Code != 0 {
		t.Fatalf("producer: %+v", res)
	}
	if got := consume("11"); got != want {
		t.Fatalf("output:\n%s", got)
	}

	// While the demo runs, the reset refuses and names the member.
	res = reset()
	active := regexp.MustCompile(`^ERROR: java.lang.IllegalStateException: Consumer group 'streams-wordcount' is still active and has following members: ` +
		`\[\(memberId=\S+, groupInstanceId=null, clientId=\S+, host=/127.0.0.1, assignment=\(topicPartitions=streams-plaintext-input-0,\S+-repartition-0\)\)\]\. ` +
		`Make sure to stop all running application instances before running the reset tool\. You can use option '--force' to remove active members from the group\.\n`)
	if res.Code != 1 || res.Stdout != "" || !active.MatchString(res.Stderr) {
		t.Errorf("reset of an active group: %+v", res)
	}
	stop()
	if !regexp.MustCompile(`streams-wordcount\s+streams-plaintext-input\s+0\s+3\s+3\s+0\s`).MatchString(describe()) {
		t.Fatalf("committed offsets before the reset:\n%s", describe())
	}

	// --dry-run: the plan, and nothing changes.
	res = reset("--dry-run")
	if want := "----Dry run displays the actions which will be performed when running Streams Reset Tool----\n" +
		"Reset-offsets for input topics [streams-plaintext-input]\n" +
		"Seek-to-end for intermediate topics [streams-wordcount-output]\n" +
		"Following input topics offsets will be reset to (for consumer group streams-wordcount)\n" +
		"Topic: streams-plaintext-input Partition: 0 Offset: 0\n" +
		"Following intermediate topics offsets will be reset to end (for consumer group streams-wordcount)\n" +
		"Topic: streams-wordcount-output\n" +
		"Done.\n" +
		"Deleting all internal/auto-created topics for application streams-wordcount\n" +
		"Topic: " + changelog + "\n" +
		"Topic: " + repartition + "\n" +
		"Done.\n"; res.Code != 0 || res.Stdout != want || res.Stderr != "" {
		t.Errorf("dry run: %+v", res)
	}
	// The other scenarios, dry: clamped offsets with Kafka's lines, the
	// position relative to the committed offset, a timestamp in the future
	// (no offset: 2.8's tool fails on the null), a missing input topic.
	for _, c := range []struct {
		args []string
		out  string // the lines after "Following input topics ..."
		code int
		err  string
	}{
		{[]string{"--to-offset", "10"}, "New offset (10) is higher than latest offset. Value will be set to 3\nTopic: streams-plaintext-input Partition: 0 Offset: 3\n", 0, ""},
		{[]string{"--shift-by", "-1"}, "Topic: streams-plaintext-input Partition: 0 Offset: 2\n", 0, ""},
		{[]string{"--to-latest"}, "Topic: streams-plaintext-input Partition: 0 Offset: 3\n", 0, ""},
		{[]string{"--by-duration", "PT1H"}, "Topic: streams-plaintext-input Partition: 0 Offset: 0\n", 0, ""},
		{[]string{"--to-datetime", "2999-01-01T00:00:00.000"}, "", 1, "ERROR: java.lang.NullPointerException\n"},
	} {
		res := runTool(t, runStreamsResetter, "", append([]string{"--bootstrap-servers", b.Addr, "--application-id", "streams-wordcount",
			"--input-topics", "streams-plaintext-input", "--dry-run"}, c.args...)...)
		_, after, _ := strings.Cut(res.Stdout, "(for consumer group streams-wordcount)\n")
		if res.Code != c.code || !strings.HasPrefix(after, c.out) || !strings.HasPrefix(res.Stderr, c.err) {
			t.Errorf("%q: %+v", c.args, res)
		}
	}
	res = runTool(t, runStreamsResetter, "", "--bootstrap-servers", b.Addr, "--application-id", "streams-wordcount", "--input-topics", "nope", "--dry-run")
	if res.Code != 1 || !strings.Contains(res.Stdout, "Following input topics are not found, skipping them\nTopic: nope\nDeleting all") {
		t.Errorf("missing input topic: %+v", res)
	}
	if !regexp.MustCompile(`streams-wordcount\s+streams-plaintext-input\s+0\s+3\s+3\s+0\s`).MatchString(describe()) {
		t.Errorf("a dry run changed the committed offsets:\n%s", describe())
	}

	// The reset proper.
	res = reset()
	if want := "Reset-offsets for input topics [streams-plaintext-input]\n" +
		"Seek-to-end for intermediate topics [streams-wordcount-output]\n" +
		"Following input topics offsets will be reset to (for consumer group streams-wordcount)\n" +
		"Topic: streams-plaintext-input Partition: 0 Offset: 0\n" +
		"Following intermediate topics offsets will be reset to end (for consumer group streams-wordcount)\n" +
		"Topic: streams-wordcount-output\n" +
		"Done.\n" +
		"Deleting all internal/auto-created topics for application streams-wordcount\n" +
		"Done.\n"; res.Code != 0 || res.Stdout != want || res.Stderr != "" {
		t.Errorf("reset: %+v", res)
	}
	offsets := describe()
	if !regexp.MustCompile(`streams-wordcount\s+streams-plaintext-input\s+0\s+0\s+3\s+3\s`).MatchString(offsets) ||
		!regexp.MustCompile(`streams-wordcount\s+streams-wordcount-output\s+0\s+11\s+11\s+0\s`).MatchString(offsets) {
		t.Errorf("committed offsets after the reset:\n%s", offsets)
	}
	// The brokers no longer serve the internal topics when the tool
	// returns; the controller finishes deleting them in ZooKeeper a moment
	// later, and a topic still "marked for deletion" cannot be created
	// again (which tools/streams does not retry yet).
	waitFor(t, 20*time.Second, "the internal topics to be deleted", func() bool {
		list := runTool(t, runTopics, "", "--list", "--zookeeper", b.ZkConnect).Stdout
		return !strings.Contains(list, changelog) && !strings.Contains(list, repartition)
	})

	// Restarted, the demo counts the same three lines again from zero.
	stop = startDemo()
	if got := consume("22"); got != want+want {
		t.Errorf("output after the reset:\n%s", got)
	}
	stop()

	// A member that died without leaving stays until its session times
	// out: refused, then removed with --force.
	leftOver := joinAndVanish(t, b.Addr, "streams-wordcount")
	res = reset("--dry-run")
	if res.Code != 1 || !strings.Contains(res.Stderr, "has following members: [(memberId="+leftOver+", groupInstanceId=null, clientId=left-over, host=/127.0.0.1, assignment=(topicPartitions=))]") {
		t.Errorf("left-over member: %+v", res)
	}
	res = reset("--force")
	if res.Code != 0 || !strings.HasPrefix(res.Stdout, "Force deleting all active members in the group: streams-wordcount\nReset-offsets for input topics") || res.Stderr != "" {
		t.Errorf("--force: %+v", res)
	}
	if !regexp.MustCompile(`(?m)^streams-wordcount\s+streams-plaintext-input\s+0\s+0\s+3\s+3\s`).MatchString(describe()) {
		t.Errorf("committed offsets after --force:\n%s", describe())
	}
}

// joinAndVanish joins group as a consumer with a long session timeout and
// never heartbeats or leaves, as a crashed instance; it returns the
// member id.
func joinAndVanish(t *testing.T, addr, group string) string {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ClientID("left-over"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	join := kmsg.NewPtrJoinGroupRequest()
	join.Group = group
	join.SessionTimeoutMillis = 120000
	join.RebalanceTimeoutMillis = 10000
	join.ProtocolType = "consumer"
	proto := kmsg.NewJoinGroupRequestProtocol()
	proto.Name = "range"
	meta := kmsg.NewConsumerMemberMetadata()
	meta.Topics = []string{"streams-plaintext-input"}
	proto.Metadata = meta.AppendTo(nil)
	join.Protocols = append(join.Protocols, proto)
	var resp *kmsg.JoinGroupResponse
	for range 2 { // the first join of v4+ asks for the member id (KIP-394)
		if resp, err = join.RequestWith(ctx, cl); err != nil {
			t.Fatal(err)
		}
		join.MemberID = resp.MemberID
		if resp.ErrorCode == 0 {
			break
		}
	}
	if resp.ErrorCode != 0 {
		t.Fatalf("join: error %d", resp.ErrorCode)
	}
	sync := kmsg.NewPtrSyncGroupRequest()
	sync.Group = group
	sync.Generation = resp.Generation
	sync.MemberID = resp.MemberID
	sync.ProtocolType = &join.ProtocolType
	sync.Protocol = resp.Protocol
	sa := kmsg.NewSyncGroupRequestGroupAssignment()
	sa.MemberID = resp.MemberID
	sa.MemberAssignment = (&kmsg.ConsumerMemberAssignment{}).AppendTo(nil)
	sync.GroupAssignment = append(sync.GroupAssignment, sa)
	if sresp, err := sync.RequestWith(ctx, cl); err != nil || sresp.ErrorCode != 0 {
		t.Fatalf("sync: %v %v", sresp, err)
	}
	return resp.MemberID
}
