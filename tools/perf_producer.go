package tools

// kafka-producer-perf-test.sh: org.apache.kafka.tools.ProducerPerformance (Kafka 2.8).
//
// Behaviour:
//   - argparse4j options: --topic, --num-records, --record-size |
//     --payload-file (with --payload-delimiter), --throughput (-1 =
//     unthrottled), --producer-props k=v…, --producer.config,
//     --print-metrics, --transactional-id, --transaction-duration-ms.
//   - The --record-size payload is Java's Random(0).nextInt(26)+65 letters,
//     byte for byte; --payload-file picks payloads with the same generator.
//   - Stats as Kafka's Stats class: a progress line per 5 s window, the
//     final line with percentiles of the sampled latencies (one sample
//     every numRecords/min(numRecords, 500000) records), ThroughputThrottler's
//     sleeping.
//   - Producer defaults of a 2.x Java producer: acks=1, not idempotent,
//     batch.size 16384, linger 0, 5 requests in flight.
//
// Not implemented (why): --print-metrics prints the metrics this tool can
// compute itself (franz-go has no Java metrics registry).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/urfave/cli/v2"
)

func producerPerfCommand() *cli.Command {
	return toolCommand("org.apache.kafka.tools.ProducerPerformance", runProducerPerf)
}

const producerPerfUsage = "usage: producer-performance [-h] --topic TOPIC --num-records NUM-RECORDS [--payload-delimiter PAYLOAD-DELIMITER] --throughput THROUGHPUT [--producer-props PROP-NAME=PROP-VALUE [PROP-NAME=PROP-VALUE ...]] [--producer.config CONFIG-FILE] [--print-metrics] [--transactional-id TRANSACTIONAL-ID] [--transaction-duration-ms TRANSACTION-DURATION] (--record-size RECORD-SIZE | --payload-file PAYLOAD-FILE)"

const producerPerfHelp = producerPerfUsage + `

This tool is used to verify the producer performance.

optional arguments:
  -h, --help             show this help message and exit
  --topic TOPIC          produce messages to this topic
  --num-records NUM-RECORDS
                         number of messages to produce
  --payload-delimiter PAYLOAD-DELIMITER
                         provides delimiter to be used when --payload-file is provided. Defaults to new line. Note that this parameter will be ignored if --payload-file is not provided. (default: \n)
  --throughput THROUGHPUT
                         throttle maximum message throughput to *approximately* THROUGHPUT messages/sec. Set this to -1 to disable throttling.
  --producer-props PROP-NAME=PROP-VALUE [PROP-NAME=PROP-VALUE ...]
                         kafka producer related configuration properties like bootstrap.servers,client.id etc. These configs take precedence over those passed via --producer.config.
  --producer.config CONFIG-FILE
                         producer config properties file.
  --print-metrics        print out metrics at the end of the test. (default: false)
  --transactional-id TRANSACTIONAL-ID
                         The transactionalId to use if transaction-duration-ms is > 0. Useful when testing the performance of concurrent transactions. (default: performance-producer-default-transactional-id)
  --transaction-duration-ms TRANSACTION-DURATION
                         The max age of each transaction. The commitTransaction will be called after this time has elapsed. Transactions are only enabled if this value is positive. (default: 0)

  either --record-size or --payload-file must be specified but not both.

  --record-size RECORD-SIZE
                         message size in bytes. Note that you must provide exactly one of --record-size or --payload-file.
  --payload-file PAYLOAD-FILE
                         file to read the message payloads from. This works only for UTF-8 encoded text files. Payloads will be read from this file and a payload will be randomly selected when sending messages. Note that you must provide exactly one of --record-size or --payload-file.
`

// producerPerfArgs is the parsed argparse4j namespace.
type producerPerfArgs struct {
	topic          string
	numRecords     int64
	recordSize     int
	hasRecordSize  bool
	payloadFile    string
	delimiter      string
	throughput     int64
	producerProps  []string
	hasProps       bool
	producerConfig string
	printMetrics   bool
	transactionID  string
	transactionMs  int64
}

