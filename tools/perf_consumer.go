package tools

// kafka-consumer-perf-test.sh: kafka.tools.ConsumerPerformance (Kafka 2.8).
//
// Behaviour: joins group --group (default perf-consumer-<0..99999>) on
// --topic from the earliest offset (--from-latest: latest), reads
// --messages records or stops after --timeout ms without any, and prints
// the CSV-style header and result line of 2.8 (dates in
// --date-format, local time). --show-detailed-stats prints one progress
// line per --reporting-interval instead of the result line. The time from
// subscribing until partitions are assigned is rebalance.time.ms; fetch
// time is the rest.
//
// Not implemented (why): --print-metrics prints only the metrics the tool
// computes itself (franz-go has no Java metrics registry).

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/urfave/cli/v2"
)

func consumerPerfCommand() *cli.Command {
	return toolCommand("kafka.tools.ConsumerPerformance", runConsumerPerf)
}

func consumerPerfOptions() *optionParser {
	p := newOptionParser()
	p.arg("broker-list", "DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified. The broker list string in the form HOST1:PORT1,HOST2:PORT2.", "String", "broker-list")
	p.arg("bootstrap-server", "REQUIRED unless --broker-list(deprecated) is specified. The server(s) to connect to.", "String", "server to connect to").requiredUnlessAny("broker-list")
	p.arg("topic", "REQUIRED: The topic to consume from.", "String", "topic")
	p.arg("group", "The group id to consume on.", "String", "gid").withDefault(fmt.Sprintf("perf-consumer-%d", rand.IntN(100000)))
	p.arg("fetch-size", "The amount of data to fetch in a single request.", "Integer", "size").withDefault("1048576")
	p.flag("from-latest", "If the consumer does not already have an established offset to consume from, start with the latest message present in the log rather than the earliest message.")
	p.arg("socket-buffer-size", "The size of the tcp RECV size.", "Integer", "size").withDefault("2097152")
	p.arg("threads", "DEPRECATED AND IGNORED: Number of processing threads.", "Integer", "count").withDefault("10")
	p.arg("num-fetch-threads", "DEPRECATED AND IGNORED: Number of fetcher threads.", "Integer", "count").withDefault("1")
	p.arg("consumer.config", "Consumer config properties file.", "String", "config file")
	p.flag("print-metrics", "Print out the metrics.")
	p.arg("timeout", "The maximum allowed time in milliseconds between returned records.", "Long", "milliseconds").withDefault("10000")
	// PerfConfig's options.
	p.arg("messages", "REQUIRED: The number of messages to send or consume", "Long", "count")
	p.arg("reporting-interval", "Interval in milliseconds at which to print progress info.", "Integer", "interval_ms").withDefault("5000")
	p.arg("date-format", "The date format to use for formatting the time field. See java.text.SimpleDateFormat for options.", "String", "date format").withDefault("yyyy-MM-dd HH:mm:ss:SSS")
	p.flag("show-detailed-stats", "If set, stats are reported for each reporting interval as configured by reporting-interval")
	p.flag("hide-header", "If set, skips printing the header for the stats ")
	return p
}

