package tools

// kafka-console-consumer.sh: kafka.tools.ConsoleConsumer (Kafka 2.8).
//
// Behaviour:
//   - Without --partition the consumer joins a group: --group, or group.id
//     from --consumer-property / --consumer.config (all must agree), else a
//     fresh console-consumer-<0..99999> with auto-commit off.
//   - With --partition it is assigned that one partition (no group
//     membership) and starts at --offset: earliest, latest (default) or a
//     non-negative offset; --from-beginning means earliest.
//   - --from-beginning sets auto.offset.reset=earliest; a contradicting
//     explicit auto.offset.reset is an error.
//   - Records are printed by DefaultMessageFormatter's rules (print.*,
//     key.separator, line.separator, headers.separator, null.literal,
//     key/value/headers deserializers).
//   - It ends on Ctrl-C/SIGTERM, after --max-messages records, or when no
//     record arrived for --timeout-ms (then it logs Kafka's ERROR line); in
//     every case it prints "Processed a total of N messages" to stderr.
//
// Not implemented (why): --formatter classes other than
// kafka.tools.DefaultMessageFormatter and --enable-systest-events (no JVM
// classes to load; the systest JSON events are a test-harness feature).

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/urfave/cli/v2"
)

func consoleConsumerCommand() *cli.Command {
	return toolCommand("kafka.tools.ConsoleConsumer", runConsoleConsumer)
}

const defaultFormatterClass = "kafka.tools.DefaultMessageFormatter"

func consoleConsumerOptions() *optionParser {
	p := newOptionParser()
	p.arg("topic", "The topic id to consume on.", "String", "topic")
	p.arg("whitelist", "Regular expression specifying whitelist of topics to include for consumption.", "String", "whitelist")
	p.arg("partition", "The partition to consume from. Consumption starts from the end of the partition unless '--offset' is specified.", "Integer", "partition")
	p.arg("offset", "The offset id to consume from (a non-negative number), or 'earliest' which means from beginning, or 'latest' which means from end", "String", "consume offset").withDefault("latest")
	p.arg("consumer-property", "A mechanism to pass user-defined properties in the form key=value to the consumer.", "String", "consumer_prop")
	p.arg("consumer.config", "Consumer config properties file. Note that [consumer-property] takes precedence over this config.", "String", "config file")
	p.arg("formatter", "The name of a class to use for formatting kafka messages for display.", "String", "class").withDefault(defaultFormatterClass)
	p.arg("property", "The properties to initialize the message formatter. Default properties include:\n print.timestamp=true|false\n print.key=true|false\n print.offset=true|false\n print.partition=true|false\n print.headers=true|false\n print.value=true|false\n key.separator=<key.separator>\n line.separator=<line.separator>\n headers.separator=<line.separator>\n null.literal=<null.literal>\n key.deserializer=<key.deserializer>\n value.deserializer=<value.deserializer>\n header.deserializer=<header.deserializer>\nUsers can also pass in customized properties for their formatter; more specifically, users can pass in properties keyed with 'key.deserializer.', 'value.deserializer.' and 'headers.deserializer.' prefixes to configure their deserializers.", "String", "prop")
	p.flag("from-beginning", "If the consumer does not already have an established offset to consume from, start with the earliest message present in the log rather than the latest message.")
	p.arg("max-messages", "The maximum number of messages to consume before exiting. If not set, consumption is continual.", "Integer", "num_messages")
	p.arg("timeout-ms", "If specified, exit if no message is available for consumption for the specified interval.", "Integer", "timeout_ms")
	p.flag("skip-message-on-error", "If there is an error when processing a message, skip it instead of halt.")
	p.arg("bootstrap-server", "REQUIRED: The server(s) to connect to.", "String", "server to connect to")
	p.arg("key-deserializer", "", "String", "deserializer for key")
	p.arg("value-deserializer", "", "String", "deserializer for values")
	p.flag("enable-systest-events", "Log lifecycle events of the consumer in addition to logging consumed messages. (This is specific for system tests.)")
	p.arg("isolation-level", "Set to read_committed in order to filter out transactional messages which are not committed. Set to read_uncommitted to read all messages.", "String", "").withDefault("read_uncommitted")
	p.arg("group", "The consumer group id of the consumer.", "String", "consumer group id")
	return p
}