// parseProducerPerfArgs parses argparse4j-style "--name value" and
// "--name=value" options; the error is argparse4j's message.
func parseProducerPerfArgs(args []string) (*producerPerfArgs, bool, error) {
	a := &producerPerfArgs{delimiter: "\n", transactionID: "performance-producer-default-transactional-id"}
	seen := map[string]bool{}
	help := false
	for i := 0; i < len(args); i++ {
		name, val, hasVal := strings.Cut(args[i], "=")
		if !strings.HasPrefix(name, "-") {
			return nil, false, fmt.Errorf("unrecognized arguments: '%s'", args[i])
		}
		next := func(metavar string) (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(args) || (strings.HasPrefix(args[i+1], "--") && len(args[i+1]) > 2) {
				return "", fmt.Errorf("argument %s: expected one argument", name)
			}
			i++
			return args[i], nil
		}
		integer := func(v, metavar string) (int64, error) {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("argument %s: could not convert '%s' to %s", name, v, metavar)
			}
			return n, nil
		}
		var err error
		var v string
		switch name {
		case "-h", "--help":
			help = true
		case "--topic":
			a.topic, err = next("TOPIC")
		case "--num-records":
			if v, err = next("NUM-RECORDS"); err == nil {
				a.numRecords, err = integer(v, "Long")
			}
		case "--record-size":
			if v, err = next("RECORD-SIZE"); err == nil {
				var n int64
				n, err = integer(v, "Integer")
				a.recordSize, a.hasRecordSize = int(n), true
			}
		case "--payload-file":
			a.payloadFile, err = next("PAYLOAD-FILE")
		case "--payload-delimiter":
			a.delimiter, err = next("PAYLOAD-DELIMITER")
		case "--throughput":
			if v, err = next("THROUGHPUT"); err == nil {
				a.throughput, err = integer(v, "Long")
			}
		case "--producer-props":
			a.hasProps = true
			if hasVal {
				a.producerProps = append(a.producerProps, val)
			}
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				i++
				a.producerProps = append(a.producerProps, args[i])
			}
			if len(a.producerProps) == 0 {
				err = fmt.Errorf("argument --producer-props: expected at least one argument")
			}
		case "--producer.config":
			a.producerConfig, err = next("CONFIG-FILE")
		case "--print-metrics":
			a.printMetrics = true
		case "--transactional-id":
			a.transactionID, err = next("TRANSACTIONAL-ID")
		case "--transaction-duration-ms":
			if v, err = next("TRANSACTION-DURATION"); err == nil {
				a.transactionMs, err = integer(v, "Long")
			}
		default:
			err = fmt.Errorf("unrecognized arguments: '%s'", args[i])
		}
		if err != nil {
			return nil, false, err
		}
		seen[name] = true
	}
	if help {
		return a, true, nil
	}
	for _, req := range []string{"--topic", "--num-records", "--throughput"} {
		if !seen[req] {
			return nil, false, fmt.Errorf("argument %s is required", req)
		}
	}
	switch {
	case seen["--record-size"] && seen["--payload-file"]:
		return nil, false, fmt.Errorf("argument --payload-file: not allowed with argument --record-size")
	case !seen["--record-size"] && !seen["--payload-file"]:
		return nil, false, fmt.Errorf("one of the arguments --record-size --payload-file is required")
	}
	if !a.hasProps && a.producerConfig == "" {
		return nil, false, fmt.Errorf("Either --producer-props or --producer.config must be specified.")
	}
	return a, false, nil
}

