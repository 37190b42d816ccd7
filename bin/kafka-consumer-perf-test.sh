#!/bin/bash
# Consumer throughput test.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.ConsumerPerformance "$@"
