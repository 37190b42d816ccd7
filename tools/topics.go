package tools

// kafka-topics.sh: kafka.admin.TopicCommand (Kafka 2.8).
//
// Behaviour:
//   - Exactly one action (--create, --list, --describe, --alter, --delete)
//     and exactly one of --zookeeper / --bootstrap-server; the option checks
//     of 2.8's TopicCommandOptions.checkArgs, with jopt-simple's messages and
//     the usage table on stderr, exit 1.
//   - --zookeeper: Kafka's ZookeeperTopicService through zkcoord: topics are
//     written to ZooKeeper directly (config node, then the assignment, no
//     topic id); the controller of a running cluster does the rest.
//   - --bootstrap-server: Kafka's AdminClientTopicService through franz-go
//     (CreateTopics, Metadata, DescribeConfigs, CreatePartitions,
//     DeleteTopics).
//   - Any failure prints "Error while executing topic command : <message>"
//     on stdout and an ERROR log line naming the Java exception on stderr,
//     exit 1. --topic is a regular expression except with --create.
//
// Not implemented (why): SASL/SSL settings in --command-config beyond what
// clientOpts maps (no JAAS); a stack trace after the ERROR line (no JVM).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/urfave/cli/v2"

	"gokafka/zkcoord"
)

func topicsCommand() *cli.Command { return toolCommand("kafka.admin.TopicCommand", runTopics) }

// Timeouts of 2.8's ZookeeperTopicService (KafkaZkClient with 30 s session
// and connection timeouts) and of the admin client (default.api.timeout.ms).
var (
	topicsZkSessionTimeout    = 30 * time.Second
	topicsZkConnectionTimeout = 30 * time.Second
	topicsAdminTimeout        = 60 * time.Second
)

func topicsOptions() *optionParser {
	p := newOptionParser()
	p.arg("bootstrap-server", "REQUIRED: The Kafka server to connect to. In case of providing this, a direct Zookeeper connection won't be required.", "String", "server to connect to")
	p.arg("command-config", "Property file containing configs to be passed to Admin Client. This is used only with --bootstrap-server option for describing and altering broker configs.", "String", "command config property file")
	p.arg("zookeeper", "DEPRECATED, The connection string for the zookeeper connection in the form host:port. Multiple hosts can be given to allow fail-over.", "String", "hosts")
	p.flag("list", "List all available topics.")
	p.flag("create", "Create a new topic.")
	p.flag("delete", "Delete a topic")
	p.flag("alter", "Alter the number of partitions, replica assignment, and/or configuration for the topic.")
	p.flag("describe", "List details for the given topics.")
	p.arg("topic", "The topic to create, alter, describe or delete. It also accepts a regular expression, except for --create option. Put topic name in double quotes and use the '\\' prefix to escape regular expression symbols; e.g. \"test\\.topic\".", "String", "topic")
	p.arg("config", "A topic configuration override for the topic being created or altered. The following is a list of valid configurations: \n"+
		"\t"+strings.Join(zkcoord.TopicConfigNames(), "\n\t")+"\n"+
		"See the Kafka documentation for full details on the topic configs. It is supported only in combination with --create if --bootstrap-server option is used (the kafka-configs CLI supports altering topic configs with a --bootstrap-server option).", "String", "name=value")
	p.arg("delete-config", "A topic configuration override to be removed for an existing topic (see the list of configurations under the --config option). Not supported with the --bootstrap-server option.", "String", "name")
	p.arg("partitions", "The number of partitions for the topic being created or altered (WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected). If not supplied for create, defaults to the cluster default.", "Integer", "# of partitions")
	p.arg("replication-factor", "The replication factor for each partition in the topic being created. If not supplied, defaults to the cluster default.", "Integer", "replication factor")
	p.arg("replica-assignment", "A list of manual partition-to-broker assignments for the topic being created or altered.", "String", "broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , broker_id_for_part2_replica1 : broker_id_for_part2_replica2 , ...")
	p.flag("under-replicated-partitions", "if set when describing topics, only show under replicated partitions")
	p.flag("unavailable-partitions", "if set when describing topics, only show partitions whose leader is not available")
	p.flag("under-min-isr-partitions", "if set when describing topics, only show partitions whose isr count is less than the configured minimum. Not supported with the --zookeeper option.")
	p.flag("at-min-isr-partitions", "if set when describing topics, only show partitions whose isr count is equal to the configured minimum. Not supported with the --zookeeper option.")
	p.flag("topics-with-overrides", "if set when describing topics, only show topics that have overridden configs")
	p.flag("if-exists", "if set when altering or deleting or describing topics, the action will only execute if the topic exists.")
	p.flag("if-not-exists", "if set when creating topics, the action will only execute if the topic does not already exist.")
	p.flag("disable-rack-aware", "Disable rack aware replica assignment")
	p.flag("force", "Suppress console prompts")
	p.flag("exclude-internal", "exclude internal topics when running list or describe command. The internal topics will be listed by default")
	return p
}

