#!/bin/bash
# List, describe, delete consumer groups and reset their offsets.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.admin.ConsumerGroupCommand "$@"
