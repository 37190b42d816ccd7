package tools

import (
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
)

// commands is the literal table of every "class" the binary runs, named as
// Kafka's kafka-run-class.sh names them (bin/kafka-topics.sh runs
// kafka.admin.TopicCommand, and so on). Each constructor lives in its own
// file: topics.go, console_producer.go, ...
func commands() []*cli.Command {
	return []*cli.Command{
		kafkaServerCommand(),              // kafka.Kafka
		topicsCommand(),                   // kafka.admin.TopicCommand
		consoleProducerCommand(),          // kafka.tools.ConsoleProducer
		consoleConsumerCommand(),          // kafka.tools.ConsoleConsumer
		consumerGroupsCommand(),           // kafka.admin.ConsumerGroupCommand
		configsCommand(),                  // kafka.admin.ConfigCommand
		getOffsetShellCommand(),           // kafka.tools.GetOffsetShell
		producerPerfCommand(),             // org.apache.kafka.tools.ProducerPerformance
		consumerPerfCommand(),             // kafka.tools.ConsumerPerformance
		brokerAPIVersionsCommand(),        // kafka.admin.BrokerApiVersionsCommand
		dumpLogCommand(),                  // kafka.tools.DumpLogSegments
		streamsWordCountCommand(),         // org.apache.kafka.streams.examples.wordcount.WordCountDemo
		leaderElectionCommand(),           // kafka.admin.LeaderElectionCommand
		preferredReplicaElectionCommand(), // kafka.admin.PreferredReplicaLeaderElectionCommand
		reassignPartitionsCommand(),       // kafka.admin.ReassignPartitionsCommand
		deleteRecordsCommand(),            // kafka.admin.DeleteRecordsCommand
		logDirsCommand(),                  // kafka.admin.LogDirsCommand
		mirrorMakerCommand(),              // kafka.tools.MirrorMaker
		connectStandaloneCommand(),        // org.apache.kafka.connect.cli.ConnectStandalone
		streamsResetterCommand(),          // kafka.tools.StreamsResetter
	}
}

// Main runs the class named by args[1] and returns the process exit code.
func Main(args []string) int {
	app := &cli.App{
		Name:     "gokafka",
		Usage:    "ZooKeeper-era Apache Kafka 2.8, in Go",
		Commands: commands(),
		// Kafka's tools print their own usage; urfave/cli's must not interfere.
		HideHelpCommand: true,
		ExitErrHandler:  func(*cli.Context, error) {},
	}
	if err := app.Run(args); err != nil {
		var ec cli.ExitCoder
		if errors.As(err, &ec) {
			if msg := err.Error(); msg != "" {
				fmt.Fprintln(os.Stderr, msg)
			}
			return ec.ExitCode()
		}
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
