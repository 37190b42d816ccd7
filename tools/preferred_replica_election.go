package tools

// kafka-preferred-replica-election.sh:
// kafka.admin.PreferredReplicaLeaderElectionCommand (Kafka 2.8, deprecated
// since 2.4 in favour of kafka-leader-election.sh).
//
// Behaviour:
//   - Always prints "This tool is deprecated. Please use
//     kafka-leader-election tool. Tracking issue: KAFKA-8405" first.
//   - Exactly one of --zookeeper / --bootstrap-server; --path-to-json-file
//     ({"partitions":[{"topic":"t","partition":0}]}) names the partitions,
//     all of them when it is left out; --admin.config only with
//     --bootstrap-server (jopt-simple availableIf).
//   - --zookeeper: prints the two deprecation lines, writes
//     /admin/preferred_replica_election with the partitions that exist (the
//     controller elects and deletes the znode), "Created preferred replica
//     election path with t-0,t-1", "Successfully started preferred replica
//     election for partitions Set(t-0, t-1)" and a "Skipping ..." line per
//     unknown partition. A pending election makes it fail with "Preferred
//     replica leader election currently in progress for ...".
//   - --bootstrap-server: one ElectLeaders (preferred) request, reported as
//     kafka-leader-election does with this tool's wording, including 2.8's
//     bug of listing the succeeded partitions after "Preferred replica
//     already elected for partitions".
//   - Failures escape main as in Kafka: "Exception in thread "main" ..." on
//     stderr, exit 1.
//
// Not implemented (why): Scala's hash-set order; partitions are printed
// sorted.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"go.uber.org/zap"

	"gokafka/zkcoord"
)

func preferredReplicaElectionCommand() *cli.Command {
	return toolCommand("kafka.admin.PreferredReplicaLeaderElectionCommand", runPreferredReplicaElection)
}

// preferredElectionTimeout is the 30 000 ms main passes to run: the ZooKeeper
// session and connection timeouts, the admin request timeout (the default
// API timeout is twice that).
var preferredElectionTimeout = 30 * time.Second

func preferredReplicaElectionOptions() *optionParser {
	p := newOptionParser()
	p.arg("path-to-json-file", "The JSON file with the list of partitions for which preferred replica leader election should be done, in the following format - \n"+
		"{\"partitions\":\n\t[{\"topic\": \"foo\", \"partition\": 1},\n\t {\"topic\": \"foobar\", \"partition\": 2}]\n}\n"+
		"Defaults to all existing partitions", "String", "list of partitions for which preferred replica leader election needs to be triggered")
	p.arg("zookeeper", "DEPRECATED. The connection string for the zookeeper connection in the form host:port. Multiple URLS can be given to allow fail-over. Replaced by --bootstrap-server, REQUIRED unless --bootstrap-server is given.", "String", "urls")
	p.arg("bootstrap-server", "A hostname and port for the broker to connect to, in the form host:port. Multiple comma-separated URLs can be given. REQUIRED unless --zookeeper is given.", "String", "host:port")
	p.arg("admin.config", "Admin client config properties file to pass to the admin client when --bootstrap-server is given.", "String", "config file")
	return p
}

