package tools

// kafka-console-producer.sh: kafka.tools.ConsoleProducer (Kafka 2.8).
//
// Behaviour:
//   - stdin is read line by line (UTF-8, "\n", "\r\n" or "\r" ends a line);
//     each line is one record with a null key, or with parse.key=true the
//     text before the first key.separator is the key.
//   - The ">" prompt is printed before every read, including the one that
//     meets end of input, only when stdin and stdout are terminals
//     (System.console() != null).
//   - The producer settings are built as 2.8 builds them: --producer.config,
//     then --producer-property, then every command-line option (with its
//     default) on top, so --request-required-acks (default 1) decides acks.
//     The 2.x Java producer is not idempotent by default; neither is this one.
//   - Sends are asynchronous unless --sync; a failed asynchronous send is
//     logged by the callback and does not change the exit code.
//   - End of input flushes and exits 0.
//
// Not implemented (why): --line-reader with another class (no JVM classes
// to load); max.block.ms (franz-go does not block the caller on metadata,
// it fails the record after its retries instead).

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/urfave/cli/v2"
)

func consoleProducerCommand() *cli.Command {
	return toolCommand("kafka.tools.ConsoleProducer", runConsoleProducer)
}

func consoleProducerOptions() *optionParser {
	p := newOptionParser()
	p.arg("topic", "REQUIRED: The topic id to produce messages to.", "String", "topic")
	p.arg("broker-list", "DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified.  The broker list string in the form HOST1:PORT1,HOST2:PORT2.", "String", "broker-list")
	p.arg("bootstrap-server", "REQUIRED unless --broker-list(deprecated) is specified. The server(s) to connect to. The broker list string in the form HOST1:PORT1,HOST2:PORT2.", "String", "server to connect to").requiredUnlessAny("broker-list")
	p.flag("sync", "If set message send requests to the brokers are synchronously, one at a time as they arrive.")
	p.arg("compression-codec", "The compression codec: either 'none', 'gzip', 'snappy', 'lz4', or 'zstd'.If specified without value, then it defaults to 'gzip'", "String", "compression-codec").optionalValue()
	p.arg("batch-size", "Number of messages to send in a single batch if they are not being sent synchronously.", "Integer", "size").withDefault("200")
	p.arg("message-send-max-retries", "Brokers can fail receiving the message for multiple reasons, and being unavailable transiently is just one of them. This property specifies the number of retires before the producer give up and drop this message.", "Integer", "").withDefault("3")
	p.arg("retry-backoff-ms", "Before each retry, the producer refreshes the metadata of relevant topics. Since leader election takes a bit of time, this property specifies the amount of time that the producer waits before refreshing the metadata.", "Integer", "").withDefault("100")
	p.arg("timeout", "If set and the producer is running in asynchronous mode, this gives the maximum amount of time a message will queue awaiting sufficient batch size. The value is given in ms.", "Integer", "timeout_ms").withDefault("1000")
	p.arg("request-required-acks", "The required acks of the producer requests", "String", "request required acks").withDefault("1")
	p.arg("request-timeout-ms", "The ack timeout of the producer requests. Value must be non-negative and non-zero", "Integer", "request timeout ms").withDefault("1500")
	p.arg("metadata-expiry-ms", "The period of time in milliseconds after which we force a refresh of metadata even if we haven't seen any leadership changes.", "Long", "metadata expiration interval").withDefault("300000")
	p.arg("max-block-ms", "The max time that the producer will block for during a send request", "Long", "max block on send").withDefault("60000")
	p.arg("max-memory-bytes", "The total memory used by the producer to buffer records waiting to be sent to the server.", "Long", "total memory in bytes").withDefault("33554432")
	p.arg("max-partition-memory-bytes", "The buffer size allocated for a partition. When records are received which are smaller than this size the producer will attempt to optimistically group them together until this size is reached.", "Long", "memory in bytes per partition").withDefault("16384")
	p.arg("line-reader", "The class name of the class to use for reading lines from standard in. By default each line is read as a separate message.", "String", "reader_class").withDefault("kafka.tools.ConsoleProducer$LineMessageReader")
	p.arg("socket-buffer-size", "The size of the tcp RECV size.", "Integer", "size").withDefault("102400")
	p.arg("property", "A mechanism to pass user-defined properties in the form key=value to the message reader. This allows custom configuration for a user-defined message reader. Default properties include:\n\tparse.key=true|false\n\tkey.separator=<key.separator>\n\tignore.error=true|false", "String", "prop")
	p.arg("producer-property", "A mechanism to pass user-defined properties in the form key=value to the producer. ", "String", "producer_prop")
	p.arg("producer.config", "Producer config properties file. Note that [producer-property] takes precedence over this config.", "String", "config file")
	return p
}

