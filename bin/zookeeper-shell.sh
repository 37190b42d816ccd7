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

exec java $ZK_SHELL_JVM_OPTS -cp "$ZK_CLASSPATH" org.apache.zookeeper.ZooKeeperMain -server "$server" "$@"
