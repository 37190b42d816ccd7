// Package tools holds every command-line "class" of the gokafka binary: the
// broker entry point (kafka.Kafka, server.go) and Kafka 2.8's tools with
// their flags, output, messages and exit codes (topics.go,
// console_producer.go, console_consumer.go, consumer_groups.go, configs.go,
// get_offset_shell.go, perf_producer.go, perf_consumer.go,
// broker_api_versions.go, dump_log.go, leader_election.go,
// preferred_replica_election.go, reassign_partitions*.go, delete_records.go,
// log_dirs.go, mirror_maker.go, connect_standalone.go over tools/connect,
// streams_wordcount.go over tools/streams). app.go is the literal table from
// class name to command; bin/*.sh call it through kafka-run-class.sh.
//
// --zookeeper modes use zkcoord; --bootstrap-server modes are Kafka clients
// built on franz-go's kgo and kadm. common.go has the jopt-simple style
// option parser and usage table the tools share. Results go to stdout,
// tool logging (zap, Kafka's log4j pattern) at WARN to stderr.
//
// tools may import broker and everything below it; nothing imports tools
// but main.
package tools
