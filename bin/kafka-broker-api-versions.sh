#!/bin/bash
# Prints the API versions each broker supports.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.admin.BrokerApiVersionsCommand "$@"
