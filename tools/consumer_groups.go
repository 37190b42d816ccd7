package tools

// kafka-consumer-groups.sh: kafka.admin.ConsumerGroupCommand (Kafka 2.8,
// bootstrap mode only).
//
// Behaviour:
//   - --list: consumer group ids (protocol type "consumer" or empty), one a
//     line; with --state [s1,s2] a GROUP/STATE table.
//   - --describe (--group g… or --all-groups), groups in name order: the
//     offsets view (default), --members [--verbose] or --state, with
//     Kafka's column widths; Empty/rebalancing notes on stderr, a missing
//     (Dead) group as "Error: Consumer group 'g' does not exist." on stdout.
//   - --reset-offsets with one scenario (--to-earliest, --to-latest,
//     --to-offset, --shift-by, --to-datetime, --by-duration, --to-current,
//     --from-file) and a scope (--topic t[:p,p]… / --all-topics); dry run
//     unless --execute; --export prints CSV. Only Empty or Dead groups.
//     Requested offsets outside [log start, log end] are clamped with
//     Kafka's WARN line. --execute commits with generation -1, no member.
//   - --delete and --delete-offsets print Kafka's result lines.
//   - As in 2.8, failures after the argument checks are printed ("Error:
//     ...") and the exit code stays 0; argument errors print the usage and
//     exit 1.
//
// Not implemented (why): the "--describe" of a group whose protocol type is
// not "consumer" prints no member assignments (Connect groups encode them
// differently; kadm decodes only consumer assignments).

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/urfave/cli/v2"
)

func consumerGroupsCommand() *cli.Command {
	return toolCommand("kafka.admin.ConsumerGroupCommand", runConsumerGroups)
}

func consumerGroupsOptions() *optionParser {
	p := newOptionParser()
	p.arg("bootstrap-server", "REQUIRED: The server(s) to connect to.", "String", "server to connect to")
	p.arg("group", "The consumer group we wish to act on.", "String", "consumer group")
	p.arg("topic", "The topic whose consumer group information should be deleted or topic whose should be included in the reset offset process. In `reset-offsets` case, partitions can be specified using this format: `topic1:0,1,2`, where 0,1,2 are the partition to be included in the process. Reset-offsets also supports multiple topic inputs.", "String", "topic")
	p.flag("all-topics", "Consider all topics assigned to a group in the `reset-offsets` process.")
	p.flag("list", "List all consumer groups.")
	p.flag("describe", "Describe consumer group and list offset lag (number of messages not yet processed) related to given group.")
	p.flag("all-groups", "Apply to all consumer groups.")
	p.flag("delete", "Pass in groups to delete topic partition offsets and ownership information over the entire consumer group. For instance --group g1 --group g2")
	p.arg("timeout", "The timeout that can be set for some use cases. For example, it can be used when describing the group to specify the maximum amount of time in milliseconds to wait before the group stabilizes (when the group is just created, or is going through some changes).", "Long", "timeout (ms)").withDefault("5000")
	p.arg("command-config", "Property file containing configs to be passed to Admin Client and Consumer.", "String", "command config property file")
	p.flag("reset-offsets", "Reset offsets of consumer group. Supports one consumer group at the time, and instances should be inactive\nHas 2 execution options: --dry-run (the default) to plan which offsets to reset, and --execute to update the offsets. Additionally, the --export option is used to export the results to a CSV format.\nYou must choose one of the following reset specifications: --to-datetime, --by-period, --to-earliest, --to-latest, --shift-by, --from-file, --to-current.\nTo define the scope use --all-topics or --topic. One scope must be specified unless you use '--from-file'.")
	p.flag("dry-run", "Only show results without executing changes on Consumer Groups. Supported operations: reset-offsets.")
	p.flag("execute", "Execute operation. Supported operations: reset-offsets.")
	p.flag("export", "Export operation execution to a CSV file. Supported operations: reset-offsets.")
	p.arg("to-offset", "Reset offsets to a specific offset.", "Long", "offset")
	p.arg("from-file", "Reset offsets to values defined in CSV file.", "String", "path to CSV file")
	p.arg("to-datetime", "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss'", "String", "datetime")
	p.arg("by-duration", "Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'", "String", "duration")
	p.flag("to-earliest", "Reset offsets to earliest offset.")
	p.flag("to-latest", "Reset offsets to latest offset.")
	p.flag("to-current", "Reset offsets to current offset.")
	p.arg("shift-by", "Reset offsets shifting current offset by 'n', where 'n' can be positive or negative.", "Long", "number-of-offsets")
	p.flag("members", "Describe members of the group. This option may be used with '--describe' and '--bootstrap-server' options only.\nExample: --bootstrap-server localhost:9092 --describe --group group1 --members")
	p.flag("verbose", "Provide additional information, if any, when describing the group. This option may be used with '--offsets'/'--members'/'--state' and '--bootstrap-server' options only.\nExample: --bootstrap-server localhost:9092 --describe --group group1 --members --verbose")
	p.flag("offsets", "Describe the group and list all topic partitions in the group along with their offset lag. This is the default sub-action of and may be used with '--describe' and '--bootstrap-server' options only.\nExample: --bootstrap-server localhost:9092 --describe --group group1 --offsets")
	p.arg("state", "When specified with '--describe', includes the state of the group.\nExample: --bootstrap-server localhost:9092 --describe --group group1 --state\nWhen specified with '--list', it displays the state of all groups. It can also be used to list groups with specific states.\nExample: --bootstrap-server localhost:9092 --list --state stable,empty\nThis option may be used with '--describe', '--list' and '--bootstrap-server' options only.", "String", "").optionalValue()
	p.flag("delete-offsets", "Delete offsets of consumer group. Supports one consumer group at the time, and multiple topics.")
	return p
}