const topicsLogger = "kafka.admin.TopicCommand$"

// topicsError is a failure with the Java exception Kafka would throw.
type topicsError struct {
	class string
	msg   string
}

func (e *topicsError) Error() string { return e.msg }

func topicsIllegalArgument(format string, args ...any) error {
	return &topicsError{"java.lang.IllegalArgumentException", fmt.Sprintf(format, args...)}
}

// topicsJavaClass names the exception behind err for the ERROR log line.
func topicsJavaClass(err error) string {
	var te *topicsError
	var ae *zkcoord.AdminError
	var it *zkcoord.InvalidTopicError
	var ke *kerr.Error
	switch {
	case errors.As(err, &te):
		return te.class
	case errors.As(err, &ae):
		return ae.Class
	case errors.As(err, &it):
		return "org.apache.kafka.common.errors.InvalidTopicException"
	case errors.As(err, &ke):
		return "org.apache.kafka.common.errors." + topicsExceptionName(ke)
	}
	return "kafka.admin.AdminOperationException"
}

// topicsExceptionName turns an error code name (TOPIC_ALREADY_EXISTS) into
// its Java exception's simple name (TopicExistsException), for the log line.
func topicsExceptionName(ke *kerr.Error) string {
	switch ke.Message {
	case "TOPIC_ALREADY_EXISTS":
		return "TopicExistsException"
	case "UNKNOWN_TOPIC_OR_PARTITION":
		return "UnknownTopicOrPartitionException"
	case "INVALID_TOPIC_EXCEPTION":
		return "InvalidTopicException"
	}
	var b strings.Builder
	for _, w := range strings.Split(strings.ToLower(ke.Message), "_") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return strings.TrimSuffix(b.String(), "Exception") + "Exception"
}

// topicArgs is Kafka's CommandTopicPartition: what --create and --alter ask for.
type topicArgs struct {
	name              string
	partitions        int // 0 = not given
	replicationFactor int // 0 = not given
	hasPartitions     bool
	hasRF             bool
	assignment        [][]int32 // --replica-assignment, partition i at index i
	configs           map[string]string
	configsToDelete   []string
	rackMode          zkcoord.RackAwareMode
}

