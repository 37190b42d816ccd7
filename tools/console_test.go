package tools

import (
	"context"
	"encoding/binary"
	"io"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The quickstart's steps 5 and 6: lines typed into the console producer
// come back from the console consumer with --from-beginning, and the
// consumer reports how many it printed on stderr.
func TestConsoleProducerThenConsumerQuickstart(t *testing.T) {
	addr := startKfake(t)
	res := runTool(t, runConsoleProducer, "This is a message\nThis is another message\n",
		"--broker-list", addr, "--topic", "test_topic")
	if res.Code != 0 || res.Stdout != "" {
		t.Fatalf("producer: code %d stdout %q stderr %q", res.Code, res.Stdout, res.Stderr)
	}
	res = runTool(t, runConsoleConsumer, "", "--bootstrap-server", addr, "--topic", "test_topic",
		"--from-beginning", "--max-messages", "2")
	if res.Code != 0 {
		t.Fatalf("consumer: code %d stderr %q", res.Code, res.Stderr)
	}
	if want := "This is a message\nThis is another message\n"; res.Stdout != want {
		t.Errorf("consumer stdout = %q, want %q", res.Stdout, want)
	}
	if want := "Processed a total of 2 messages\n"; res.Stderr != want {
		t.Errorf("consumer stderr = %q, want %q", res.Stderr, want)
	}
}

// Ctrl-C (here: the context ends) stops the consumer with the summary.
func TestConsoleConsumerInterruptPrintsSummary(t *testing.T) {
	addr := startKfake(t)
	runTool(t, runConsoleProducer, "one\n", "--bootstrap-server", addr, "--topic", "t")
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb lockedBuffer
	env := &toolEnv{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}
	done := make(chan int)
	go func() {
		done <- runConsoleConsumer(ctx, env, []string{"--bootstrap-server", addr, "--topic", "t", "--from-beginning"})
	}()
	waitFor(t, 10*time.Second, "the record on stdout", func() bool { return out.String() == "one\n" })
	cancel()
	res := toolResult{Code: <-done, Stdout: out.String(), Stderr: errb.String()}
	if res.Stdout != "one\n" || res.Stderr != "Processed a total of 1 messages\n" || res.Code != 0 {
		t.Errorf("got %+v", res)
	}
}

// --timeout-ms ends an idle consumer with Kafka's ERROR line.
func TestConsoleConsumerTimeout(t *testing.T) {
	addr := startKfake(t, "-seed-topics", "idle")
	res := runTool(t, runConsoleConsumer, "", "--bootstrap-server", addr, "--topic", "idle", "--timeout-ms", "500")
	if res.Code != 0 || res.Stdout != "" {
		t.Fatalf("got %+v", res)
	}
	if !strings.Contains(res.Stderr, "ERROR Error processing message, terminating consumer process:  (kafka.tools.ConsoleConsumer$)\norg.apache.kafka.common.errors.TimeoutException\n") ||
		!strings.HasSuffix(res.Stderr, "Processed a total of 0 messages\n") {
		t.Errorf("stderr = %q", res.Stderr)
	}
}

// parse.key splits each line at key.separator; the formatter prints what
// was asked for, in Kafka's order.
func TestConsoleKeysPartitionAndFormatter(t *testing.T) {
	addr := startKfake(t, "-seed-topics", "keyed:3")
	res := runTool(t, runConsoleProducer, "k1:v1\nk2:v2\n", "--bootstrap-server", addr, "--topic", "keyed",
		"--property", "parse.key=true", "--property", "key.separator=:", "--sync")
	if res.Code != 0 {
		t.Fatalf("producer: %+v", res)
	}
	// Java's murmur2 partitioner puts k1 and k2 where a Java producer would.
	want := map[string]int32{"k1": murmurPartition("k1", 3), "k2": murmurPartition("k2", 3)}
	for k, p := range want {
		res = runTool(t, runConsoleConsumer, "", "--bootstrap-server", addr, "--topic", "keyed", "--partition", itoa(int(p)),
			"--offset", "earliest", "--max-messages", "1", "--property", "print.key=true", "--property", "print.partition=true",
			"--property", "print.offset=true", "--property", "print.headers=true", "--property", "key.separator=|")
		if res.Code != 0 {
			t.Fatalf("consumer: %+v", res)
		}
		line := "Partition:" + itoa(int(p)) + "|Offset:"
		if !strings.HasPrefix(res.Stdout, line) || !strings.HasSuffix(res.Stdout, "|NO_HEADERS|"+k+"|v"+k[1:]+"\n") {
			t.Errorf("partition %d: %q", p, res.Stdout)
		}
	}
	res = runTool(t, runConsoleProducer, "novalue\n", "--bootstrap-server", addr, "--topic", "keyed", "--property", "parse.key=true")
	if res.Code != 1 || !strings.Contains(res.Stderr, "org.apache.kafka.common.KafkaException: No key found on line 1: novalue") {
		t.Errorf("missing key: %+v", res)
	}
}

func murmurPartition(key string, n int) int32 {
	return int32(kgo.StickyKeyPartitioner(nil).ForTopic("x").Partition(&kgo.Record{Key: []byte(key)}, n)) // murmur2, as Java
}

func itoa(i int) string { return strconv.Itoa(i) }

// The command-line checks print Kafka's messages, then the usage, and exit 1.
func TestConsoleToolsUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		run  toolFunc
		args []string
		want string
	}{
		{runConsoleProducer, []string{"--topic", "t"}, "Missing required option(s) [bootstrap-server]\n"},
		{runConsoleProducer, []string{"--bootstrap-server", "h:1"}, "Missing required argument \"[topic]\"\n"},
		{runConsoleProducer, []string{"--bootstrap-server", "localhost", "--topic", "t"}, "Please provide valid host:port like host1:9091,host2:9092\n \n"},
		{runConsoleProducer, []string{"--help"}, "This tool helps to read data from standard input and publish it to Kafka.\n"},
		{runConsoleConsumer, []string{"--bootstrap-server", "h:1"}, "Exactly one of whitelist/topic is required.\n"},
		{runConsoleConsumer, []string{"--topic", "t"}, "Missing required argument \"[bootstrap-server]\"\n"},
		{runConsoleConsumer, []string{"--bootstrap-server", "h:1", "--topic", "t", "--offset", "5"}, "The partition is required when offset is specified.\n"},
		{runConsoleConsumer, []string{"--bootstrap-server", "h:1", "--topic", "t", "--partition", "0", "--offset", "x"}, "The provided offset value 'x' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.\n"},
		{runConsoleConsumer, []string{"--bootstrap-server", "h:1", "--topic", "t", "--partition", "0", "--group", "g"}, "Options group and partition cannot be specified together.\n"},
		{runConsoleConsumer, []string{"--bootstrap-server", "h:1", "--topic", "t", "--group", "a", "--consumer-property", "group.id=b"}, "The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: 'a', 'b'\n"},
	} {
		res := runTool(t, tc.run, "", tc.args...)
		if res.Code != 1 || !strings.HasPrefix(res.Stderr, tc.want+"Option ") || res.Stdout != "" {
			t.Errorf("%q: code %d stderr starts %q", tc.args, res.Code, firstLines(res.Stderr, 2))
		}
	}
	res := runTool(t, runConsoleConsumer, "", "--bootstrap-server", "h:1", "--topic", "t", "--from-beginning", "--consumer-property", "auto.offset.reset=latest")
	if res.Code != 1 || res.Stderr != "Can't simultaneously specify --from-beginning and 'auto.offset.reset=latest', please remove one option\n" {
		t.Errorf("from-beginning conflict: %+v", res)
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

func TestConsoleProducerUsageGolden(t *testing.T) {
	golden(t, "console_producer_help", runTool(t, runConsoleProducer, "", "--help").Stderr)
	golden(t, "console_consumer_help", runTool(t, runConsoleConsumer, "", "--help").Stderr)
}

// --compression-codec without a value means gzip; with one, that codec.
func TestConsoleProducerCompressionCodec(t *testing.T) {
	addr := startKfake(t)
	for topic, args := range map[string][]string{
		"gz": {"--compression-codec"}, "lz": {"--compression-codec", "lz4"}, "none": nil,
	} {
		// A compressible line: franz-go sends a batch uncompressed when
		// compressing would not shrink it.
		res := runTool(t, runConsoleProducer, strings.Repeat("hello ", 200)+"\n", append([]string{"--bootstrap-server", addr, "--topic", topic, "--sync"}, args...)...)
		if res.Code != 0 {
			t.Fatalf("%s: %+v", topic, res)
		}
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics("gz", "lz", "none"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	got := map[string]uint8{}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for len(got) < 3 && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { got[r.Topic] = r.Attrs.CompressionType() })
	}
	if got["gz"] != 1 || got["lz"] != 3 || got["none"] != 0 {
		t.Errorf("compression types = %v, want gz:1 lz:3 none:0", got)
	}
}

// The WordCount demo's reading command (streams-connect.md §1.4): String
// keys and Long values printed as "word<TAB>count".
func TestConsoleConsumerWordCountDeserializers(t *testing.T) {
	addr := startKfake(t, "-seed-topics", "streams-wordcount-output")
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DisableIdempotentWrite(), kgo.RequiredAcks(kgo.LeaderAck()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for _, wc := range []struct {
		word  string
		count uint64
	}{{"all", 1}, {"kafka", 2}} {
		v := make([]byte, 8)
		binary.BigEndian.PutUint64(v, wc.count)
		if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: "streams-wordcount-output", Key: []byte(wc.word), Value: v}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	res := runTool(t, runConsoleConsumer, "", "--bootstrap-server", addr, "--topic", "streams-wordcount-output",
		"--from-beginning", "--formatter", "kafka.tools.DefaultMessageFormatter",
		"--property", "print.key=true", "--property", "print.value=true",
		"--property", "key.deserializer=org.apache.kafka.common.serialization.StringDeserializer",
		"--property", "value.deserializer=org.apache.kafka.common.serialization.LongDeserializer",
		"--max-messages", "2")
	if res.Stdout != "all\t1\nkafka\t2\n" || res.Code != 0 {
		t.Errorf("%+v", res)
	}
}

// --whitelist is a Java regex over whole topic names, ',' meaning '|'.
func TestConsoleConsumerWhitelist(t *testing.T) {
	addr := startKfake(t, "-seed-topics", "t1,t2,other")
	for _, topic := range []string{"t1", "t2", "other"} {
		runTool(t, runConsoleProducer, topic+"\n", "--bootstrap-server", addr, "--topic", topic, "--sync")
	}
	res := runTool(t, runConsoleConsumer, "", "--bootstrap-server", addr, "--whitelist", "t1,t2", "--from-beginning", "--max-messages", "2")
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	sort.Strings(lines)
	if strings.Join(lines, ",") != "t1,t2" {
		t.Errorf("whitelist: %+v", res)
	}
}

// A record the value deserializer rejects ends the consumer, unless
// --skip-message-on-error.
func TestConsoleConsumerSkipMessageOnError(t *testing.T) {
	addr := startKfake(t, "-seed-topics", "longs")
	runTool(t, runConsoleProducer, "short\n", "--bootstrap-server", addr, "--topic", "longs", "--sync")
	args := []string{"--bootstrap-server", addr, "--topic", "longs", "--from-beginning", "--max-messages", "1",
		"--value-deserializer", "org.apache.kafka.common.serialization.LongDeserializer"}
	res := runTool(t, runConsoleConsumer, "", args...)
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "Processed a total of 1 messages\n") ||
		!strings.Contains(res.Stderr, "ERROR Unknown error when running consumer:  (kafka.tools.ConsoleConsumer$)\norg.apache.kafka.common.errors.SerializationException: Size of data received by LongDeserializer is not 8\n") {
		t.Errorf("without skip: %+v", res)
	}
	res = runTool(t, runConsoleConsumer, "", append(args, "--skip-message-on-error")...)
	if res.Code != 0 || !strings.Contains(res.Stderr, "ERROR Error processing message, skipping this message:  (kafka.tools.ConsoleConsumer$)") {
		t.Errorf("with skip: %+v", res)
	}
}

// Ctrl-C while the producer waits on stdin ends it; lines already read
// are still delivered (Java's shutdown hook closes the producer).
func TestConsoleProducerInterrupt(t *testing.T) {
	addr := startKfake(t, "-seed-topics", "intr")
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- runConsoleProducer(ctx, &toolEnv{Stdin: pr, Stdout: io.Discard, Stderr: io.Discard},
			[]string{"--bootstrap-server", addr, "--topic", "intr"})
	}()
	io.WriteString(pw, "before ctrl-c\n")
	var consumed toolResult
	waitFor(t, 20*time.Second, "the line to arrive", func() bool {
		consumed = runTool(t, runConsoleConsumer, "", "--bootstrap-server", addr, "--topic", "intr", "--partition", "0",
			"--offset", "earliest", "--max-messages", "1", "--timeout-ms", "500")
		return consumed.Stdout == "before ctrl-c\n"
	})
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("producer did not stop on interrupt")
	}
}

