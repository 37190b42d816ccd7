package streams

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"
)

// sentRecord is one record a task wrote.
type sentRecord struct {
	topic      string
	partition  int32
	key, value []byte
}

// memCollector keeps what tasks write, in order: a small stand-in for
// Kafka's TopologyTestDriver.
type memCollector struct{ recs []sentRecord }

func (m *memCollector) send(topic string, p int32, k, v []byte, _ int64) {
	m.recs = append(m.recs, sentRecord{topic, p, k, v})
}

func (m *memCollector) take(topic string) []sentRecord {
	var out, rest []sentRecord
	for _, r := range m.recs {
		if r.topic == topic {
			out = append(out, r)
		} else {
			rest = append(rest, r)
		}
	}
	m.recs = rest
	return out
}

func counts(recs []sentRecord) string {
	var b strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&b, "%s\t%d\n", r.key, int64(binary.BigEndian.Uint64(r.value)))
	}
	return b.String()
}

// The quickstart's three lines through both WordCount tasks give the
// reference's output, one record per count update; the changelog carries
// the same updates, and a task restored from it continues the counts.
func TestWordCountTasks(t *testing.T) {
	topo := wordCount()
	const app = "streams-wordcount"
	const repartition = app + "-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition"
	const changelog = app + "-KSTREAM-AGGREGATE-STATE-STORE-0000000003-changelog"
	out := &memCollector{}
	log := zaptest.NewLogger(t)
	split := newTask(TaskID{0, 0}, topo.subtopologies[0], app, out, nil, log)
	count := newTask(TaskID{1, 0}, topo.subtopologies[1], app, out, nil, log)
	if len(split.stores) != 0 || len(count.stores) != 1 {
		t.Fatalf("stores: %v %v", split.stores, count.stores)
	}

	run := func(lines ...string) {
		t.Helper()
		for i, l := range lines {
			if err := split.process("streams-plaintext-input", int64(i), nil, []byte(l), 0); err != nil {
				t.Fatal(err)
			}
		}
		for i, r := range out.take(repartition) {
			if r.partition != -1 || r.value == nil {
				t.Errorf("repartition record %+v", r)
			}
			if err := count.process(repartition, int64(i), r.key, r.value, 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	run("all streams lead to kafka", "hello kafka streams", "join kafka summit")
	want := "all\t1\nstreams\t1\nlead\t1\nto\t1\nkafka\t1\nhello\t1\nkafka\t2\nstreams\t2\njoin\t1\nkafka\t3\nsummit\t1\n"
	if got := counts(out.take("streams-wordcount-output")); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
	cl := out.take(changelog)
	if got := counts(cl); got != want {
		t.Errorf("changelog:\n%s", got)
	}
	for _, r := range cl {
		if r.partition != 0 {
			t.Errorf("changelog record to partition %d, want the task's 0", r.partition)
		}
	}
	if len(out.recs) != 0 {
		t.Errorf("unexpected records: %+v", out.recs)
	}

	// A new instance restores the store from the changelog and goes on.
	count = newTask(TaskID{1, 0}, topo.subtopologies[1], app, out, nil, log)
	for _, r := range cl {
		count.stores["KSTREAM-AGGREGATE-STATE-STORE-0000000003"].Put(r.key, r.value)
	}
	run("Kafka")
	if got := counts(out.take("streams-wordcount-output")); got != "kafka\t4\n" {
		t.Errorf("after restore: %q", got)
	}
}

// Filter, MapValues, Peek and Foreach see typed values; Aggregate folds
// into another type with its own serde.
func TestStatelessOpsAndAggregate(t *testing.T) {
	b := NewStreamsBuilder()
	s := Stream(b, "in", String, String)
	var seen []string
	lengths := MapValues(s.Filter(func(k, v string) bool { return v != "" }), func(v string) int64 { return int64(len(v)) })
	lengths.Peek(func(k string, n int64) { seen = append(seen, fmt.Sprintf("%s:%d", k, n)) }).
		Foreach(func(string, int64) {})
	Aggregate(lengths.GroupByKey(String, Long), func() string { return "" },
		func(_ string, n int64, agg string) string { return agg + fmt.Sprint(n) }, String).
		ToStream().To("out", String, String)
	topo := b.Build()
	out := &memCollector{}
	tk := newTask(TaskID{0, 0}, topo.subtopologies[0], "app", out, nil, zaptest.NewLogger(t))
	for i, kv := range [][2]string{{"a", "xx"}, {"a", ""}, {"a", "yyy"}, {"b", "z"}} {
		if err := tk.process("in", int64(i), []byte(kv[0]), []byte(kv[1]), 0); err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(seen) != "[a:2 a:3 b:1]" {
		t.Errorf("peek saw %v", seen)
	}
	var got []string
	for _, r := range out.take("out") {
		got = append(got, string(r.key)+"="+string(r.value))
	}
	if fmt.Sprint(got) != "[a=2 a=23 b=1]" {
		t.Errorf("aggregate output %v", got)
	}
	// A record with a null key is dropped by the aggregation (Kafka warns).
	if err := tk.process("in", 9, nil, []byte("q"), 0); err != nil {
		t.Fatal(err)
	}
	if r := out.take("out"); len(r) != 0 {
		t.Errorf("null key aggregated: %+v", r)
	}
}

// With a record cache (Kafka's default cache.max.bytes.buffering), store
// updates are held per key: nothing is written until the commit flushes
// the cache, and then one record per word with its latest count, in
// least-recently-updated order, to the output and the changelog alike. A
// cache too small for the working set evicts its eldest entries early.
func TestWordCountWithRecordCache(t *testing.T) {
	topo := wordCount()
	const app = "streams-wordcount"
	const repartition = app + "-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition"
	const changelog = app + "-KSTREAM-AGGREGATE-STATE-STORE-0000000003-changelog"
	for _, c := range []struct {
		name          string
		maxBytes      int64
		before, after string // output before and after the flush
	}{
		{"large", 10 << 20, "", "all\t1\nlead\t1\nto\t1\nhello\t1\nstreams\t2\njoin\t1\nkafka\t3\nsummit\t1\n"},
		// Room for one entry (key + 8-byte value + 64 bytes overhead):
		// each new key evicts the previous one.
		{"one entry", 80, "all\t1\nstreams\t1\nlead\t1\nto\t1\nkafka\t1\nhello\t1\nkafka\t2\nstreams\t2\njoin\t1\nkafka\t3\n", "summit\t1\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := &memCollector{}
			cache := &recordCache{maxBytes: c.maxBytes}
			log := zaptest.NewLogger(t)
			split := newTask(TaskID{0, 0}, topo.subtopologies[0], app, out, cache, log)
			count := newTask(TaskID{1, 0}, topo.subtopologies[1], app, out, cache, log)
			for i, l := range []string{"all streams lead to kafka", "hello kafka streams", "join kafka summit"} {
				if err := split.process("streams-plaintext-input", int64(i), nil, []byte(l), 0); err != nil {
					t.Fatal(err)
				}
			}
			for i, r := range out.take(repartition) {
				if err := count.process(repartition, int64(i), r.key, r.value, 0); err != nil {
					t.Fatal(err)
				}
			}
			if got := counts(out.take("streams-wordcount-output")); got != c.before {
				t.Errorf("before the flush:\n%s\nwant:\n%s", got, c.before)
			}
			if got := counts(out.take(changelog)); got != c.before {
				t.Errorf("changelog before the flush:\n%s", got)
			}
			if err := count.flushCaches(); err != nil {
				t.Fatal(err)
			}
			if got := counts(out.take("streams-wordcount-output")); got != c.after {
				t.Errorf("after the flush:\n%s\nwant:\n%s", got, c.after)
			}
			if got := counts(out.take(changelog)); got != c.after {
				t.Errorf("changelog after the flush:\n%s", got)
			}
			if cache.curBytes != 0 {
				t.Errorf("cache holds %d bytes after the flush", cache.curBytes)
			}
		})
	}
}