func runProducerPerf(ctx context.Context, env *toolEnv, args []string) int {
	a, help, err := parseProducerPerfArgs(args)
	if len(args) == 0 || help {
		fmt.Fprint(env.Stdout, producerPerfHelp)
		return 0
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, producerPerfUsage)
		fmt.Fprintf(env.Stderr, "producer-performance: error: %v\n", err)
		return 1
	}
	fail := func(err error) int {
		fmt.Fprintf(env.Stderr, "Exception in thread \"main\" %v\n", err)
		return 1
	}
	rnd := newJavaRandom(0)
	var payloads [][]byte
	if a.payloadFile != "" {
		abs, _ := filepath.Abs(a.payloadFile)
		fmt.Fprintf(env.Stdout, "Reading payloads from: %s\n", abs)
		data, err := os.ReadFile(a.payloadFile)
		if err != nil || len(data) == 0 {
			return fail(fmt.Errorf("java.lang.IllegalArgumentException: File does not exist or empty file provided."))
		}
		parts := javaSplit(string(data), a.delimiter)
		fmt.Fprintf(env.Stdout, "Number of messages read: %d\n", len(parts))
		for _, p := range parts {
			payloads = append(payloads, []byte(p))
		}
	}
	props := map[string]string{}
	if a.producerConfig != "" {
		if props, err = loadProperties(a.producerConfig); err != nil {
			return fail(errors.New(noSuchFile(err)))
		}
	}
	for _, kv := range a.producerProps {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return fail(fmt.Errorf("java.lang.IllegalArgumentException: Invalid property: %s", kv))
		}
		props[k] = v
	}
	transactions := a.transactionMs > 0
	if transactions {
		props["transactional.id"] = a.transactionID
		props["enable.idempotence"] = "true"
		if _, set := props["acks"]; !set {
			props["acks"] = "all"
		}
	}
	for k, v := range map[string]string{"batch.size": "16384", "max.in.flight.requests.per.connection": "5", "client.id": "producer-1", "delivery.timeout.ms": "120000"} {
		if _, set := props[k]; !set {
			props[k] = v
		}
	}
	if props["bootstrap.servers"] == "" {
		return fail(fmt.Errorf("org.apache.kafka.common.config.ConfigException: Missing required configuration \"bootstrap.servers\" which has no default value."))
	}
	kopts, err := clientOpts(props)
	if err != nil {
		return fail(fmt.Errorf("org.apache.kafka.common.config.ConfigException: %v", err))
	}
	kopts = append(kopts, kgo.AllowAutoTopicCreation(), kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)), kgo.MaxBufferedRecords(1<<20))
	cl, err := kgo.NewClient(kopts...)
	if err != nil {
		return fail(fmt.Errorf("org.apache.kafka.common.KafkaException: Failed to construct kafka producer: %v", err))
	}
	defer cl.Close()

	var payload []byte
	if a.hasRecordSize {
		payload = make([]byte, a.recordSize)
		for i := range payload {
			payload[i] = byte(rnd.nextInt(26) + 65)
		}
	}
	stats := newPerfStats(a.numRecords, 5*time.Second, env.Stdout)
	start := time.Now()
	throttler := newThrottler(a.throughput, start)
	var inTxn bool
	var txnStart time.Time
	var txnSize int64
	for i := int64(0); i < a.numRecords && ctx.Err() == nil; i++ {
		if transactions && txnSize == 0 {
			if err := cl.BeginTransaction(); err != nil {
				return fail(err)
			}
			inTxn, txnStart = true, time.Now()
		}
		if payloads != nil {
			payload = payloads[rnd.nextInt(len(payloads))]
		}
		sendStart := time.Now()
		iter, size := i, len(payload)
		cl.Produce(ctx, &kgo.Record{Topic: a.topic, Value: payload}, func(_ *kgo.Record, err error) {
			stats.record(iter, time.Since(sendStart), size, time.Now(), err != nil)
			if err != nil {
				fmt.Fprintln(env.Stderr, javaProduceError(err))
			}
		})
		txnSize++
		if transactions && time.Since(txnStart) >= time.Duration(a.transactionMs)*time.Millisecond {
			if err := endTxn(ctx, cl); err != nil {
				return fail(err)
			}
			txnSize, inTxn = 0, false
		}
		if throttler.shouldThrottle(i, sendStart) {
			throttler.throttle()
		}
	}
	if inTxn {
		if err := endTxn(ctx, cl); err != nil {
			return fail(err)
		}
	}
	cl.Flush(context.Background())
	stats.printTotal()
	if a.printMetrics {
		stats.printMetrics(props["client.id"])
	}
	return 0
}

func endTxn(ctx context.Context, cl *kgo.Client) error {
	if err := cl.Flush(ctx); err != nil {
		return err
	}
	return cl.EndTransaction(ctx, kgo.TryCommit)
}

