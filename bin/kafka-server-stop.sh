#!/bin/bash
# Stops every gokafka broker on this host: sends SIGTERM (or $SIGNAL) to each
# process whose command line contains " kafka.Kafka " (bin/gokafka kafka.Kafka
# server.properties), which makes the broker shut down in a controlled way.
SIGNAL=${SIGNAL:-TERM}

OSNAME=$(uname -s)
if [[ "$OSNAME" == "OS/390" ]]; then
    PIDS=$(ps -A -o pid,jobname,comm | grep -i "$JOBNAME" | grep -v grep | awk '{print $1}')
else
    PIDS=$(ps ax -o pid= -o args= | grep ' kafka\.Kafka ' | grep -v grep | awk '{print $1}')
fi

if [ -z "$PIDS" ]; then
  echo "No kafka server to stop"
  exit 1
else
  kill -s $SIGNAL $PIDS
fi
