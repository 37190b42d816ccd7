package tools

// kafka-mirror-maker.sh: kafka.tools.MirrorMaker, the legacy MirrorMaker of
// Kafka 2.8 (the operations chapter's "Mirroring data between clusters").
//
// Behaviour, as MirrorMaker.scala:
//   - --num.streams threads, each with its own consumer in the group.id of
//     --consumer.config (client.id <group>-<i>), subscribed to the
//     --whitelist pattern (IncludeList: trimmed, ',' read as '|', spaces and
//     surrounding quotes dropped; a topic matches when the whole name
//     matches; internal topics are excluded unless exclude.internal.topics
//     is false). The pattern is a Go regexp (RE2): Java-only constructs
//     such as lookarounds make it "an invalid regex", which the thread
//     reports before the mirror maker exits 255, as 2.8 does for a pattern
//     Java cannot compile. enable.auto.commit defaults to false; the
//     default assignment strategy is range (with the WARNING 2.8 prints
//     when partition.assignment.strategy is not set).
//   - One shared producer on --producer.config, with the no-data-loss
//     defaults unless overridden (then "Property X is overridden to Y - data
//     loss or message reordering is possible." is logged): acks=all,
//     max.in.flight.requests.per.connection=1, delivery.timeout.ms and
//     max.block.ms unbounded. producer.type=sync waits for each send. (A
//     delivery.timeout.ms set in the file is checked but not applied:
//     franz-go would count it from the kept source timestamp.)
//   - Each record is produced to the same topic name with the same key,
//     value, headers and timestamp (a record without one gets the send
//     time); the partition is left to the producer's default partitioner
//     (murmur2 of the key, sticky for null keys), as the default message
//     handler leaves it null. Topics are created on the target by its
//     auto.create.topics.enable.
//   - Every --offset.commit.interval.ms (checked after each record and
//     after each empty one-second poll), on a revocation and at shutdown, a
//     thread flushes the producer, then commits the offsets after the
//     records it handed over: offsets are committed only once the target
//     acknowledged everything before them.
//   - A failed send is logged by the producer callback ("Error when sending
//     message to topic T with key: N bytes, value: N bytes with error:");
//     with --abort.on.send.failure true (default) no further offsets are
//     committed and the mirror maker exits 255 ("Mirror maker thread exited
//     abnormally, stopping the whole mirror maker."); with false the record
//     is dropped and mirroring goes on. (franz-go fails the records
//     batched with the refused one instead of splitting the batch as the
//     Java producer does, so with false those are dropped too.)
//   - SIGTERM/SIGINT run the clean shutdown: each thread stops, flushes the
//     producer and commits; then the producer is closed (exit 143/130, as a
//     JVM ended by a signal).
//   - Logs at INFO ("Starting mirror maker", "[mirrormaker-thread-0]
//     Starting mirror maker thread mirrormaker-thread-0", ...) appear with
//     GOKAFKA_LOG_LEVEL=info; the tools' default is WARN, as
//     config/tools-log4j.properties.
//
// Start-up failures end as in 2.8: the exception is logged ("ERROR Exception
// when starting mirror maker.") and main then dies on a
// NullPointerException (its threads were never created), exit 1. That
// covers option errors (2.8 has --whitelist only: --include came with 3.0
// and is "not a recognized option" here), missing files, bad settings and
// --consumer.rebalance.listener / --message.handler: no Java class can be
// loaded, so both fail with ClassNotFoundException. (2.8 reaches the message
// handler after its threads exist and then runs without one until the first
// record; here it stops at once.)

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/urfave/cli/v2"
	"go.uber.org/zap"
)

func mirrorMakerCommand() *cli.Command {
	return toolCommand("kafka.tools.MirrorMaker", runMirrorMaker)
}

