package tools

// kafka-reassign-partitions.sh: kafka.admin.ReassignPartitionsCommand
// (Kafka 2.8, KIP-455).
//
// Behaviour:
//   - Exactly one action: --generate, --execute, --verify, --cancel, --list;
//     --bootstrap-server (the admin API: AlterPartitionReassignments,
//     ListPartitionReassignments, IncrementalAlterConfigs) or the deprecated
//     --zookeeper (writes /admin/reassign_partitions, which the controller
//     carries out). The option checks of validateAndParseArgs with Kafka's
//     messages: usage errors print the usage on stderr, exit 1.
//   - --generate runs AdminUtils.assignReplicasToBrokers (zkcoord's
//     AssignReplicas, random start as in Kafka) over --broker-list for each
//     topic of --topics-to-move-json-file and prints the current and the
//     proposed assignment as reassignment JSON.
//   - --execute prints the current assignment for rollback, sets the
//     throttles (--throttle: leader/follower.replication.throttled.rate on
//     the brokers involved, *.replication.throttled.replicas on the topics)
//     and starts the reassignment. An ongoing reassignment needs
//     --additional.
//   - --verify prints each partition's state and, once nothing is moving,
//     clears the throttles (not with --preserve-throttles).
//   - --cancel and --list (bootstrap only) as in 2.8.
//   - Failures print "Error: <message>" and the exception on stdout, exit 1;
//     "terse" failures (an existing reassignment, per-partition errors) only
//     their message.
//
// Not implemented (why): moving replicas between log directories
// ("log_dirs" other than "any"): the broker has no AlterReplicaLogDirs or
// DescribeLogDirs, so such requests fail as against a broker without those
// APIs. Stack frames after the exception line (no JVM).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"go.uber.org/zap"

	"gokafka/zkcoord"
)

func reassignPartitionsCommand() *cli.Command {
	return toolCommand("kafka.admin.ReassignPartitionsCommand", runReassignPartitions)
}

// reassignFixedStart is the fixedStartIndex --generate hands to the
// assignment: -1 (random) as in Kafka; tests fix it for golden output.
var reassignFixedStart = -1

// reassignAdminTimeout bounds each admin call (default.api.timeout.ms).
var reassignAdminTimeout = 60 * time.Second

const (
	anyLogDir = "any"

	brokerLeaderThrottle   = "leader.replication.throttled.rate"
	brokerFollowerThrottle = "follower.replication.throttled.rate"
	brokerLogDirThrottle   = "replica.alter.log.dirs.io.max.bytes.per.second"
	topicLeaderThrottle    = "leader.replication.throttled.replicas"
	topicFollowerThrottle  = "follower.replication.throttled.replicas"

	cannotExecuteBecauseOfExisting = "Cannot execute because there is an existing partition assignment.  " +
		"Use --additional to override this and create a new partition assignment in addition to the existing one. " +
		"The --additional flag can also be used to change the throttle by resubmitting the current reassignment."
	youMustRunVerifyPeriodically = "Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed."
)

var (
	brokerThrottles = []string{brokerLeaderThrottle, brokerFollowerThrottle, brokerLogDirThrottle}
	topicThrottles  = []string{topicLeaderThrottle, topicFollowerThrottle}
)

