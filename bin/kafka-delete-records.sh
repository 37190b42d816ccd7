#!/bin/bash
# Delete the records of partitions below given offsets.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.admin.DeleteRecordsCommand "$@"