func mirrorMakerOptions() *optionParser {
	p := newOptionParser()
	p.arg("consumer.config", "Embedded consumer config for consuming from the source cluster.", "String", "config file")
	p.flag("new.consumer", "DEPRECATED Use new consumer in mirror maker (this is the default so this option will be removed in a future version).")
	p.arg("producer.config", "Embedded producer config.", "String", "config file")
	p.arg("num.streams", "Number of consumption streams.", "Integer", "Number of threads").withDefault("1")
	p.arg("whitelist", "Whitelist of topics to mirror.", "String", "Java regex (String)")
	p.arg("offset.commit.interval.ms", "Offset commit interval in ms.", "Integer", "offset commit interval in millisecond").withDefault("60000")
	p.arg("consumer.rebalance.listener", "The consumer rebalance listener to use for mirror maker consumer.",
		"String", "A custom rebalance listener of type ConsumerRebalanceListener")
	p.arg("rebalance.listener.args", "Arguments used by custom rebalance listener for mirror maker consumer.",
		"String", "Arguments passed to custom rebalance listener constructor as a string.")
	p.arg("message.handler", "Message handler which will process every record in-between consumer and producer.",
		"String", "A custom message handler of type MirrorMakerMessageHandler")
	p.arg("message.handler.args", "Arguments used by custom message handler for mirror maker.",
		"String", "Arguments passed to message handler constructor.")
	p.arg("abort.on.send.failure", "Configure the mirror maker to exit on a failed send.",
		"String", "Stop the entire mirror maker when a send failure occurs").withDefault("true")
	return p
}

// mirrorMakerAssignmentWarning is printed to stderr when the consumer config
// does not choose partition.assignment.strategy.
const mirrorMakerAssignmentWarning = "WARNING: The default partition assignment strategy of the mirror maker will " +
	"change from 'range' to 'roundrobin' in an upcoming release (so that better load balancing can be achieved). If " +
	"you prefer to make this switch in advance of that release add the following to the corresponding " +
	"config: 'partition.assignment.strategy=org.apache.kafka.clients.consumer.RoundRobinAssignor'"

// Java client defaults the mirror maker relies on.
const (
	mmPollTimeout     = time.Second      // consumer.poll(Duration.ofSeconds(1))
	mmAPITimeout      = 60 * time.Second // default.api.timeout.ms: bounds commitSync
	mmMaxPollRecords  = 500              // max.poll.records
	mmExitAbnormal    = 255              // sys.exit(-1)
	mmThreadLogger    = "kafka.tools.MirrorMaker$MirrorMakerThread"
	mmObjectLogger    = "kafka.tools.MirrorMaker$"
	mmCallbackLogger  = "org.apache.kafka.clients.producer.internals.ErrorLoggingCallback"
	mmCommitFailedMsg = "Failed to commit offsets because the consumer group has rebalanced and assigned partitions to " +
		"another instance. If you see this regularly, it could indicate that you need to either increase " +
		"the consumer's session.timeout.ms or reduce the number of records handled on each iteration with max.poll.records"
)

// mirrorMaker is the MirrorMaker object: the shared producer, the threads
// and the flags they share. Fields set by configure are immutable after it.
type mirrorMaker struct {
	lg        *zap.Logger // kafka.tools.MirrorMaker$
	callbackL *zap.Logger // ErrorLoggingCallback

	producer           *kgo.Client
	sync               bool
	abortOnSendFailure bool
	commitInterval     time.Duration
	threads            []*mmThread

	exitingOnSendFailure atomic.Bool
	isShuttingDown       atomic.Bool
	numDroppedMessages   atomic.Int64
	lastSuccessfulCommit atomic.Int64  // unix ms, -1 before the first
	abnormal             chan struct{} // closed by the first thread that exits abnormally
	abnormalOnce         sync.Once
}

func runMirrorMaker(ctx context.Context, env *toolEnv, args []string) int {
	root := newToolLogger(env.Stderr)
	mm := &mirrorMaker{lg: root.Named(mmObjectLogger), callbackL: root.Named(mmCallbackLogger), abnormal: make(chan struct{})}
	mm.lastSuccessfulCommit.Store(-1)
	mm.lg.Info("Starting mirror maker")
	if code, ok := mm.configure(env, root, args); !ok {
		return code
	}
	return mm.run(ctx)
}

// startFailure is main's catch: the exception is logged, then main's
// mirrorMakerThreads.foreach meets a null and the JVM dies of it.
func (mm *mirrorMaker) startFailure(env *toolEnv, err error) (int, bool) {
	mm.lg.Error("Exception when starting mirror maker.", zap.Error(errors.New(throwableString(err))))
	fmt.Fprintln(env.Stderr, `Exception in thread "main" java.lang.NullPointerException`)
	if mm.producer != nil {
		mm.producer.Close()
	}
	return 1, false
}

