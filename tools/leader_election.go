package tools

// kafka-leader-election.sh: kafka.admin.LeaderElectionCommand (Kafka 2.8).
//
// Behaviour:
//   - --bootstrap-server and --election-type (preferred or unclean, any
//     case, as jopt-simple's EnumConverter) are required, then exactly one
//     of --topic (with --partition), --all-topic-partitions and
//     --path-to-json-file ({"partitions":[{"topic":"t","partition":0}]}).
//     2.8 checks these in LeaderElectionCommand.validate and throws
//     AdminCommandFailedException outside any handler: the JVM prints
//     "Exception in thread "main" kafka.common.AdminCommandFailedException:
//     ..." on stderr, exit 1, no usage. Parse errors likewise.
//   - One ElectLeaders request (all partitions when none are named), then
//     "Successfully completed leader election (PREFERRED) for partitions
//     t-0, t-1", "Valid replica already elected for partitions ..." and
//     "Error completing leader election (PREFERRED) for partition: t-0:
//     <exception>" on stdout; any failure ends in "N replica(s) could not be
//     elected", exit 1.
//   - 2.8 prints the *succeeded* partitions after "Valid replica already
//     elected for partitions" (a bug fixed in 3.0); copied.
//
// Not implemented (why): the partitions of each line come out sorted by
// topic and partition; Kafka prints them in hash-set order, which no user
// relies on.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/urfave/cli/v2"
)

func leaderElectionCommand() *cli.Command {
	return toolCommand("kafka.admin.LeaderElectionCommand", runLeaderElection)
}

// leaderElectionTimeout is the 30 s LeaderElectionCommand.main passes to run
// (the admin client's default.api.timeout.ms).
var leaderElectionTimeout = 30 * time.Second

func leaderElectionOptions() *optionParser {
	p := newOptionParser()
	p.arg("bootstrap-server", "A hostname and port for the broker to connect to, in the form host:port. Multiple comma separated URLs can be given. REQUIRED.", "String", "host:port")
	p.arg("admin.config", "Configuration properties files to pass to the admin client", "String", "config file")
	p.arg("path-to-json-file", "The JSON file with the list  of partition for which leader elections should be performed. This is an example format. \n"+
		"{\"partitions\":\n\t[{\"topic\": \"foo\", \"partition\": 1},\n\t {\"topic\": \"foobar\", \"partition\": 2}]\n}\n"+
		"Not allowed if --all-topic-partitions or --topic flags are specified.", "String", "Path to JSON file")
	p.arg("topic", "Name of topic for which to perform an election. Not allowed if --path-to-json-file or --all-topic-partitions is specified.", "String", "topic name")
	p.arg("partition", "Partition id for which to perform an election. REQUIRED if --topic is specified.", "Integer", "partition id")
	p.flag("all-topic-partitions", "Perform election on all of the eligible topic partitions based on the type of election (see the --election-type flag). Not allowed if --topic or --path-to-json-file is specified.")
	p.arg("election-type", "Type of election to attempt. Possible values are \"preferred\" for preferred leader election or \"unclean\" for unclean leader election. If preferred election is selection, the election is only performed if the current leader is not the preferred leader for the topic partition. If unclean election is selected, the election is only performed if there are no leader for the topic partition. REQUIRED.", "[PREFERRED,UNCLEAN]", "election type")
	return p
}