// A line far above batch.size (16384) is one record, as with Kafka's console
// producer: only max.request.size (1 MiB) caps a record.
func TestConsoleProducerLineLargerThanBatchSize(t *testing.T) {
	addr := startKfake(t)
	line := strings.Repeat("z", 20000)
	res := runTool(t, runConsoleProducer, line+"\n", "--broker-list", addr, "--topic", "big")
	if res.Code != 0 {
		t.Fatalf("producer: code %d stderr %q", res.Code, res.Stderr)
	}
	res = runTool(t, runConsoleConsumer, "", "--bootstrap-server", addr, "--topic", "big",
		"--from-beginning", "--max-messages", "1")
	if res.Code != 0 || res.Stdout != line+"\n" {
		t.Fatalf("consumer: code %d, %d bytes out, stderr %q", res.Code, len(res.Stdout), res.Stderr)
	}
}

// Errors are named by their Java exception class, which is not always the
// error name plus "Exception" (Kafka's Errors.java).
func TestJavaErrorNames(t *testing.T) {
	for err, want := range map[error]string{
		kerr.MessageTooLarge:       "RecordTooLargeException",
		kerr.InvalidTopicException: "InvalidTopicException",
		kerr.CorruptMessage:        "CorruptRecordException",
		kerr.NotEnoughReplicas:     "NotEnoughReplicasException",
		kerr.TopicAlreadyExists:    "TopicExistsException",
	} {
		if got := javaErrorName(err); got != want {
			t.Errorf("javaErrorName(%v) = %q, want %q", err, got, want)
		}
	}
}