func reassignOptions() *optionParser {
	p := newOptionParser()
	p.flag("verify", "Verify if the reassignment completed as specified by the --reassignment-json-file option. If there is a throttle engaged for the replicas specified, and the rebalance has completed, the throttle will be removed")
	p.flag("generate", "Generate a candidate partition reassignment configuration. Note that this only generates a candidate assignment, it does not execute it.")
	p.flag("execute", "Kick off the reassignment as specified by the --reassignment-json-file option.")
	p.flag("cancel", "Cancel an active reassignment.")
	p.flag("list", "List all active partition reassignments.")
	p.arg("bootstrap-server", "the server(s) to use for bootstrapping. REQUIRED if an absolute path of the log directory is specified for any replica in the reassignment json file, or if --zookeeper is not given.", "String", "Server(s) to use for bootstrapping")
	p.arg("command-config", "Property file containing configs to be passed to Admin Client.", "String", "Admin client property file")
	p.arg("zookeeper", "DEPRECATED: The connection string for the zookeeper connection in the form host:port. Multiple URLS can be given to allow fail-over.  Please use --bootstrap-server instead.", "String", "urls")
	p.arg("reassignment-json-file", "The JSON file with the partition reassignment configurationThe format to use is - \n"+
		"{\"partitions\":\n\t[{\"topic\": \"foo\",\n\t  \"partition\": 1,\n\t  \"replicas\": [1,2,3],\n\t  \"log_dirs\": [\"dir1\",\"dir2\",\"dir3\"] }],\n\"version\":1\n}\n"+
		"Note that \"log_dirs\" is optional. When it is specified, its length must equal the length of the replicas list. The value in this list can be either \"any\" or the absolution path of the log directory on the broker. If absolute log directory path is specified, the replica will be moved to the specified log directory on the broker.", "String", "manual assignment json file path")
	p.arg("topics-to-move-json-file", "Generate a reassignment configuration to move the partitions of the specified topics to the list of brokers specified by the --broker-list option. The format to use is - \n"+
		"{\"topics\":\n\t[{\"topic\": \"foo\"},{\"topic\": \"foo1\"}],\n\"version\":1\n}", "String", "topics to reassign json file path")
	p.arg("broker-list", "The list of brokers to which the partitions need to be reassigned in the form \"0,1,2\". This is required if --topics-to-move-json-file is used to generate reassignment configuration", "String", "brokerlist")
	p.flag("disable-rack-aware", "Disable rack aware replica assignment")
	p.arg("throttle", "The movement of partitions between brokers will be throttled to this value (bytes/sec). This option can be included with --execute when a reassignment is started, and it can be altered by resubmitting the current reassignment along with the --additional flag. The throttle rate should be at least 1 KB/s.", "Long", "throttle").withDefault("-1")
	p.arg("replica-alter-log-dirs-throttle", "The movement of replicas between log directories on the same broker will be throttled to this value (bytes/sec). This option can be included with --execute when a reassignment is started, and it can be altered by resubmitting the current reassignment along with the --additional flag. The throttle rate should be at least 1 KB/s.", "Long", "replicaAlterLogDirsThrottle").withDefault("-1")
	p.arg("timeout", "The maximum time in ms to wait for log directory replica assignment to begin.", "Long", "timeout").withDefault("10000")
	p.flag("additional", "Execute this reassignment in addition to any other ongoing ones. This option can also be used to change the throttle of an ongoing reassignment.")
	p.flag("preserve-throttles", "Do not modify broker or topic throttles.")
	return p
}

// terseFailure is Kafka's TerseReassignmentFailureException: only its
// message is printed.
type terseFailure struct{ msg string }

func (e *terseFailure) Error() string { return e.msg }

func runReassignPartitions(ctx context.Context, env *toolEnv, args []string) int {
	p := reassignOptions()
	if _, err := p.parse(args); err != nil {
		return uncaught(env.Stderr, joptException(err))
	}
	o, code, ok := p.parseStandard(env, args, "This tool helps to move topic partitions between replicas.")
	if !ok {
		return code
	}
	action, code, ok, err := validateReassignArgs(env, p, o)
	if err != nil {
		return uncaught(env.Stderr, err)
	}
	if !ok {
		return code
	}

	if o.has("bootstrap-server") {
		if o.has("zookeeper") {
			fmt.Fprintln(env.Stdout, "Warning: ignoring deprecated --zookeeper option because --bootstrap-server was specified.  The --zookeeper option will be removed in a future version of Kafka.")
		}
		err = reassignWithAdmin(ctx, env, o, action)
	} else {
		fmt.Fprintln(env.Stdout, "Warning: --zookeeper is deprecated, and will be removed in a future version of Kafka.")
		err = reassignWithZk(env, o, action)
	}
	if err == nil {
		return 0
	}
	var tf *terseFailure
	if errors.As(err, &tf) {
		fmt.Fprintln(env.Stdout, tf.msg)
		return 1
	}
	// Kafka prints the message, then Utils.stackTrace(e) with println.
	fmt.Fprintf(env.Stdout, "Error: %s\n", javaGetMessage(err))
	var trace strings.Builder
	uncaught(&trace, err)
	fmt.Fprintf(env.Stdout, "%s\n", strings.TrimPrefix(trace.String(), "Exception in thread \"main\" "))
	return 1
}

