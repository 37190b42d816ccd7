#!/bin/bash
# Reset a Kafka Streams application's offsets and internal topics.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.StreamsResetter "$@"
