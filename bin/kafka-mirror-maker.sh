#!/bin/bash
# Mirror topics from one cluster to another (MirrorMaker 1).
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.MirrorMaker "$@"