// validateReassignArgs is ReassignPartitionsCommand.validateAndParseArgs;
// err is the RuntimeException it throws outside main's handler.
func validateReassignArgs(env *toolEnv, p *optionParser, o *optionSet) (action string, code int, ok bool, err error) {
	actions := []string{"generate", "execute", "verify", "cancel", "list"}
	var given []string
	for _, a := range actions {
		if o.has(a) {
			given = append(given, a)
		}
	}
	if len(given) != 1 {
		return "", p.usageAndDie(env, "Command must include exactly one action: --generate, --execute, --verify, --cancel, --list"), false, nil
	}
	action = given[0]
	if !o.has("zookeeper") && !o.has("bootstrap-server") {
		return "", p.usageAndDie(env, "Please specify --bootstrap-server"), false, nil
	}
	required := map[string][]string{
		"verify":   {"reassignment-json-file"},
		"generate": {"topics-to-move-json-file", "broker-list"},
		"execute":  {"reassignment-json-file"},
		"cancel":   {"reassignment-json-file"},
		"list":     nil,
	}
	if code, ok := p.checkRequired(env, o, required[action]...); !ok {
		return "", code, false, nil
	}
	permitted := map[string][]string{
		"verify":   {"bootstrap-server", "command-config", "preserve-throttles", "zookeeper"},
		"generate": {"bootstrap-server", "broker-list", "command-config", "disable-rack-aware", "zookeeper"},
		"execute":  {"additional", "bootstrap-server", "command-config", "throttle", "replica-alter-log-dirs-throttle", "timeout", "zookeeper"},
		"cancel":   {"bootstrap-server", "command-config", "preserve-throttles", "timeout"},
		"list":     {"bootstrap-server", "command-config"},
	}
	for _, opt := range o.order {
		if opt != action && !contains(required[action], opt) && !contains(permitted[action], opt) {
			return "", p.usageAndDie(env, fmt.Sprintf("Option \"[%s]\" can't be used with action \"[%s]\"", opt, action)), false, nil
		}
	}
	if !o.has("bootstrap-server") {
		for _, opt := range []string{"additional", "cancel", "command-config", "replica-alter-log-dirs-throttle", "list", "timeout"} {
			if o.has(opt) {
				return "", 0, false, newJexc(clsRuntime, "You must specify --bootstrap-server when using \"[%s]\"", opt)
			}
		}
	}
	return action, 0, true, nil
}

// ---------------------------------------------------------------------------
// Reassignment JSON.

// replicaDir is Kafka's TopicPartitionReplica with its target log dir.
type tpReplica struct {
	topicPart
	Broker int32
}

// String is TopicPartitionReplica.toString.
func (r tpReplica) String() string {
	return fmt.Sprintf("%s-%d-%d", r.Topic, r.Partition, r.Broker)
}

// reassignEntry is one partition of a reassignment file, in file order.
type reassignEntry struct {
	part     topicPart
	replicas []int32
}

// parseReassignmentJSON is parsePartitionReassignmentData: the partitions
// in file order (duplicates kept, for the caller to reject) and the log
// directories asked for, other than "any".
func parseReassignmentJSON(s string) ([]reassignEntry, map[tpReplica]string, error) {
	js, err := parseKafkaJSON(s)
	if err != nil {
		return nil, nil, &jexc{class: clsAdminOperation, msg: err.Error(), cause: err}
	}
	obj, err := js.object()
	if err != nil {
		return nil, nil, err
	}
	if v, ok := obj["version"]; ok {
		ver, err := v.toInt()
		if err != nil {
			return nil, nil, err
		}
		if ver != 1 {
			return nil, nil, newJexc(clsAdminOperation, "Not supported version field value %d", ver)
		}
	}
	var entries []reassignEntry
	dirs := map[tpReplica]string{}
	list, ok := obj["partitions"]
	if !ok {
		return entries, dirs, nil
	}
	arr, err := list.array()
	if err != nil {
		return nil, nil, err
	}
	for _, e := range arr {
		po, err := e.object()
		if err != nil {
			return nil, nil, err
		}
		topic, err := stringField(po, "topic")
		if err != nil {
			return nil, nil, err
		}
		partition, err := intField(po, "partition")
		if err != nil {
			return nil, nil, err
		}
		rv, err := field(po, "replicas")
		if err != nil {
			return nil, nil, err
		}
		replicas, err := rv.toInts()
		if err != nil {
			return nil, nil, err
		}
		logDirs := make([]string, len(replicas))
		for i := range logDirs {
			logDirs[i] = anyLogDir
		}
		if v, ok := po["log_dirs"]; ok {
			if logDirs, err = v.toStrings(); err != nil {
				return nil, nil, err
			}
		}
		part := topicPart{topic, partition}
		if len(replicas) != len(logDirs) {
			return nil, nil, newJexc(clsAdminCommandFailed, "Size of replicas list %s is different from size of log dirs list %s for partition %s",
				scalaList(intStrings(replicas)), scalaList(logDirs), part)
		}
		entries = append(entries, reassignEntry{part, replicas})
		for i, r := range replicas {
			if logDirs[i] != anyLogDir {
				dirs[tpReplica{part, r}] = logDirs[i]
			}
		}
	}
	return entries, dirs, nil
}

