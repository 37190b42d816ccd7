#!/bin/bash
# Create, alter, list and describe topics.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.admin.TopicCommand "$@"