func runTopics(ctx context.Context, env *toolEnv, args []string) int {
	p := topicsOptions()
	if len(args) == 0 {
		return p.usageAndDie(env, "Create, delete, describe, or change a topic.")
	}
	o, code, ok := p.parseStandard(env, args, "This tool helps to create, delete, describe, or change a topic.")
	if !ok {
		return code
	}
	if code, ok := checkTopicsArgs(env, p, o); !ok {
		return code
	}
	lg := newToolLogger(env.Stderr)
	defer lg.Sync()

	var svc topicService
	if o.has("zookeeper") {
		zc, err := zkcoord.Connect(o.value("zookeeper"), topicsZkSessionTimeout, topicsZkConnectionTimeout, lg.Named("kafka.zookeeper.ZooKeeperClient"))
		if err != nil {
			// Thrown before TopicCommand's try block: the JVM's
			// uncaught-exception line, no "Error while executing".
			class := "kafka.zookeeper.ZooKeeperClientException"
			var te *zkcoord.ConnectTimeoutError
			if errors.As(err, &te) {
				class = "kafka.zookeeper.ZooKeeperClientTimeoutException"
			}
			fmt.Fprintf(env.Stderr, "Exception in thread \"main\" %s: %v\n", class, err)
			return 1
		}
		defer zc.Close()
		svc = &zkTopicService{zk: zc, env: env, connect: o.value("zookeeper")}
	} else {
		props := map[string]string{}
		if o.has("command-config") {
			var err error
			if props, err = loadProperties(o.value("command-config")); err != nil {
				// Utils.loadProps (Files.newInputStream), outside the try block.
				msg := strings.TrimSuffix(err.Error(), " (No such file or directory)")
				fmt.Fprintf(env.Stderr, "Exception in thread \"main\" java.nio.file.NoSuchFileException: %s\n", msg)
				return 1
			}
		}
		props = mergeProps(props, map[string]string{"bootstrap.servers": o.value("bootstrap-server")})
		kopts, err := clientOpts(props)
		if err == nil {
			var cl *kgo.Client
			if cl, err = kgo.NewClient(kopts...); err == nil {
				defer cl.Close()
				svc = &adminTopicService{cl: cl, adm: kadm.NewClient(cl), env: env}
			}
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "Exception in thread \"main\" org.apache.kafka.common.KafkaException: %v\n", err)
			return 1
		}
	}

	err := runTopicAction(ctx, svc, o)
	if err != nil {
		fmt.Fprintf(env.Stdout, "Error while executing topic command : %s\n", err.Error())
		logLine(env.Stderr, "ERROR", topicsJavaClass(err)+": "+err.Error()+"\n", topicsLogger)
		return 1
	}
	return 0
}

func runTopicAction(ctx context.Context, svc topicService, o *optionSet) error {
	switch {
	case o.has("create"):
		t, err := parseTopicArgs(o, svc.stdout())
		if err != nil {
			return err
		}
		if zkcoord.HasCollisionChars(t.name) {
			fmt.Fprintln(svc.stdout(), "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.")
		}
		err = svc.create(ctx, t)
		if o.has("if-not-exists") && isTopicExists(err) {
			return nil
		}
		return err
	case o.has("list"):
		return svc.list(ctx, o)
	case o.has("describe"):
		return svc.describe(ctx, o)
	case o.has("alter"):
		t, err := parseTopicArgs(o, svc.stdout())
		if err != nil {
			return err
		}
		return svc.alter(ctx, o, t)
	default:
		return svc.delete(ctx, o)
	}
}

func isTopicExists(err error) bool {
	return zkcoord.IsTopicExists(err) || errors.Is(err, kerr.TopicAlreadyExists)
}