func intStrings(ids []int32) []string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(int(id))
	}
	return s
}

// scalaList renders a Scala List.
func scalaList(items []string) string { return "List(" + strings.Join(items, ", ") + ")" }

// parseExecuteArgs is parseExecuteAssignmentArgs.
func parseExecuteArgs(s string) (map[topicPart][]int32, map[tpReplica]string, error) {
	entries, dirs, err := parseReassignmentJSON(s)
	if err != nil {
		return nil, nil, err
	}
	if len(entries) == 0 {
		return nil, nil, newJexc(clsAdminCommandFailed, "Partition reassignment list cannot be empty")
	}
	parts := make([]topicPart, len(entries))
	for i, e := range entries {
		if len(e.replicas) == 0 {
			return nil, nil, newJexc(clsAdminCommandFailed, "Partition replica list cannot be empty")
		}
		parts[i] = e.part
	}
	if dups := duplicates(parts); len(dups) > 0 {
		return nil, nil, newJexc(clsAdminCommandFailed, "Partition reassignment contains duplicate topic partitions: %s", joinTPs(dups, ","))
	}
	var msgs []string
	for _, e := range entries {
		if d := duplicates(e.replicas); len(d) > 0 {
			msgs = append(msgs, fmt.Sprintf("%s contains multiple entries for %s", e.part, joinInts(d, ",")))
		}
	}
	if len(msgs) > 0 {
		return nil, nil, newJexc(clsAdminCommandFailed, "Partition replica lists may not contain duplicate entries: %s", strings.Join(msgs, ". "))
	}
	out := make(map[topicPart][]int32, len(entries))
	for _, e := range entries {
		out[e.part] = e.replicas
	}
	return out, dirs, nil
}

// formatReassignmentJSON is formatAsReassignmentJson: compact, partitions
// sorted, a log dir per replica ("any" unless one was asked for).
func formatReassignmentJSON(parts map[topicPart][]int32, dirs map[tpReplica]string) string {
	var b strings.Builder
	b.WriteString(`{"version":1,"partitions":[`)
	for i, p := range sortedTPs(parts) {
		if i > 0 {
			b.WriteByte(',')
		}
		replicas := parts[p]
		logDirs := make([]string, len(replicas))
		for j, r := range replicas {
			d, ok := dirs[tpReplica{p, r}]
			if !ok {
				d = anyLogDir
			}
			logDirs[j] = strconv.Quote(d)
		}
		fmt.Fprintf(&b, `{"topic":%s,"partition":%d,"replicas":[%s],"log_dirs":[%s]}`,
			strconv.Quote(p.Topic), p.Partition, joinInts(replicas, ","), strings.Join(logDirs, ","))
	}
	b.WriteString("]}")
	return b.String()
}

// parseGenerateArgs is parseGenerateAssignmentArgs.
func parseGenerateArgs(topicsJSON, brokerList string) ([]int32, []string, error) {
	// Java's String.split drops trailing empty strings.
	items := strings.Split(brokerList, ",")
	for len(items) > 1 && items[len(items)-1] == "" {
		items = items[:len(items)-1]
	}
	var brokers []int32
	for _, s := range items {
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			return nil, nil, newJexc(clsNumberFormat, "For input string: \"%s\"", s)
		}
		brokers = append(brokers, int32(n))
	}
	if d := duplicates(brokers); len(d) > 0 {
		return nil, nil, newJexc(clsAdminCommandFailed, "Broker list contains duplicate entries: %s", joinInts(d, ","))
	}
	topics, err := parseTopicsJSON(topicsJSON)
	if err != nil {
		return nil, nil, err
	}
	if d := duplicates(topics); len(d) > 0 {
		return nil, nil, newJexc(clsAdminCommandFailed, "List of topics to reassign contains duplicate entries: %s", strings.Join(d, ","))
	}
	return brokers, topics, nil
}

