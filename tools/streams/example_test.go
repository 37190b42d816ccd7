package streams_test

import (
	"fmt"
	"strings"

	"gokafka/tools/streams"
)

// WordCount with the DSL; Describe prints the topology as Kafka does.
// Running it is streams.NewKafkaStreams(topology, cfg) then Start and, at
// the end, Close.
func ExampleStreamsBuilder() {
	b := streams.NewStreamsBuilder()
	lines := streams.Stream(b, "lines", streams.String, streams.String)
	words := streams.FlatMapValues(lines, strings.Fields)
	counts := streams.GroupBy(words, func(_, w string) string { return w }, streams.String, streams.String).Count()
	counts.ToStream().To("counts", streams.String, streams.Long)
	fmt.Print(b.Build().Describe())
	fmt.Println("changelog: <application.id>-" + counts.StoreName() + "-changelog")
	// Output:
	// Topologies:
	//    Sub-topology: 0
	//     Source: KSTREAM-SOURCE-0000000000 (topics: [lines])
	//       --> KSTREAM-FLATMAPVALUES-0000000001
	//     Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])
	//       --> KSTREAM-KEY-SELECT-0000000002
	//       <-- KSTREAM-SOURCE-0000000000
	//     Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])
	//       --> KSTREAM-FILTER-0000000006
	//       <-- KSTREAM-FLATMAPVALUES-0000000001
	//     Processor: KSTREAM-FILTER-0000000006 (stores: [])
	//       --> KSTREAM-SINK-0000000005
	//       <-- KSTREAM-KEY-SELECT-0000000002
	//     Sink: KSTREAM-SINK-0000000005 (topic: KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition)
	//       <-- KSTREAM-FILTER-0000000006
	//
	//   Sub-topology: 1
	//     Source: KSTREAM-SOURCE-0000000007 (topics: [KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition])
	//       --> KSTREAM-AGGREGATE-0000000004
	//     Processor: KSTREAM-AGGREGATE-0000000004 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000003])
	//       --> KTABLE-TOSTREAM-0000000008
	//       <-- KSTREAM-SOURCE-0000000007
	//     Processor: KTABLE-TOSTREAM-0000000008 (stores: [])
	//       --> KSTREAM-SINK-0000000009
	//       <-- KSTREAM-AGGREGATE-0000000004
	//     Sink: KSTREAM-SINK-0000000009 (topic: counts)
	//       <-- KTABLE-TOSTREAM-0000000008
	//
	// changelog: <application.id>-KSTREAM-AGGREGATE-STATE-STORE-0000000003-changelog
}
