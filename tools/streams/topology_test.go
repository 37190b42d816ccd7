package streams

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// wordCount builds Kafka's WordCountDemo topology with this package's DSL.
func wordCount() *Topology {
	b := NewStreamsBuilder()
	nonWord := regexp.MustCompile(`\W+`)
	lines := Stream(b, "streams-plaintext-input", String, String)
	words := FlatMapValues(lines, func(line string) []string { return nonWord.Split(strings.ToLower(line), -1) })
	counts := GroupBy(words, func(_, w string) string { return w }, String, String).Count()
	counts.ToStream().To("streams-wordcount-output", String, Long)
	return b.Build()
}

// The description Kafka 2.8 prints for WordCountDemo's topology
// (System.out.println(topology.describe())): one shared counter names
// processors and the store, the key change cuts the graph at a
// repartition topic named after the store.
func TestWordCountDescribe(t *testing.T) {
	want := `Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [streams-plaintext-input])
      --> KSTREAM-FLATMAPVALUES-0000000001
    Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])
      --> KSTREAM-KEY-SELECT-0000000002
      <-- KSTREAM-SOURCE-0000000000
    Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])
      --> KSTREAM-FILTER-0000000006
      <-- KSTREAM-FLATMAPVALUES-0000000001
    Processor: KSTREAM-FILTER-0000000006 (stores: [])
      --> KSTREAM-SINK-0000000005
      <-- KSTREAM-KEY-SELECT-0000000002
    Sink: KSTREAM-SINK-0000000005 (topic: KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition)
      <-- KSTREAM-FILTER-0000000006

  Sub-topology: 1
    Source: KSTREAM-SOURCE-0000000007 (topics: [KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition])
      --> KSTREAM-AGGREGATE-0000000004
    Processor: KSTREAM-AGGREGATE-0000000004 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000003])
      --> KTABLE-TOSTREAM-0000000008
      <-- KSTREAM-SOURCE-0000000007
    Processor: KTABLE-TOSTREAM-0000000008 (stores: [])
      --> KSTREAM-SINK-0000000009
      <-- KSTREAM-AGGREGATE-0000000004
    Sink: KSTREAM-SINK-0000000009 (topic: streams-wordcount-output)
      <-- KTABLE-TOSTREAM-0000000008

`
	if got := wordCount().Describe().String(); got != want {
		t.Errorf("Describe:\n%s\nwant:\n%s", got, want)
	}
}

// The internal topics the runtime creates for WordCount: the contract's
// two names, partitions following the input topic, Kafka's configs.
func TestWordCountInternalTopics(t *testing.T) {
	got, err := wordCount().internalTopics("streams-wordcount-", map[string]int32{"streams-plaintext-input": 3})
	if err != nil {
		t.Fatal(err)
	}
	type topic struct {
		name       string
		partitions int32
		configs    map[string]string
	}
	var simple []topic
	for _, it := range got {
		c := map[string]string{}
		for k, v := range it.configs {
			c[k] = *v
		}
		simple = append(simple, topic{it.name, it.partitions, c})
	}
	want := []topic{
		{"streams-wordcount-KSTREAM-AGGREGATE-STATE-STORE-0000000003-changelog", 3, map[string]string{"cleanup.policy": "compact"}},
		{"streams-wordcount-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition", 3, map[string]string{"cleanup.policy": "delete", "segment.bytes": "52428800", "retention.ms": "-1"}},
	}
	if !reflect.DeepEqual(simple, want) {
		t.Errorf("internal topics:\n got %+v\nwant %+v", simple, want)
	}
	var missing *MissingSourceTopicError
	if _, err := wordCount().internalTopics("streams-wordcount-", nil); !errors.As(err, &missing) || missing.Topic != "streams-plaintext-input" {
		t.Errorf("missing source topic: %v", err)
	}
}

// GroupByKey on an unchanged key aggregates in the source's sub-topology,
// with no repartition topic; Reduce names its store KSTREAM-REDUCE-....
func TestGroupByKeyNoRepartition(t *testing.T) {
	b := NewStreamsBuilder()
	s := Stream(b, "in", String, Long)
	s.Filter(func(_ string, v int64) bool { return v > 0 }).
		GroupByKey(String, Long).
		Reduce(func(a, v int64) int64 { return a + v }).
		ToStream().To("out", String, Long)
	d := b.Build().Describe()
	if len(d.Subtopologies) != 1 {
		t.Fatalf("want one sub-topology:\n%s", d)
	}
	var names []string
	for _, n := range d.Subtopologies[0].Nodes {
		names = append(names, n.Name)
	}
	want := []string{"KSTREAM-SOURCE-0000000000", "KSTREAM-FILTER-0000000001", "KSTREAM-REDUCE-0000000003", "KTABLE-TOSTREAM-0000000004", "KSTREAM-SINK-0000000005"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("nodes %v, want %v", names, want)
	}
	if st := d.Subtopologies[0].Nodes[2].Stores; !reflect.DeepEqual(st, []string{"KSTREAM-REDUCE-STATE-STORE-0000000002"}) {
		t.Errorf("stores %v", st)
	}
	its, err := b.Build().internalTopics("app-", map[string]int32{"in": 2})
	if err != nil || len(its) != 1 || its[0].name != "app-KSTREAM-REDUCE-STATE-STORE-0000000002-changelog" || its[0].partitions != 2 {
		t.Errorf("internal topics %+v %v", its, err)
	}
}

// A key change before GroupByKey (SelectKey, Map) forces a repartition,
// as Kafka's repartitionRequired.
func TestSelectKeyThenGroupByKeyRepartitions(t *testing.T) {
	b := NewStreamsBuilder()
	s := SelectKey(Stream(b, "in", String, String), func(_, v string) string { return v })
	s.GroupByKey(String, String).Count().ToStream().To("out", String, Long)
	d := b.Build().Describe()
	if len(d.Subtopologies) != 2 || d.Subtopologies[0].Nodes[len(d.Subtopologies[0].Nodes)-1].Topic != "KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition" {
		t.Errorf("want a repartition:\n%s", d)
	}
}

// A node's successors are listed, like the nodes, larger sub-tree first,
// then by name (Kafka's NodeComparator).
func TestDescribeBranches(t *testing.T) {
	b := NewStreamsBuilder()
	s := Stream(b, "in", String, String)
	s.To("a", String, String)
	s.Filter(func(_, v string) bool { return v != "" }).To("b", String, String)
	want := `Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [in])
      --> KSTREAM-FILTER-0000000002, KSTREAM-SINK-0000000001
    Processor: KSTREAM-FILTER-0000000002 (stores: [])
      --> KSTREAM-SINK-0000000003
      <-- KSTREAM-SOURCE-0000000000
    Sink: KSTREAM-SINK-0000000001 (topic: a)
      <-- KSTREAM-SOURCE-0000000000
    Sink: KSTREAM-SINK-0000000003 (topic: b)
      <-- KSTREAM-FILTER-0000000002

`
	if got := b.Build().Describe().String(); got != want {
		t.Errorf("Describe:\n%s\nwant:\n%s", got, want)
	}
}
