package tools

// kafka-run-class.sh kafka.tools.GetOffsetShell (and bin/kafka-get-offsets.sh).
//
// Behaviour (Kafka 2.8's GetOffsetShell, with 3.0's additions accepted):
//   - Prints "topic:partition:offset" per partition, sorted by partition,
//     for --time -1 (latest, the default), -2 (earliest) or a timestamp in
//     ms (the first offset whose timestamp is at or after it; empty when
//     there is none).
//   - --broker-list (2.8's spelling, REQUIRED) or --bootstrap-server (3.0's),
//     host:port checked as ToolsUtils.validatePortOrDie does.
//   - --topic names one topic ("Topic t does not exist" on stderr, exit 1,
//     as 2.8); --partitions a comma-separated list of ids ("Error:
//     partition N does not exist" for each missing one). A partition
//     without leader is reported on stderr and skipped.
//   - 3.0's forms also work: --topic as a regular expression when no topic
//     has that exact name, no --topic (every topic), --topic-partitions,
//     --exclude-internal-topics, --command-config; their failures print
//     "Error occurred: <message>" and exit 1, as 3.0 does.
//
// Not implemented (why): --offsets and --max-wait-ms are accepted and
// ignored, as 2.x ignores them.

import (
	"context"
	"fmt"
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

func getOffsetShellCommand() *cli.Command {
	return toolCommand("kafka.tools.GetOffsetShell", runGetOffsetShell)
}

func getOffsetShellOptions() *optionParser {
	p := newOptionParser()
	p.arg("broker-list", "REQUIRED: The list of hostname and port of the server to connect to.", "String", "hostname:port,...,hostname:port")
	p.arg("bootstrap-server", "The server(s) to connect to in the form HOST1:PORT1,HOST2:PORT2 (instead of --broker-list).", "String", "HOST1:PORT1,...,HOST3:PORT3")
	p.arg("topic-partitions", "Comma separated list of topic-partition patterns to get the offsets for, with the format of '([^:,]*)(?::(?:([0-9]*)|(?:([0-9]*)-([0-9]*))))?'. The first group is an optional regex for the topic name, if omitted, it matches any topic name. The section after ':' describes a 'partition' pattern, which can be: a number, a range in the format of 'NUMBER-NUMBER' (lower inclusive, upper exclusive), an inclusive lower bound in the format of 'NUMBER-', an exclusive upper bound in the format of '-NUMBER' or may be omitted to accept all partitions.", "String", "topic1:1,topic2:0-3,topic3,topic4:5-,topic5:-3")
	p.arg("topic", "REQUIRED: The topic to get offset from.", "String", "topic")
	p.arg("partitions", "comma separated list of partition ids. If not specified, it will find offsets for all partitions", "String", "partition ids")
	p.arg("time", "timestamp of the offsets before that. [Note: No offset is returned, if the timestamp greater than recently commited record timestamp is given.]", "Long", "timestamp/-1(latest)/-2(earliest)").withDefault("-1")
	p.arg("command-config", "Property file containing configs to be passed to Consumer Client.", "String", "config file")
	p.flag("exclude-internal-topics", "By default, internal topics are included. If specified, internal topics are excluded.")
	p.arg("offsets", "DEPRECATED AND IGNORED: number of offsets returned", "Integer", "count").withDefault("1")
	p.arg("max-wait-ms", "DEPRECATED AND IGNORED: The max amount of time each fetch request waits.", "Integer", "ms").withDefault("1000")
	return p
}

// partitionFilter selects partitions of one topic-name pattern.
type partitionFilter struct {
	topic  *regexp.Regexp // nil: any topic
	accept func(p int32) bool
}

func runGetOffsetShell(ctx context.Context, env *toolEnv, args []string) int {
	p := getOffsetShellOptions()
	o, err := p.parse(args)
	if err != nil {
		return p.usageAndDie(env, err.Error())
	}
	if len(args) == 0 || o.has("help") {
		return p.usageAndDie(env, "An interactive shell for getting topic offsets.")
	}
	if !o.has("bootstrap-server") {
		if code, ok := p.checkRequired(env, o, "broker-list"); !ok {
			return code
		}
	}
	servers := o.value("broker-list")
	if o.has("bootstrap-server") {
		servers = o.value("bootstrap-server")
	}
	if !validHostPorts(servers) {
		return p.usageAndDie(env, hostPortMessage)
	}
	fail := func(msg string) int {
		fmt.Fprintf(env.Stdout, "Error occurred: %s\n", msg)
		return 1
	}
	if o.has("topic-partitions") && (o.has("topic") || o.has("partitions")) {
		return fail("--topic-partitions cannot be used with --topic or --partitions")
	}
	var requested map[int32]bool // 2.8's --partitions
	if v := o.value("partitions"); v != "" {
		requested = map[int32]bool{}
		for _, ps := range strings.Split(v, ",") {
			n, err := strconv.ParseInt(ps, 10, 32)
			if err != nil {
				fmt.Fprintf(env.Stderr, "--partitions expects a comma separated list of numeric partition ids, but received: %s\n", v)
				return 1
			}
			requested[int32(n)] = true
		}
	}
	filters, err := offsetShellFilters(o)
	if err != nil {
		return fail(err.Error())
	}
	props := map[string]string{}
	if o.has("command-config") {
		if props, err = loadProperties(o.value("command-config")); err != nil {
			return fail(err.Error())
		}
	}
	props["bootstrap.servers"] = servers
	if !hasKey(props, "client.id") {
		props["client.id"] = "GetOffsetShell"
	}
	kopts, err := clientOpts(props)
	if err != nil {
		return fail(err.Error())
	}
	cl, err := kgo.NewClient(kopts...)
	if err != nil {
		return fail(err.Error())
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	md, err := kadm.NewClient(cl).Metadata(ctx)
	if err != nil {
		return fail(err.Error())
	}
	type tp struct {
		topic string
		part  int32
	}
	var tps []tp
	if td, exact := md.Topics[o.value("topic")]; o.has("topic") && exact && td.Err == nil {
		// Kafka 2.8: one topic by its exact name.
		var found []int32
		for _, pd := range td.Partitions.Sorted() {
			if requested == nil || requested[pd.Partition] {
				found = append(found, pd.Partition)
			}
		}
		if len(found) == 0 {
			if requested == nil {
				fmt.Fprintf(env.Stderr, "Topic %s has 0 partitions\n", td.Topic)
			} else {
				fmt.Fprintf(env.Stderr, "Topic %s does not have any of the requested partitions %s\n", td.Topic, joinPartitions(requested))
			}
			return 1
		}
		for p := range requested {
			if _, ok := td.Partitions[p]; !ok {
				fmt.Fprintf(env.Stderr, "Error: partition %d does not exist\n", p)
			}
		}
		for _, p := range found {
			if td.Partitions[p].Leader < 0 {
				fmt.Fprintf(env.Stderr, "Error: partition %d does not have a leader. Skip getting offsets\n", p)
				continue
			}
			tps = append(tps, tp{td.Topic, p})
		}
		filters = nil
	} else if o.has("topic") && !anyTopicMatches(filters, md) {
		fmt.Fprintf(env.Stderr, "Topic %s does not exist\n", o.value("topic"))
		return 1
	}
	for _, td := range md.Topics.Sorted() {
		if filters == nil {
			break
		}
		if td.Err != nil || (td.IsInternal && o.has("exclude-internal-topics")) {
			continue
		}
		for _, pd := range td.Partitions.Sorted() {
			if !matchPartition(filters, td.Topic, pd.Partition) {
				continue
			}
			if pd.Leader < 0 {
				fmt.Fprintf(env.Stderr, "Error: topic-partition %s:%d does not have a leader. Skip getting offsets\n", td.Topic, pd.Partition)
				continue
			}
			tps = append(tps, tp{td.Topic, pd.Partition})
		}
	}
	if len(tps) == 0 {
		return fail("Could not match any topic-partitions with the specified filters")
	}
	ts := o.int64Value("time")
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	byTopic := map[string]int{}
	for _, x := range tps {
		i, ok := byTopic[x.topic]
		if !ok {
			t := kmsg.NewListOffsetsRequestTopic()
			t.Topic = x.topic
			req.Topics = append(req.Topics, t)
			i = len(req.Topics) - 1
			byTopic[x.topic] = i
		}
		rp := kmsg.NewListOffsetsRequestTopicPartition()
		rp.Partition, rp.Timestamp, rp.CurrentLeaderEpoch = x.part, ts, -1
		req.Topics[i].Partitions = append(req.Topics[i].Partitions, rp)
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fail(err.Error())
	}
	offsets := map[tp]string{}
	for _, t := range resp.Topics {
		for _, rp := range t.Partitions {
			if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
				return fail(fmt.Sprintf("Failed to get offsets for %s-%d: %v", t.Topic, rp.Partition, err))
			}
			if rp.Offset >= 0 {
				offsets[tp{t.Topic, rp.Partition}] = strconv.FormatInt(rp.Offset, 10)
			}
		}
	}
	sort.Slice(tps, func(i, j int) bool {
		if tps[i].topic != tps[j].topic {
			return tps[i].topic < tps[j].topic
		}
		return tps[i].part < tps[j].part
	})
	for _, x := range tps {
		fmt.Fprintf(env.Stdout, "%s:%d:%s\n", x.topic, x.part, offsets[x])
	}
	return 0
}

var topicPartitionPattern = regexp.MustCompile(`^([^:,]*)(?::(?:([0-9]*)|(?:([0-9]*)-([0-9]*))))?$`)

// offsetShellFilters builds the filters of --topic/--partitions or
// --topic-partitions; none means everything.
func offsetShellFilters(o *optionSet) ([]partitionFilter, error) {
	whole := func(re string) (*regexp.Regexp, error) {
		if re == "" {
			return nil, nil
		}
		return regexp.Compile("^(?:" + re + ")$")
	}
	if o.has("topic-partitions") {
		var fs []partitionFilter
		for _, spec := range strings.Split(o.value("topic-partitions"), ",") {
			m := topicPartitionPattern.FindStringSubmatch(spec)
			if m == nil {
				return nil, fmt.Errorf("Invalid topic-partition pattern: %s", spec)
			}
			re, err := whole(m[1])
			if err != nil {
				return nil, err
			}
			f := partitionFilter{topic: re, accept: func(int32) bool { return true }}
			switch {
			case m[2] != "":
				n, _ := strconv.Atoi(m[2])
				f.accept = func(p int32) bool { return int(p) == n }
			case m[3] != "" || m[4] != "":
				lo, hi := 0, int(^uint32(0)>>1)
				if m[3] != "" {
					lo, _ = strconv.Atoi(m[3])
				}
				if m[4] != "" {
					hi, _ = strconv.Atoi(m[4])
				}
				f.accept = func(p int32) bool { return int(p) >= lo && int(p) < hi }
			}
			fs = append(fs, f)
		}
		return fs, nil
	}
	re, err := whole(o.value("topic"))
	if err != nil {
		return nil, err
	}
	f := partitionFilter{topic: re, accept: func(int32) bool { return true }}
	if o.has("partitions") {
		set := map[int32]bool{}
		for _, s := range strings.Split(o.value("partitions"), ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
			if err != nil {
				return nil, fmt.Errorf("For input string: \"%s\"", s)
			}
			set[int32(n)] = true
		}
		f.accept = func(p int32) bool { return set[p] }
	}
	return []partitionFilter{f}, nil
}

// anyTopicMatches reports whether a 3.0-style --topic pattern matches a
// topic.
func anyTopicMatches(fs []partitionFilter, md kadm.Metadata) bool {
	for name, td := range md.Topics {
		for _, f := range fs {
			if td.Err == nil && (f.topic == nil || f.topic.MatchString(name)) {
				return true
			}
		}
	}
	return false
}

// joinPartitions renders a partition set as Scala's mkString(","), sorted.
func joinPartitions(set map[int32]bool) string {
	ps := make([]int, 0, len(set))
	for p := range set {
		ps = append(ps, int(p))
	}
	sort.Ints(ps)
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = strconv.Itoa(p)
	}
	return strings.Join(s, ",")
}

func matchPartition(fs []partitionFilter, topic string, p int32) bool {
	for _, f := range fs {
		if (f.topic == nil || f.topic.MatchString(topic)) && f.accept(p) {
			return true
		}
	}
	return false
}