// resetScenarios are the --reset-offsets specifications, exactly one of
// which is allowed.
var resetScenarios = []string{"to-offset", "shift-by", "to-datetime", "by-duration", "to-earliest", "to-latest", "to-current", "from-file"}

// groupCmd is one run of the command.
type groupCmd struct {
	env     *toolEnv
	p       *optionParser
	o       *optionSet
	adm     *kadm.Client
	timeout time.Duration
}

// groupCmdFailure is an exception caught by ConsumerGroupCommand.run:
// an IllegalArgumentException (illegalArg) prints the usage, anything else
// "Error: Executing consumer group command failed due to <msg>".
type groupCmdFailure struct {
	msg        string
	illegalArg bool
}

// illegalArgument is a groupCmdFailure that prints the usage.
func illegalArgument(format string, a ...any) error {
	return &groupCmdFailure{msg: fmt.Sprintf(format, a...), illegalArg: true}
}

func (e *groupCmdFailure) Error() string { return e.msg }

// usageExit is a usage error already printed; the process exits 1.
type usageExit struct{}

func (usageExit) Error() string { return "usage" }

func runConsumerGroups(ctx context.Context, env *toolEnv, args []string) int {
	p := consumerGroupsOptions()
	o, err := p.parse(args)
	if err != nil {
		return p.usageAndDie(env, err.Error())
	}
	// 2.8 checks the arguments first, then --help, then the action count.
	if code, ok := checkGroupArgs(env, p, o); !ok {
		return code
	}
	if len(args) == 0 || o.has("help") {
		return p.usageAndDie(env, "This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.")
	}
	if o.has("version") {
		fmt.Fprintf(env.Stdout, "%s (Commit:gokafka)\n", kafkaVersion)
		return 0
	}
	actions := 0
	for _, a := range []string{"list", "describe", "delete", "reset-offsets", "delete-offsets"} {
		if o.has(a) {
			actions++
		}
	}
	if actions != 1 {
		return p.usageAndDie(env, "Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets")
	}
	props := map[string]string{}
	if o.has("command-config") {
		var err error
		if props, err = loadProperties(o.value("command-config")); err != nil {
			fmt.Fprintln(env.Stderr, "Exception in thread \"main\" "+noSuchFile(err))
			return 1
		}
	}
	props["bootstrap.servers"] = o.value("bootstrap-server")
	kopts, err := clientOpts(props)
	if err != nil {
		fmt.Fprintf(env.Stderr, "Exception in thread \"main\" org.apache.kafka.common.config.ConfigException: %v\n", err)
		return 1
	}
	cl, err := kgo.NewClient(kopts...)
	if err != nil {
		fmt.Fprintf(env.Stderr, "Exception in thread \"main\" org.apache.kafka.common.KafkaException: %v\n", err)
		return 1
	}
	defer cl.Close()
	g := &groupCmd{env: env, p: p, o: o, adm: kadm.NewClient(cl), timeout: time.Duration(o.int64Value("timeout")) * time.Millisecond}
	g.adm.SetTimeoutMillis(int32(o.int64Value("timeout")))

	switch {
	case o.has("list"):
		err = g.list(ctx)
	case o.has("describe"):
		err = g.describe(ctx)
	case o.has("delete"):
		err = g.deleteGroups(ctx)
	case o.has("reset-offsets"):
		err = g.resetOffsets(ctx)
	case o.has("delete-offsets"):
		err = g.deleteOffsets(ctx)
	}
	var ue usageExit
	if errors.As(err, &ue) {
		return 1
	}
	// run() turns an IllegalArgumentException into the usage.
	var gf *groupCmdFailure
	if errors.As(err, &gf) && gf.illegalArg {
		return p.usageAndDie(env, gf.msg)
	}
	if err != nil {
		printGroupError(env, "Executing consumer group command failed due to "+javaErrorMessage(err))
		fmt.Fprintln(env.Stderr, javaException(err))
	}
	return 0
}