// configure is MirrorMakerOptions and checkArgs: options, the producer and
// the threads' consumer settings. ok is false when the tool must exit.
func (mm *mirrorMaker) configure(env *toolEnv, root *zap.Logger, args []string) (int, bool) {
	p := mirrorMakerOptions()
	if _, err := p.parse(args); err != nil {
		return mm.startFailure(env, joptException(err))
	}
	o, code, ok := p.parseStandard(env, args, "This tool helps to continuously copy data between two Kafka clusters.")
	if !ok {
		return code, false
	}
	if code, ok := p.checkRequired(env, o, "consumer.config", "producer.config"); !ok {
		return code, false
	}
	consumerProps, err := loadProperties(o.value("consumer.config"))
	if err != nil {
		return mm.startFailure(env, newJexc(clsNoSuchFile, "%s", strings.TrimSuffix(err.Error(), " (No such file or directory)")))
	}
	if !o.has("whitelist") {
		mm.lg.Error("whitelist must be specified")
		return 1, false
	}
	if _, ok := consumerProps["partition.assignment.strategy"]; !ok {
		fmt.Fprintln(env.Stderr, mirrorMakerAssignmentWarning)
	}
	switch v := o.value("abort.on.send.failure"); strings.ToLower(v) { // Scala's toBoolean
	case "true":
		mm.abortOnSendFailure = true
	case "false":
	default:
		return mm.startFailure(env, newJexc("java.lang.IllegalArgumentException", "For input string: %q", v))
	}
	mm.commitInterval = time.Duration(o.intValue("offset.commit.interval.ms")) * time.Millisecond
	numStreams := o.intValue("num.streams")

	producerProps, err := loadProperties(o.value("producer.config"))
	if err != nil {
		return mm.startFailure(env, newJexc(clsNoSuchFile, "%s", strings.TrimSuffix(err.Error(), " (No such file or directory)")))
	}
	mm.sync = producerProps["producer.type"] == "sync"
	delete(producerProps, "producer.type")
	mm.setDefault(producerProps, "delivery.timeout.ms", strconv.Itoa(math.MaxInt32))
	mm.setDefault(producerProps, "max.block.ms", strconv.FormatInt(math.MaxInt64, 10))
	mm.setDefault(producerProps, "acks", "all")
	mm.setDefault(producerProps, "max.in.flight.requests.per.connection", "1")
	if _, err := clientOpts(producerProps); err != nil {
		return mm.startFailure(env, &jexc{class: "org.apache.kafka.common.KafkaException", msg: "Failed to construct kafka producer",
			cause: newJexc("org.apache.kafka.common.config.ConfigException", "%v", err)})
	}
	// franz-go measures a record's delivery timeout from the record's own
	// timestamp, which a mirror keeps from the source: any bound would fail
	// old records at once. Java measures it from the send; the default here
	// is unbounded anyway, so the producer gets none.
	sendProps := mergeProps(producerProps)
	delete(sendProps, "delivery.timeout.ms")
	popts, _ := clientOpts(sendProps)
	popts = append(popts,
		kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)), // Java's DefaultPartitioner
		kgo.AllowAutoTopicCreation(),                         // Java producers ask for it
		kgo.UnknownTopicRetries(-1),                          // max.block.ms: wait for the topic
	)
	if mm.producer, err = kgo.NewClient(popts...); err != nil {
		return mm.startFailure(env, newJexc("org.apache.kafka.common.KafkaException", "Failed to construct kafka producer: %v", err))
	}

	if o.has("consumer.rebalance.listener") {
		return mm.startFailure(env, newJexc("java.lang.ClassNotFoundException", "%s", o.value("consumer.rebalance.listener")))
	}
	consumers, err := mm.consumerSettings(consumerProps, numStreams, o.value("whitelist"))
	if err != nil {
		return mm.startFailure(env, err)
	}
	for i := 0; i < numStreams; i++ {
		mm.threads = append(mm.threads, newMMThread(mm, root, i, consumers[i]))
	}
	if o.has("message.handler") {
		return mm.startFailure(env, newJexc("java.lang.ClassNotFoundException", "%s", o.value("message.handler")))
	}
	return 0, true
}