// lineReaderClass is the only --line-reader this clone has.
const lineReaderClass = "kafka.tools.ConsoleProducer$LineMessageReader"

func runConsoleProducer(ctx context.Context, env *toolEnv, args []string) int {
	p := consoleProducerOptions()
	o, code, ok := p.parseStandard(env, args, "This tool helps to read data from standard input and publish it to Kafka.")
	if !ok {
		return code
	}
	if code, ok := p.checkRequired(env, o, "topic"); !ok {
		return code
	}
	servers := o.value("broker-list")
	if o.has("bootstrap-server") {
		servers = o.value("bootstrap-server")
	}
	if !validHostPorts(servers) {
		return p.usageAndDie(env, hostPortMessage)
	}
	if rc := o.value("line-reader"); rc != lineReaderClass {
		fmt.Fprintf(env.Stderr, "java.lang.ClassNotFoundException: %s\n", rc)
		return 1
	}

	props := map[string]string{}
	if o.has("producer.config") {
		fileProps, err := loadProperties(o.value("producer.config"))
		if err != nil {
			fmt.Fprintln(env.Stderr, noSuchFile(err))
			return 1
		}
		props = fileProps
	}
	props = mergeProps(props, parseKeyValues(o.values("producer-property")))
	codec := "none"
	if o.has("compression-codec") {
		codec = o.value("compression-codec")
		if codec == "" {
			codec = "gzip"
		}
	}
	// 2.8's ConsoleProducer.producerProps puts every option on top of the
	// user's properties.
	props = mergeProps(props, map[string]string{
		"bootstrap.servers":   servers,
		"compression.type":    codec,
		"retry.backoff.ms":    o.value("retry-backoff-ms"),
		"metadata.max.age.ms": o.value("metadata-expiry-ms"),
		"max.block.ms":        o.value("max-block-ms"),
		"acks":                o.value("request-required-acks"),
		"request.timeout.ms":  o.value("request-timeout-ms"),
		"retries":             o.value("message-send-max-retries"),
		"linger.ms":           o.value("timeout"),
		"buffer.memory":       o.value("max-memory-bytes"),
		"batch.size":          o.value("max-partition-memory-bytes"),
	})
	if _, set := props["client.id"]; !set {
		props["client.id"] = "console-producer"
	}
	if _, set := props["delivery.timeout.ms"]; !set {
		// The Java producer gives up on a record after delivery.timeout.ms
		// (default 2 minutes); franz-go would retry an unreachable
		// cluster forever.
		props["delivery.timeout.ms"] = "120000"
	}
	kopts, err := clientOpts(props)
	if err != nil {
		fmt.Fprintf(env.Stderr, "org.apache.kafka.common.config.ConfigException: %v\n", err)
		return 1
	}
	kopts = append(kopts, kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)), kgo.AllowAutoTopicCreation())
	cl, err := kgo.NewClient(kopts...)
	if err != nil {
		fmt.Fprintf(env.Stderr, "org.apache.kafka.common.KafkaException: Failed to construct kafka producer: %v\n", err)
		return 1
	}
	defer cl.Close()

	reader := newLineMessageReader(env.Stdin, o.value("topic"), parseKeyValues(o.values("property")))
	syncSend := o.has("sync")
	var logMu sync.Mutex
	// Lines are read on their own goroutine so that Ctrl-C is noticed while
	// stdin blocks; Java's shutdown hook then closes (flushes) the producer.
	type readResult struct {
		rec *kgo.Record
		err error
	}
	want, got := make(chan struct{}), make(chan readResult, 1)
	go func() {
		for range want {
			if env.Console {
				fmt.Fprint(env.Stdout, ">")
			}
			rec, err := reader.readMessage()
			got <- readResult{rec, err}
			if err != nil {
				return
			}
		}
	}()
	defer close(want)
	for {
		want <- struct{}{}
		var r readResult
		select {
		case r = <-got:
		case <-ctx.Done():
			flushCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			cl.Flush(flushCtx)
			cancel()
			return 0
		}
		rec, err := r.rec, r.err
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintln(env.Stderr, err)
			cl.Flush(context.Background())
			return 1
		}
		if syncSend {
			if err := cl.ProduceSync(context.Background(), rec).FirstErr(); err != nil {
				fmt.Fprintf(env.Stderr, "java.util.concurrent.ExecutionException: %s\n", javaProduceError(err))
				return 1
			}
			continue
		}
		// Not ctx: records already read are still delivered after Ctrl-C,
		// as Java's producer.close() delivers them.
		cl.Produce(context.Background(), rec, func(r *kgo.Record, err error) {
			if err == nil {
				return
			}
			// ErrorLoggingCallback's message.
			logMu.Lock()
			defer logMu.Unlock()
			key := "null"
			if r.Key != nil {
				key = fmt.Sprintf("%d bytes", len(r.Key))
			}
			logLine(env.Stderr, "ERROR", fmt.Sprintf("Error when sending message to topic %s with key: %s, value: %d bytes with error:", r.Topic, key, len(r.Value)),
				"org.apache.kafka.clients.producer.internals.ErrorLoggingCallback")
			fmt.Fprintln(env.Stderr, javaProduceError(err))
		})
	}
	// Java's producer.close() in the shutdown hook waits for the sends.
	if err := cl.Flush(context.Background()); err != nil && !errors.Is(err, context.Canceled) {
		return 1
	}
	return 0
}

