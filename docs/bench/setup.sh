#!/bin/bash
# setup.sh name1=bin1 name2=bin2 ... : Debian's ZooKeeper on 127.0.0.1:42281, one gokafka per
# binary (its own chroot and port, from 49291 in steps of 10), kfake on disk (49293) and kfake in
# memory (49294, needs /tmp/kfake: cd /work/shared/bench/kfake && go build -o /tmp/kfake .).
# Everything lives under $BENCH_DIR (default /tmp/gokafka-bench); teardown.sh stops it.
set -e
D=${BENCH_DIR:-/tmp/gokafka-bench}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf $D/zk $D/zklogs $D/run; mkdir -p $D/zk $D/run
cat > $D/zk.properties <<P
dataDir=$D/zk
clientPort=42281
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
P
LOG_DIR=$D/zklogs setsid $ROOT/bin/zookeeper-server-start.sh $D/zk.properties > $D/run/zk.out 2>&1 &
echo $! > $D/run/zk.pid
for i in $(seq 150); do (echo ruok | timeout 1 bash -c 'cat > /dev/tcp/127.0.0.1/42281' 2>/dev/null) && break; sleep 0.2; done
sleep 1
port=49291
for nb in "$@"; do
  n=${nb%%=*}; bin=${nb#*=}
  cat > $D/run/$n.properties <<P
broker.id=0
listeners=PLAINTEXT://127.0.0.1:$port
log.dirs=$D/run/$n-logs
zookeeper.connect=127.0.0.1:42281/$n
num.partitions=1
offsets.topic.replication.factor=1
group.initial.rebalance.delay.ms=0
P
  [ -f $D/extra-$n.properties ] && cat $D/extra-$n.properties >> $D/run/$n.properties
  LOG_DIR=$D/run/$n-applogs setsid $bin kafka.Kafka $D/run/$n.properties > $D/run/$n.out 2>&1 &
  echo $! > $D/run/$n.pid; echo $port > $D/run/$n.port
  port=$((port+10))
done
setsid /tmp/kfake -ports 49293 -as-version 2.8 -data-dir $D/run/kfake-data > $D/run/kfake.out 2>&1 &
echo $! > $D/run/kfake.pid; echo 49293 > $D/run/kfake.port
setsid /tmp/kfake -ports 49294 -as-version 2.8 > $D/run/kfakemem.out 2>&1 &
echo $! > $D/run/kfakemem.pid; echo 49294 > $D/run/kfakemem.port
for nb in "$@"; do n=${nb%%=*}
  for i in $(seq 150); do grep -q "started (kafka.server.KafkaServer)" $D/run/$n.out && break; sleep 0.2; done
done