// checkGroupArgs is ConsumerGroupCommandOptions.checkArgs, with
// jopt-simple's availableIf checks of the parse.
func checkGroupArgs(env *toolEnv, p *optionParser, o *optionSet) (int, bool) {
	die := func(msg string) (int, bool) { return p.usageAndDie(env, msg), false }
	// jopt-simple's availableIf.
	for _, sub := range []string{"members", "verbose", "offsets"} {
		if o.has(sub) && !o.has("describe") {
			return die(fmt.Sprintf("Option(s) [%s] are unavailable given other options on the command line", sub))
		}
	}
	if o.has("state") && !o.has("describe") && !o.has("list") {
		return die("Option(s) [state] are unavailable given other options on the command line")
	}
	if code, ok := p.checkRequired(env, o, "bootstrap-server"); !ok {
		return code, false
	}
	groupScope := "[group], [all-groups]"
	if o.has("describe") {
		if !o.has("group") && !o.has("all-groups") {
			return die("Option [describe] takes one of these options: " + groupScope)
		}
		n := 0
		for _, sub := range []string{"members", "offsets", "state"} {
			if o.has(sub) {
				n++
			}
		}
		if n > 1 {
			return die("Option [describe] takes at most one of these options: [members], [offsets], [state]")
		}
		if o.has("state") && len(o.values("state")) > 0 {
			return die("Option [describe] does not take a value for [state]")
		}
	}
	if o.has("delete") {
		if !o.has("group") && !o.has("all-groups") {
			return die("Option [delete] takes one of these options: " + groupScope)
		}
		if o.has("topic") {
			return die("The consumer does not support topic-specific offset deletion from a consumer group.")
		}
	}
	if o.has("delete-offsets") {
		if !o.has("group") || !o.has("topic") {
			return die("Option [delete-offsets] takes the following options: [group], [topic]")
		}
	}
	if o.has("reset-offsets") {
		if o.has("dry-run") && o.has("execute") {
			return die("Option [reset-offsets] only accepts one of [execute] and [dry-run]")
		}
		if !o.has("dry-run") && !o.has("execute") {
			fmt.Fprintln(env.Stderr, "WARN: No action will be performed as the --execute option is missing."+
				"In a future major release, the default behavior of this command will be to prompt the user before "+
				"executing the reset rather than doing a dry run. You should add the --dry-run option explicitly "+
				"if you are scripting this command and want to keep the current default behavior without prompting.")
		}
		if !o.has("group") && !o.has("all-groups") {
			return die("Option [reset-offsets] takes one of these options: " + groupScope)
		}
		for _, a := range resetScenarios {
			for _, b := range resetScenarios {
				if a != b && o.has(a) && o.has(b) {
					return die(fmt.Sprintf("Option \"[%s]\" can't be used with option \"[%s]\"", a, b))
				}
			}
		}
	}
	invalid := func(used string, others ...string) (int, bool) {
		if !o.has(used) {
			return 0, true
		}
		for _, x := range others {
			if o.has(x) {
				return die(fmt.Sprintf("Option \"[%s]\" can't be used with option \"[%s]\"", used, x))
			}
		}
		return 0, true
	}
	if code, ok := invalid("group", "all-groups"); !ok {
		return code, false
	}
	if code, ok := invalid("group", "list"); !ok {
		return code, false
	}
	if code, ok := invalid("topic", "list", "describe"); !ok {
		return code, false
	}
	return 0, true
}

// printGroupError is ConsumerGroupCommand.printError: stdout, after a blank
// line.
func printGroupError(env *toolEnv, msg string) {
	fmt.Fprintf(env.Stdout, "\nError: %s\n", msg)
}

func (g *groupCmd) ctx(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, g.timeout+5*time.Second)
}

// consumerGroups lists the ids of consumer groups (Java's
// listConsumerGroups keeps protocol types "consumer" and "").
func (g *groupCmd) consumerGroups(ctx context.Context, states ...string) (kadm.ListedGroups, error) {
	c, cancel := g.ctx(ctx)
	defer cancel()
	listed, err := g.adm.ListGroups(c, states...)
	if err != nil && len(listed) == 0 {
		return nil, err
	}
	for id, lg := range listed {
		if lg.ProtocolType != "consumer" && lg.ProtocolType != "" {
			delete(listed, id)
		}
	}
	return listed, nil
}

func (g *groupCmd) list(ctx context.Context) error {
	if !g.o.has("state") {
		listed, err := g.consumerGroups(ctx)
		if err != nil {
			return err
		}
		for _, lg := range listed.Sorted() {
			fmt.Fprintln(g.env.Stdout, lg.Group)
		}
		return nil
	}
	var states []string
	if v := g.o.value("state"); v != "" {
		for _, s := range strings.Split(v, ",") {
			st, ok := groupStateName(strings.TrimSpace(s))
			if !ok {
				return illegalArgument("Invalid state list '%s'. Valid states are: PreparingRebalance, CompletingRebalance, Stable, Dead, Empty", v)
			}
			states = append(states, st)
		}
	}
	listed, err := g.consumerGroups(ctx, states...)
	if err != nil {
		return err
	}
	width := 15
	for id := range listed {
		width = max(width, len(id))
	}
	fmt.Fprintf(g.env.Stdout, "%-*s %s\n", width, "GROUP", "STATE")
	for _, lg := range listed.Sorted() {
		fmt.Fprintf(g.env.Stdout, "%-*s %s\n", width, lg.Group, lg.State)
	}
	return nil
}

// groupStateName parses a ConsumerGroupState case-insensitively.
func groupStateName(s string) (string, bool) {
	for _, st := range []string{"PreparingRebalance", "CompletingRebalance", "Stable", "Dead", "Empty", "Unknown"} {
		if strings.EqualFold(s, st) {
			return st, true
		}
	}
	return "", false
}

