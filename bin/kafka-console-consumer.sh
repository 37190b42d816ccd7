#!/bin/bash
# Consumes a topic and prints its records to standard output.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.ConsoleConsumer "$@"