// consoleConsumerConfig is the checked command line.
type consoleConsumerConfig struct {
	topic, whitelist string
	partition        int32
	hasPartition     bool
	offset           kgo.Offset
	group            string
	groupPassed      bool
	maxMessages      int // -1 = no limit
	timeout          time.Duration
	skipOnError      bool
	props            map[string]string
	formatter        *messageFormatter
}

func runConsoleConsumer(ctx context.Context, env *toolEnv, args []string) int {
	cfg, code, ok := parseConsoleConsumer(env, args)
	if !ok {
		return code
	}
	kopts, err := clientOpts(cfg.props)
	if err != nil {
		fmt.Fprintf(env.Stderr, "org.apache.kafka.common.config.ConfigException: %v\n", err)
		return 1
	}
	reset, ok := resetOffset(cfg.props["auto.offset.reset"])
	if !ok {
		fmt.Fprintf(env.Stderr, "org.apache.kafka.common.config.ConfigException: Invalid value %s for configuration auto.offset.reset: String must be one of: latest, earliest, none\n", cfg.props["auto.offset.reset"])
		return 1
	}
	kopts = append(kopts, kgo.ConsumeResetOffset(reset))
	switch {
	case cfg.hasPartition:
		kopts = append(kopts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{cfg.topic: {cfg.partition: cfg.offset}}))
	default:
		gopts, err := groupOpts(cfg.props)
		if err != nil {
			fmt.Fprintf(env.Stderr, "org.apache.kafka.common.config.ConfigException: %v\n", err)
			return 1
		}
		for _, g := range gopts {
			kopts = append(kopts, g)
		}
		kopts = append(kopts, kgo.ConsumerGroup(cfg.group))
		// A 2.x Java consumer's allow.auto.create.topics is true.
		kopts = append(kopts, kgo.AllowAutoTopicCreation())
		if cfg.topic != "" {
			kopts = append(kopts, kgo.ConsumeTopics(cfg.topic))
		} else {
			// Java's IncludeList: ',' means '|', the pattern must match
			// the whole name, internal topics are left out.
			re := "^(?:" + strings.NewReplacer(",", "|", " ", "").Replace(strings.Trim(cfg.whitelist, `"'`)) + ")$"
			if _, err := regexp.Compile(re); err != nil {
				fmt.Fprintf(env.Stderr, "java.util.regex.PatternSyntaxException: %v\n", err)
				return 1
			}
			kopts = append(kopts, kgo.ConsumeTopics(re), kgo.ConsumeRegex(),
				kgo.ConsumeExcludeTopics(`^__consumer_offsets$`, `^__transaction_state$`))
		}
	}
	cl, err := kgo.NewClient(kopts...)
	if err != nil {
		fmt.Fprintf(env.Stderr, "org.apache.kafka.common.KafkaException: Failed to construct kafka consumer: %v\n", err)
		return 1
	}

	out := bufio.NewWriterSize(env.Stdout, 64<<10)
	count, err := consumeLoop(ctx, cl, cfg, out, env)
	out.Flush()
	closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	if cfg.groupPassed {
		// A Java consumer with auto-commit commits its position on close.
		cl.CommitUncommittedOffsets(closeCtx)
	}
	cl.LeaveGroup()
	cancel()
	cl.Close()
	fmt.Fprintf(env.Stderr, "Processed a total of %d messages\n", count)
	if err != nil {
		// ConsoleConsumer.main's catch-all, after run's finally block.
		logLine(env.Stderr, "ERROR", "Unknown error when running consumer: ", "kafka.tools.ConsoleConsumer$")
		fmt.Fprintln(env.Stderr, err)
		return 1
	}
	return 0
}