// parseTopicsJSON is parseTopicsData: {"topics":[{"topic":"foo"}],"version":1}.
func parseTopicsJSON(s string) ([]string, error) {
	js, err := parseKafkaJSON(s)
	if err != nil {
		return nil, newJexc(clsAdminOperation, "The input string is not a valid JSON")
	}
	obj, err := js.object()
	if err != nil {
		return nil, err
	}
	if v, ok := obj["version"]; ok {
		ver, err := v.toInt()
		if err != nil {
			return nil, err
		}
		if ver != 1 {
			return nil, newJexc(clsAdminOperation, "Not supported version field value %d", ver)
		}
	}
	var topics []string
	list, ok := obj["topics"]
	if !ok {
		return topics, nil
	}
	arr, err := list.array()
	if err != nil {
		return nil, err
	}
	for _, e := range arr {
		to, err := e.object()
		if err != nil {
			return nil, err
		}
		v, err := field(to, "topic")
		if err != nil {
			return nil, err
		}
		t, err := v.toString()
		if err != nil {
			return nil, err
		}
		topics = append(topics, t)
	}
	return topics, nil
}

// ---------------------------------------------------------------------------
// Computations shared by both modes.

func sortParts(tps []topicPart) {
	sort.Slice(tps, func(i, j int) bool { return tpLess(tps[i], tps[j]) })
}