// setDefault is maybeSetDefaultProperty.
func (mm *mirrorMaker) setDefault(props map[string]string, key, def string) {
	v, ok := props[key]
	if !ok {
		props[key] = def
		return
	}
	if v != def {
		mm.lg.Info(fmt.Sprintf("Property %s is overridden to %s - data loss or message reordering is possible.", key, v))
	}
}

// mmConsumer is what one thread needs to build its consumer in init, as
// the Java consumer subscribes there.
type mmConsumer struct {
	groupID   string
	opts      []kgo.Opt
	whitelist string
	regex     string // IncludeList(whitelist).regex
}

// consumerSettings is createConsumers: the consumer settings of each
// thread, checked now as the Java constructors check them.
func (mm *mirrorMaker) consumerSettings(props map[string]string, n int, whitelist string) ([]mmConsumer, error) {
	props = mergeProps(props)
	mm.setDefault(props, "enable.auto.commit", "false")
	groupID := props["group.id"]
	fail := func(err error) error {
		return &jexc{class: "org.apache.kafka.common.KafkaException", msg: "Failed to construct kafka consumer",
			cause: newJexc("org.apache.kafka.common.config.ConfigException", "%v", err)}
	}
	base, err := clientOpts(props)
	if err != nil {
		return nil, fail(err)
	}
	gopts, err := groupOpts(props)
	if err != nil {
		return nil, fail(err)
	}
	reset, ok := resetOffset(props["auto.offset.reset"])
	if !ok {
		return nil, fail(fmt.Errorf("Invalid value %s for configuration auto.offset.reset: String must be one of: latest, earliest, none", props["auto.offset.reset"]))
	}
	balancers, err := assignmentBalancers(props["partition.assignment.strategy"])
	if err != nil {
		return nil, fail(err)
	}
	base = append(base, gopts...)
	base = append(base, kgo.ConsumeResetOffset(reset), kgo.Balancers(balancers...), kgo.BlockRebalanceOnPoll())
	if groupID != "" {
		base = append(base, kgo.ConsumerGroup(groupID))
	}
	if !strings.EqualFold(strings.TrimSpace(props["exclude.internal.topics"]), "false") {
		base = append(base, kgo.ConsumeExcludeTopics(`^__consumer_offsets$`, `^__transaction_state$`))
	}
	out := make([]mmConsumer, n)
	for i := range out {
		opts := append(append([]kgo.Opt(nil), base...), kgo.ClientID(groupID+"-"+strconv.Itoa(i)))
		out[i] = mmConsumer{groupID: groupID, opts: opts, whitelist: whitelist, regex: includeListRegex(whitelist)}
	}
	return out, nil
}

// includeListRegex is kafka.utils.IncludeList's regex.
func includeListRegex(raw string) string {
	re := strings.TrimSpace(raw)
	re = strings.ReplaceAll(re, ",", "|")
	re = strings.ReplaceAll(re, " ", "")
	re = strings.TrimLeft(re, `"'`) // property files may bring quotes
	return strings.TrimRight(re, `"'`)
}

// assignmentBalancers maps partition.assignment.strategy (class names) to
// franz-go's balancers; the Java default is the range assignor.
func assignmentBalancers(v string) ([]kgo.GroupBalancer, error) {
	if strings.TrimSpace(v) == "" {
		return []kgo.GroupBalancer{kgo.RangeBalancer()}, nil
	}
	var out []kgo.GroupBalancer
	for _, c := range strings.Split(v, ",") {
		switch c = strings.TrimSpace(c); c {
		case "org.apache.kafka.clients.consumer.RangeAssignor":
			out = append(out, kgo.RangeBalancer())
		case "org.apache.kafka.clients.consumer.RoundRobinAssignor":
			out = append(out, kgo.RoundRobinBalancer())
		case "org.apache.kafka.clients.consumer.StickyAssignor":
			out = append(out, kgo.StickyBalancer())
		case "org.apache.kafka.clients.consumer.CooperativeStickyAssignor":
			out = append(out, kgo.CooperativeStickyBalancer())
		case "":
		default:
			return nil, fmt.Errorf("Invalid value %s for configuration partition.assignment.strategy: Class %s could not be found.", v, c)
		}
	}
	return out, nil
}