// consumeLoop is ConsoleConsumer.process: it returns the number of records
// printed and a non-nil error only when the process must fail.
func consumeLoop(ctx context.Context, cl *kgo.Client, cfg *consoleConsumerConfig, out *bufio.Writer, env *toolEnv) (int, error) {
	count := 0
	waitStart := time.Now()
	for cfg.maxMessages < 0 || count < cfg.maxMessages {
		pollCtx := ctx
		var cancel context.CancelFunc = func() {}
		if cfg.timeout >= 0 {
			left := cfg.timeout - time.Since(waitStart)
			if left < 0 {
				left = 0
			}
			pollCtx, cancel = context.WithTimeout(ctx, left+time.Millisecond)
		}
		fetches := cl.PollFetches(pollCtx)
		cancel()
		if ctx.Err() != nil || fetches.IsClientClosed() {
			return count, nil // Ctrl-C: Java's WakeupException, a quiet end
		}
		var fatal error
		fetches.EachError(func(t string, p int32, err error) {
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				return
			}
			if fatal == nil {
				fatal = err
			}
		})
		if fatal != nil {
			logLine(env.Stderr, "ERROR", "Error processing message, terminating consumer process: ", "kafka.tools.ConsoleConsumer$")
			fmt.Fprintf(env.Stderr, "org.apache.kafka.common.KafkaException: %v\n", fatal)
			return count, nil
		}
		recs := fetches.Records()
		if len(recs) == 0 {
			if cfg.timeout >= 0 && time.Since(waitStart) >= cfg.timeout {
				logLine(env.Stderr, "ERROR", "Error processing message, terminating consumer process: ", "kafka.tools.ConsoleConsumer$")
				fmt.Fprintln(env.Stderr, "org.apache.kafka.common.errors.TimeoutException")
				return count, nil
			}
			continue
		}
		for _, r := range recs {
			if cfg.maxMessages >= 0 && count >= cfg.maxMessages {
				break
			}
			count++
			if err := cfg.formatter.writeTo(out, r); err != nil {
				if !cfg.skipOnError {
					return count, err
				}
				logLine(env.Stderr, "ERROR", "Error processing message, skipping this message: ", "kafka.tools.ConsoleConsumer$")
				fmt.Fprintln(env.Stderr, err)
			}
		}
		if err := out.Flush(); err != nil {
			return count, nil // checkErr: stdout closed (e.g. "| head")
		}
		waitStart = time.Now()
	}
	return count, nil
}

