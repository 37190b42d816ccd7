package tools

// kafka-streams-application-reset.sh: kafka.tools.StreamsResetter as Kafka
// 2.8 has it. It makes a Streams application (consumer group =
// application.id) reprocess its input:
//
//   - it refuses while the group has members ("Consumer group '<id>' is
//     still active ..."), unless --force removes them (LeaveGroup v3+
//     naming every member, Admin.removeMembersFromConsumerGroup);
//   - it commits, for the group, new offsets of the --input-topics
//     partitions (earliest unless --to-latest, --to-offset, --shift-by,
//     --to-datetime, --by-duration or --from-file says otherwise, each
//     clamped to the log's range with Kafka's "New offset (...)" lines) and
//     the end offsets of the --intermediate-topics partitions;
//   - it deletes the application's internal topics: "<id>-" topics ending
//     in -changelog, -repartition or a foreign-key join suffix, that are not
//     named as input or intermediate topics;
//   - --dry-run prints the same plan and changes nothing; without it the
//     tool executes (--execute only excludes --dry-run).
//
// Java prints errors as "ERROR: " + the exception, then the exception's
// stack trace; a Go binary has no frames, so the trace is the exception
// line and its "Caused by:" lines (as uncaught in
// reassign_partitions_java.go). An input or intermediate topic that does
// not exist is skipped with exit code 1, the deletion still runs.
//
// Not in 2.8, so not here: --internal-topics (added in Kafka 3.0); 2.8
// finds the internal topics by their names only, and rejects the option
// as not recognized.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/urfave/cli/v2"
)

func streamsResetterCommand() *cli.Command {
	return toolCommand("kafka.tools.StreamsResetter", runStreamsResetter)
}

// streamsResetterUsage is what --help prints above the option table
// (StreamsResetter.USAGE).
const streamsResetterUsage = "This tool helps to quickly reset an application in order to reprocess its data from scratch.\n" +
	"* This tool resets offsets of input topics to the earliest available offset and it skips to the end of " +
	"intermediate topics (topics that are input and output topics, e.g., used by deprecated through() method).\n" +
	"* This tool deletes the internal topics that were created by Kafka Streams (topics starting with \"<application.id>-\").\n" +
	"You do not need to specify internal topics because the tool finds them automatically.\n" +
	"* This tool will not delete output topics (if you want to delete them, you need to do it yourself with the bin/kafka-topics.sh command).\n" +
	"* This tool will not clean up the local state on the stream application instances (the persisted stores used to cache aggregation results).\n" +
	"You need to call KafkaStreams#cleanUp() in your application or manually delete them from the directory specified by " +
	"\"state.dir\" configuration (${java.io.tmpdir}/kafka-streams/<application.id> by default).\n" +
	"* When long session timeout has been configured, active members could take longer to get expired on the broker thus " +
	"blocking the reset job to complete. Use the \"--force\" option could remove those left-over members immediately. " +
	"Make sure to stop all stream applications when this option is specified to avoid unexpected disruptions.\n\n" +
	"*** Important! You will get wrong output if you don't clean up the local stores after running the reset tool!\n\n"

// streamsResetScenarios are the mutually exclusive ways to reset input topics, in
// the order Kafka checks them.
var streamsResetScenarios = []string{"to-offset", "to-datetime", "by-duration", "to-earliest", "to-latest", "from-file", "shift-by"}

