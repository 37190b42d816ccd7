package tools

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// WordCountDemo splits as Java's line.toLowerCase().split("\\W+").
func TestJavaSplitWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"all streams lead to kafka", []string{"all", "streams", "lead", "to", "kafka"}},
		{"Hello, Kafka-Streams!", []string{"hello", "kafka", "streams"}},
		{"  leading space", []string{"", "leading", "space"}}, // Java keeps a leading empty word
		{"trailing...", []string{"trailing"}},
		{"", []string{""}}, // no separator: the line itself, even empty
		{"...", []string{}},
		{"snake_case x2", []string{"snake_case", "x2"}},
	} {
		got := javaSplitWords(c.in)
		if len(got) == 0 && len(c.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("javaSplitWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A properties file overrides the demo's defaults; a missing one fails
// as Java's FileInputStream does; extra arguments get Java's warning.
func TestWordCountProps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wc.properties")
	os.WriteFile(path, []byte("bootstrap.servers=127.0.0.1:1\ncommit.interval.ms=100\n"), 0o644)
	var out strings.Builder
	props, err := wordCountProps(&toolEnv{Stdout: &out}, []string{path, "extra"})
	if err != nil {
		t.Fatal(err)
	}
	if props["bootstrap.servers"] != "127.0.0.1:1" || props["application.id"] != "streams-wordcount" ||
		props["cache.max.bytes.buffering"] != "0" || props["auto.offset.reset"] != "earliest" || props["commit.interval.ms"] != "100" {
		t.Errorf("props %v", props)
	}
	if out.String() != "Warning: Some command line arguments were ignored. This demo only accepts an optional configuration file.\n" {
		t.Errorf("stdout %q", out.String())
	}
	res := runTool(t, runWordCountDemo, "", "/nonexistent/wc.properties")
	if res.Code != 1 || res.Stderr != "Exception in thread \"main\" java.io.FileNotFoundException: /nonexistent/wc.properties (No such file or directory)\n" {
		t.Errorf("missing file: %+v", res)
	}
}

// Quickstart step 8, the Streams demo, against a real broker: the
// reference's output for the three lines, the internal topics and the
// group Kafka would make, and, after a restart, counts that continue from
// the changelog instead of starting over.
func TestWordCountDemoRealBroker(t *testing.T) {
	b := startRealBroker(t, "streams-plaintext-input")
	res := runTool(t, runTopics, "", "--create", "--bootstrap-server", b.Addr, "--replication-factor", "1", "--partitions", "1",
		"--topic", "streams-wordcount-output", "--config", "cleanup.policy=compact")
	if res.Code != 0 {
		t.Fatalf("create output topic: %+v", res)
	}
	// The demo's optional properties file: this broker, and commits every
	// 100 ms instead of 30 s so the restart below sees them quickly.
	propsFile := filepath.Join(t.TempDir(), "wordcount.properties")
	if err := os.WriteFile(propsFile, []byte("bootstrap.servers="+b.Addr+"\ncommit.interval.ms=100\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	startDemo := func() (stop func() (int, string, string)) {
		ctx, cancel := context.WithCancel(context.Background())
		var out, errb lockedBuffer
		done := make(chan int, 1)
		go func() {
			done <- runWordCountDemo(ctx, &toolEnv{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}, []string{propsFile})
		}()
		stopped := false
		stop = func() (int, string, string) {
			if stopped {
				return 0, "", ""
			}
			stopped = true
			cancel() // Ctrl-C
			code := <-done
			if t.Failed() {
				t.Logf("demo stderr:\n%s", errb.String())
			}
			return code, out.String(), errb.String()
		}
		t.Cleanup(func() { stop() })
		return stop
	}
	consume := func(n string) string {
		t.Helper()
		res := runTool(t, runConsoleConsumer, "", "--bootstrap-server", b.Addr, "--topic", "streams-wordcount-output",
			"--from-beginning", "--formatter", "kafka.tools.DefaultMessageFormatter",
			"--property", "print.key=true", "--property", "print.value=true",
			"--property", "key.deserializer=org.apache.kafka.common.serialization.StringDeserializer",
			"--property", "value.deserializer=org.apache.kafka.common.serialization.LongDeserializer",
			"--max-messages", n, "--timeout-ms", "20000")
		return res.Stdout
	}

	stop := startDemo()
	res = runTool(t, runConsoleProducer, "all streams lead to kafka\nhello kafka streams\njoin kafka summit\n",
		"--bootstrap-server", b.Addr, "--topic", "streams-plaintext-input")
	if res.Code != 0 {
		t.Fatalf("producer: %+v", res)
	}
	want := "all\t1\nstreams\t1\nlead\t1\nto\t1\nkafka\t1\nhello\t1\nkafka\t2\nstreams\t2\njoin\t1\nkafka\t3\nsummit\t1\n"
	if got := consume("11"); got != want {
		t.Fatalf("output:\n%s\nwant:\n%s", got, want)
	}

	// The group is application.id with the Streams assignor's name.
	res = runTool(t, runConsumerGroups, "", "--bootstrap-server", b.Addr, "--describe", "--group", "streams-wordcount", "--state")
	if !regexp.MustCompile(`(?m)^streams-wordcount\s+.*\s+stream\s+Stable\s+1\s*$`).MatchString(res.Stdout) {
		t.Errorf("group state:\n%s%s", res.Stdout, res.Stderr)
	}
	// The internal topics, with Kafka's names and configs.
	for topic, config := range map[string]string{
		"streams-wordcount-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition": "cleanup.policy=delete",
		"streams-wordcount-KSTREAM-AGGREGATE-STATE-STORE-0000000003-changelog":   "cleanup.policy=compact",
	} {
		res = runTool(t, runTopics, "", "--describe", "--bootstrap-server", b.Addr, "--topic", topic)
		if !strings.Contains(res.Stdout, "PartitionCount: 1") || !strings.Contains(res.Stdout, config) {
			t.Errorf("%s:\n%s%s", topic, res.Stdout, res.Stderr)
		}
	}

	if code, out, errs := stop(); code != 0 || out != "" || errs != "" {
		t.Errorf("demo: code %d stdout %q stderr %q", code, out, errs)
	}
	// Closing committed the input offsets after the output was written.
	res = runTool(t, runConsumerGroups, "", "--bootstrap-server", b.Addr, "--describe", "--group", "streams-wordcount")
	if !regexp.MustCompile(`streams-wordcount\s+streams-plaintext-input\s+0\s+3\s+3\s+0\s`).MatchString(res.Stdout) {
		t.Errorf("committed offsets:\n%s%s", res.Stdout, res.Stderr)
	}

	// Committed repartition records were purged (DeleteRecords): the
	// topic's log start offset moved to the committed 11.
	const repartition = "streams-wordcount-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition"
	res = runTool(t, runGetOffsetShell, "", "--bootstrap-server", b.Addr, "--topic", repartition, "--time", "-2")
	if res.Stdout != repartition+":0:11\n" {
		t.Errorf("repartition log start offset: %+v", res)
	}

	// A restarted demo restores the counts from the changelog: a new
	// line continues them, and the old lines are not counted again.
	stop = startDemo()
	res = runTool(t, runConsoleProducer, "hello kafka\n", "--bootstrap-server", b.Addr, "--topic", "streams-plaintext-input")
	if res.Code != 0 {
		t.Fatalf("producer: %+v", res)
	}
	if got := consume("13"); got != want+"hello\t2\nkafka\t4\n" {
		t.Errorf("output after restart:\n%s", got)
	}
	if code, out, errs := stop(); code != 0 || out != "" || errs != "" {
		t.Errorf("demo: code %d stdout %q stderr %q", code, out, errs)
	}
}
