#!/bin/bash
# Reads lines from standard input and produces them to a topic.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.ConsoleProducer "$@"
