// Package connect is Kafka Connect's standalone worker with Kafka 2.8's file
// connectors, as bin/connect-standalone.sh runs it
// (org.apache.kafka.connect.cli.ConnectStandalone):
//
//	bin/connect-standalone.sh config/connect-standalone.properties \
//	    config/connect-file-source.properties config/connect-file-sink.properties
//
// worker.go is the worker and its standalone herder (start-up, connectors,
// tasks, shutdown, Kafka's log lines); offsets.go the source offset file
// (offset.storage.file.filename); converter.go JsonConverter and
// StringConverter; file_source.go FileStreamSource and the loop that
// produces its records; file_sink.go FileStreamSink and the consumer-group
// loop that feeds it; rest.go the REST API (port 8083 by default);
// plugins.go the connector classes and their aliases.
//
// The Kafka clients are franz-go's kgo. The package knows nothing of the
// tools around it: the tools package gives it a logger with Kafka's layout,
// its properties loader and its Java-client-property mapping (Env).
package connect
