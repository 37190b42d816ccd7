#!/bin/bash
# Describe the log directories of brokers: partitions, sizes, lags.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.admin.LogDirsCommand "$@"
