#!/bin/bash
# Generate, execute, verify, cancel and list partition reassignments.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.admin.ReassignPartitionsCommand "$@"