func runConsumerPerf(ctx context.Context, env *toolEnv, args []string) int {
	p := consumerPerfOptions()
	o, code, ok := p.parseStandard(env, args, "This tool helps in performance test for the full zookeeper consumer")
	if !ok {
		return code
	}
	if code, ok := p.checkRequired(env, o, "topic", "messages"); !ok {
		return code
	}
	if o.has("threads") || o.has("num-fetch-threads") {
		fmt.Fprintln(env.Stdout, "WARNING: option [threads] and [num-fetch-threads] have been deprecated and will be ignored by the test")
	}
	props := map[string]string{}
	if o.has("consumer.config") {
		var err error
		if props, err = loadProperties(o.value("consumer.config")); err != nil {
			fmt.Fprintln(env.Stderr, "Exception in thread \"main\" "+noSuchFile(err))
			return 1
		}
	}
	servers := o.value("broker-list")
	if o.has("bootstrap-server") {
		servers = o.value("bootstrap-server")
	}
	reset := "earliest"
	if o.has("from-latest") {
		reset = "latest"
	}
	props = mergeProps(props, map[string]string{
		"bootstrap.servers":         servers,
		"group.id":                  o.value("group"),
		"max.partition.fetch.bytes": o.value("fetch-size"),
		"auto.offset.reset":         reset,
	})
	if !hasKey(props, "client.id") {
		props["client.id"] = "perf-consumer-client"
	}
	kopts, err := clientOpts(props)
	if err == nil {
		var gopts []kgo.Opt
		gopts, err = groupOpts(props)
		kopts = append(kopts, gopts...)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "Exception in thread \"main\" org.apache.kafka.common.config.ConfigException: %v\n", err)
		return 1
	}
	resetOff, _ := resetOffset(reset)
	// Join time: from subscribing (or a revocation) until an assignment.
	var mu sync.Mutex
	joinStart := time.Now()
	var joinTotal, joinRound time.Duration
	kopts = append(kopts, kgo.ConsumerGroup(o.value("group")), kgo.ConsumeTopics(o.value("topic")),
		kgo.ConsumeResetOffset(resetOff), kgo.DisableFetchCRCValidation(), kgo.AllowAutoTopicCreation(),
		kgo.OnPartitionsAssigned(func(context.Context, *kgo.Client, map[string][]int32) {
			mu.Lock()
			defer mu.Unlock()
			d := time.Since(joinStart)
			joinTotal += d
			joinRound += d
		}),
		kgo.OnPartitionsRevoked(func(context.Context, *kgo.Client, map[string][]int32) {
			mu.Lock()
			defer mu.Unlock()
			joinStart = time.Now()
		}))

	dateFmt := o.value("date-format")
	detailed := o.has("show-detailed-stats")
	if !o.has("hide-header") {
		extra := ", rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec"
		if detailed {
			fmt.Fprintln(env.Stdout, "time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec"+extra)
		} else {
			fmt.Fprintln(env.Stdout, "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec"+extra)
		}
	}
	cl, err := kgo.NewClient(kopts...)
	if err != nil {
		fmt.Fprintf(env.Stderr, "Exception in thread \"main\" org.apache.kafka.common.KafkaException: Failed to construct kafka consumer: %v\n", err)
		return 1
	}
	start := time.Now()
	count := o.int64Value("messages")
	timeout := time.Duration(o.int64Value("timeout")) * time.Millisecond
	interval := time.Duration(o.intValue("reporting-interval")) * time.Millisecond
	var bytesRead, msgsRead, lastBytes, lastMsgs int64
	now := time.Now()
	lastReport, lastConsumed := now, now
	for msgsRead < count && now.Sub(lastConsumed) <= timeout && ctx.Err() == nil {
		pollCtx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		fetches := cl.PollFetches(pollCtx)
		cancel()
		now = time.Now()
		recs := fetches.Records()
		if len(recs) > 0 {
			lastConsumed = now
		}
		for _, r := range recs {
			msgsRead++
			bytesRead += int64(len(r.Key) + len(r.Value))
			if now.Sub(lastReport) >= interval {
				if detailed {
					mu.Lock()
					jr := joinRound
					mu.Unlock()
					printConsumerProgress(env.Stdout, bytesRead, lastBytes, msgsRead, lastMsgs, lastReport, now, dateFmt, jr)
				}
				mu.Lock()
				joinRound = 0
				mu.Unlock()
				lastReport, lastMsgs, lastBytes = now, msgsRead, bytesRead
			}
		}
	}
	if msgsRead < count {
		fmt.Fprintf(env.Stdout, "WARNING: Exiting before consuming the expected number of messages: timeout (%d ms) exceeded. You can use the --timeout option to increase the timeout.\n", timeout.Milliseconds())
	}
	end := time.Now()
	cl.Close()
	mu.Lock()
	join := joinTotal.Milliseconds()
	mu.Unlock()
	elapsedMs := end.Sub(start).Milliseconds()
	elapsedSecs := float64(elapsedMs) / 1000.0
	fetchMs := elapsedMs - join
	if !detailed {
		mb := float64(bytesRead) / (1024 * 1024)
		fmt.Fprintf(env.Stdout, "%s, %s, %s, %s, %d, %s, %d, %d, %s, %s\n",
			javaDateFormat(start, dateFmt), javaDateFormat(end, dateFmt), javaFixed(mb, 4), javaFixed(mb/elapsedSecs, 4), msgsRead,
			javaFixed(float64(msgsRead)/elapsedSecs, 4), join, fetchMs,
			javaFixed(mb/(float64(fetchMs)/1000.0), 4), javaFixed(float64(msgsRead)/(float64(fetchMs)/1000.0), 4))
	}
	if o.has("print-metrics") {
		tags := "{client-id=" + props["client.id"] + "}"
		printMetricsTable(env.Stdout, [][2]string{
			{"consumer-fetch-manager-metrics:records-consumed-total:" + tags, javaFixed(float64(msgsRead), 3)},
			{"consumer-fetch-manager-metrics:bytes-consumed-total:" + tags, javaFixed(float64(bytesRead), 3)},
			{"consumer-fetch-manager-metrics:records-consumed-rate:" + tags, javaFixed(float64(msgsRead)/elapsedSecs, 3)},
			{"consumer-fetch-manager-metrics:bytes-consumed-rate:" + tags, javaFixed(float64(bytesRead)/elapsedSecs, 3)},
			{"consumer-coordinator-metrics:join-time-total:" + tags, javaFixed(float64(join), 3)},
		})
	}
	return 0
}