// run starts the threads and waits for a signal (the JVM's shutdown hook)
// or a thread that gave up (sys.exit(-1), which runs the hook too).
func (mm *mirrorMaker) run(ctx context.Context) int {
	if len(mm.threads) == 0 {
		// --num.streams 0: main has nothing to wait for and returns.
		mm.cleanShutdown()
		return 0
	}
	for _, t := range mm.threads {
		go t.run()
	}
	code := 0
	select {
	case <-ctx.Done():
	case <-mm.abnormal:
		code = mmExitAbnormal
	}
	mm.cleanShutdown()
	return code
}

// cleanShutdown is the shutdown hook: stop the threads (each flushes and
// commits), then close the producer.
func (mm *mirrorMaker) cleanShutdown() {
	if !mm.isShuttingDown.CompareAndSwap(false, true) {
		return
	}
	mm.lg.Info("Start clean shutdown.")
	mm.lg.Info("Shutting down consumer threads.")
	for _, t := range mm.threads {
		t.shutdown()
	}
	for _, t := range mm.threads {
		t.awaitShutdown()
	}
	mm.lg.Info("Closing producer.")
	if !mm.exitingOnSendFailure.Load() {
		mm.producer.Flush(context.Background()) // KafkaProducer.close waits for pending sends
	}
	mm.producer.Close()
	mm.lg.Info("Kafka mirror maker shutdown successfully")
}

// send hands one record to the producer (MirrorMakerProducer.send).
func (mm *mirrorMaker) send(ctx context.Context, r *kgo.Record) error {
	if mm.sync {
		err := mm.producer.ProduceSync(ctx, r).FirstErr()
		if err != nil && ctx.Err() == nil {
			return &jexc{class: clsExecution, msg: throwableString(err), cause: err}
		}
		return nil
	}
	mm.producer.Produce(context.Background(), r, func(r *kgo.Record, err error) {
		if err != nil {
			mm.onSendFailure(r, err)
		}
	})
	return nil
}

// onSendFailure is MirrorMakerProducerCallback.onCompletion with an error.
func (mm *mirrorMaker) onSendFailure(r *kgo.Record, err error) {
	size := func(b []byte) string {
		if b == nil {
			return "null"
		}
		return fmt.Sprintf("%d bytes", len(b))
	}
	mm.callbackL.Error(fmt.Sprintf("Error when sending message to topic %s with key: %s, value: %s with error:",
		r.Topic, size(r.Key), size(r.Value)), zap.Error(errors.New(throwableString(err))))
	if mm.abortOnSendFailure {
		if mm.exitingOnSendFailure.CompareAndSwap(false, true) {
			mm.lg.Info("Closing producer due to send failure.")
			// producer.close(0): what is still buffered fails now. From a
			// goroutine: the callback runs on the producer's own.
			go mm.producer.AbortBufferedRecords(context.Background())
		}
	}
	mm.numDroppedMessages.Add(1)
}

// flush is producer.flush(): every record handed over so far is
// acknowledged (or failed) when it returns.
func (mm *mirrorMaker) flush() error {
	return mm.producer.Flush(context.Background())
}

// handle is the default message handler: the same topic, key, value,
// headers and timestamp; the partition is left to the partitioner.
func handleMirrored(r *kgo.Record) *kgo.Record {
	ts := r.Timestamp
	if ts.UnixMilli() == -1 { // RecordBatch.NO_TIMESTAMP: the producer stamps it
		ts = time.Time{}
	}
	return &kgo.Record{Topic: r.Topic, Key: r.Key, Value: r.Value, Headers: r.Headers, Timestamp: ts}
}

// mmThread is one MirrorMakerThread with its ConsumerWrapper. offsets is
// guarded by mu (the revocation callback runs on the consumer's goroutine);
// the rest is owned by the thread's goroutine.
type mmThread struct {
	mm   *mirrorMaker
	name string
	lg   *zap.Logger // MirrorMaker$MirrorMakerThread, messages prefixed "[name] "
	cfg  mmConsumer

	consumer *kgo.Client
	wakeCtx  context.Context // canceled by shutdown: consumer.wakeup()
	wake     context.CancelFunc

	shuttingDown atomic.Bool
	done         chan struct{}
	lastCommit   time.Time

	mu      sync.Mutex
	offsets map[string]map[int32]kgo.EpochOffset // next offset to consume, per partition
}