func streamsResetterParser() *optionParser {
	p := newOptionParser()
	p.byName["version"].desc = "Print version information and exit."
	p.arg("application-id", "The Kafka Streams application ID (application.id).", "String", "id").markRequired()
	p.arg("bootstrap-servers", "Comma-separated list of broker urls with format: HOST1:PORT1,HOST2:PORT2", "String", "urls").withDefault("localhost:9092")
	p.arg("input-topics", "Comma-separated list of user input topics. For these topics, the tool will reset the offset to the earliest available offset.", "String", "list")
	p.arg("intermediate-topics", "Comma-separated list of intermediate user topics (topics that are input and output topics, e.g., used in the deprecated through() method). For these topics, the tool will skip to the end.", "String", "list")
	p.arg("to-offset", "Reset offsets to a specific offset.", "Long", "")
	p.arg("to-datetime", "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss'", "String", "")
	p.arg("by-duration", "Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'", "String", "")
	p.flag("to-earliest", "Reset offsets to earliest offset.")
	p.flag("to-latest", "Reset offsets to latest offset.")
	p.arg("from-file", "Reset offsets to values defined in CSV file.", "String", "")
	p.arg("shift-by", "Reset offsets shifting current offset by 'n', where 'n' can be positive or negative", "Long", "number-of-offsets")
	p.arg("config-file", "Property file containing configs to be passed to admin clients and embedded consumer.", "String", "file name")
	p.flag("force", "Force the removal of members of the consumer group (intended to remove stopped members if a long session timeout was used). "+
		"Make sure to shut down all stream applications when this option is specified to avoid unexpected rebalances.")
	p.flag("execute", "Execute the command.")
	p.flag("dry-run", "Display the actions that would be performed without executing the reset commands.")
	// Deprecated since 1.0 and ignored; a flag, so a value after it is a
	// stray non-option argument, which jopt-simple accepts.
	p.flag("zookeeper", "Zookeeper option is deprecated by bootstrap.servers, as the reset tool would no longer access Zookeeper directly.")
	return p
}

// streamsResetter is one run of the tool.
type streamsResetter struct {
	env           *toolEnv
	o             *optionSet
	appID         string
	dryRun        bool
	props         map[string]string // admin and consumer properties
	adm           *kadm.Client
	cl            *kgo.Client
	allTopics     kadm.TopicDetails // ListTopics: every non-internal topic
	inputs        []string
	intermediates []string
	now           func() time.Time
}

func runStreamsResetter(ctx context.Context, env *toolEnv, args []string) int {
	p := streamsResetterParser()
	o, err := p.parse(args)
	if err != nil {
		return p.usageAndDie(env, err.Error())
	}
	// jopt-simple checks required options while parsing, unless a help
	// option (--help, --version) is given: no arguments at all is this
	// error too, not the tool's description.
	if !o.has("help") && !o.has("version") && !o.has("application-id") {
		return p.usageAndDie(env, "Missing required option(s) [application-id]")
	}
	if o.has("help") {
		return p.usageAndDie(env, streamsResetterUsage)
	}
	if o.has("version") {
		fmt.Fprintf(env.Stdout, "%s (Commit:gokafka)\n", kafkaVersion)
		return 0
	}
	if o.has("execute") && o.has("dry-run") {
		return p.usageAndDie(env, "Only one of --dry-run and --execute can be specified")
	}
	for _, used := range streamsResetScenarios {
		if !o.has(used) {
			continue
		}
		for _, other := range streamsResetScenarios {
			if other != used && o.has(other) {
				return p.usageAndDie(env, fmt.Sprintf("Option \"[%s]\" can't be used with option \"[%s]\"", used, other))
			}
		}
	}

	r := &streamsResetter{
		env:           env,
		o:             o,
		appID:         o.value("application-id"),
		dryRun:        o.has("dry-run"),
		inputs:        commaValues(o.values("input-topics")),
		intermediates: commaValues(o.values("intermediate-topics")),
		now:           time.Now,
	}
	code, err := r.run(ctx)
	if err != nil {
		printJavaError(env.Stderr, err)
		return 1
	}
	return code
}

