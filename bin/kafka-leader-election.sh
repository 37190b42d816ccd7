#!/bin/bash
# Elect partition leaders: the preferred replica, or any live one (unclean).
exec "$(dirname "$0")/kafka-run-class.sh" kafka.admin.LeaderElectionCommand "$@"