func newMMThread(mm *mirrorMaker, root *zap.Logger, id int, cfg mmConsumer) *mmThread {
	name := "mirrormaker-thread-" + strconv.Itoa(id)
	ctx, cancel := context.WithCancel(context.Background())
	return &mmThread{mm: mm, name: name, lg: root.Named(mmThreadLogger), cfg: cfg, wakeCtx: ctx, wake: cancel,
		done: make(chan struct{}), lastCommit: time.Now(), offsets: map[string]map[int32]kgo.EpochOffset{}}
}

func (t *mmThread) info(msg string) { t.lg.Info("[" + t.name + "] " + msg) }
func (t *mmThread) fatal(msg string, fields ...zap.Field) {
	t.lg.DPanic("["+t.name+"] "+msg, fields...) // DPanic prints as log4j's FATAL
}

// run is MirrorMakerThread.run.
func (t *mmThread) run() {
	defer close(t.done)
	t.info("Starting mirror maker thread " + t.name)
	if err := t.mirror(); err != nil {
		t.mm.exitingOnSendFailure.Store(true)
		t.fatal("Mirror maker thread failure due to ", zap.Error(errors.New(throwableString(err))))
	}
	t.info("Flushing producer.")
	if err := t.mm.flush(); err != nil {
		t.lg.Warn(err.Error())
	} else {
		// Skipped when the flush failed: no commit past unsent records.
		t.info("Committing consumer offsets.")
		if err := t.commitOffsets(); err != nil {
			t.lg.Warn(javaGetMessage(err), zap.Error(errors.New(throwableString(err))))
		}
	}
	t.info("Shutting down consumer connectors.")
	t.wake()
	if t.consumer != nil {
		t.consumer.Close() // leaves the group; the revocation callback commits once more
	}
	t.info("Mirror maker thread stopped")
	if !t.mm.isShuttingDown.Load() {
		t.fatal("Mirror maker thread exited abnormally, stopping the whole mirror maker.")
		t.mm.abnormalOnce.Do(func() { close(t.mm.abnormal) })
	}
}

// mirror is the thread's loop: consume, hand over, flush and commit every
// interval, until shutdown or a send failure.
func (t *mmThread) mirror() error {
	if err := t.init(); err != nil {
		return err
	}
	for !t.mm.exitingOnSendFailure.Load() && !t.shuttingDown.Load() {
		ctx, cancel := context.WithTimeout(t.wakeCtx, mmPollTimeout)
		fetches := t.consumer.PollRecords(ctx, mmMaxPollRecords)
		cancel()
		var err error
		fetches.EachRecord(func(r *kgo.Record) {
			if err != nil || t.mm.exitingOnSendFailure.Load() {
				return
			}
			t.track(r)
			if err = t.mm.send(t.wakeCtx, handleMirrored(r)); err == nil {
				err = t.maybeFlushAndCommit()
			}
		})
		t.consumer.AllowRebalance()
		if err != nil {
			if t.shuttingDown.Load() {
				return nil
			}
			return err
		}
		if err := t.maybeFlushAndCommit(); err != nil {
			return err
		}
	}
	return nil
}

// init is ConsumerWrapper.init: the consumer subscribes to the pattern.
func (t *mmThread) init() error {
	if _, err := regexp.Compile(t.cfg.regex); err != nil {
		t.mm.lg.Error("Invalid expression syntax: " + t.cfg.whitelist)
		return newJexc(clsRuntime, "%s is an invalid regex.", t.cfg.regex)
	}
	if t.cfg.groupID == "" {
		return newJexc("org.apache.kafka.common.errors.InvalidGroupIdException",
			"To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration.")
	}
	opts := append(t.cfg.opts,
		kgo.ConsumeRegex(), kgo.ConsumeTopics("^(?:"+t.cfg.regex+")$"),
		kgo.OnPartitionsRevoked(func(context.Context, *kgo.Client, map[string][]int32) {
			// InternalRebalanceListener: hand over nothing unacknowledged.
			if err := t.mm.flush(); err == nil {
				if err := t.commitOffsets(); err != nil {
					t.mm.lg.Warn(javaGetMessage(err))
				}
			}
		}),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return newJexc("org.apache.kafka.common.KafkaException", "%v", err)
	}
	t.consumer = cl
	return nil
}