// commaValues is jopt-simple's withValuesSeparatedBy(','): every given
// value split at commas, empty pieces dropped.
func commaValues(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			if s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// printJavaError is StreamsResetter's catch-all: "ERROR: " and the
// exception, then its stack trace (first line and causes).
func printJavaError(w io.Writer, err error) {
	fmt.Fprintf(w, "ERROR: %s\n", throwableString(err))
	printTrace(w, err)
}

// printTrace is Throwable.printStackTrace without frames.
func printTrace(w io.Writer, err error) {
	fmt.Fprintln(w, throwableString(err))
	for c := errors.Unwrap(err); c != nil; c = errors.Unwrap(c) {
		switch c.(type) {
		case *kerr.Error, *brokerError:
			fmt.Fprintf(w, "Caused by: %s\n", throwableString(c))
			return
		case *jexc:
			fmt.Fprintf(w, "Caused by: %s\n", throwableString(c))
		}
	}
}

func (r *streamsResetter) run(ctx context.Context) (int, error) {
	props := map[string]string{}
	if r.o.has("config-file") {
		var err error
		if props, err = loadProperties(r.o.value("config-file")); err != nil {
			return 1, newJexc(clsNoSuchFile, "%s", strings.TrimSuffix(err.Error(), " (No such file or directory)"))
		}
	}
	props["bootstrap.servers"] = r.o.value("bootstrap-servers")
	r.props = props
	if err := r.connect(); err != nil {
		return 1, err
	}
	defer r.cl.Close()

	if err := r.maybeDeleteActiveConsumers(ctx); err != nil {
		return 1, err
	}
	lctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	topics, err := r.adm.ListTopics(lctx)
	cancel()
	if err == nil {
		err = topics.Error()
	}
	if err != nil {
		return 1, executionException(err)
	}
	r.allTopics = topics
	if r.dryRun {
		fmt.Fprintln(r.env.Stdout, "----Dry run displays the actions which will be performed when running Streams Reset Tool----")
	}
	code, err := r.maybeResetInputAndSeekToEndIntermediateTopicOffsets(ctx)
	if err != nil {
		return 1, err
	}
	if err := r.maybeDeleteInternalTopics(ctx); err != nil {
		return 1, err
	}
	return code, nil
}

// connect builds the one client that serves as Java's admin client and
// its embedded consumer.
func (r *streamsResetter) connect() error {
	adminFailed := func(cause error) error {
		return &jexc{class: "org.apache.kafka.common.KafkaException", msg: "Failed to create new KafkaAdminClient", cause: cause}
	}
	for _, s := range strings.Split(r.props["bootstrap.servers"], ",") {
		if s = strings.TrimSpace(s); s != "" && !hostPortPattern.MatchString(s) {
			return adminFailed(newJexc("org.apache.kafka.common.config.ConfigException", "Invalid url in bootstrap.servers: %s", s))
		}
	}
	kopts, err := clientOpts(r.props)
	if err != nil {
		return adminFailed(newJexc("org.apache.kafka.common.config.ConfigException", "%v", err))
	}
	if r.cl, err = kgo.NewClient(kopts...); err != nil {
		return adminFailed(newJexc("org.apache.kafka.common.KafkaException", "%v", err))
	}
	r.adm = kadm.NewClient(r.cl)
	return nil
}

// maybeDeleteActiveConsumers refuses to touch a group that has members,
// or with --force removes them all.
func (r *streamsResetter) maybeDeleteActiveConsumers(ctx context.Context) error {
	// Java's admin client retries an unreachable cluster until the call's
	// 10 s timeout; franz-go gives up on the first refused dial.
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var groups kadm.DescribedGroups
	var err error
	for {
		groups, err = r.adm.DescribeGroups(dctx, r.appID)
		var ke *kerr.Error
		if err == nil || errors.As(err, &ke) || !sleepCtx(dctx, 200*time.Millisecond) {
			break
		}
	}
	if err != nil {
		if dctx.Err() != nil && ctx.Err() == nil {
			return &jexc{class: clsExecution, msg: clsTimeout + ": Timed out waiting for a node assignment. Call: describeConsumerGroups",
				cause: newJexc(clsTimeout, "Timed out waiting for a node assignment. Call: describeConsumerGroups")}
		}
		return executionException(err)
	}
	g, ok := groups[r.appID]
	if !ok {
		return nil
	}
	if g.Err != nil {
		return executionException(g.Err)
	}
	if len(g.Members) == 0 {
		return nil
	}
	if !r.o.has("force") {
		return newJexc("java.lang.IllegalStateException",
			"Consumer group '%s' is still active and has following members: %s. "+
				"Make sure to stop all running application instances before running the reset tool. "+
				"You can use option '--force' to remove active members from the group.", r.appID, describeMembers(g.Members))
	}
	fmt.Fprintln(r.env.Stdout, "Force deleting all active members in the group: "+r.appID)
	// Admin.removeMembersFromConsumerGroup with no member named: one
	// LeaveGroup (v3+, KIP-345) listing every member of the group.
	req := kmsg.NewPtrLeaveGroupRequest()
	req.Group = r.appID
	for _, m := range g.Members {
		lm := kmsg.NewLeaveGroupRequestMember()
		lm.MemberID = m.MemberID
		lm.InstanceID = m.InstanceID
		req.Members = append(req.Members, lm)
	}
	lctx, cancel2 := context.WithTimeout(ctx, 60*time.Second)
	defer cancel2()
	resp, err := req.RequestWith(lctx, r.cl)
	if err == nil {
		err = kerr.ErrorForCode(resp.ErrorCode)
	}
	if err == nil {
		for _, m := range resp.Members {
			if err = kerr.ErrorForCode(m.ErrorCode); err != nil {
				break
			}
		}
	}
	if err != nil {
		return executionException(err)
	}
	return nil
}

// sleepCtx waits d unless ctx ends first; it reports whether d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// describeMembers is List<MemberDescription>.toString.
func describeMembers(ms []kadm.DescribedGroupMember) string {
	var parts []string
	for _, m := range ms {
		inst := "null"
		if m.InstanceID != nil {
			inst = *m.InstanceID
		}
		var tps []string
		if c, ok := m.Assigned.AsConsumer(); ok {
			for _, t := range c.Topics {
				for _, p := range t.Partitions {
					tps = append(tps, fmt.Sprintf("%s-%d", t.Topic, p))
				}
			}
		}
		sort.Strings(tps)
		parts = append(parts, fmt.Sprintf("(memberId=%s, groupInstanceId=%s, clientId=%s, host=%s, assignment=(topicPartitions=%s))",
			m.MemberID, inst, m.ClientID, m.ClientHost, strings.Join(tps, ",")))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// javaList is List.toString.
func javaList(s []string) string { return "[" + strings.Join(s, ", ") + "]" }

func (r *streamsResetter) maybeResetInputAndSeekToEndIntermediateTopicOffsets(ctx context.Context) (int, error) {
	out := r.env.Stdout
	if len(r.inputs) == 0 && len(r.intermediates) == 0 {
		fmt.Fprintln(out, "No input or intermediate topics specified. Skipping seek.")
		return 0, nil
	}
	if len(r.inputs) > 0 {
		fmt.Fprintln(out, "Reset-offsets for input topics "+javaList(r.inputs))
	}
	if len(r.intermediates) > 0 {
		fmt.Fprintln(out, "Seek-to-end for intermediate topics "+javaList(r.intermediates))
	}
	code := 0
	var notFoundIn, notFoundMid []string
	subscribe := map[string]bool{}
	for _, t := range r.inputs {
		if r.allTopics.Has(t) {
			subscribe[t] = true
		} else {
			notFoundIn = append(notFoundIn, t)
		}
	}
	for _, t := range r.intermediates {
		if r.allTopics.Has(t) {
			subscribe[t] = true
		} else {
			notFoundMid = append(notFoundMid, t)
		}
	}
	if len(notFoundIn) > 0 {
		fmt.Fprintln(out, "Following input topics are not found, skipping them")
		for _, t := range notFoundIn {
			fmt.Fprintln(out, "Topic: "+t)
		}
		code = 1
	}
	if len(notFoundMid) > 0 {
		fmt.Fprintln(out, "Following intermediate topics are not found, skipping them")
		for _, t := range notFoundMid {
			fmt.Fprintln(out, "Topic:"+t) // sic: Kafka prints no space here
		}
		code = 1
	}
	if len(subscribe) == 0 {
		return code, nil
	}

	var inputTPs, midTPs []topicPartition
	for t := range subscribe {
		for p := range r.allTopics[t].Partitions {
			if contains(r.inputs, t) {
				inputTPs = append(inputTPs, topicPartition{t, p})
			} else {
				midTPs = append(midTPs, topicPartition{t, p})
			}
		}
	}
	sortTPs(inputTPs)
	sortTPs(midTPs)

	positions := map[topicPartition]int64{}
	if err := r.maybeReset(ctx, inputTPs, positions); err != nil {
		return 1, err
	}
	if len(midTPs) > 0 {
		fmt.Fprintf(out, "Following intermediate topics offsets will be reset to end (for consumer group %s)\n", r.appID)
		for _, p := range midTPs {
			fmt.Fprintln(out, "Topic: "+p.topic)
		}
		ends, err := r.listOffsets(ctx, midTPs, -1)
		if err != nil {
			return 1, err
		}
		for p, o := range ends {
			positions[p] = o
		}
	}
	if !r.dryRun {
		commit := kadm.Offsets{}
		for p, o := range positions {
			commit.Add(kadm.Offset{Topic: p.topic, Partition: p.partition, At: o, LeaderEpoch: -1})
		}
		cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		resps, err := r.adm.CommitOffsets(cctx, r.appID, commit)
		cancel()
		if err == nil {
			err = resps.Error()
		}
		if err != nil {
			if errors.Is(err, kerr.UnknownMemberID) || errors.Is(err, kerr.IllegalGeneration) {
				// What KafkaConsumer.commitSync throws when the group
				// has members again.
				return 1, newJexc("org.apache.kafka.clients.consumer.CommitFailedException",
					"Offset commit cannot be completed since the consumer is not part of an active group for auto partition assignment; "+
						"it is likely that the consumer was kicked out of the group.")
			}
			return 1, err
		}
	}
	fmt.Fprintln(out, "Done.")
	return code, nil
}

// maybeReset computes the new positions of the input partitions for the
// chosen scenario and prints them.
func (r *streamsResetter) maybeReset(ctx context.Context, parts []topicPartition, positions map[topicPartition]int64) error {
	if len(parts) == 0 {
		return nil
	}
	out := r.env.Stdout
	fmt.Fprintf(out, "Following input topics offsets will be reset to (for consumer group %s)\n", r.appID)
	var err error
	switch {
	case r.o.has("to-offset"):
		want := map[topicPartition]int64{}
		for _, p := range parts {
			want[p] = r.o.int64Value("to-offset")
		}
		err = r.seekChecked(ctx, parts, want, positions)
	case r.o.has("to-latest"):
		var ends map[topicPartition]int64
		if ends, err = r.listOffsets(ctx, parts, -1); err == nil {
			for p, o := range ends {
				positions[p] = o
			}
		}
	case r.o.has("shift-by"):
		var cur map[topicPartition]int64
		if cur, err = r.currentPositions(ctx, parts); err == nil {
			want := map[topicPartition]int64{}
			for _, p := range parts {
				want[p] = cur[p] + r.o.int64Value("shift-by")
			}
			err = r.seekChecked(ctx, parts, want, positions)
		}
	case r.o.has("to-datetime"):
		var ms int64
		if ms, err = parseStreamsDateTime(r.o.value("to-datetime")); err != nil {
			fmt.Fprintln(r.env.Stderr, "ERROR: Resetting offsets failed.")
			return err
		}
		err = r.seekToTime(ctx, parts, ms, positions)
	case r.o.has("by-duration"):
		var d time.Duration
		if d, err = parseStreamsDuration(r.o.value("by-duration")); err == nil {
			err = r.seekToTime(ctx, parts, r.now().Add(-d).UnixMilli(), positions)
		}
	case r.o.has("from-file"):
		var plan map[topicPartition]int64
		if plan, err = readResetPlan(r.o.value("from-file")); err != nil {
			// IOException and ParseException get this extra line.
			fmt.Fprintln(r.env.Stderr, "ERROR: Resetting offsets failed.")
			return err
		}
		for p := range plan {
			if !containsTP(parts, p) {
				// checkOffsetRange unboxes the missing end offset.
				return newJexc("java.lang.NullPointerException", "")
			}
		}
		if err = r.seekChecked(ctx, parts, plan, positions); err == nil {
			for _, p := range parts {
				if _, ok := plan[p]; !ok {
					// seek(tp, null)
					return newJexc("java.lang.NullPointerException", "")
				}
			}
		}
	default: // --to-earliest, and the default
		var starts map[topicPartition]int64
		if starts, err = r.listOffsets(ctx, parts, -2); err == nil {
			for p, o := range starts {
				positions[p] = o
			}
		}
	}
	if err != nil {
		return err
	}
	for _, p := range parts {
		fmt.Fprintf(out, "Topic: %s Partition: %d Offset: %d\n", p.topic, p.partition, positions[p])
	}
	return nil
}

func containsTP(s []topicPartition, x topicPartition) bool {
	for _, p := range s {
		if p == x {
			return true
		}
	}
	return false
}

// seekChecked is checkOffsetRange then seek: an offset at or past the end
// becomes the end, one at or below the start becomes the start, each with
// Kafka's line (Kafka's comparisons, so offset == start prints too).
func (r *streamsResetter) seekChecked(ctx context.Context, parts []topicPartition, want map[topicPartition]int64, positions map[topicPartition]int64) error {
	starts, err := r.listOffsets(ctx, parts, -2)
	if err != nil {
		return err
	}
	ends, err := r.listOffsets(ctx, parts, -1)
	if err != nil {
		return err
	}
	keys := make([]topicPartition, 0, len(want))
	for p := range want {
		keys = append(keys, p)
	}
	sortTPs(keys)
	for _, p := range keys {
		off := want[p]
		switch {
		case off >= ends[p]:
			fmt.Fprintf(r.env.Stdout, "New offset (%d) is higher than latest offset. Value will be set to %d\n", off, ends[p])
			positions[p] = ends[p]
		case off > starts[p]:
			positions[p] = off
		default:
			fmt.Fprintf(r.env.Stdout, "New offset (%d) is lower than earliest offset. Value will be set to %d\n", off, starts[p])
			positions[p] = starts[p]
		}
	}
	return nil
}

// seekToTime is offsetsForTimes then seek. A partition with no record at
// or after the time has no answer, and Kafka 2.8's tool then fails on the
// null (unlike kafka-consumer-groups, which takes the end offset).
func (r *streamsResetter) seekToTime(ctx context.Context, parts []topicPartition, ms int64, positions map[topicPartition]int64) error {
	lctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	listed, err := r.adm.ListOffsetsAfterMilli(lctx, ms, topicsOf(parts)...)
	if err != nil {
		return err
	}
	for _, p := range parts {
		o, ok := listed.Lookup(p.topic, p.partition)
		if !ok {
			return newJexc("java.lang.NullPointerException", "")
		}
		if o.Err != nil {
			return o.Err
		}
		if o.Timestamp < 0 { // kadm's end-offset fallback: Java's null
			return newJexc("java.lang.NullPointerException", "")
		}
		positions[p] = o.Offset
	}
	return nil
}

func topicsOf(parts []topicPartition) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range parts {
		if !seen[p.topic] {
			seen[p.topic] = true
			out = append(out, p.topic)
		}
	}
	return out
}

// listOffsets lists the start (-2) or end (-1) offsets of parts.
func (r *streamsResetter) listOffsets(ctx context.Context, parts []topicPartition, which int64) (map[topicPartition]int64, error) {
	lctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var listed kadm.ListedOffsets
	var err error
	if which == -2 {
		listed, err = r.adm.ListStartOffsets(lctx, topicsOf(parts)...)
	} else {
		listed, err = r.adm.ListEndOffsets(lctx, topicsOf(parts)...)
	}
	if err != nil {
		return nil, err
	}
	out := map[topicPartition]int64{}
	for _, p := range parts {
		o, ok := listed.Lookup(p.topic, p.partition)
		if !ok {
			return nil, kerr.UnknownTopicOrPartition
		}
		if o.Err != nil {
			return nil, o.Err
		}
		out[p] = o.Offset
	}
	return out, nil
}

// currentPositions is KafkaConsumer.position without a seek: the group's
// committed offset, else auto.offset.reset (the consumer's default,
// latest).
func (r *streamsResetter) currentPositions(ctx context.Context, parts []topicPartition) (map[topicPartition]int64, error) {
	fctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	committed, err := r.adm.FetchOffsetsForTopics(fctx, r.appID, topicsOf(parts)...)
	cancel()
	if err != nil {
		return nil, err
	}
	out := map[topicPartition]int64{}
	var missing []topicPartition
	for _, p := range parts {
		if c, ok := committed.Lookup(p.topic, p.partition); ok && c.Err == nil && c.At >= 0 {
			out[p] = c.At
		} else {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	var which int64
	switch reset := strings.TrimSpace(r.props["auto.offset.reset"]); reset {
	case "", "latest":
		which = -1
	case "earliest":
		which = -2
	case "none":
		var names []string
		for _, p := range missing {
			names = append(names, p.String())
		}
		return nil, newJexc("org.apache.kafka.clients.consumer.NoOffsetForPartitionException",
			"Undefined offset with no reset policy for partitions: %s", javaList(names))
	default:
		return nil, &jexc{class: "org.apache.kafka.common.KafkaException", msg: "Failed to construct kafka consumer",
			cause: newJexc("org.apache.kafka.common.config.ConfigException",
				"Invalid value %s for configuration auto.offset.reset: String must be one of: latest, earliest, none", reset)}
	}
	reset, err := r.listOffsets(ctx, missing, which)
	if err != nil {
		return nil, err
	}
	for p, o := range reset {
		out[p] = o
	}
	return out, nil
}

// readResetPlan reads a --from-file CSV: TOPIC,PARTITION,OFFSET lines.
func readResetPlan(path string) (map[topicPartition]int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &jexc{class: "java.io.IOException", msg: "Unable to read file " + path,
			cause: newJexc(clsNoSuchFile, "%s", path)}
	}
	text := string(b)
	if text == "" {
		return nil, newJexc("java.text.ParseException", "Error parsing reset plan CSV file. It is empty,")
	}
	plan := map[topicPartition]int64{}
	for _, line := range javaSplit(text, "\n") {
		parts := javaSplit(line, ",")
		if len(parts) != 3 {
			return nil, newJexc("java.text.ParseException", "Reset plan CSV file is not following the format `TOPIC,PARTITION,OFFSET`.")
		}
		p, err := strconv.ParseInt(parts[1], 10, 32)
		if err != nil {
			return nil, newJexc(clsNumberFormat, "For input string: \"%s\"", parts[1])
		}
		off, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil {
			return nil, newJexc(clsNumberFormat, "For input string: \"%s\"", parts[2])
		}
		plan[topicPartition{parts[0], int32(p)}] = off
	}
	return plan, nil
}

// parseStreamsDateTime is Utils.getDateTime as this tool meets it
// (consumer_groups.go parses): every failure is a ParseException, and a
// "T" with nothing after it has none, as String.split drops the empty
// part.
func parseStreamsDateTime(ts string) (int64, error) {
	ms, err := parseResetDatetime(ts)
	if err == nil {
		return ms, nil
	}
	msg := err.Error()
	if strings.HasSuffix(ts, "T") {
		msg = "Error parsing timestamp. It does not contain a 'T' according to ISO8601 format"
	}
	return 0, newJexc("java.text.ParseException", "%s", msg)
}

// parseStreamsDuration is Duration.parse (consumer_groups.go parses) with
// the exception it throws.
func parseStreamsDuration(s string) (time.Duration, error) {
	d, err := parseJavaDuration(s)
	if err != nil {
		return 0, newJexc("java.time.format.DateTimeParseException", "Text cannot be parsed to a Duration")
	}
	return d, nil
}

// maybeDeleteInternalTopics deletes (or, dry, lists) the application's
// internal topics.
func (r *streamsResetter) maybeDeleteInternalTopics(ctx context.Context) error {
	out := r.env.Stdout
	fmt.Fprintln(out, "Deleting all internal/auto-created topics for application "+r.appID)
	var doomed []string
	for _, t := range r.allTopics.Names() {
		if r.isInternalTopic(t) {
			if r.dryRun {
				fmt.Fprintln(out, "Topic: "+t)
			} else {
				doomed = append(doomed, t)
			}
		}
	}
	if !r.dryRun && len(doomed) > 0 {
		dctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		resps, err := r.adm.DeleteTopics(dctx, doomed...)
		cancel()
		failed := false
		for _, t := range doomed {
			var terr error
			if err != nil {
				terr = err
			} else if res, ok := resps[t]; !ok {
				terr = kerr.UnknownTopicOrPartition
			} else {
				terr = withMessage(res.Err, &res.ErrMessage)
			}
			if terr != nil {
				fmt.Fprintln(r.env.Stderr, "ERROR: deleting topic "+t)
				printTrace(r.env.Stderr, executionException(terr))
				failed = true
			}
		}
		if failed {
			return newJexc(clsRuntime, "Encountered an error deleting one or more topics")
		}
	}
	fmt.Fprintln(out, "Done.")
	return nil
}

// streamsInternalSuffix matches the names Kafka Streams gives its
// internal topics after "<application.id>-".
var streamsInternalSuffix = regexp.MustCompile(`(-changelog|-repartition|-subscription-registration-topic|-subscription-response-topic|` +
	`.+-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-\d+-topic|.+-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-\d+-topic)$`)

// isInternalTopic: named like an internal topic of this application and
// not given as input or intermediate topic (KAFKA-7930).
func (r *streamsResetter) isInternalTopic(t string) bool {
	return !contains(r.inputs, t) && !contains(r.intermediates, t) &&
		strings.HasPrefix(t, r.appID+"-") && streamsInternalSuffix.MatchString(t)
}
