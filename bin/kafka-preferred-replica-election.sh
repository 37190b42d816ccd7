#!/bin/bash
# Move leadership back to the preferred replicas (deprecated: use kafka-leader-election.sh).
exec "$(dirname "$0")/kafka-run-class.sh" kafka.admin.PreferredReplicaLeaderElectionCommand "$@"