// printConsumerProgress is ConsumerPerformance.printConsumerProgress.
func printConsumerProgress(w io.Writer, bytesRead, lastBytes, msgsRead, lastMsgs int64, start, end time.Time, dateFmt string, joinRound time.Duration) {
	elapsedMs := float64(end.Sub(start).Milliseconds())
	totalMB := float64(bytesRead) / (1024 * 1024)
	intervalMB := float64(bytesRead-lastBytes) / (1024 * 1024)
	fmt.Fprintf(w, "%s, %d, %s, %s, %d, %s", javaDateFormat(end, dateFmt), 0, javaFixed(totalMB, 4), javaFixed(1000.0*intervalMB/elapsedMs, 4),
		msgsRead, javaFixed(float64(msgsRead-lastMsgs)/elapsedMs*1000.0, 4))
	fetchMs := end.Sub(start).Milliseconds() - joinRound.Milliseconds()
	mbs, msgs := 0.0, 0.0
	if fetchMs > 0 {
		mbs, msgs = 1000.0*intervalMB/float64(fetchMs), 1000.0*float64(msgsRead-lastMsgs)/float64(fetchMs)
	}
	fmt.Fprintf(w, ", %d, %d, %s, %s\n", joinRound.Milliseconds(), fetchMs, javaFixed(mbs, 4), javaFixed(msgs, 4))
}

// javaDateFormat formats t (local time) with a SimpleDateFormat pattern,
// for the letters the perf tools use.
func javaDateFormat(t time.Time, pattern string) string {
	layout := strings.NewReplacer("yyyy", "2006", "yy", "06", "MM", "01", "dd", "02", "HH", "15", "hh", "03",
		"mm", "04", "ss", "05", "SSS", "\x00", "a", "PM", "Z", "-0700", "z", "MST").Replace(pattern)
	// Go knows fractional seconds only after '.' or ','; Kafka's default
	// pattern has "ss:SSS", so the milliseconds are put in afterwards.
	return strings.ReplaceAll(t.Local().Format(layout), "\x00", fmt.Sprintf("%03d", t.Nanosecond()/1e6))
}
