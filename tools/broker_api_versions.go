package tools

// kafka-broker-api-versions.sh: kafka.admin.BrokerApiVersionsCommand (Kafka 2.8).
//
// Behaviour: finds every broker through Metadata, asks each for
// ApiVersions and prints, per broker sorted by id,
//
//	host:port (id: N rack: null) -> (
//		Produce(0): 0 to 9 [usable: 9],
//		...
//	)
//
// as NodeApiVersions.toString(true): one entry per API key in key order,
// "min to max" or a single version, "[usable: v]" with v = min(2.8 client
// max, broker max), "[unusable: node too old|new]" when the ranges do not
// meet, "UNSUPPORTED" for an API a 2.8 client knows that the broker does
// not advertise, "UNKNOWN(k)" for a key a 2.8 client has no name for. A
// broker that cannot be asked prints "-> ERROR: <exception>".

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/urfave/cli/v2"
)

func brokerAPIVersionsCommand() *cli.Command {
	return toolCommand("kafka.admin.BrokerApiVersionsCommand", runBrokerAPIVersions)
}

// clientAPI is one API a 2.8 Java client knows: its name as ApiKeys prints
// it, the oldest and newest version it speaks, and whether a ZooKeeper-mode
// broker is expected to advertise it (only those print "UNSUPPORTED").
type clientAPI struct {
	key      int16
	name     string
	min, max int16
	zkBroker bool
}

// clientAPIs is Kafka 2.8's ApiKeys, the table of protocol.md §2 plus the
// KRaft-only keys a 2.8 client can name.
var clientAPIs = []clientAPI{
	{0, "Produce", 0, 9, true}, {1, "Fetch", 0, 12, true}, {2, "ListOffsets", 0, 6, true},
	{3, "Metadata", 0, 11, true}, {4, "LeaderAndIsr", 0, 5, true}, {5, "StopReplica", 0, 3, true},
	{6, "UpdateMetadata", 0, 7, true}, {7, "ControlledShutdown", 0, 3, true}, {8, "OffsetCommit", 0, 8, true},
	{9, "OffsetFetch", 0, 7, true}, {10, "FindCoordinator", 0, 3, true}, {11, "JoinGroup", 0, 7, true},
	{12, "Heartbeat", 0, 4, true}, {13, "LeaveGroup", 0, 4, true}, {14, "SyncGroup", 0, 5, true},
	{15, "DescribeGroups", 0, 5, true}, {16, "ListGroups", 0, 4, true}, {17, "SaslHandshake", 0, 1, true},
	{18, "ApiVersions", 0, 3, true}, {19, "CreateTopics", 0, 7, true}, {20, "DeleteTopics", 0, 6, true},
	{21, "DeleteRecords", 0, 2, true}, {22, "InitProducerId", 0, 4, true}, {23, "OffsetForLeaderEpoch", 0, 4, true},
	{24, "AddPartitionsToTxn", 0, 3, true}, {25, "AddOffsetsToTxn", 0, 3, true}, {26, "EndTxn", 0, 3, true},
	{27, "WriteTxnMarkers", 0, 1, true}, {28, "TxnOffsetCommit", 0, 3, true}, {29, "DescribeAcls", 0, 2, true},
	{30, "CreateAcls", 0, 2, true}, {31, "DeleteAcls", 0, 2, true}, {32, "DescribeConfigs", 0, 4, true},
	{33, "AlterConfigs", 0, 2, true}, {34, "AlterReplicaLogDirs", 0, 2, true}, {35, "DescribeLogDirs", 0, 2, true},
	{36, "SaslAuthenticate", 0, 2, true}, {37, "CreatePartitions", 0, 3, true}, {38, "CreateDelegationToken", 0, 2, true},
	{39, "RenewDelegationToken", 0, 2, true}, {40, "ExpireDelegationToken", 0, 2, true}, {41, "DescribeDelegationToken", 0, 2, true},
	{42, "DeleteGroups", 0, 2, true}, {43, "ElectLeaders", 0, 2, true}, {44, "IncrementalAlterConfigs", 0, 1, true},
	{45, "AlterPartitionReassignments", 0, 0, true}, {46, "ListPartitionReassignments", 0, 0, true}, {47, "OffsetDelete", 0, 0, true},
	{48, "DescribeClientQuotas", 0, 1, true}, {49, "AlterClientQuotas", 0, 1, true}, {50, "DescribeUserScramCredentials", 0, 0, true},
	{51, "AlterUserScramCredentials", 0, 0, true}, {52, "Vote", 0, 0, false}, {53, "BeginQuorumEpoch", 0, 0, false},
	{54, "EndQuorumEpoch", 0, 0, false}, {55, "DescribeQuorum", 0, 0, false}, {56, "AlterIsr", 0, 0, true},
	{57, "UpdateFeatures", 0, 0, true}, {58, "Envelope", 0, 0, false}, {59, "FetchSnapshot", 0, 0, false},
	{60, "DescribeCluster", 0, 0, true}, {61, "DescribeProducers", 0, 0, true}, {62, "BrokerRegistration", 0, 0, false},
	{63, "BrokerHeartbeat", 0, 0, false},
}