// selectedGroups is --group… or, with --all-groups, every consumer group.
func (g *groupCmd) selectedGroups(ctx context.Context) ([]string, error) {
	if g.o.has("all-groups") {
		listed, err := g.consumerGroups(ctx)
		if err != nil {
			return nil, err
		}
		var ids []string
		for _, lg := range listed.Sorted() {
			ids = append(ids, lg.Group)
		}
		return ids, nil
	}
	seen := map[string]bool{}
	var ids []string
	for _, id := range g.o.values("group") {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// describeGroups returns each group's description; a group the broker does
// not know is Dead, as a 2.8 broker reports it.
func (g *groupCmd) describeGroups(ctx context.Context, ids []string) (map[string]kadm.DescribedGroup, error) {
	c, cancel := g.ctx(ctx)
	defer cancel()
	described, err := g.adm.DescribeGroups(c, ids...)
	if err != nil && len(described) == 0 {
		return nil, err
	}
	out := map[string]kadm.DescribedGroup{}
	for _, id := range ids {
		d, ok := described[id]
		if !ok || errors.Is(d.Err, kerr.GroupIDNotFound) {
			out[id] = kadm.DescribedGroup{Group: id, State: "Dead"}
			continue
		}
		if d.Err != nil {
			return nil, d.Err
		}
		out[id] = d
	}
	return out, nil
}

// shouldPrint is shouldPrintMemberState: the state notes, and whether a
// table follows.
func (g *groupCmd) shouldPrint(group, state string, rows int, known bool) bool {
	if !known {
		printGroupError(g.env, fmt.Sprintf("The consumer group '%s' does not exist.", group))
		return false
	}
	switch state {
	case "Dead":
		printGroupError(g.env, fmt.Sprintf("Consumer group '%s' does not exist.", group))
	case "Empty":
		fmt.Fprintf(g.env.Stderr, "\nConsumer group '%s' has no active members.\n", group)
	case "PreparingRebalance", "CompletingRebalance":
		fmt.Fprintf(g.env.Stderr, "\nWarning: Consumer group '%s' is rebalancing.\n", group)
	}
	return state != "Dead" && rows > 0
}

// consumerAssignment decodes a member's assignment ("consumer" protocol).
func consumerAssignment(m kadm.DescribedGroupMember) []topicPartition {
	var out []topicPartition
	if c, ok := m.Assigned.AsConsumer(); ok {
		for _, t := range c.Topics {
			for _, p := range t.Partitions {
				out = append(out, topicPartition{t.Topic, p})
			}
		}
	}
	return out
}

type topicPartition struct {
	topic     string
	partition int32
}

func (tp topicPartition) String() string { return fmt.Sprintf("%s-%d", tp.topic, tp.partition) }

func sortTPs(tps []topicPartition) {
	sort.Slice(tps, func(i, j int) bool {
		if tps[i].topic != tps[j].topic {
			return tps[i].topic < tps[j].topic
		}
		return tps[i].partition < tps[j].partition
	})
}

func (g *groupCmd) describe(ctx context.Context) error {
	ids, err := g.selectedGroups(ctx)
	if err != nil {
		return err
	}
	described, err := g.describeGroups(ctx, ids)
	if err != nil {
		return err
	}
	switch {
	case g.o.has("members"):
		for _, id := range ids {
			g.printMembers(described[id], g.o.has("verbose"))
		}
	case g.o.has("state"):
		for _, id := range ids {
			g.printState(described[id])
		}
	default:
		for _, id := range ids {
			if err := g.printOffsets(ctx, described[id]); err != nil {
				return err
			}
		}
	}
	return nil
}

// offsetRow is PartitionAssignmentState.
type offsetRow struct {
	topic, partition, current, end, lag, consumerID, host, clientID string
}

func (g *groupCmd) committed(ctx context.Context, group string) (map[topicPartition]int64, error) {
	c, cancel := g.ctx(ctx)
	defer cancel()
	resp, err := g.adm.FetchOffsets(c, group)
	out := map[topicPartition]int64{}
	if errors.Is(err, kerr.GroupIDNotFound) {
		return out, nil // a 2.8 broker answers an unknown group with no offsets
	}
	if err != nil {
		return nil, err
	}
	for t, ps := range resp {
		for p, r := range ps {
			if r.Err == nil && r.At >= 0 {
				out[topicPartition{t, p}] = r.At
			}
		}
	}
	return out, nil
}

// listOffsets returns the start (which<0: -2), end (-1) or by-time offsets
// of tps; missing partitions are absent from the map.
func (g *groupCmd) listOffsets(ctx context.Context, tps []topicPartition, spec int64) (map[topicPartition]int64, error) {
	topics := map[string]bool{}
	for _, tp := range tps {
		topics[tp.topic] = true
	}
	var names []string
	for t := range topics {
		names = append(names, t)
	}
	out := map[topicPartition]int64{}
	if len(names) == 0 {
		return out, nil
	}
	c, cancel := g.ctx(ctx)
	defer cancel()
	var listed kadm.ListedOffsets
	var err error
	switch spec {
	case -1:
		listed, err = g.adm.ListEndOffsets(c, names...)
	case -2:
		listed, err = g.adm.ListStartOffsets(c, names...)
	default:
		// Java's fallback for "no offset at or after the time" is the
		// log end offset, which is what kadm returns.
		listed, err = g.adm.ListOffsetsAfterMilli(c, spec, names...)
	}
	if err != nil && len(listed) == 0 {
		return nil, err
	}
	listed.Each(func(lo kadm.ListedOffset) {
		if lo.Err == nil && lo.Partition >= 0 {
			out[topicPartition{lo.Topic, lo.Partition}] = lo.Offset
		}
	})
	return out, nil
}

func (g *groupCmd) printOffsets(ctx context.Context, d kadm.DescribedGroup) error {
	committed, err := g.committed(ctx, d.Group)
	if err != nil {
		return err
	}
	var rows []offsetRow
	var all []topicPartition
	assigned := map[topicPartition]bool{}
	type member struct {
		m   kadm.DescribedGroupMember
		tps []topicPartition
	}
	var members []member
	for _, m := range d.Members {
		tps := consumerAssignment(m)
		if len(tps) == 0 {
			continue
		}
		sortTPs(tps)
		members = append(members, member{m, tps})
		for _, tp := range tps {
			assigned[tp] = true
			all = append(all, tp)
		}
	}
	sort.SliceStable(members, func(i, j int) bool { return len(members[i].tps) > len(members[j].tps) })
	var unassigned []topicPartition
	for tp := range committed {
		if !assigned[tp] {
			unassigned = append(unassigned, tp)
			all = append(all, tp)
		}
	}
	sortTPs(unassigned)
	ends, err := g.listOffsets(ctx, all, -1)
	if err != nil {
		return err
	}
	row := func(tp topicPartition, consumerID, host, clientID string) offsetRow {
		r := offsetRow{topic: tp.topic, partition: strconv.Itoa(int(tp.partition)), current: "-", end: "-", lag: "-",
			consumerID: consumerID, host: host, clientID: clientID}
		cur, hasCur := committed[tp]
		end, hasEnd := ends[tp]
		if hasCur {
			r.current = strconv.FormatInt(cur, 10)
		}
		if hasEnd {
			r.end = strconv.FormatInt(end, 10)
		}
		if hasCur && hasEnd {
			r.lag = strconv.FormatInt(end-cur, 10)
		}
		return r
	}
	for _, m := range members {
		for _, tp := range m.tps {
			rows = append(rows, row(tp, m.m.MemberID, m.m.ClientHost, m.m.ClientID))
		}
	}
	for _, tp := range unassigned {
		rows = append(rows, row(tp, "-", "-", "-"))
	}
	if !g.shouldPrint(d.Group, d.State, len(rows), true) {
		return nil
	}
	gw, tw, cw, hw := max(15, len(d.Group)), 15, 15, 15
	for _, r := range rows {
		tw, cw, hw = max(tw, len(r.topic)), max(cw, len(r.consumerID)), max(hw, len(r.host))
	}
	line := func(a ...string) {
		fmt.Fprintf(g.env.Stdout, "%-*s %-*s %-10s %-15s %-15s %-15s %-*s %-*s %s\n", gw, a[0], tw, a[1], a[2], a[3], a[4], a[5], cw, a[6], hw, a[7], a[8])
	}
	fmt.Fprintln(g.env.Stdout)
	line("GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID")
	for _, r := range rows {
		line(d.Group, r.topic, r.partition, r.current, r.end, r.lag, r.consumerID, r.host, r.clientID)
	}
	return nil
}

func (g *groupCmd) printMembers(d kadm.DescribedGroup, verbose bool) {
	if !g.shouldPrint(d.Group, d.State, len(d.Members), true) {
		return
	}
	gw, cw, iw, hw, clw := max(15, len(d.Group)), 15, 17, 15, 15
	withInstance := false
	for _, m := range d.Members {
		cw, hw, clw = max(cw, len(m.MemberID)), max(hw, len(m.ClientHost)), max(clw, len(m.ClientID))
		if m.InstanceID != nil && *m.InstanceID != "" {
			iw = max(iw, len(*m.InstanceID))
			withInstance = true
		}
	}
	w := g.env.Stdout
	fmt.Fprintln(w)
	cols := func(group, id, inst, host, client, n string) {
		if withInstance {
			fmt.Fprintf(w, "%-*s %-*s %-*s %-*s %-*s %-15s ", gw, group, cw, id, iw, inst, hw, host, clw, client, n)
		} else {
			fmt.Fprintf(w, "%-*s %-*s %-*s %-*s %-15s ", gw, group, cw, id, hw, host, clw, client, n)
		}
	}
	cols("GROUP", "CONSUMER-ID", "GROUP-INSTANCE-ID", "HOST", "CLIENT-ID", "#PARTITIONS")
	if verbose {
		fmt.Fprint(w, "ASSIGNMENT")
	}
	fmt.Fprintln(w)
	for _, m := range d.Members {
		tps := consumerAssignment(m)
		inst := ""
		if m.InstanceID != nil {
			inst = *m.InstanceID
		}
		cols(d.Group, m.MemberID, inst, m.ClientHost, m.ClientID, strconv.Itoa(len(tps)))
		if verbose {
			fmt.Fprint(w, formatAssignment(tps))
		}
		fmt.Fprintln(w)
	}
}

// formatAssignment renders "topic1(0,1), topic2(0)", or "-" for none.
func formatAssignment(tps []topicPartition) string {
	if len(tps) == 0 {
		return "-"
	}
	by := map[string][]int{}
	for _, tp := range tps {
		by[tp.topic] = append(by[tp.topic], int(tp.partition))
	}
	var parts []string
	for t, ps := range by {
		sort.Ints(ps)
		s := make([]string, len(ps))
		for i, p := range ps {
			s[i] = strconv.Itoa(p)
		}
		parts = append(parts, t+"("+strings.Join(s, ",")+")")
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func (g *groupCmd) printState(d kadm.DescribedGroup) {
	if !g.shouldPrint(d.Group, d.State, 1, true) {
		return
	}
	coord := fmt.Sprintf("%s:%d (%d)", d.Coordinator.Host, d.Coordinator.Port, d.Coordinator.NodeID)
	cw := max(25, len(coord))
	w := g.env.Stdout
	fmt.Fprintf(w, "\n%-*s %-25s %-20s %-15s %s", cw, "GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS")
	fmt.Fprintf(w, "\n%-*s %-25s %-20s %-15s %d\n", cw, d.Group, coord, d.Protocol, d.State, len(d.Members))
}

func (g *groupCmd) deleteGroups(ctx context.Context) error {
	ids, err := g.selectedGroups(ctx)
	if err != nil {
		return err
	}
	c, cancel := g.ctx(ctx)
	defer cancel()
	resp, err := g.adm.DeleteGroups(c, ids...)
	if err != nil && len(resp) == 0 {
		return err
	}
	var ok, failed []string
	for _, id := range ids {
		r, found := resp[id]
		if found && r.Err == nil {
			ok = append(ok, id)
		} else {
			failed = append(failed, id)
		}
	}
	quote := func(xs []string) string { return "'" + strings.Join(xs, "', '") + "'" }
	if len(failed) == 0 {
		fmt.Fprintf(g.env.Stdout, "Deletion of requested consumer groups (%s) was successful.\n", quote(ok))
		return nil
	}
	printGroupError(g.env, "Deletion of some consumer groups failed:")
	for _, id := range failed {
		e := error(kerr.GroupIDNotFound)
		if r, found := resp[id]; found && r.Err != nil {
			e = r.Err
		}
		fmt.Fprintf(g.env.Stdout, "* Group '%s' could not be deleted due to: %s\n", id, javaException(e))
	}
	if len(ok) > 0 {
		fmt.Fprintf(g.env.Stdout, "\nThese consumer groups were deleted successfully: %s\n", quote(ok))
	}
	return nil
}

func (g *groupCmd) deleteOffsets(ctx context.Context) error {
	group := g.o.value("group")
	topics := g.o.values("topic")
	set := kadm.TopicsSet{}
	results := map[topicPartition]error{}
	var whole []string
	for _, t := range topics {
		if name, parts, ok := strings.Cut(t, ":"); ok {
			for _, p := range strings.Split(parts, ",") {
				n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 32)
				if err != nil {
					return illegalArgument("For input string: \"%s\"", p)
				}
				set.Add(name, int32(n))
			}
		} else {
			whole = append(whole, t)
		}
	}
	if len(whole) > 0 {
		c, cancel := g.ctx(ctx)
		md, err := g.adm.Metadata(c, whole...)
		cancel()
		if err != nil {
			return err
		}
		for _, t := range whole {
			td, ok := md.Topics[t]
			if !ok || td.Err != nil {
				results[topicPartition{t, -1}] = kerr.UnknownTopicOrPartition
				continue
			}
			for p := range td.Partitions {
				set.Add(t, p)
			}
		}
	}
	c, cancel := g.ctx(ctx)
	resp, err := g.adm.DeleteOffsets(c, group, set)
	cancel()
	top := err
	for _, tp := range set.Sorted() {
		for _, p := range tp.Partitions {
			k := topicPartition{tp.Topic, p}
			switch {
			case top != nil:
				results[k] = top
			default:
				e, _ := resp.Lookup(tp.Topic, p)
				results[k] = e
			}
		}
	}
	if top == nil {
		for _, e := range results {
			if e != nil {
				top = e
				break
			}
		}
	}
	switch {
	case top == nil:
		fmt.Fprintf(g.env.Stdout, "Request succeed for deleting offsets with topic %s group %s\n", strings.Join(topics, ", "), group)
	case errors.Is(top, kerr.InvalidGroupID):
		printGroupError(g.env, fmt.Sprintf("'%s' is not valid.", group))
	case errors.Is(top, kerr.GroupIDNotFound):
		printGroupError(g.env, fmt.Sprintf("'%s' does not exist.", group))
	case errors.Is(top, kerr.GroupAuthorizationFailed):
		printGroupError(g.env, fmt.Sprintf("Access to '%s' is not authorized.", group))
	case errors.Is(top, kerr.NonEmptyGroup):
		printGroupError(g.env, fmt.Sprintf("Deleting offsets of a consumer group '%s' is forbidden if the group is not empty.", group))
	case errors.Is(top, kerr.GroupSubscribedToTopic), errors.Is(top, kerr.TopicAuthorizationFailed), errors.Is(top, kerr.UnknownTopicOrPartition):
		printGroupError(g.env, "Encounter some partition level error, see the follow-up details:")
	default:
		printGroupError(g.env, fmt.Sprintf("Encounter some unknown error: %s", javaErrorName(top)))
	}
	keys := make([]topicPartition, 0, len(results))
	for k := range results {
		keys = append(keys, k)
	}
	// Kafka sorts by topic + partition as one string.
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].topic+strconv.Itoa(int(keys[i].partition)) < keys[j].topic+strconv.Itoa(int(keys[j].partition))
	})
	fmt.Fprintf(g.env.Stdout, "\n%-30s %-15s %-15s\n", "TOPIC", "PARTITION", "STATUS")
	for _, k := range keys {
		status := "Successful"
		if e := results[k]; e != nil {
			status = "Error: :" + javaErrorMessage(e)
		}
		fmt.Fprintf(g.env.Stdout, "%-30s %-15s %-15s\n", k.topic, strconv.Itoa(int(k.partition)), status)
	}
	return nil
}