// javaSplit is String.split(regex) for the delimiter: trailing empty
// strings are dropped.
func javaSplit(s, delim string) []string {
	var parts []string
	if re, err := regexp.Compile(delim); err == nil {
		parts = re.Split(s, -1)
	} else {
		parts = strings.Split(s, delim)
	}
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

// javaRandom is java.util.Random's 48-bit linear congruential generator, so
// that payloads match Kafka's byte for byte.
type javaRandom struct{ seed int64 }

func newJavaRandom(seed int64) *javaRandom {
	return &javaRandom{seed: (seed ^ 0x5DEECE66D) & (1<<48 - 1)}
}

func (r *javaRandom) next(bits uint) int32 {
	r.seed = (r.seed*0x5DEECE66D + 0xB) & (1<<48 - 1)
	return int32(uint64(r.seed) >> (48 - bits))
}

func (r *javaRandom) nextInt(bound int) int {
	b := int32(bound)
	rr := r.next(31)
	m := b - 1
	if b&m == 0 {
		return int(int32((int64(b) * int64(rr)) >> 31))
	}
	for u := rr; ; u = r.next(31) {
		rr = u % b
		if u-rr+m >= 0 { // int32 overflow check, as Java
			return int(rr)
		}
	}
}

// perfStats is ProducerPerformance.Stats; record is called from produce
// callbacks, so it is guarded by mu.
type perfStats struct {
	mu                sync.Mutex
	w                 io.Writer
	start             time.Time
	windowStart       time.Time
	latencies         []int
	sampling          int64
	index             int
	count, bytes      int64
	maxLatency        int
	totalLatency      int64
	errors            int64
	windowCount       int64
	windowMaxLatency  int
	windowTotal       int64
	windowBytes       int64
	reportingInterval time.Duration
	maxSize           int
}

func newPerfStats(numRecords int64, interval time.Duration, w io.Writer) *perfStats {
	sampling := int64(1)
	if numRecords > 0 {
		sampling = numRecords / min(numRecords, 500000)
	}
	now := time.Now()
	return &perfStats{w: w, start: now, windowStart: now, sampling: sampling,
		latencies: make([]int, numRecords/sampling+1), reportingInterval: interval}
}

func (s *perfStats) record(iter int64, latency time.Duration, bytes int, now time.Time, failed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if failed {
		s.errors++
	}
	l := int(latency.Milliseconds())
	s.count++
	s.bytes += int64(bytes)
	s.totalLatency += int64(l)
	s.maxLatency = max(s.maxLatency, l)
	s.maxSize = max(s.maxSize, bytes)
	s.windowCount++
	s.windowBytes += int64(bytes)
	s.windowTotal += int64(l)
	s.windowMaxLatency = max(s.windowMaxLatency, l)
	if iter%s.sampling == 0 && s.index < len(s.latencies) {
		s.latencies[s.index] = l
		s.index++
	}
	if now.Sub(s.windowStart) >= s.reportingInterval {
		s.printWindow()
		s.windowStart, s.windowCount, s.windowBytes, s.windowTotal, s.windowMaxLatency = time.Now(), 0, 0, 0, 0
	}
}

func (s *perfStats) printWindow() {
	elapsed := float64(time.Since(s.windowStart).Milliseconds())
	recs := 1000.0 * float64(s.windowCount) / elapsed
	mb := 1000.0 * float64(s.windowBytes) / elapsed / (1024.0 * 1024.0)
	fmt.Fprintf(s.w, "%d records sent, %s records/sec (%s MB/sec), %s ms avg latency, %s ms max latency.\n",
		s.windowCount, javaFixed(recs, 1), javaFixed(mb, 2), javaFixed(float64(s.windowTotal)/float64(s.windowCount), 1), javaFixed(float64(s.windowMaxLatency), 1))
}

func (s *perfStats) printTotal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	elapsed := float64(time.Since(s.start).Milliseconds())
	recs := 1000.0 * float64(s.count) / elapsed
	mb := 1000.0 * float64(s.bytes) / elapsed / (1024.0 * 1024.0)
	p := percentiles(s.latencies, s.index, 0.5, 0.95, 0.99, 0.999)
	fmt.Fprintf(s.w, "%d records sent, %s records/sec (%s MB/sec), %s ms avg latency, %s ms max latency, %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.\n",
		s.count, javaFixed(recs, 6), javaFixed(mb, 2), javaFixed(float64(s.totalLatency)/float64(s.count), 2), javaFixed(float64(s.maxLatency), 2), p[0], p[1], p[2], p[3])
}

