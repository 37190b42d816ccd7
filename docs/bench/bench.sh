#!/bin/bash
# bench.sh rounds "workloads" name=bin ... : per round, fresh brokers (setup.sh), every workload
# against kfake, kfakemem and each gokafka binary; the binaries' order is reversed on even rounds.
# Example: docs/bench/bench.sh 4 "p100 p1k p1k8 c1k lat" new=$PWD/bin/gokafka
H=$(cd "$(dirname "$0")" && pwd); R=$1; W=$2; shift 2
names=(); for nb in "$@"; do names+=("${nb%%=*}"); done
for r in $(seq $R); do
  $H/setup.sh "$@" >/dev/null
  if (( r % 2 )); then order="kfake kfakemem ${names[*]}"; else order="kfakemem kfake $(printf '%s\n' "${names[@]}" | tac | tr '\n' ' ')"; fi
  $H/wl.sh 1 "$W" "$order" | sed "s/^r1 /r$r /"
  $H/teardown.sh
done