// sortedTPs returns the keys of m, sorted.
func sortedTPs[V any](m map[topicPart]V) []topicPart {
	out := make([]topicPart, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	sortParts(out)
	return out
}

// calculateAssignment proposes a new assignment per topic over brokers,
// keeping each topic's partition count and replication factor.
func calculateAssignment(current map[topicPart][]int32, brokers []zkcoord.BrokerMeta) (map[topicPart][]int32, error) {
	byTopic := map[string][]topicPart{}
	for _, p := range sortedTPs(current) {
		byTopic[p.Topic] = append(byTopic[p.Topic], p)
	}
	topics := make([]string, 0, len(byTopic))
	for t := range byTopic {
		topics = append(topics, t)
	}
	sort.Strings(topics)
	out := map[topicPart][]int32{}
	for _, t := range topics {
		parts := byTopic[t]
		a, err := zkcoord.AssignReplicas(brokers, len(parts), len(current[parts[0]]), reassignFixedStart, 0)
		if err != nil {
			var ae *zkcoord.AdminError
			if errors.As(err, &ae) {
				return nil, newJexc(ae.Class, "%s", ae.Msg)
			}
			return nil, err
		}
		for p, r := range a {
			out[topicPart{t, p}] = r
		}
	}
	return out, nil
}

// printGenerated prints --generate's two assignments.
func printGenerated(w io.Writer, current, proposed map[topicPart][]int32) {
	fmt.Fprintf(w, "Current partition replica assignment\n%s\n\n", formatReassignmentJSON(current, nil))
	fmt.Fprintf(w, "Proposed partition reassignment configuration\n%s\n", formatReassignmentJSON(proposed, nil))
}

// printCurrentForRollback is currentPartitionReplicaAssignmentToString.
func printCurrentForRollback(w io.Writer, proposed, current map[topicPart][]int32) {
	shown := map[topicPart][]int32{}
	for p, r := range current {
		if _, ok := proposed[p]; ok {
			shown[p] = r
		}
	}
	fmt.Fprintf(w, "Current partition replica assignment\n\n%s\n\nSave this to use as the --reassignment-json-file option during rollback\n",
		formatReassignmentJSON(shown, nil))
}

func printStarted(w io.Writer, proposed map[topicPart][]int32) {
	fmt.Fprintf(w, "Successfully started partition reassignment%s for %s\n", plural(len(proposed)), joinTPs(sortedTPs(proposed), ","))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// partitionMove is Kafka's PartitionMove: where a partition's data comes
// from and goes to.
type partitionMove struct {
	sources, destinations []int32
}

// moveMap is topic -> partition -> move.
type moveMap map[string]map[int32]partitionMove

// ongoing is an in-flight reassignment as ListPartitionReassignments
// reports it.
type ongoing struct {
	replicas, adding, removing []int32
}

// proposedMoveMap is calculateProposedMoveMap: moves of the reassignments
// in flight, then of the proposed ones (sources from the in-flight move, or
// the current replicas).
func proposedMoveMap(current map[topicPart]ongoing, proposed, currentParts map[topicPart][]int32) (moveMap, error) {
	mm := moveMap{}
	put := func(p topicPart, m partitionMove) {
		if mm[p.Topic] == nil {
			mm[p.Topic] = map[int32]partitionMove{}
		}
		mm[p.Topic][p.Partition] = m
	}
	for p, r := range current {
		put(p, partitionMove{sources: diff(r.replicas, r.adding), destinations: append([]int32(nil), r.adding...)})
	}
	for _, p := range sortedTPs(proposed) {
		var sources []int32
		if m, ok := mm[p.Topic][p.Partition]; ok {
			sources = m.sources
		} else if cur, ok := currentParts[p]; ok {
			sources = cur
		} else {
			return nil, newJexc(clsRuntime, "Trying to reassign a topic partition %s with 0 replicas", p)
		}
		put(p, partitionMove{sources: sources, destinations: diff(proposed[p], sources)})
	}
	return mm, nil
}

// diff is Scala's Seq.diff for distinct elements.
func diff(a, b []int32) []int32 {
	var out []int32
	for _, x := range a {
		if !containsID(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func containsID(ids []int32, id int32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// throttledReplicas is calculateLeaderThrottles (leader=true: every source)
// and calculateFollowerThrottles (every destination that is not a source),
// as "partition:broker" entries in a sorted set of strings.
func throttledReplicas(mm moveMap, leader bool) map[string]string {
	out := map[string]string{}
	for topic, parts := range mm {
		set := map[string]bool{}
		for p, m := range parts {
			ids := m.sources
			if !leader {
				ids = diff(m.destinations, m.sources)
			}
			for _, b := range ids {
				set[fmt.Sprintf("%d:%d", p, b)] = true
			}
		}
		items := make([]string, 0, len(set))
		for s := range set {
			items = append(items, s)
		}
		sort.Strings(items) // a TreeSet[String]: "10:1" sorts before "1:1"
		out[topic] = strings.Join(items, ",")
	}
	return out
}

// reassigningBrokers is calculateReassigningBrokers: every source and
// destination, sorted.
func reassigningBrokers(mm moveMap) []int32 {
	set := map[int32]bool{}
	for _, parts := range mm {
		for _, m := range parts {
			for _, b := range m.sources {
				set[b] = true
			}
			for _, b := range m.destinations {
				set[b] = true
			}
		}
	}
	return sortedIDs(set)
}

func sortedIDs(set map[int32]bool) []int32 {
	out := make([]int32, 0, len(set))
	for b := range set {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// reassignState is PartitionReassignmentState.
type reassignState struct {
	current, target []int32
	done            bool
}

// printReassignStates is partitionReassignmentStatesToString plus println.
func printReassignStates(w io.Writer, states map[topicPart]reassignState) {
	fmt.Fprintln(w, "Status of partition reassignment:")
	for _, p := range sortedTPs(states) {
		s := states[p]
		switch {
		case !s.done:
			fmt.Fprintf(w, "Reassignment of partition %s is still in progress.\n", p)
		case joinInts(s.current, ",") == joinInts(s.target, ","):
			fmt.Fprintf(w, "Reassignment of partition %s is complete.\n", p)
		default:
			fmt.Fprintf(w, "There is no active reassignment of partition %s, but replica set is %s rather than %s.\n",
				p, joinInts(s.current, ","), joinInts(s.target, ","))
		}
	}
}

// throttleClearing prints clearAllThrottles' two lines and returns the
// brokers (live ones and every target replica) and topics concerned.
func throttleClearing(w io.Writer, live []int32, targets []reassignEntry) ([]int32, []string) {
	set := map[int32]bool{}
	for _, b := range live {
		set[b] = true
	}
	topicSet := map[string]bool{}
	for _, e := range targets {
		for _, b := range e.replicas {
			set[b] = true
		}
		topicSet[e.part.Topic] = true
	}
	brokers := sortedIDs(set)
	topics := make([]string, 0, len(topicSet))
	for t := range topicSet {
		topics = append(topics, t)
	}
	sort.Strings(topics)
	fmt.Fprintf(w, "Clearing broker-level throttles on broker%s %s\n", plural(len(brokers)), joinInts(brokers, ","))
	fmt.Fprintf(w, "Clearing topic-level throttles on topic%s %s\n", plural(len(topics)), strings.Join(topics, ","))
	return brokers, topics
}

// ---------------------------------------------------------------------------
// ZooKeeper mode.

// zkReplicaAssignment is getReplicaAssignmentForTopics: the replicas of
// every partition of the topics that exist.
func zkReplicaAssignment(zc *zkcoord.Client, topics []string) (map[topicPart][]int32, error) {
	out := map[topicPart][]int32{}
	for _, t := range topics {
		a, err := zc.TopicAssignment(t)
		if errors.Is(err, zkcoord.ErrNoNode) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for p, r := range a.Partitions {
			out[topicPart{t, p}] = r
		}
	}
	return out, nil
}

func reassignWithZk(env *toolEnv, o *optionSet, action string) error {
	zc, err := zkcoord.Connect(o.value("zookeeper"), 30*time.Second, 30*time.Second, zap.NewNop())
	if err != nil {
		return zkConnectException(err)
	}
	defer zc.Close()
	w := env.Stdout
	switch action {
	case "verify":
		s, err := readFileAsString(o.value("reassignment-json-file"))
		if err != nil {
			return err
		}
		return zkVerify(w, zc, s, o.has("preserve-throttles"))
	case "generate":
		s, err := readFileAsString(o.value("topics-to-move-json-file"))
		if err != nil {
			return err
		}
		return zkGenerate(w, zc, s, o.value("broker-list"), !o.has("disable-rack-aware"))
	case "execute":
		s, err := readFileAsString(o.value("reassignment-json-file"))
		if err != nil {
			return err
		}
		return zkExecute(w, zc, s, o.int64Value("throttle"))
	}
	return newJexc(clsRuntime, "Unsupported action.")
}

func zkVerify(w io.Writer, zc *zkcoord.Client, s string, preserve bool) error {
	entries, dirs, err := parseReassignmentJSON(s)
	if err != nil {
		return err
	}
	if len(dirs) > 0 {
		return newJexc(clsAdminCommandFailed, "bootstrap-server needs to be provided when replica reassignments are present.")
	}
	fmt.Fprintln(w, "Warning: because you are using the deprecated --zookeeper option, the results may be incomplete.  Use --bootstrap-server instead for more accurate results.")
	pending, _, _, err := zc.ReassignPartitionsRequest()
	if err != nil {
		return err
	}
	states := map[topicPart]reassignState{}
	for _, e := range entries {
		cur, err := zkReplicaAssignment(zc, []string{e.part.Topic})
		if err != nil {
			return err
		}
		_, moving := pending[zkcoord.TopicPartition{Topic: e.part.Topic, Partition: e.part.Partition}]
		states[e.part] = reassignState{current: cur[e.part], target: e.replicas, done: !moving}
	}
	printReassignStates(w, states)
	if len(pending) > 0 || preserve {
		return nil
	}
	live, err := zc.BrokerIDs()
	if err != nil {
		return err
	}
	brokers, topics := throttleClearing(w, live, entries)
	for _, b := range brokers {
		name := strconv.Itoa(int(b))
		cfg, err := zc.EntityConfig(zkcoord.ConfigTypeBroker, name)
		if err != nil {
			return err
		}
		if removeKeys(cfg, brokerThrottles) {
			if err := zc.SetEntityConfig(zkcoord.ConfigTypeBroker, name, cfg); err != nil {
				return err
			}
		}
	}
	for _, t := range topics {
		cfg, err := zc.EntityConfig(zkcoord.ConfigTypeTopic, t)
		if err != nil {
			return err
		}
		if removeKeys(cfg, topicThrottles) {
			if err := zkChangeTopicConfig(zc, t, cfg); err != nil {
				return err
			}
		}
	}
	return nil
}

// removeKeys deletes keys from cfg and reports whether any was there.
func removeKeys(cfg map[string]string, keys []string) bool {
	removed := false
	for _, k := range keys {
		if _, ok := cfg[k]; ok {
			delete(cfg, k)
			removed = true
		}
	}
	return removed
}

// zkChangeTopicConfig is AdminZkClient.changeTopicConfig with Kafka's
// exception classes.
func zkChangeTopicConfig(zc *zkcoord.Client, topic string, cfg map[string]string) error {
	err := zc.ChangeTopicConfig(topic, cfg)
	var ae *zkcoord.AdminError
	if errors.As(err, &ae) {
		return newJexc(ae.Class, "%s", ae.Msg)
	}
	return err
}

func zkGenerate(w io.Writer, zc *zkcoord.Client, s, brokerList string, rackAware bool) error {
	brokerIDs, topics, err := parseGenerateArgs(s, brokerList)
	if err != nil {
		return err
	}
	current, err := zkReplicaAssignment(zc, topics)
	if err != nil {
		return err
	}
	all, err := zc.Brokers()
	if err != nil {
		return err
	}
	var chosen []zkcoord.BrokerInfo
	for _, b := range all {
		if containsID(brokerIDs, b.ID) {
			chosen = append(chosen, b)
		}
	}
	mode := zkcoord.RackEnforced
	if !rackAware {
		mode = zkcoord.RackDisabled
	}
	metas, err := zkcoord.BrokerMetas(chosen, mode)
	if err != nil {
		var ae *zkcoord.AdminError
		if errors.As(err, &ae) {
			return newJexc(clsAdminOperation, "%s", ae.Msg)
		}
		return err
	}
	proposed, err := calculateAssignment(current, metas)
	if err != nil {
		return err
	}
	printGenerated(w, current, proposed)
	return nil
}

func zkExecute(w io.Writer, zc *zkcoord.Client, s string, throttle int64) error {
	proposed, dirs, err := parseExecuteArgs(s)
	if err != nil {
		return err
	}
	if len(dirs) > 0 {
		return newJexc(clsAdminCommandFailed, "bootstrap-server needs to be provided when replica reassignments are present.")
	}
	// verifyReplicasAndBrokersInAssignment
	var topics []string
	for _, p := range sortedTPs(proposed) {
		if !contains(topics, p.Topic) {
			topics = append(topics, p.Topic)
		}
	}
	current, err := zkReplicaAssignment(zc, topics)
	if err != nil {
		return err
	}
	var missing []string
	for _, p := range sortedTPs(proposed) {
		if _, ok := current[p]; !ok {
			missing = append(missing, p.String())
		}
	}
	if len(missing) > 0 {
		return newJexc(clsAdminCommandFailed, "The proposed assignment contains non-existent partitions: %s", scalaList(missing))
	}
	live, err := zc.BrokerIDs()
	if err != nil {
		return err
	}
	unknown := map[int32]bool{}
	for _, p := range sortedTPs(proposed) {
		for _, b := range proposed[p] {
			if !containsID(live, b) {
				unknown[b] = true
			}
		}
	}
	if len(unknown) > 0 {
		return newJexc(clsAdminCommandFailed, "The proposed assignment contains non-existent brokerIDs: %s", joinInts(sortedIDs(unknown), ","))
	}
	if _, _, inProgress, err := zc.ReassignPartitionsRequest(); err != nil {
		return err
	} else if inProgress {
		return &terseFailure{cannotExecuteBecauseOfExisting}
	}
	printCurrentForRollback(w, proposed, current)
	if throttle >= 0 {
		fmt.Fprintln(w, youMustRunVerifyPeriodically)
		mm, err := proposedMoveMap(nil, proposed, current)
		if err != nil {
			return err
		}
		leaders, followers := throttledReplicas(mm, true), throttledReplicas(mm, false)
		for _, t := range sortedKeysOf(leaders) {
			cfg, err := zc.EntityConfig(zkcoord.ConfigTypeTopic, t)
			if err != nil {
				return err
			}
			cfg[topicLeaderThrottle] = leaders[t]
			cfg[topicFollowerThrottle] = followers[t]
			if err := zkChangeTopicConfig(zc, t, cfg); err != nil {
				return err
			}
		}
		for _, b := range reassigningBrokers(mm) {
			name := strconv.Itoa(int(b))
			cfg, err := zc.EntityConfig(zkcoord.ConfigTypeBroker, name)
			if err != nil {
				return err
			}
			cfg[brokerLeaderThrottle] = strconv.FormatInt(throttle, 10)
			cfg[brokerFollowerThrottle] = strconv.FormatInt(throttle, 10)
			if err := zc.SetEntityConfig(zkcoord.ConfigTypeBroker, name, cfg); err != nil {
				return err
			}
		}
		fmt.Fprintf(w, "The inter-broker throttle limit was set to %d B/s\n", throttle)
	}
	req := zkcoord.ReassignPartitions{}
	for p, r := range proposed {
		req[zkcoord.TopicPartition{Topic: p.Topic, Partition: p.Partition}] = r
	}
	if err := zc.CreateReassignPartitions(req); err != nil {
		if errors.Is(err, zkcoord.ErrNodeExists) {
			return newJexc("org.apache.zookeeper.KeeperException$NodeExistsException", "KeeperErrorCode = NodeExists")
		}
		return err
	}
	printStarted(w, proposed)
	return nil
}