func runLeaderElection(ctx context.Context, env *toolEnv, args []string) int {
	p := leaderElectionOptions()
	o, err := p.parse(args)
	if err != nil {
		return uncaught(env.Stderr, joptException(err))
	}
	o, code, ok := p.parseStandard(env, args, "This tool attempts to elect a new leader for a set of topic partitions. The type of elections supported are preferred replicas and unclean replicas.")
	if !ok {
		return code
	}
	if err := validateLeaderElection(o); err != nil {
		return uncaught(env.Stderr, err)
	}
	unclean, err := parseElectionType(o.value("election-type"))
	if err != nil {
		return uncaught(env.Stderr, err)
	}
	var parts []topicPart // nil: every partition
	switch {
	case o.has("path-to-json-file"):
		s, err := readFileAsString(o.value("path-to-json-file"))
		if err == nil {
			parts, err = parseElectionJSON(s, "Replica election data", "Replica election data is missing \"partitions\" field")
		}
		if err != nil {
			return uncaught(env.Stderr, err)
		}
	case o.has("topic"):
		parts = []topicPart{{o.value("topic"), int32(o.intValue("partition"))}}
	}
	props := map[string]string{}
	if o.has("admin.config") {
		if props, err = loadProperties(o.value("admin.config")); err != nil {
			return uncaught(env.Stderr, newJexc(clsNoSuchFile, "%s", strings.TrimSuffix(err.Error(), " (No such file or directory)")))
		}
	}
	cl, err := electionClient(props, o.value("bootstrap-server"))
	if err != nil {
		return uncaught(env.Stderr, err)
	}
	defer cl.Close()

	typ := "PREFERRED"
	if unclean {
		typ = "UNCLEAN"
	}
	out, err := electLeaders(ctx, cl, unclean, parts, leaderElectionTimeout)
	if err != nil {
		return electionRequestFailed(env, err)
	}
	if len(out.succeeded) > 0 {
		fmt.Fprintf(env.Stdout, "Successfully completed leader election (%s) for partitions %s\n", typ, joinTPs(out.succeeded, ", "))
	}
	if len(out.noop) > 0 {
		// Kafka 2.8 prints the succeeded set here, not the no-op one.
		fmt.Fprintf(env.Stdout, "Valid replica already elected for partitions %s\n", joinTPs(out.succeeded, ", "))
	}
	if len(out.failed) > 0 {
		for _, p := range out.failed {
			fmt.Fprintf(env.Stdout, "Error completing leader election (%s) for partition: %s: %s\n", typ, p, throwableString(out.errs[p]))
		}
		return uncaught(env.Stderr, newJexc(clsAdminCommandFailed, "%d replica(s) could not be elected", len(out.failed)))
	}
	return 0
}

// validateLeaderElection is LeaderElectionCommand.validate.
func validateLeaderElection(o *optionSet) error {
	var missing []string
	// Kafka prepends to a list: election-type comes out first.
	if !o.has("election-type") {
		missing = append(missing, "election-type")
	}
	if !o.has("bootstrap-server") {
		missing = append(missing, "bootstrap-server")
	}
	if len(missing) > 0 {
		return newJexc(clsAdminCommandFailed, "Missing required option(s): %s", strings.Join(missing, ", "))
	}
	n := 0
	for _, name := range []string{"topic", "all-topic-partitions", "path-to-json-file"} {
		if o.has(name) {
			n++
		}
	}
	if n != 1 {
		return newJexc(clsAdminCommandFailed, "One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file")
	}
	switch {
	case o.has("topic") && !o.has("partition"):
		return newJexc(clsAdminCommandFailed, "Missing required option(s): partition")
	case !o.has("topic") && o.has("partition"):
		return newJexc(clsAdminCommandFailed, "Option partition is only allowed if topic is used")
	}
	return nil
}

// parseElectionType is jopt-simple's EnumConverter over ElectionType:
// case-insensitive; true for UNCLEAN.
func parseElectionType(v string) (bool, error) {
	switch strings.ToUpper(v) {
	case "PREFERRED":
		return false, nil
	case "UNCLEAN":
		return true, nil
	}
	return false, &jexc{class: "joptsimple.OptionArgumentConversionException",
		msg:   fmt.Sprintf("Cannot parse argument '%s' of option election-type", v),
		cause: newJexc("joptsimple.ValueConversionException", "Value [%s] is not one of [PREFERRED,UNCLEAN]", v)}
}

