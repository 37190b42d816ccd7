package tools

// kafka-log-dirs.sh: kafka.admin.LogDirsCommand (Kafka 2.8).
//
// Behaviour: --describe asks each broker (those of --broker-list, else every
// broker of the cluster) for DescribeLogDirs of all its partitions, prints
//
//	Querying brokers for log directories information
//	Received log directory information from brokers 0,1
//	{"version":1,"brokers":[{"broker":0,"logDirs":[{"logDir":"/tmp/kafka-logs","error":null,"partitions":[...]}]}]}
//
// with one {"partition":"t-0","size":N,"offsetLag":0,"isFuture":false} per
// replica, only of the topics in --topic-list when it is given. "error" is
// the Java exception class of a log directory's error code
// ("org.apache.kafka.common.errors.KafkaStorageException"), else null.
//
// Kafka builds the JSON from hash maps, so its brokers, directories and
// partitions come in hash order; here they are sorted (broker id, path,
// topic, partition), which is the order Kafka's maps give for the small
// clusters the documentation shows.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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

func logDirsCommand() *cli.Command {
	return toolCommand("kafka.admin.LogDirsCommand", runLogDirs)
}

func logDirsOptions() *optionParser {
	p := newOptionParser()
	p.arg("bootstrap-server", "REQUIRED: the server(s) to use for bootstrapping", "String", "The server(s) to use for bootstrapping")
	p.arg("command-config", "Property file containing configs to be passed to Admin Client.", "String", "Admin client property file")
	p.flag("describe", "Describe the specified log directories on the specified brokers.")
	p.arg("topic-list", `The list of topics to be queried in the form "topic1,topic2,topic3". All topics will be queried if no topic list is specified`,
		"String", "Topic list").withDefault("")
	p.arg("broker-list", `The list of brokers to be queried in the form "0,1,2". All brokers in the cluster will be queried if no broker list is specified`,
		"String", "Broker list")
	return p
}

// logDirsTimeout is the Java admin client's default.api.timeout.ms.
const logDirsTimeout = 60 * time.Second