// javaProduceError renders a franz-go produce error as the Java exception
// a user would have seen.
func javaProduceError(err error) string {
	var ke *kerr.Error
	switch {
	case errors.As(err, &ke):
		return javaErrorMessage(err)
	case errors.Is(err, kgo.ErrRecordTimeout):
		return "org.apache.kafka.common.errors.TimeoutException: " + err.Error()
	}
	return "org.apache.kafka.common.KafkaException: " + err.Error()
}

// lineMessageReader is ConsoleProducer$LineMessageReader.
type lineMessageReader struct {
	r            *bufio.Reader
	topic        string
	parseKey     bool
	keySeparator string
	ignoreError  bool
	lineNumber   int
}

func newLineMessageReader(in io.Reader, topic string, props map[string]string) *lineMessageReader {
	lr := &lineMessageReader{r: bufio.NewReaderSize(in, 64<<10), topic: topic, keySeparator: "\t"}
	if v, ok := props["parse.key"]; ok {
		lr.parseKey = strings.EqualFold(strings.TrimSpace(v), "true")
	}
	if v, ok := props["key.separator"]; ok {
		lr.keySeparator = v
	}
	if v, ok := props["ignore.error"]; ok {
		lr.ignoreError = strings.EqualFold(strings.TrimSpace(v), "true")
	}
	return lr
}

// readLine is Java's BufferedReader.readLine: a line ends at "\n", "\r\n"
// or "\r"; io.EOF only when nothing at all is left.
func (lr *lineMessageReader) readLine() (string, error) {
	var sb strings.Builder
	for {
		b, err := lr.r.ReadByte()
		if err == io.EOF {
			if sb.Len() == 0 {
				return "", io.EOF
			}
			return sb.String(), nil
		}
		if err != nil {
			return "", err
		}
		switch b {
		case '\n':
			return sb.String(), nil
		case '\r':
			if next, err := lr.r.Peek(1); err == nil && next[0] == '\n' {
				lr.r.ReadByte()
			}
			return sb.String(), nil
		}
		sb.WriteByte(b)
	}
}

// readMessage returns the next record, io.EOF at the end of input, or the
// KafkaException of a line without key separator.
func (lr *lineMessageReader) readMessage() (*kgo.Record, error) {
	lr.lineNumber++
	line, err := lr.readLine()
	if err != nil {
		return nil, err
	}
	rec := &kgo.Record{Topic: lr.topic}
	if !lr.parseKey {
		rec.Value = []byte(line)
		return rec, nil
	}
	i := strings.Index(line, lr.keySeparator)
	if i < 0 {
		if lr.ignoreError {
			rec.Value = []byte(line)
			return rec, nil
		}
		return nil, fmt.Errorf("org.apache.kafka.common.KafkaException: No key found on line %d: %s", lr.lineNumber, line)
	}
	rec.Key = []byte(line[:i])
	rec.Value = []byte(line[i+len(lr.keySeparator):])
	return rec, nil
}
