#!/bin/bash
# Prints partition offsets of a topic.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.GetOffsetShell "$@"