// ---------------------------------------------------------------------------
// --reset-offsets

func (g *groupCmd) resetOffsets(ctx context.Context) error {
	ids, err := g.selectedGroups(ctx)
	if err != nil {
		return err
	}
	var plan map[string]map[topicPartition]int64
	if g.o.has("from-file") {
		if plan, err = g.readResetPlan(); err != nil {
			return err
		}
	}
	described, err := g.describeGroups(ctx, ids)
	if err != nil {
		return err
	}
	result := map[string]map[topicPartition]int64{}
	var order []string
	for _, id := range ids {
		d := described[id]
		if d.State != "Empty" && d.State != "Dead" {
			printGroupError(g.env, fmt.Sprintf("Assignments can only be reset if the group '%s' is inactive, but the current state is %s.", id, d.State))
			result[id] = nil
			order = append(order, id)
			continue
		}
		tps, err := g.partitionsToReset(ctx, id)
		if err != nil {
			return err
		}
		offsets, err := g.prepareOffsets(ctx, id, tps, plan)
		if err != nil {
			return err
		}
		if g.o.has("execute") && len(offsets) > 0 {
			commit := kadm.Offsets{}
			for tp, off := range offsets {
				commit.Add(kadm.Offset{Topic: tp.topic, Partition: tp.partition, At: off, LeaderEpoch: -1})
			}
			c, cancel := g.ctx(ctx)
			resp, err := g.adm.CommitOffsets(c, id, commit)
			cancel()
			if err == nil {
				err = resp.Error()
			}
			if err != nil {
				return err
			}
		}
		result[id] = offsets
		order = append(order, id)
	}
	if g.o.has("export") {
		single := len(g.o.values("group")) == 1
		var sb strings.Builder
		for _, id := range order {
			tps := sortedKeys(result[id])
			for _, tp := range tps {
				if single {
					fmt.Fprintf(&sb, "%s,%d,%d\n", tp.topic, tp.partition, result[id][tp])
				} else {
					fmt.Fprintf(&sb, "%s,%s,%d,%d\n", id, tp.topic, tp.partition, result[id][tp])
				}
			}
		}
		fmt.Fprintln(g.env.Stdout, sb.String())
		return nil
	}
	if len(result) > 0 {
		fmt.Fprintf(g.env.Stdout, "\n%-30s %-30s %-10s %-15s\n", "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET")
	}
	for _, id := range order {
		for _, tp := range sortedKeys(result[id]) {
			fmt.Fprintf(g.env.Stdout, "%-30s %-30s %-10s %-15s\n", id, tp.topic, strconv.Itoa(int(tp.partition)), strconv.FormatInt(result[id][tp], 10))
		}
	}
	return nil
}

