// Package streams is a small Kafka Streams (2.8) for Go: enough of the DSL
// for WordCount-style applications, and a runtime that behaves, as seen from
// the cluster, like a Java Kafka Streams instance with the same topology.
//
// The DSL (builder.go, kstream.go, kgrouped.go) has Kafka's shape: a
// StreamsBuilder makes KStreams from topics; stream operations add nodes to
// a topology; GroupBy/GroupByKey and Count/Reduce/Aggregate make a KTable
// backed by a key-value store. Operations that keep the record types are
// methods; those that change a type are package functions, because Go
// methods cannot have type parameters of their own:
//
//	b := streams.NewStreamsBuilder()
//	lines := streams.Stream(b, "streams-plaintext-input", streams.String, streams.String)
//	words := streams.FlatMapValues(lines, func(line string) []string { ... })
//	counts := streams.GroupBy(words, func(_, w string) string { return w }, streams.String, streams.String).Count()
//	counts.ToStream().To("streams-wordcount-output", streams.String, streams.Long)
//
// Node and store names follow Kafka's InternalStreamsBuilder: one counter
// for processors and stores, KSTREAM-SOURCE-0000000000,
// KSTREAM-FLATMAPVALUES-0000000001, ..., KSTREAM-AGGREGATE-STATE-STORE-
// 0000000003. The names are observable: repartition and changelog topics
// are <application.id>-<store name>-repartition and -changelog, and
// Topology.Describe prints Kafka's TopologyDescription text (topology.go).
//
// The runtime (kafka_streams.go, task.go, restore.go, internal_topics.go)
// is one stream thread on one franz-go client:
//   - the consumer group is application.id, with the assignor protocol name
//     "stream" (balancer.go); partitions are spread with range assignment,
//     so several instances split the work;
//   - internal topics are created before joining: repartition topics with
//     cleanup.policy=delete, segment.bytes=52428800, retention.ms=-1;
//     changelogs with cleanup.policy=compact; partition counts follow the
//     source topics of their sub-topology;
//   - a task is (sub-topology, partition); stores are in memory
//     (store.go) and restored from their changelog partition whenever a
//     task is assigned;
//   - processing is at least once: every commit.interval.ms (and on
//     rebalance and close) the producer is flushed, and only when every
//     output, repartition and changelog record is acknowledged are the input
//     offsets committed; consumed repartition records are then purged with
//     DeleteRecords;
//   - the record cache (cache.go) holds store updates per key until the
//     commit or until cache.max.bytes.buffering is full; with 0, as the
//     WordCount demo sets, every update is forwarded and logged at once.
//
// Not implemented (why): joins, windows, KTable sources and global tables,
// punctuation, exactly-once, standby replicas, several stream threads per
// instance and persistent (RocksDB) stores: WordCount and the quickstart
// need none of them. Unlike a Java instance, Close leaves the group at once
// (Streams' consumer waits for its session to time out), so a restarted
// instance takes over without waiting. Java's StreamsPartitionAssignor
// metadata is not spoken, so Java and Go instances cannot share one
// application id.
//
// The package is a Kafka client: it imports franz-go and zap, never the
// broker.
package streams
