package tools

// kafka-run-class.sh org.apache.kafka.streams.examples.wordcount.WordCountDemo
// (Kafka 2.8's streams examples), on the Go Kafka Streams in tools/streams.
//
// Behaviour:
//   - An optional first argument is a properties file; further arguments
//     are ignored with Java's warning on stdout.
//   - Unless the file sets them: application.id=streams-wordcount,
//     bootstrap.servers=localhost:9092, cache.max.bytes.buffering=0, String
//     default serdes, auto.offset.reset=earliest.
//   - Topology: streams-plaintext-input -> lower-case, split on \W+ ->
//     groupBy(word) -> count() -> streams-wordcount-output (String key, Long
//     value), one output record per count update.
//   - Prints nothing; Ctrl-C/SIGTERM closes the Streams instance.

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"

	"gokafka/tools/streams"
)

const (
	wordCountInputTopic  = "streams-plaintext-input"
	wordCountOutputTopic = "streams-wordcount-output"
)

func streamsWordCountCommand() *cli.Command {
	return toolCommand("org.apache.kafka.streams.examples.wordcount.WordCountDemo", runWordCountDemo)
}

// wordCountProps is WordCountDemo.getStreamsConfig.
func wordCountProps(env *toolEnv, args []string) (map[string]string, error) {
	props := map[string]string{}
	if len(args) > 0 {
		var err error
		if props, err = loadProperties(args[0]); err != nil {
			// new FileInputStream(args[0]) in main, uncaught.
			return nil, fmt.Errorf("Exception in thread \"main\" java.io.FileNotFoundException: %v", err)
		}
		if len(args) > 1 {
			fmt.Fprintln(env.Stdout, "Warning: Some command line arguments were ignored. This demo only accepts an optional configuration file.")
		}
	}
	for k, v := range map[string]string{
		"application.id":            "streams-wordcount",
		"bootstrap.servers":         "localhost:9092",
		"cache.max.bytes.buffering": "0",
		"default.key.serde":         "org.apache.kafka.common.serialization.Serdes$StringSerde",
		"default.value.serde":       "org.apache.kafka.common.serialization.Serdes$StringSerde",
		"auto.offset.reset":         "earliest",
	} {
		if _, ok := props[k]; !ok {
			props[k] = v
		}
	}
	return props, nil
}

// nonWord is Java's \W: anything but [a-zA-Z_0-9].
var nonWord = regexp.MustCompile(`\W+`)

// javaSplitWords is value.toLowerCase(Locale.getDefault()).split("\\W+"):
// a leading separator gives an empty first word, trailing empty strings
// are dropped, and a line without a separator (even "") is one word.
func javaSplitWords(line string) []string {
	lower := strings.ToLower(line)
	if !nonWord.MatchString(lower) {
		return []string{lower}
	}
	parts := nonWord.Split(lower, -1)
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

// wordCountTopology is WordCountDemo.createWordCountStream.
func wordCountTopology(b *streams.StreamsBuilder) {
	source := streams.Stream(b, wordCountInputTopic, streams.String, streams.String)
	words := streams.FlatMapValues(source, javaSplitWords)
	counts := streams.GroupBy(words, func(_, word string) string { return word }, streams.String, streams.String).Count()
	// The value serde becomes Long, as Produced.with(Serdes.String(), Serdes.Long()).
	counts.ToStream().To(wordCountOutputTopic, streams.String, streams.Long)
}

func runWordCountDemo(ctx context.Context, env *toolEnv, args []string) int {
	props, err := wordCountProps(env, args)
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return 1
	}
	log := newToolLogger(env.Stderr)
	cfg, err := streams.ParseConfig(props, log)
	if err != nil {
		fmt.Fprintf(env.Stderr, "Exception in thread \"main\" org.apache.kafka.common.config.ConfigException: %v\n", err)
		return 1
	}
	b := streams.NewStreamsBuilder()
	wordCountTopology(b)
	ks, err := streams.NewKafkaStreams(b.Build(), cfg)
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return 1
	}
	if err := ks.Start(); err != nil {
		return 1
	}
	// The Java demo waits on a latch its shutdown hook releases after
	// streams.close(); a Streams instance that died stays in ERROR and the
	// demo keeps waiting, as Java's does.
	<-ctx.Done()
	ks.Close()
	return 0
}
