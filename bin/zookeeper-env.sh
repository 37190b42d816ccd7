# Sourced by the zookeeper-*.sh scripts: the Java classpath of Debian's
# "zookeeper" package (/usr/share/zookeeper, jars in /usr/share/java).

if ! command -v java >/dev/null 2>&1; then
  echo "java not found: install a JRE (apt-get install default-jre-headless) or run 'make run' once" >&2
  return 1
fi
if [ ! -f /usr/share/java/zookeeper.jar ]; then
  echo "ZooKeeper is not installed: run 'apt-get install zookeeper' (or 'make run' once)" >&2
  return 1
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
