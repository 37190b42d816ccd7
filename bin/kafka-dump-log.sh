#!/bin/bash
# Prints the content of log segment and index files.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.DumpLogSegments "$@"