func sortedKeys(m map[topicPartition]int64) []topicPartition {
	out := make([]topicPartition, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortTPs(out)
	return out
}

// partitionsToReset is the scope: --all-topics (the committed partitions),
// --topic t[:p,p]…, or the file's partitions.
func (g *groupCmd) partitionsToReset(ctx context.Context, group string) ([]topicPartition, error) {
	switch {
	case g.o.has("all-topics"):
		committed, err := g.committed(ctx, group)
		if err != nil {
			return nil, err
		}
		var tps []topicPartition
		for tp := range committed {
			tps = append(tps, tp)
		}
		sortTPs(tps)
		return tps, nil
	case g.o.has("topic"):
		var tps, whole []topicPartition
		var names []string
		for _, t := range g.o.values("topic") {
			if name, parts, ok := strings.Cut(t, ":"); ok {
				for _, p := range strings.Split(parts, ",") {
					n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 32)
					if err != nil {
						return nil, illegalArgument("For input string: \"%s\"", p)
					}
					tps = append(tps, topicPartition{name, int32(n)})
				}
			} else {
				names = append(names, t)
			}
		}
		if len(names) > 0 {
			c, cancel := g.ctx(ctx)
			md, err := g.adm.Metadata(c, names...)
			cancel()
			if err != nil {
				return nil, err
			}
			for _, t := range names {
				td, ok := md.Topics[t]
				if !ok || td.Err != nil {
					return nil, kerr.UnknownTopicOrPartition
				}
				for p := range td.Partitions {
					whole = append(whole, topicPartition{t, p})
				}
			}
		}
		sortTPs(whole)
		return append(tps, whole...), nil
	case g.o.has("from-file"):
		return nil, nil
	}
	g.p.usageAndDie(g.env, "One of the reset scopes should be defined: --all-topics, --topic.")
	return nil, usageExit{}
}