// track records the offset after r as the one to commit (ConsumerWrapper.receive).
func (t *mmThread) track(r *kgo.Record) {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.offsets[r.Topic]
	if m == nil {
		m = map[int32]kgo.EpochOffset{}
		t.offsets[r.Topic] = m
	}
	m[r.Partition] = kgo.EpochOffset{Epoch: -1, Offset: r.Offset + 1}
}

// maybeFlushAndCommit flushes and commits once the interval has passed.
func (t *mmThread) maybeFlushAndCommit() error {
	if time.Since(t.lastCommit) <= t.mm.commitInterval {
		return nil
	}
	if err := t.mm.flush(); err != nil {
		return err
	}
	if err := t.commitOffsets(); err != nil {
		return err
	}
	t.lastCommit = time.Now()
	return nil
}

// commitOffsets is MirrorMaker.commitOffsets: commitSync of the tracked
// offsets, retried after a timeout, given up (with a warning) after a
// rebalance took the partitions away; skipped after a send failure.
func (t *mmThread) commitOffsets() error {
	mm := t.mm
	if mm.exitingOnSendFailure.Load() {
		mm.lg.Info("Exiting on send failure, skip committing offsets.")
		return nil
	}
	if t.consumer == nil {
		return nil
	}
	for retry := 1; ; retry++ {
		err := t.commitOnce()
		switch {
		case err == nil:
			mm.lastSuccessfulCommit.Store(time.Now().UnixMilli())
			return nil
		case errors.Is(err, context.DeadlineExceeded):
			mm.lg.Warn(fmt.Sprintf("Failed to commit offsets because the offset commit request processing can not be completed in time. "+
				"If you see this regularly, it could indicate that you need to increase the consumer's default.api.timeout.ms "+
				"Last successful offset commit timestamp=%d, retry count=%d", mm.lastSuccessfulCommit.Load(), retry))
			if mm.isShuttingDown.Load() {
				return nil // a stopping mirror maker does not wait for the source cluster forever
			}
			time.Sleep(100 * time.Millisecond)
		case errors.Is(err, kerr.IllegalGeneration), errors.Is(err, kerr.UnknownMemberID), errors.Is(err, kerr.RebalanceInProgress):
			mm.lg.Warn(mmCommitFailedMsg)
			return nil
		default:
			return err
		}
	}
}

// commitOnce commits a snapshot of the offsets and, on success, forgets
// those that did not move meanwhile (offsets.clear()).
func (t *mmThread) commitOnce() error {
	t.mu.Lock()
	snap := make(map[string]map[int32]kgo.EpochOffset, len(t.offsets))
	for topic, ps := range t.offsets {
		snap[topic] = make(map[int32]kgo.EpochOffset, len(ps))
		for p, o := range ps {
			snap[topic][p] = o
		}
	}
	t.mu.Unlock()
	if len(snap) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), mmAPITimeout)
	defer cancel()
	var cerr error
	t.consumer.CommitOffsetsSync(ctx, snap, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			cerr = err
			return
		}
		for _, rt := range resp.Topics {
			for _, rp := range rt.Partitions {
				if e := kerr.ErrorForCode(rp.ErrorCode); e != nil && cerr == nil {
					cerr = e
				}
			}
		}
	})
	if cerr != nil {
		return cerr
	}
	t.mu.Lock()
	for topic, ps := range snap {
		for p, o := range ps {
			if t.offsets[topic][p] == o {
				delete(t.offsets[topic], p)
			}
		}
		if len(t.offsets[topic]) == 0 {
			delete(t.offsets, topic)
		}
	}
	t.mu.Unlock()
	return nil
}

// shutdown is MirrorMakerThread.shutdown: stop and wake the consumer.
func (t *mmThread) shutdown() {
	t.info(t.name + " shutting down")
	t.shuttingDown.Store(true)
	t.wake()
}

// awaitShutdown waits for the thread's final flush and commit.
func (t *mmThread) awaitShutdown() {
	<-t.done
	t.info("Mirror maker thread shutdown complete")
}