// parseElectionJSON reads {"partitions":[{"topic":"t","partition":0}]},
// as both election tools' parseReplicaElectionData / parsePreferredReplica
// ElectionData do: what stands for "data" differs between them ("Replica
// election data", "Preferred replica election data"), and so does the
// message for a missing "partitions" field.
func parseElectionJSON(s, what, missingPartitions string) ([]topicPart, error) {
	js, err := parseKafkaJSON(s)
	if err != nil {
		// Json.parseFull turns any parse failure into None.
		return nil, newJexc(clsAdminOperation, "%s is empty", what)
	}
	obj, err := js.object()
	if err != nil {
		return nil, err
	}
	list, ok := obj["partitions"]
	if !ok {
		return nil, newJexc(clsAdminOperation, "%s", missingPartitions)
	}
	arr, err := list.array()
	if err != nil {
		return nil, err
	}
	var parts []topicPart
	for _, e := range arr {
		po, err := e.object()
		if err != nil {
			return nil, err
		}
		topic, err := stringField(po, "topic")
		if err != nil {
			return nil, err
		}
		partition, err := intField(po, "partition")
		if err != nil {
			return nil, err
		}
		parts = append(parts, topicPart{topic, partition})
	}
	if dups := duplicates(parts); len(dups) > 0 {
		return nil, newJexc(clsAdminOperation, "%s contains duplicate partitions: %s", what, joinTPs(dups, ","))
	}
	// The tools hand a Set to the admin client.
	seen := map[topicPart]bool{}
	out := parts[:0]
	for _, p := range parts {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	if out == nil {
		out = []topicPart{}
	}
	return out, nil
}

// electionClient is the admin client of the election tools: admin.config
// properties, then bootstrap.servers.
func electionClient(props map[string]string, bootstrap string) (*kgo.Client, error) {
	props = mergeProps(props, map[string]string{"bootstrap.servers": bootstrap})
	kopts, err := clientOpts(props)
	if err != nil {
		return nil, newJexc("org.apache.kafka.common.config.ConfigException", "%v", err)
	}
	cl, err := kgo.NewClient(kopts...)
	if err != nil {
		return nil, newJexc("org.apache.kafka.common.KafkaException", "Failed to create new KafkaAdminClient")
	}
	return cl, nil
}

// electionOutcome is an ElectLeaders answer split as the tools report it,
// each list sorted.
type electionOutcome struct {
	succeeded, noop, failed []topicPart
	errs                    map[topicPart]error
}

// electLeaders sends one ElectLeaders request (to the controller; parts nil
// = every partition), waiting up to timeout as the admin client's
// default.api.timeout.ms.
func electLeaders(ctx context.Context, cl *kgo.Client, unclean bool, parts []topicPart, timeout time.Duration) (electionOutcome, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req := kmsg.NewPtrElectLeadersRequest()
	if unclean {
		req.ElectionType = 1
	}
	req.TimeoutMillis = int32(timeout / time.Millisecond)
	if parts != nil {
		req.Topics = []kmsg.ElectLeadersRequestTopic{}
		idx := map[string]int{}
		for _, p := range parts {
			i, ok := idx[p.Topic]
			if !ok {
				i = len(req.Topics)
				idx[p.Topic] = i
				t := kmsg.NewElectLeadersRequestTopic()
				t.Topic = p.Topic
				req.Topics = append(req.Topics, t)
			}
			req.Topics[i].Partitions = append(req.Topics[i].Partitions, p.Partition)
		}
	}
	var resp *kmsg.ElectLeadersResponse
	err := untilReachable(ctx, func() error {
		var err error
		resp, err = req.RequestWith(ctx, cl)
		return err
	})
	if err != nil {
		return electionOutcome{}, err
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return electionOutcome{}, err
	}
	out := electionOutcome{errs: map[topicPart]error{}}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			part := topicPart{t.Topic, p.Partition}
			perr := kerr.ErrorForCode(p.ErrorCode)
			switch {
			case perr == nil:
				out.succeeded = append(out.succeeded, part)
			case errors.Is(perr, kerr.ElectionNotNeeded):
				out.noop = append(out.noop, part)
			default:
				out.failed = append(out.failed, part)
				out.errs[part] = withMessage(perr, p.ErrorMessage)
			}
		}
	}
	for _, l := range [][]topicPart{out.succeeded, out.noop, out.failed} {
		sort.Slice(l, func(i, j int) bool { return tpLess(l[i], l[j]) })
	}
	return out, nil
}

// electionRequestFailed reports a failed ElectLeaders call as the election
// tools' catch blocks do.
func electionRequestFailed(env *toolEnv, err error) int {
	var ke *kerr.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintln(env.Stdout, "Timeout waiting for election results")
		return uncaught(env.Stderr, &jexc{class: clsAdminCommandFailed, msg: "Timeout waiting for election results",
			cause: newJexc(clsTimeout, "Aborted due to timeout.")})
	case errors.Is(err, kerr.ClusterAuthorizationFailed):
		fmt.Fprintln(env.Stdout, "Not authorized to perform leader election")
		return uncaught(env.Stderr, &jexc{class: clsAdminCommandFailed, msg: "Not authorized to perform leader election", cause: err})
	case errors.As(err, &ke):
		return uncaught(env.Stderr, executionException(err))
	}
	fmt.Fprintln(env.Stdout, "Error while making request")
	return uncaught(env.Stderr, err)
}
