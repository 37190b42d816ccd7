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

. "$(dirname "$0")/zookeeper-env.sh" || exit 1

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
