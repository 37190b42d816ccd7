#!/bin/bash
# Describe and alter topic, broker, client and user configs.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.admin.ConfigCommand "$@"
