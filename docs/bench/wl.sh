#!/bin/bash
# wl.sh rounds "workloads" "brokers": each workload of /work/shared/bench/README.md (p100 p1k p1k8
# c1k lat) against each broker set up by setup.sh, in turn, per round, on fresh topics, with the
# load tool (/tmp/loadbench: cd /work/shared/bench/load && go build -o /tmp/loadbench .). Prints
# the tool's RESULT line plus the broker's CPU (utime+stime from /proc/<pid>/stat) per GiB.
D=${BENCH_DIR:-/tmp/gokafka-bench}
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
run() { # name port pid args...
  name=$1; port=$2; pid=$3; shift 3
  c0=$(cpu $pid)
  out=$(/tmp/loadbench -b 127.0.0.1:$port "$@" 2>&1 | grep RESULT)
  c1=$(cpu $pid)
  bytes=$(echo "$out" | sed -n 's/.* n=\([0-9]*\) size=\([0-9]*\).*/\1 \2/p' | awk '{print $1*$2}')
  [ -z "$bytes" ] && bytes=1
  echo "$name load=$(cut -d' ' -f1 /proc/loadavg) $out broker_cpu_s=$(echo "($c1-$c0)/100" | bc -l | cut -c1-5) broker_s_per_gib=$(echo "($c1-$c0)/100/($bytes/1073741824)" | bc -l | cut -c1-5)"
}
rounds=$1; wls=$2; brokers=$3
for round in $(seq $rounds); do
for w in $wls; do
  for b in $brokers; do
    port=$(cat $D/run/$b.port); pid=$(cat $D/run/$b.pid)
    t=$w-$b-$round-$RANDOM
    case $w in
      p100) run "r$round $w/$b" $port $pid -mode produce -t $t -create 1 -n 2000000 -s 100 -acks 1 ;;
      p1k)  run "r$round $w/$b" $port $pid -mode produce -t $t -create 1 -n 500000 -s 1000 -acks all ;;
      p1k8) run "r$round $w/$b" $port $pid -mode produce -t $t -create 8 -n 500000 -s 1000 -acks 1 ;;
      c1k)  /tmp/loadbench -b 127.0.0.1:$port -mode produce -t $t -create 1 -n 500000 -s 1000 -acks 1 >/dev/null 2>&1
            run "r$round $w/$b" $port $pid -mode consume -t $t -n 500000 ;;
      lat)  run "r$round $w/$b" $port $pid -mode latency -t $t -create 1 -n 250000 -s 1000 -rate 50000 -acks all ;;
    esac
  done
done
done