// prepareOffsets computes the new offsets of one group.
func (g *groupCmd) prepareOffsets(ctx context.Context, group string, tps []topicPartition, plan map[string]map[topicPartition]int64) (map[topicPartition]int64, error) {
	o := g.o
	out := map[topicPartition]int64{}
	fromLog := func(spec int64, what string) (map[topicPartition]int64, error) {
		offs, err := g.listOffsets(ctx, tps, spec)
		if err != nil {
			return nil, err
		}
		for _, tp := range tps {
			off, ok := offs[tp]
			if !ok {
				g.p.usageAndDie(g.env, fmt.Sprintf("Error getting %s of topic partition: %s", what, tp))
				return nil, usageExit{}
			}
			out[tp] = off
		}
		return out, nil
	}
	switch {
	case o.has("to-offset"):
		req := map[topicPartition]int64{}
		for _, tp := range tps {
			req[tp] = o.int64Value("to-offset")
		}
		return g.checkRange(ctx, req)
	case o.has("to-earliest"):
		return fromLog(-2, "starting offset")
	case o.has("to-latest"):
		return fromLog(-1, "ending offset")
	case o.has("shift-by"):
		committed, err := g.committed(ctx, group)
		if err != nil {
			return nil, err
		}
		req := map[topicPartition]int64{}
		for _, tp := range tps {
			cur, ok := committed[tp]
			if !ok {
				return nil, illegalArgument("Cannot shift offset for partition %s since there is no current committed offset", tp)
			}
			req[tp] = cur + o.int64Value("shift-by")
		}
		return g.checkRange(ctx, req)
	case o.has("to-datetime"):
		ts, err := parseResetDatetime(o.value("to-datetime"))
		if err != nil {
			return nil, err
		}
		return fromLog(ts, "offset by timestamp")
	case o.has("by-duration"):
		d, err := parseJavaDuration(o.value("by-duration"))
		if err != nil {
			return nil, err
		}
		return fromLog(time.Now().Add(-d).UnixMilli(), "offset by timestamp")
	case o.has("from-file"):
		p, ok := plan[group]
		if !ok {
			printGroupError(g.env, fmt.Sprintf("No reset plan for group %s found", group))
			return out, nil
		}
		return g.checkRange(ctx, p)
	case o.has("to-current"):
		committed, err := g.committed(ctx, group)
		if err != nil {
			return nil, err
		}
		var missing []topicPartition
		for _, tp := range tps {
			if cur, ok := committed[tp]; ok {
				out[tp] = cur
			} else {
				missing = append(missing, tp)
			}
		}
		ends, err := g.listOffsets(ctx, missing, -1)
		if err != nil {
			return nil, err
		}
		for _, tp := range missing {
			end, ok := ends[tp]
			if !ok {
				g.p.usageAndDie(g.env, fmt.Sprintf("Error getting ending offset of topic partition: %s", tp))
				return nil, usageExit{}
			}
			out[tp] = end
		}
		return out, nil
	}
	g.p.usageAndDie(g.env, "Option '[reset-offsets]' requires one of the following scenarios: Set(["+strings.Join(resetScenarios, "], [")+"])")
	return nil, usageExit{}
}

