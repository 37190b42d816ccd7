#!/bin/bash
# ZooKeeper's own command-line client (Debian's ZooKeeperMain), as Kafka's
# script runs its bundled one:
#   zookeeper-shell.sh host:port[/chroot] [cmd args...]
# With a command it runs it and exits; without one it is interactive.

if [ $# -lt 1 ];
then
  echo "USAGE: $0 zookeeper_host:port[/path] [-zk-tls-config-file file] [args...]"
  exit 1
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

server=$1
shift
if [ "x$1" = "x-zk-tls-config-file" ]; then
  echo "zookeeper-shell.sh: -zk-tls-config-file is not supported by gokafka" >&2
  exit 1
fi

# Logging as Kafka's tools log: config/tools-log4j.properties, WARN to stderr.
# ZooKeeper 3.8's client also logs "Exiting JVM with code N" at ERROR on every
# exit, which Kafka's bundled 3.5 client does not; that line is dropped.
base_dir=$(cd "$(dirname "$0")/.." && pwd)
exec java -Dlog4j.configuration="file:$base_dir/config/tools-log4j.properties" \
  -cp "$ZK_CLASSPATH" org.apache.zookeeper.ZooKeeperMain -server "$server" "$@" \
  2> >(grep -v --line-buffered 'Exiting JVM with code [0-9]*' >&2)
