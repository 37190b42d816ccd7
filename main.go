// Command gokafka is the single binary behind every bin/*.sh script.
// The scripts call it the way Kafka's kafka-run-class.sh calls java: the first
// argument names the "class" (kafka.Kafka, kafka.admin.TopicCommand, ...).
package main

import (
	"os"

	"gokafka/tools"
)

func main() { os.Exit(tools.Main(os.Args)) }
