#!/bin/bash
# Starts a gokafka broker: kafka-server-start.sh [-daemon] server.properties [--override property=value]*
# The process runs as "bin/gokafka kafka.Kafka <file> ...", which is what
# kafka-server-stop.sh and "ps aux | grep server-1.properties" find.

if [ $# -lt 1 ];
then
	echo "USAGE: $0 [-daemon] server.properties [--override property=value]*"
	exit 1
fi
base_dir=$(dirname "$0")

EXTRA_ARGS=${EXTRA_ARGS-'-name kafkaServer -loggc'}

COMMAND=$1
case $COMMAND in
  -daemon)
    EXTRA_ARGS="-daemon "$EXTRA_ARGS
    shift
    ;;
  *)
    ;;
esac

exec "$base_dir/kafka-run-class.sh" $EXTRA_ARGS kafka.Kafka "$@"
