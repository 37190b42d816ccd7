#!/bin/bash
# Runs one gokafka "class" the way Kafka's kafka-run-class.sh runs a Java
# class: every other script in bin/ ends up here. The class names are Kafka's
# (kafka.Kafka, kafka.admin.TopicCommand, ...); bin/gokafka dispatches on them.

if [ $# -lt 1 ]; then
  echo "USAGE: $0 [-daemon] [-name servicename] [-loggc] classname [opts]"
  exit 1
fi

base_dir=$(cd "$(dirname "$0")/.." && pwd)

# Log directory: $LOG_DIR, else <install dir>/logs.
if [ -z "$LOG_DIR" ]; then
  LOG_DIR="$base_dir/logs"
fi
export LOG_DIR

# Options Kafka's script accepts before the class name.
DAEMON_MODE="false"
DAEMON_NAME=""
while [ $# -gt 0 ]; do
  case "$1" in
    -name)
      DAEMON_NAME=$2
      CONSOLE_OUTPUT_FILE=$LOG_DIR/$DAEMON_NAME.out
      shift 2
      ;;
    -loggc)
      # Java's GC log; nothing to do for a Go binary.
      shift
      ;;
    -daemon)
      DAEMON_MODE="true"
      shift
      ;;
    *)
      break
      ;;
  esac
done

GOKAFKA="$base_dir/bin/gokafka"
if [ ! -x "$GOKAFKA" ]; then
  echo "gokafka is not built: $GOKAFKA is missing. Run 'make' in $base_dir first." >&2
  exit 1
fi

if [ "x$DAEMON_MODE" = "xtrue" ]; then
  mkdir -p "$LOG_DIR"
  CONSOLE_OUTPUT_FILE=${CONSOLE_OUTPUT_FILE:-$LOG_DIR/gokafka.out}
  nohup "$GOKAFKA" "$@" > "$CONSOLE_OUTPUT_FILE" 2>&1 < /dev/null &
else
  exec "$GOKAFKA" "$@"
fi