// checkTopicsArgs is TopicCommandOptions.checkArgs.
func checkTopicsArgs(env *toolEnv, p *optionParser, o *optionSet) (int, bool) {
	actions := 0
	for _, a := range []string{"create", "list", "alter", "describe", "delete"} {
		if o.has(a) {
			actions++
		}
	}
	if actions != 1 {
		return p.usageAndDie(env, "Command must include exactly one action: --list, --describe, --create, --alter or --delete"), false
	}
	if o.has("bootstrap-server") == o.has("zookeeper") {
		fmt.Fprintln(env.Stderr, `Exception in thread "main" java.lang.IllegalArgumentException: Only one of --bootstrap-server or --zookeeper must be specified`)
		return 1, false
	}
	if o.has("describe") && o.has("if-exists") {
		if code, ok := p.checkRequired(env, o, "topic"); !ok {
			return code, false
		}
	}
	if !o.has("list") && !o.has("describe") {
		if code, ok := p.checkRequired(env, o, "topic"); !ok {
			return code, false
		}
	}
	if o.has("create") && !o.has("replica-assignment") && o.has("zookeeper") {
		if code, ok := p.checkRequired(env, o, "partitions", "replication-factor"); !ok {
			return code, false
		}
	}
	if o.has("bootstrap-server") && o.has("alter") {
		if o.has("config") {
			return p.usageAndDie(env, `Option combination "[bootstrap-server],[config]" can't be used with option "[alter]" (the kafka-configs CLI supports altering topic configs with a --bootstrap-server option)`), false
		}
		if code, ok := p.checkRequired(env, o, "partitions"); !ok {
			return code, false
		}
	}
	actionsBut := func(keep ...string) []string {
		var out []string
		for _, a := range []string{"alter", "create", "describe", "list", "delete"} {
			if !slices.Contains(keep, a) {
				out = append(out, a)
			}
		}
		return out
	}
	invalid := []struct {
		used    string
		invalid []string
	}{
		{"config", actionsBut("alter", "create")},
		{"delete-config", append(actionsBut("alter"), "bootstrap-server")},
		{"partitions", actionsBut("alter", "create")},
		{"replication-factor", actionsBut("create")},
		{"replica-assignment", actionsBut("create", "alter")},
		{"under-replicated-partitions", append(actionsBut("describe"), "unavailable-partitions", "topics-with-overrides", "under-min-isr-partitions", "at-min-isr-partitions")},
		{"under-min-isr-partitions", append(actionsBut("describe"), "under-replicated-partitions", "unavailable-partitions", "topics-with-overrides", "at-min-isr-partitions", "zookeeper")},
		{"at-min-isr-partitions", append(actionsBut("describe"), "under-replicated-partitions", "unavailable-partitions", "topics-with-overrides", "under-min-isr-partitions", "zookeeper")},
		{"unavailable-partitions", append(actionsBut("describe"), "under-replicated-partitions", "topics-with-overrides", "under-min-isr-partitions", "at-min-isr-partitions")},
		{"topics-with-overrides", append(actionsBut("describe"), "under-replicated-partitions", "unavailable-partitions", "under-min-isr-partitions", "at-min-isr-partitions")},
		{"if-exists", actionsBut("alter", "delete", "describe")},
		{"if-not-exists", actionsBut("create")},
		{"exclude-internal", actionsBut("list", "describe")},
	}
	if o.has("create") {
		invalid = append(invalid, struct {
			used    string
			invalid []string
		}{"replica-assignment", []string{"partitions", "replication-factor"}})
	}
	for _, c := range invalid {
		if !o.has(c.used) {
			continue
		}
		for _, bad := range c.invalid {
			if o.has(bad) {
				return p.usageAndDie(env, fmt.Sprintf(`Option "[%s]" can't be used with option "[%s]"`, c.used, bad)), false
			}
		}
	}
	return 0, true
}

// parseTopicArgs builds the CommandTopicPartition of --create / --alter,
// parsing and validating --config and --replica-assignment as 2.8 does.
func parseTopicArgs(o *optionSet, stdout io.Writer) (*topicArgs, error) {
	t := &topicArgs{name: o.value("topic"), rackMode: zkcoord.RackEnforced}
	if o.has("disable-rack-aware") {
		t.rackMode = zkcoord.RackDisabled
	}
	if o.has("partitions") {
		t.partitions, t.hasPartitions = o.intValue("partitions"), true
	}
	if o.has("replication-factor") {
		t.replicationFactor, t.hasRF = o.intValue("replication-factor"), true
	}
	var err error
	if t.configs, err = parseTopicConfigs(o.values("config")); err != nil {
		return nil, err
	}
	if o.has("config") {
		if v, ok := t.configs["message.format.version"]; ok {
			fmt.Fprintf(stdout, "WARNING: The configuration message.format.version=%s is specified. This configuration will be ignored if the version is newer than the inter.broker.protocol.version specified in the broker.\n", v)
		}
	}
	for _, n := range o.values("delete-config") {
		t.configsToDelete = append(t.configsToDelete, strings.TrimSpace(n))
	}
	if len(t.configsToDelete) > 0 {
		if err := zkcoord.ValidateTopicConfigNames(t.configsToDelete); err != nil {
			return nil, err
		}
	}
	if o.has("replica-assignment") {
		if t.assignment, err = parseTopicReplicaAssignment(o.value("replica-assignment")); err != nil {
			return nil, err
		}
	}
	return t, nil
}