// parseConsoleConsumer is ConsoleConsumer.ConsumerConfig: every check in
// Kafka's order.
func parseConsoleConsumer(env *toolEnv, args []string) (*consoleConsumerConfig, int, bool) {
	p := consoleConsumerOptions()
	o, code, ok := p.parseStandard(env, args, "This tool helps to read data from Kafka topics and outputs it to standard output.")
	if !ok {
		return nil, code, false
	}
	die := func(msg string) (*consoleConsumerConfig, int, bool) { return nil, p.usageAndDie(env, msg), false }
	cfg := &consoleConsumerConfig{maxMessages: -1, timeout: -1, skipOnError: o.has("skip-message-on-error")}

	extraProps := parseKeyValues(o.values("consumer-property"))
	fileProps := map[string]string{}
	if o.has("consumer.config") {
		var err error
		if fileProps, err = loadProperties(o.value("consumer.config")); err != nil {
			fmt.Fprintln(env.Stderr, noSuchFile(err))
			return nil, 1, false
		}
	}
	fromBeginning := o.has("from-beginning")
	if o.has("partition") {
		cfg.partition, cfg.hasPartition = int32(o.intValue("partition")), true
	}
	if fc := o.value("formatter"); fc != defaultFormatterClass {
		fmt.Fprintf(env.Stderr, "java.lang.ClassNotFoundException: %s\n", fc)
		return nil, 1, false
	}
	fargs := parseKeyValues(o.values("property"))
	if o.has("max-messages") {
		cfg.maxMessages = o.intValue("max-messages")
	}
	if o.has("timeout-ms") {
		cfg.timeout = time.Duration(o.intValue("timeout-ms")) * time.Millisecond
	}
	if v := o.value("key-deserializer"); v != "" {
		fargs["key.deserializer"] = v
	}
	if v := o.value("value-deserializer"); v != "" {
		fargs["value.deserializer"] = v
	}
	f, err := newMessageFormatter(fargs)
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return nil, 1, false
	}
	cfg.formatter = f

	cfg.topic, cfg.whitelist = o.value("topic"), o.value("whitelist")
	if o.has("topic") == o.has("whitelist") {
		return die("Exactly one of whitelist/topic is required.")
	}
	if cfg.hasPartition {
		if !o.has("topic") {
			return die("The topic is required when partition is specified.")
		}
		if fromBeginning && o.has("offset") {
			return die("Options from-beginning and offset cannot be specified together.")
		}
	} else if o.has("offset") {
		return die("The partition is required when offset is specified.")
	}
	cfg.offset = kgo.NewOffset().AtEnd()
	if o.has("offset") {
		v := strings.ToLower(o.value("offset"))
		switch v {
		case "earliest":
			cfg.offset = kgo.NewOffset().AtStart()
		case "latest":
		default:
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return die(fmt.Sprintf("The provided offset value '%s' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.", v))
			}
			cfg.offset = kgo.NewOffset().At(n)
		}
	} else if fromBeginning {
		cfg.offset = kgo.NewOffset().AtStart()
	}
	if code, ok := p.checkRequired(env, o, "bootstrap-server"); !ok {
		return nil, code, false
	}

	// Group ids from --group, --consumer.config and --consumer-property
	// must agree.
	var ids []string
	for _, id := range []struct {
		v  string
		ok bool
	}{{o.value("group"), o.has("group")}, {fileProps["group.id"], hasKey(fileProps, "group.id")}, {extraProps["group.id"], hasKey(extraProps, "group.id")}} {
		if id.ok && !contains(ids, id.v) {
			ids = append(ids, id.v)
		}
	}
	if len(ids) > 1 {
		return die("The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: '" + strings.Join(ids, "', '") + "'")
	}
	props := mergeProps(fileProps, extraProps)
	if len(ids) == 1 {
		cfg.group, cfg.groupPassed = ids[0], true
	} else {
		cfg.group = fmt.Sprintf("console-consumer-%d", rand.IntN(100000))
		if !hasKey(props, "enable.auto.commit") {
			props["enable.auto.commit"] = "false"
		}
	}
	if cfg.groupPassed && cfg.hasPartition {
		return die("Options group and partition cannot be specified together.")
	}
	// ConsoleConsumer.setAutoOffsetResetValue.
	if v, set := props["auto.offset.reset"]; set {
		if fromBeginning && v != "earliest" {
			fmt.Fprintf(env.Stderr, "Can't simultaneously specify --from-beginning and 'auto.offset.reset=%s', please remove one option\n", v)
			return nil, 1, false
		}
	} else if fromBeginning {
		props["auto.offset.reset"] = "earliest"
	} else {
		props["auto.offset.reset"] = "latest"
	}
	props["bootstrap.servers"] = o.value("bootstrap-server")
	if !hasKey(props, "client.id") {
		props["client.id"] = "console-consumer"
	}
	if o.has("isolation-level") || !hasKey(props, "isolation.level") {
		props["isolation.level"] = o.value("isolation-level")
	}
	cfg.props = props
	return cfg, 0, true
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// messageFormatter is kafka.tools.DefaultMessageFormatter.
type messageFormatter struct {
	printTimestamp, printKey, printOffset, printPartition, printHeaders, printValue bool
	keySeparator, lineSeparator, headersSeparator, nullLiteral                      string
	keyDeser, valueDeser, headersDeser                                              deserializer
}

// deserializer renders bytes as a Java deserializer's toString would; nil
// means the bytes are printed as they are.
type deserializer func([]byte) (string, error)

func newMessageFormatter(props map[string]string) (*messageFormatter, error) {
	f := &messageFormatter{printValue: true, keySeparator: "\t", lineSeparator: "\n", headersSeparator: ",", nullLiteral: "null"}
	flag := func(k string, dst *bool) {
		if v, ok := props[k]; ok {
			*dst = strings.EqualFold(strings.TrimSpace(v), "true")
		}
	}
	flag("print.timestamp", &f.printTimestamp)
	flag("print.key", &f.printKey)
	flag("print.offset", &f.printOffset)
	flag("print.partition", &f.printPartition)
	flag("print.headers", &f.printHeaders)
	flag("print.value", &f.printValue)
	for k, dst := range map[string]*string{"key.separator": &f.keySeparator, "line.separator": &f.lineSeparator, "headers.separator": &f.headersSeparator, "null.literal": &f.nullLiteral} {
		if v, ok := props[k]; ok {
			*dst = v
		}
	}
	for k, dst := range map[string]*deserializer{"key.deserializer": &f.keyDeser, "value.deserializer": &f.valueDeser, "headers.deserializer": &f.headersDeser} {
		if v, ok := props[k]; ok {
			d, err := javaDeserializer(v)
			if err != nil {
				return nil, err
			}
			*dst = d
		}
	}
	return f, nil
}

