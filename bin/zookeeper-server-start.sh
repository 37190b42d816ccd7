#!/bin/bash
# Starts Debian's Apache ZooKeeper (the "zookeeper" package) the way Kafka's
# script starts the ZooKeeper it bundles:
#   zookeeper-server-start.sh [-daemon] zookeeper.properties
# Console output goes to $LOG_DIR/zookeeper.out with -daemon.

if [ $# -lt 1 ];
then
	echo "USAGE: $0 [-daemon] zookeeper.properties"
	exit 1
fi
base_dir=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "$LOG_DIR" ]; then
  LOG_DIR="$base_dir/logs"
fi

DAEMON_MODE="false"
if [ "x$1" = "x-daemon" ]; then
  DAEMON_MODE="true"
  shift
fi

. "$(dirname "$0")/zookeeper-env.sh" || exit 1

if [ -z "$KAFKA_HEAP_OPTS" ]; then
    KAFKA_HEAP_OPTS="-Xmx512M -Xms512M"
fi

# The marker QuorumPeerMain on the command line is what zookeeper-server-stop.sh finds.
CMD=(java $KAFKA_HEAP_OPTS $ZK_JVM_OPTS -cp "$ZK_CLASSPATH" org.apache.zookeeper.server.quorum.QuorumPeerMain "$@")

if [ "x$DAEMON_MODE" = "xtrue" ]; then
  mkdir -p "$LOG_DIR"
  nohup "${CMD[@]}" > "$LOG_DIR/zookeeper.out" 2>&1 < /dev/null &
else
  exec "${CMD[@]}"
fi
