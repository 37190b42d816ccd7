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

# The Java classpath of Debian's "zookeeper" package (jars in /usr/share/java).
if ! command -v java >/dev/null 2>&1; then
  echo "java not found: install a JRE (apt-get install default-jre-headless) or run 'make run' once" >&2
  exit 1
fi
if [ ! -f /usr/share/java/zookeeper.jar ]; then
  echo "ZooKeeper is not installed: run 'apt-get install zookeeper' (or 'make run' once)" >&2
  exit 1
fi

# zookeeper.jar's manifest pulls in its own dependencies; the slf4j binding
# and log4j make the server log to the console (without them it is silent).
ZK_CLASSPATH="/usr/share/java/zookeeper.jar"
for jar in /usr/share/java/slf4j-log4j12.jar /usr/share/java/log4j-1.2.jar; do
  [ -f "$jar" ] && ZK_CLASSPATH="$ZK_CLASSPATH:$jar"
done
# A log4j configuration: Debian's, which logs to the console at INFO when told so.
[ -d /etc/zookeeper/conf ] && ZK_CLASSPATH="/etc/zookeeper/conf:$ZK_CLASSPATH"

ZK_JVM_OPTS=${ZK_JVM_OPTS-"-Dzookeeper.root.logger=INFO,CONSOLE -Dzookeeper.console.threshold=INFO"}

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