func runPreferredReplicaElection(ctx context.Context, env *toolEnv, args []string) int {
	fmt.Fprintln(env.Stdout, "This tool is deprecated. Please use kafka-leader-election tool. Tracking issue: KAFKA-8405")
	p := preferredReplicaElectionOptions()
	o, err := p.parse(args)
	if err == nil {
		// jopt-simple's mutuallyExclusive and availableIf, checked by parse.
		switch {
		case o.has("zookeeper") && o.has("bootstrap-server"):
			err = &optionError{"Option(s) [zookeeper, bootstrap-server] are unavailable given other options on the command line"}
		case o.has("admin.config") && !o.has("bootstrap-server"):
			err = &optionError{"Option(s) [admin.config] are unavailable given other options on the command line"}
		}
	}
	if err != nil {
		return uncaught(env.Stderr, joptException(err))
	}
	o, code, ok := p.parseStandard(env, args, "This tool helps to causes leadership for each partition to be transferred back to the 'preferred replica', it can be used to balance leadership among the servers.")
	if !ok {
		return code
	}
	if !o.has("zookeeper") && !o.has("bootstrap-server") {
		return p.usageAndDie(env, "Exactly one of '[bootstrap-server]' or '[zookeeper]' must be provided")
	}
	var parts []topicPart // nil: every partition
	if o.has("path-to-json-file") {
		s, err := readFileAsString(o.value("path-to-json-file"))
		if err == nil {
			parts, err = parseElectionJSON(s, "Preferred replica election data", "Preferred replica election data is empty")
		}
		if err != nil {
			return uncaught(env.Stderr, err)
		}
	}
	if o.has("zookeeper") {
		fmt.Fprintln(env.Stdout, "Warning: --zookeeper is deprecated and will be removed in a future version of Kafka.")
		fmt.Fprintln(env.Stdout, "Use --bootstrap-server instead to specify a broker to connect to.")
		zc, err := zkcoord.Connect(o.value("zookeeper"), preferredElectionTimeout, preferredElectionTimeout, zap.NewNop())
		if err != nil {
			return uncaught(env.Stderr, zkConnectException(err))
		}
		defer zc.Close()
		if err := zkPreferredElection(env, zc, parts); err != nil {
			return uncaught(env.Stderr, &jexc{class: clsAdminCommandFailed, msg: "Admin command failed", cause: err})
		}
		return 0
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
	out, err := electLeaders(ctx, cl, false, parts, 2*preferredElectionTimeout)
	if err != nil {
		return electionRequestFailed(env, err)
	}
	if len(out.succeeded) > 0 {
		fmt.Fprintf(env.Stdout, "Successfully completed preferred leader election for partitions %s\n", joinTPs(out.succeeded, ", "))
	}
	if len(out.noop) > 0 {
		// Kafka 2.8 prints the succeeded set here, not the no-op one.
		fmt.Fprintf(env.Stdout, "Preferred replica already elected for partitions %s\n", joinTPs(out.succeeded, ", "))
	}
	if len(out.failed) > 0 {
		for _, p := range out.failed {
			fmt.Fprintf(env.Stdout, "Error completing preferred leader election for partition: %s: %s\n", p, throwableString(out.errs[p]))
		}
		return uncaught(env.Stderr, newJexc(clsAdminCommandFailed, "%d preferred replica(s) could not be elected", len(out.failed)))
	}
	return 0
}

// zkPreferredElection is PreferredReplicaLeaderElectionCommand.ZkCommand:
// the existing partitions among parts (all partitions when nil) go to
// /admin/preferred_replica_election.
func zkPreferredElection(env *toolEnv, zc *zkcoord.Client, parts []topicPart) error {
	var topics []string
	if parts != nil {
		seen := map[string]bool{}
		for _, p := range parts {
			if !seen[p.Topic] {
				seen[p.Topic] = true
				topics = append(topics, p.Topic)
			}
		}
	} else {
		var err error
		if topics, err = zc.Topics(); err != nil {
			return newJexc(clsAdminOperation, "%v", err)
		}
	}
	existing, err := zkReplicaAssignment(zc, topics)
	if err != nil {
		return newJexc(clsAdminOperation, "%v", err)
	}
	var valid, invalid []topicPart
	if parts == nil {
		valid = sortedTPs(existing)
	} else {
		for _, p := range parts {
			if _, ok := existing[p]; ok {
				valid = append(valid, p)
			} else {
				invalid = append(invalid, p)
			}
		}
		sortParts(valid)
		sortParts(invalid)
	}
	req := make([]zkcoord.TopicPartition, len(valid))
	for i, p := range valid {
		req[i] = zkcoord.TopicPartition{Topic: p.Topic, Partition: p.Partition}
	}
	if err := zc.CreatePreferredReplicaElection(req); err != nil {
		if errors.Is(err, zkcoord.ErrNodeExists) {
			pending, _, _ := zc.PreferredReplicaElectionRequest()
			names := make([]string, len(pending))
			for i, p := range pending {
				names[i] = topicPart{p.Topic, p.Partition}.String()
			}
			return newJexc(clsAdminOperation, "Preferred replica leader election currently in progress for %s. Aborting operation", strings.Join(names, ","))
		}
		return newJexc(clsAdminOperation, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "Created preferred replica election path with %s\n", joinTPs(valid, ","))
	fmt.Fprintf(env.Stdout, "Successfully started preferred replica election for partitions %s\n", scalaSet(valid))
	for _, p := range invalid {
		fmt.Fprintf(env.Stdout, "Skipping preferred replica leader election for partition %s since it doesn't exist.\n", p)
	}
	return nil
}

// scalaSet renders an immutable Scala 2.13 set of partitions: Set(...) up to
// four elements, HashSet(...) beyond.
func scalaSet(tps []topicPart) string {
	name := "Set"
	if len(tps) > 4 {
		name = "HashSet"
	}
	return name + "(" + joinTPs(tps, ", ") + ")"
}

// zkConnectException is the exception KafkaZkClient's constructor throws
// when ZooKeeper cannot be reached.
func zkConnectException(err error) error {
	var te *zkcoord.ConnectTimeoutError
	if errors.As(err, &te) {
		return newJexc("kafka.zookeeper.ZooKeeperClientTimeoutException", "%v", err)
	}
	return newJexc("kafka.zookeeper.ZooKeeperClientException", "%v", err)
}