// javaDeserializer maps Kafka's built-in deserializer classes.
func javaDeserializer(class string) (deserializer, error) {
	const pkg = "org.apache.kafka.common.serialization."
	fixed := func(n int, name string, f func([]byte) string) deserializer {
		return func(b []byte) (string, error) {
			if len(b) != n {
				return "", fmt.Errorf("org.apache.kafka.common.errors.SerializationException: Size of data received by %s is not %d", name, n)
			}
			return f(b), nil
		}
	}
	switch strings.TrimPrefix(class, pkg) {
	case "StringDeserializer", "ByteArrayDeserializer", "BytesDeserializer", "ByteBufferDeserializer":
		return nil, nil
	case "LongDeserializer":
		return fixed(8, "LongDeserializer", func(b []byte) string { return strconv.FormatInt(int64(binary.BigEndian.Uint64(b)), 10) }), nil
	case "IntegerDeserializer":
		return fixed(4, "IntegerDeserializer", func(b []byte) string { return strconv.FormatInt(int64(int32(binary.BigEndian.Uint32(b))), 10) }), nil
	case "ShortDeserializer":
		return fixed(2, "ShortDeserializer", func(b []byte) string { return strconv.FormatInt(int64(int16(binary.BigEndian.Uint16(b))), 10) }), nil
	case "DoubleDeserializer":
		return fixed(8, "DoubleDeserializer", func(b []byte) string { return javaDouble(math.Float64frombits(binary.BigEndian.Uint64(b))) }), nil
	case "FloatDeserializer":
		return fixed(4, "FloatDeserializer", func(b []byte) string {
			return javaDouble(float64(math.Float32frombits(binary.BigEndian.Uint32(b))))
		}), nil
	}
	return nil, fmt.Errorf("java.lang.ClassNotFoundException: %s", class)
}

// javaDouble prints a float as Java's Double.toString does for ordinary
// magnitudes ("1.0", "2.5").
func javaDouble(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eEIN") {
		s += ".0"
	}
	return s
}

// writeTo prints one record.
func (f *messageFormatter) writeTo(w io.Writer, r *kgo.Record) error {
	sep := func(column bool) {
		if column {
			io.WriteString(w, f.keySeparator)
		} else {
			io.WriteString(w, f.lineSeparator)
		}
	}
	render := func(d deserializer, b []byte) (string, error) {
		if b == nil {
			return f.nullLiteral, nil
		}
		if d == nil {
			return string(b), nil
		}
		return d(b)
	}
	if f.printTimestamp {
		if r.Attrs.TimestampType() == 1 {
			fmt.Fprintf(w, "LogAppendTime:%d", r.Timestamp.UnixMilli())
		} else if r.Attrs.TimestampType() == 0 {
			fmt.Fprintf(w, "CreateTime:%d", r.Timestamp.UnixMilli())
		} else {
			io.WriteString(w, "NO_TIMESTAMP")
		}
		sep(f.printPartition || f.printOffset || f.printHeaders || f.printKey || f.printValue)
	}
	if f.printPartition {
		fmt.Fprintf(w, "Partition:%d", r.Partition)
		sep(f.printOffset || f.printHeaders || f.printKey || f.printValue)
	}
	if f.printOffset {
		fmt.Fprintf(w, "Offset:%d", r.Offset)
		sep(f.printHeaders || f.printKey || f.printValue)
	}
	if f.printHeaders {
		if len(r.Headers) == 0 {
			io.WriteString(w, "NO_HEADERS")
		}
		for i, h := range r.Headers {
			v, err := render(f.headersDeser, h.Value)
			if err != nil {
				return err
			}
			io.WriteString(w, h.Key+":"+v)
			if i < len(r.Headers)-1 {
				io.WriteString(w, f.headersSeparator)
			}
		}
		sep(f.printKey || f.printValue)
	}
	if f.printKey {
		k, err := render(f.keyDeser, r.Key)
		if err != nil {
			return err
		}
		io.WriteString(w, k)
		sep(f.printValue)
	}
	if f.printValue {
		v, err := render(f.valueDeser, r.Value)
		if err != nil {
			return err
		}
		io.WriteString(w, v)
		io.WriteString(w, f.lineSeparator)
	}
	return nil
}