var topicConfigSplit = regexp.MustCompile(`\s*=\s*`)

// parseTopicConfigs is TopicCommand.parseTopicConfigsToBeAdded.
func parseTopicConfigs(pairs []string) (map[string]string, error) {
	cfg := map[string]string{}
	for _, kv := range pairs {
		parts := topicConfigSplit.Split(kv, -1)
		if len(parts) != 2 {
			return nil, topicsIllegalArgument(`requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".`)
		}
		cfg[strings.TrimSpace(parts[0])] = strings.TrimSpace(parts[1])
	}
	if err := zkcoord.ValidateTopicConfig(cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

// parseTopicReplicaAssignment is TopicCommand.parseTopicReplicaAssignment: commas
// separate partitions, colons replicas.
func parseTopicReplicaAssignment(s string) ([][]int32, error) {
	var out [][]int32
	for i, part := range strings.Split(s, ",") {
		var brokers []int32
		for _, b := range strings.Split(part, ":") {
			n, err := strconv.ParseInt(strings.TrimSpace(b), 10, 32)
			if err != nil {
				return nil, &topicsError{"java.lang.NumberFormatException", fmt.Sprintf("For input string: \"%s\"", strings.TrimSpace(b))}
			}
			brokers = append(brokers, int32(n))
		}
		var dups []string
		seen := map[int32]int{}
		for _, b := range brokers {
			seen[b]++
			if seen[b] == 2 {
				dups = append(dups, strconv.Itoa(int(b)))
			}
		}
		if len(dups) > 0 {
			return nil, &topicsError{"kafka.common.AdminCommandFailedException", "Partition replica lists may not contain duplicate entries: " + strings.Join(dups, ",")}
		}
		out = append(out, brokers)
		if len(brokers) != len(out[0]) {
			return nil, &topicsError{"kafka.admin.AdminOperationException", fmt.Sprintf("Partition %d has different replication factor: %s", i, topicsJoinIDs(brokers, ", ", "[", "]"))}
		}
	}
	return out, nil
}

func topicsJoinIDs(ids []int32, sep, open, close string) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(int(id))
	}
	return open + strings.Join(s, sep) + close
}

// topicIncludeList is Kafka's IncludeList: the --topic regular expression, with
// commas meaning "or", spaces and surrounding quotes dropped, matched
// against the whole name.
func topicIncludeList(raw string) (*regexp.Regexp, error) {
	r := strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(raw), ",", "|"), " ", "")
	r = strings.TrimLeft(r, `"'`)
	r = strings.TrimRight(r, `"'`)
	re, err := regexp.Compile("^(?:" + r + ")$")
	if err != nil {
		return nil, &topicsError{"java.lang.RuntimeException", r + " is an invalid regex."}
	}
	return re, nil
}