// checkRange is checkOffsetsRange: requested offsets are clamped to the
// log's [start, end], with a WARN line for each.
func (g *groupCmd) checkRange(ctx context.Context, req map[topicPartition]int64) (map[topicPartition]int64, error) {
	tps := sortedKeys(req)
	starts, err := g.listOffsets(ctx, tps, -2)
	if err != nil {
		return nil, err
	}
	ends, err := g.listOffsets(ctx, tps, -1)
	if err != nil {
		return nil, err
	}
	out := map[topicPartition]int64{}
	for _, tp := range tps {
		off := req[tp]
		end, ok := ends[tp]
		if !ok {
			return nil, &groupCmdFailure{msg: fmt.Sprintf("Unexpected non-existing offset value for topic partition %s", tp)}
		}
		switch start, hasStart := starts[tp]; {
		case off > end:
			logLine(g.env.Stderr, "WARN", fmt.Sprintf("New offset (%d) is higher than latest offset for topic partition %s. Value will be set to %d", off, tp, end), "kafka.admin.ConsumerGroupCommand$")
			off = end
		case hasStart && off < start:
			logLine(g.env.Stderr, "WARN", fmt.Sprintf("New offset (%d) is lower than earliest offset for topic partition %s. Value will be set to %d", off, tp, start), "kafka.admin.ConsumerGroupCommand$")
			off = start
		}
		out[tp] = off
	}
	return out, nil
}

// readResetPlan parses --from-file: "topic,partition,offset" lines for a
// single --group, else "group,topic,partition,offset".
func (g *groupCmd) readResetPlan() (map[string]map[topicPartition]int64, error) {
	b, err := os.ReadFile(g.o.value("from-file"))
	if err != nil {
		return nil, &groupCmdFailure{msg: fmt.Sprintf("%s (No such file or directory)", g.o.value("from-file"))}
	}
	plan := map[string]map[topicPartition]int64{}
	groups := g.o.values("group")
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	noGroup := len(groups) == 1 && len(lines) > 0 && len(strings.Split(lines[0], ",")) == 3
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.Split(line, ",")
		group := ""
		if noGroup && len(f) == 3 {
			group = groups[0]
		} else if len(f) == 4 {
			group, f = f[0], f[1:]
		} else {
			return nil, &groupCmdFailure{msg: fmt.Sprintf("Too many or too few entries on line: %s", line)}
		}
		p, err1 := strconv.ParseInt(f[1], 10, 32)
		off, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, &groupCmdFailure{msg: fmt.Sprintf("Cannot parse line: %s", line)}
		}
		if plan[group] == nil {
			plan[group] = map[topicPartition]int64{}
		}
		plan[group][topicPartition{f[0], int32(p)}] = off
	}
	return plan, nil
}

// parseResetDatetime is Utils.getDateTime: ISO-8601 with milliseconds, UTC
// unless a zone is given.
func parseResetDatetime(s string) (int64, error) {
	date, clock, ok := strings.Cut(s, "T")
	if !ok {
		return 0, illegalArgument("Error parsing timestamp. It does not contain a 'T' according to ISO8601 format")
	}
	if clock == "" {
		return 0, illegalArgument("Error parsing time. Time part after 'T' is null or empty")
	}
	_ = date
	if !strings.ContainsAny(clock, "+-Z") {
		s += "Z"
	}
	for _, layout := range []string{"2006-01-02T15:04:05.000Z07:00", "2006-01-02T15:04:05.000Z0700", "2006-01-02T15:04:05.000Z07"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMilli(), nil
		}
	}
	return 0, &groupCmdFailure{msg: fmt.Sprintf("Unparseable date: \"%s\"", s)}
}

var javaDurationPattern = regexp.MustCompile(`(?i)^([-+]?)P(?:([-+]?[0-9]+)D)?(T(?:([-+]?[0-9]+)H)?(?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{0,9}))?S)?)?$`)

// parseJavaDuration is java.time.Duration.parse ("PnDTnHnMn.nS").
func parseJavaDuration(s string) (time.Duration, error) {
	m := javaDurationPattern.FindStringSubmatch(s)
	if m == nil || (m[2] == "" && m[4] == "" && m[5] == "" && m[6] == "") || m[3] == "T" {
		return 0, &groupCmdFailure{msg: fmt.Sprintf("Text cannot be parsed to a Duration")}
	}
	n := func(v string) int64 { x, _ := strconv.ParseInt(v, 10, 64); return x }
	d := time.Duration(n(m[2]))*24*time.Hour + time.Duration(n(m[4]))*time.Hour + time.Duration(n(m[5]))*time.Minute + time.Duration(n(m[6]))*time.Second
	if m[7] != "" {
		frac := (m[7] + "000000000")[:9]
		ns := time.Duration(n(frac))
		if strings.HasPrefix(m[6], "-") {
			ns = -ns
		}
		d += ns
	}
	if m[1] == "-" {
		d = -d
	}
	return d, nil
}
