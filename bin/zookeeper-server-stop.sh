#!/bin/bash
# Stops every ZooKeeper server on this host (processes running QuorumPeerMain).
SIGNAL=${SIGNAL:-TERM}

PIDS=$(ps ax -o pid= -o args= | grep java | grep -i QuorumPeerMain | grep -v grep | awk '{print $1}')

if [ -z "$PIDS" ]; then
  echo "No zookeeper server to stop"
  exit 1
else
  kill -s $SIGNAL $PIDS
fi