func runLogDirs(ctx context.Context, env *toolEnv, args []string) int {
	p := logDirsOptions()
	o, code, ok := p.parseStandard(env, args, "This tool helps to query log directory usage on the specified brokers.")
	if !ok {
		return code
	}
	if code, ok := p.checkRequired(env, o, "bootstrap-server", "describe"); !ok {
		return code
	}
	cl, err := adminClientFor(o, "log-dirs-tool")
	if err != nil {
		return uncaught(env.Stderr, err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, logDirsTimeout)
	defer cancel()

	topics := map[string]bool{}
	for _, t := range strings.Split(o.value("topic-list"), ",") {
		if t != "" {
			topics[t] = true
		}
	}
	// Kafka asks for the cluster's brokers only without --broker-list, and
	// before "Querying ..."; with a list, the describe call itself finds the
	// brokers (here: one Metadata request after that line).
	var brokers []int32
	listed := o.has("broker-list")
	if listed {
		for _, s := range strings.Split(o.value("broker-list"), ",") {
			if s == "" {
				continue
			}
			n, err := strconv.ParseInt(s, 10, 32)
			if err != nil {
				return uncaught(env.Stderr, newJexc(clsNumberFormat, "For input string: %q", s))
			}
			brokers = append(brokers, int32(n))
		}
	}
	md, err := kadm.NewClient(cl).BrokerMetadata(ctx)
	if !listed {
		if err != nil {
			return uncaught(env.Stderr, executionException(err))
		}
		for _, b := range md.Brokers {
			brokers = append(brokers, b.NodeID)
		}
		sort.Slice(brokers, func(i, j int) bool { return brokers[i] < brokers[j] })
	}
	fmt.Fprintln(env.Stdout, "Querying brokers for log directories information")
	if err != nil {
		return uncaught(env.Stderr, executionException(err))
	}
	known := map[int32]bool{}
	for _, b := range md.Brokers {
		known[b.NodeID] = true
	}
	byBroker := make(map[int32][]kmsg.DescribeLogDirsResponseDir)
	for _, id := range brokers {
		if !known[id] {
			// The Java call waits default.api.timeout.ms for a node that
			// never appears, then fails so; this fails at once.
			timeout := newJexc(clsTimeout, "Timed out waiting for a node assignment. Call: describeLogDirs")
			return uncaught(env.Stderr, &jexc{class: clsExecution, msg: throwableString(timeout), cause: timeout})
		}
		req := kmsg.NewPtrDescribeLogDirsRequest() // null topics: every partition
		resp, err := req.RequestWith(ctx, cl.Broker(int(id)))
		if err != nil {
			return uncaught(env.Stderr, executionException(err))
		}
		byBroker[id] = resp.Dirs
	}
	ids := make([]string, len(brokers))
	for i, id := range brokers {
		ids[i] = strconv.Itoa(int(id))
	}
	fmt.Fprintf(env.Stdout, "Received log directory information from brokers %s\n", strings.Join(ids, ","))
	fmt.Fprintln(env.Stdout, logDirsJSON(byBroker, topics))
	return 0
}

// logDirsJSON is LogDirsCommand.formatAsJson, keys in Kafka's order.
func logDirsJSON(byBroker map[int32][]kmsg.DescribeLogDirsResponseDir, topics map[string]bool) string {
	var b bytes.Buffer
	b.WriteString(`{"version":1,"brokers":[`)
	ids := make([]int32, 0, len(byBroker))
	for id := range byBroker {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"broker":%d,"logDirs":[`, id)
		dirs := append([]kmsg.DescribeLogDirsResponseDir(nil), byBroker[id]...)
		sort.Slice(dirs, func(i, j int) bool { return dirs[i].Dir < dirs[j].Dir })
		for j, d := range dirs {
			if j > 0 {
				b.WriteByte(',')
			}
			errName := "null"
			if err := kerr.ErrorForCode(d.ErrorCode); err != nil {
				errName = jsonString("org.apache.kafka.common.errors." + javaErrorName(err))
			}
			fmt.Fprintf(&b, `{"logDir":%s,"error":%s,"partitions":[`, jsonString(d.Dir), errName)
			first := true
			for _, row := range sortedLogDirPartitions(d, topics) {
				if !first {
					b.WriteByte(',')
				}
				first = false
				fmt.Fprintf(&b, `{"partition":%s,"size":%d,"offsetLag":%d,"isFuture":%t}`,
					jsonString(fmt.Sprintf("%s-%d", row.topic, row.p.Partition)), row.p.Size, row.p.OffsetLag, row.p.IsFuture)
			}
			b.WriteString("]}")
		}
		b.WriteString("]}")
	}
	b.WriteString("]}")
	return b.String()
}

type logDirRow struct {
	topic string
	p     kmsg.DescribeLogDirsResponseDirTopicPartition
}

// sortedLogDirPartitions lists a directory's replicas of the wanted topics
// (all when topics is empty) by topic, then partition.
func sortedLogDirPartitions(d kmsg.DescribeLogDirsResponseDir, topics map[string]bool) []logDirRow {
	var rows []logDirRow
	for _, t := range d.Topics {
		if len(topics) > 0 && !topics[t.Topic] {
			continue
		}
		for _, p := range t.Partitions {
			rows = append(rows, logDirRow{t.Topic, p})
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].topic != rows[j].topic {
			return rows[i].topic < rows[j].topic
		}
		return rows[i].p.Partition < rows[j].p.Partition
	})
	return rows
}

// jsonString quotes s as Jackson does: no HTML escaping.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// adminClientFor builds the admin client of an AdminClient tool from
// --command-config and --bootstrap-server (which wins), with clientID as
// client.id unless the file sets one (Kafka's putIfAbsent). The error is
// a *jexc.
func adminClientFor(o *optionSet, clientID string) (*kgo.Client, error) {
	props := map[string]string{}
	if o.has("command-config") {
		var err error
		if props, err = loadProperties(o.value("command-config")); err != nil {
			return nil, newJexc(clsNoSuchFile, "%s", strings.TrimSuffix(err.Error(), " (No such file or directory)"))
		}
	}
	props["bootstrap.servers"] = o.value("bootstrap-server")
	if _, ok := props["client.id"]; !ok && clientID != "" {
		props["client.id"] = clientID
	}
	kopts, err := clientOpts(props)
	if err != nil {
		return nil, newJexc("org.apache.kafka.common.config.ConfigException", "%v", err)
	}
	cl, err := kgo.NewClient(kopts...)
	if err != nil {
		return nil, newJexc("org.apache.kafka.common.KafkaException", "Failed to create new KafkaAdminClient: %v", err)
	}
	return cl, nil
}