func percentiles(lat []int, count int, ps ...float64) []int {
	size := min(count, len(lat))
	sort.Ints(lat[:size])
	out := make([]int, len(ps))
	for i, p := range ps {
		if idx := int(p * float64(size)); idx < len(lat) {
			out[i] = lat[idx]
		}
	}
	return out
}

// printMetrics is ToolsUtils.printMetrics over the metrics this tool keeps.
func (s *perfStats) printMetrics(clientID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tags := "{client-id=" + clientID + "}"
	elapsed := time.Since(s.start).Seconds()
	rows := [][2]string{
		{"producer-metrics:record-send-total:" + tags, javaFixed(float64(s.count), 3)},
		{"producer-metrics:record-send-rate:" + tags, javaFixed(float64(s.count)/elapsed, 3)},
		{"producer-metrics:record-error-total:" + tags, javaFixed(float64(s.errors), 3)},
		{"producer-metrics:record-size-avg:" + tags, javaFixed(float64(s.bytes)/float64(max(s.count, 1)), 3)},
		{"producer-metrics:record-size-max:" + tags, javaFixed(float64(s.maxSize), 3)},
		{"producer-metrics:request-latency-avg:" + tags, javaFixed(float64(s.totalLatency)/float64(max(s.count, 1)), 3)},
		{"producer-metrics:request-latency-max:" + tags, javaFixed(float64(s.maxLatency), 3)},
	}
	printMetricsTable(s.w, rows)
}

// printMetricsTable prints rows as ToolsUtils.printMetrics does, sorted by
// name.
func printMetricsTable(w io.Writer, rows [][2]string) {
	sort.Slice(rows, func(i, j int) bool { return rows[i][0] < rows[j][0] })
	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	fmt.Fprintf(w, "\n%-*s   %s\n", width, "Metric Name", "Value")
	for _, r := range rows {
		fmt.Fprintf(w, "%-*s : %s\n", width, r[0], r[1])
	}
}

// throttler is ThroughputThrottler.
type throttler struct {
	target       int64
	start        time.Time
	sleepTime    time.Duration
	sleepDeficit time.Duration
}

func newThrottler(target int64, start time.Time) *throttler {
	t := &throttler{target: target, start: start, sleepTime: time.Duration(1<<63 - 1)}
	if target > 0 {
		t.sleepTime = time.Second / time.Duration(target)
	}
	return t
}

func (t *throttler) shouldThrottle(amountSoFar int64, sendStart time.Time) bool {
	if t.target < 0 {
		return false
	}
	elapsed := float32(sendStart.Sub(t.start).Milliseconds()) / 1000
	return elapsed > 0 && float32(amountSoFar)/elapsed > float32(t.target)
}

func (t *throttler) throttle() {
	if t.target == 0 {
		time.Sleep(time.Hour)
		return
	}
	t.sleepDeficit += t.sleepTime
	if t.sleepDeficit >= 2*time.Millisecond {
		s := time.Now()
		time.Sleep(t.sleepDeficit)
		if el := time.Since(s); el <= t.sleepDeficit {
			t.sleepDeficit -= el
		} else {
			t.sleepDeficit = 0
		}
	}
}

// javaFixed formats f as Java's %.Nf: HALF_UP rounding of the shortest
// decimal form, "Infinity"/"NaN" for the special values.
func javaFixed(f float64, prec int) string {
	switch {
	case f != f:
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	if len(frac) <= prec {
		frac += strings.Repeat("0", prec-len(frac))
	} else {
		roundUp := frac[prec] >= '5'
		frac = frac[:prec]
		if roundUp {
			digits := []byte(intPart + frac)
			i := len(digits) - 1
			for ; i >= 0; i-- {
				if digits[i] == '9' {
					digits[i] = '0'
					continue
				}
				digits[i]++
				break
			}
			if i < 0 {
				digits = append([]byte{'1'}, digits...)
			}
			intPart, frac = string(digits[:len(digits)-prec]), string(digits[len(digits)-prec:])
		}
	}
	out := intPart
	if prec > 0 {
		out += "." + frac
	}
	if neg && strings.Trim(out, "0.") != "" {
		out = "-" + out
	}
	return out
}
