#!/bin/bash
# Starts a Kafka Connect standalone worker:
#   connect-standalone.sh [-daemon] worker.properties connector1.properties [connector2.properties ...]
# It runs as "bin/gokafka org.apache.kafka.connect.cli.ConnectStandalone ...";
# with -daemon in the background, its output in $LOG_DIR/connectStandalone.out.

if [ $# -lt 1 ];
then
	echo "USAGE: $0 [-daemon] connect-standalone.properties"
	exit 1
fi
base_dir=$(dirname "$0")

EXTRA_ARGS=${EXTRA_ARGS-'-name connectStandalone'}

COMMAND=$1
case $COMMAND in
  -daemon)
    EXTRA_ARGS="-daemon "$EXTRA_ARGS
    shift
    ;;
  *)
    ;;
esac

exec "$base_dir/kafka-run-class.sh" $EXTRA_ARGS org.apache.kafka.connect.cli.ConnectStandalone "$@"