// filterTopics is TopicService.doGetTopics over a sorted list.
func filterTopics(all []string, o *optionSet) ([]string, error) {
	sort.Strings(all)
	exclude := o.has("exclude-internal")
	var re *regexp.Regexp
	if o.has("topic") {
		var err error
		if re, err = topicIncludeList(o.value("topic")); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, t := range all {
		if exclude && zkcoord.IsInternalTopic(t) {
			continue
		}
		if re != nil && !re.MatchString(t) {
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

// ensureTopicExists fails when a --topic named nothing, unless allowed.
func ensureTopicExists(found []string, o *optionSet, required bool) error {
	if o.has("topic") && required && len(found) == 0 {
		return topicsIllegalArgument("Topic '%s' does not exist as expected", o.value("topic"))
	}
	return nil
}

// topicService is one of the two back ends (Kafka's TopicService).
type topicService interface {
	stdout() io.Writer
	create(ctx context.Context, t *topicArgs) error
	list(ctx context.Context, o *optionSet) error
	describe(ctx context.Context, o *optionSet) error
	alter(ctx context.Context, o *optionSet, t *topicArgs) error
	delete(ctx context.Context, o *optionSet) error
}

// describeFilter is TopicCommand's DescribeOptions.
type describeFilter struct {
	underReplicated, unavailable, underMinIsr, atMinIsr, overrides bool
	liveBrokers                                                    map[int32]bool
}

func newDescribeFilter(o *optionSet, live map[int32]bool) describeFilter {
	return describeFilter{
		underReplicated: o.has("under-replicated-partitions"),
		unavailable:     o.has("unavailable-partitions"),
		underMinIsr:     o.has("under-min-isr-partitions"),
		atMinIsr:        o.has("at-min-isr-partitions"),
		overrides:       o.has("topics-with-overrides"),
		liveBrokers:     live,
	}
}

func (f describeFilter) describeConfigs() bool {
	return !f.underReplicated && !f.unavailable && !f.underMinIsr && !f.atMinIsr
}

func (f describeFilter) describePartitions() bool { return !f.overrides }

// partitionDesc is one partition line's content.
type partitionDesc struct {
	topic             string
	partition         int32
	leader            int32 // -1: none
	replicas, isr     []int32
	adding, removing  []int32
	minIsr            int // 0 = unknown
	markedForDeletion bool
}

func (f describeFilter) shouldPrint(d partitionDesc) bool {
	if f.describeConfigs() {
		return true
	}
	switch {
	case f.underReplicated && len(d.isr) < len(d.replicas):
		return true
	case f.unavailable && (d.leader < 0 || !f.liveBrokers[d.leader]):
		return true
	case f.underMinIsr && d.minIsr > 0 && len(d.isr) < d.minIsr:
		return true
	case f.atMinIsr && d.minIsr > 0 && len(d.isr) == d.minIsr:
		return true
	}
	return false
}

// printTopicLine is TopicDescription.printDescription.
func printTopicLine(w io.Writer, topic string, id zkcoord.TopicID, partitions, rf int, configs []string, marked bool) {
	var b strings.Builder
	b.WriteString("Topic: " + topic)
	if !id.IsZero() {
		b.WriteString("\tTopicId: " + id.String())
	}
	fmt.Fprintf(&b, "\tPartitionCount: %d\tReplicationFactor: %d\tConfigs: %s", partitions, rf, strings.Join(configs, ","))
	if marked {
		b.WriteString("\tMarkedForDeletion: true")
	}
	fmt.Fprintln(w, b.String())
}

// printPartitionLine is PartitionDescription.printDescription.
func printPartitionLine(w io.Writer, d partitionDesc) {
	var b strings.Builder
	fmt.Fprintf(&b, "\tTopic: %s\tPartition: %d\tLeader: ", d.topic, d.partition)
	if d.leader >= 0 {
		b.WriteString(strconv.Itoa(int(d.leader)))
	} else {
		b.WriteString("none")
	}
	b.WriteString("\tReplicas: " + topicsJoinIDs(d.replicas, ",", "", ""))
	b.WriteString("\tIsr: " + topicsJoinIDs(d.isr, ",", "", ""))
	if len(d.adding) > 0 || len(d.removing) > 0 {
		b.WriteString("\tAdding Replicas: " + topicsJoinIDs(d.adding, ",", "", ""))
		b.WriteString("\tRemoving Replicas: " + topicsJoinIDs(d.removing, ",", "", ""))
	}
	if d.markedForDeletion {
		b.WriteString("\tMarkedForDeletion: true")
	}
	fmt.Fprintln(w, b.String())
}

func sortedConfigs(cfg map[string]string) []string {
	out := make([]string, 0, len(cfg))
	for k, v := range cfg {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