func brokerAPIVersionsOptions() *optionParser {
	p := newOptionParser()
	p.arg("command-config", "A property file containing configs to be passed to Admin Client.", "String", "command config property file")
	p.arg("bootstrap-server", "REQUIRED: The server to connect to.", "String", "server(s) to use for bootstrapping")
	return p
}

func runBrokerAPIVersions(ctx context.Context, env *toolEnv, args []string) int {
	p := brokerAPIVersionsOptions()
	o, code, ok := p.parseStandard(env, args, "This tool helps to retrieve broker version information.")
	if !ok {
		return code
	}
	if code, ok := p.checkRequired(env, o, "bootstrap-server"); !ok {
		return code
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
		fmt.Fprintln(env.Stderr, err)
		return 1
	}
	cl, err := kgo.NewClient(kopts...)
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return 1
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	brokers, err := kadm.NewClient(cl).ListBrokers(ctx)
	if err != nil {
		fmt.Fprintf(env.Stderr, "Exception in thread \"main\" java.lang.RuntimeException: Request METADATA failed on brokers List(%s)\n", o.value("bootstrap-server"))
		return 1
	}
	sort.Slice(brokers, func(i, j int) bool { return brokers[i].NodeID < brokers[j].NodeID })
	for _, b := range brokers {
		rack := "null"
		if b.Rack != nil {
			rack = *b.Rack
		}
		node := fmt.Sprintf("%s:%d (id: %d rack: %s)", b.Host, b.Port, b.NodeID, rack)
		req := kmsg.NewPtrApiVersionsRequest()
		req.ClientSoftwareName, req.ClientSoftwareVersion = "apache-kafka-java", kafkaVersion
		resp, err := req.RequestWith(ctx, cl.Broker(int(b.NodeID)))
		if err == nil {
			err = kerr.ErrorForCode(resp.ErrorCode)
		}
		if err != nil {
			fmt.Fprintf(env.Stdout, "%s -> ERROR: %v\n", node, err)
			continue
		}
		fmt.Fprintf(env.Stdout, "%s -> ", node)
		writeNodeAPIVersions(env.Stdout, resp.ApiKeys)
	}
	return 0
}

// writeNodeAPIVersions is NodeApiVersions.toString(true) and a newline.
func writeNodeAPIVersions(w io.Writer, keys []kmsg.ApiVersionsResponseApiKey) {
	known := map[int16]clientAPI{}
	for _, a := range clientAPIs {
		known[a.key] = a
	}
	lines := map[int16]string{}
	for _, k := range keys {
		var sb strings.Builder
		a, ok := known[k.ApiKey]
		if ok {
			fmt.Fprintf(&sb, "%s(%d): ", a.name, a.key)
		} else {
			fmt.Fprintf(&sb, "UNKNOWN(%d): ", k.ApiKey)
		}
		if k.MinVersion == k.MaxVersion {
			fmt.Fprintf(&sb, "%d", k.MinVersion)
		} else {
			fmt.Fprintf(&sb, "%d to %d", k.MinVersion, k.MaxVersion)
		}
		if ok {
			switch {
			case a.max < k.MinVersion:
				sb.WriteString(" [unusable: node too new]")
			case k.MaxVersion < a.min:
				sb.WriteString(" [unusable: node too old]")
			default:
				fmt.Fprintf(&sb, " [usable: %d]", min(a.max, k.MaxVersion))
			}
		}
		lines[k.ApiKey] = sb.String()
	}
	for _, a := range clientAPIs {
		if _, ok := lines[a.key]; !ok && a.zkBroker {
			lines[a.key] = fmt.Sprintf("%s(%d): UNSUPPORTED", a.name, a.key)
		}
	}
	order := make([]int, 0, len(lines))
	for k := range lines {
		order = append(order, int(k))
	}
	sort.Ints(order)
	parts := make([]string, len(order))
	for i, k := range order {
		parts[i] = lines[int16(k)]
	}
	fmt.Fprintf(w, "(\n\t%s\n)\n", strings.Join(parts, ",\n\t"))
}
