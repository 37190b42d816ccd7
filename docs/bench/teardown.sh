#!/bin/bash
# teardown.sh: stops every process setup.sh started (by process group).
D=${BENCH_DIR:-/tmp/gokafka-bench}
for f in $D/run/*.pid; do [ -f $f ] && kill -TERM -- -$(cat $f) 2>/dev/null; done
sleep 3
for f in $D/run/*.pid; do [ -f $f ] && kill -KILL -- -$(cat $f) 2>/dev/null; rm -f $f; done
true
