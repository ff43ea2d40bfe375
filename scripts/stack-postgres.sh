#!/usr/bin/env bash
# Stops or starts one service's Postgres in the running stack, for fault tests:
#   scripts/stack-postgres.sh stop|start cart|loms|notifications
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
case ${1:-} in
  stop) pg_stop "$2" ;;
  start) pg_start "$2" ;;
  *) die "usage: $0 stop|start NAME" ;;
esac
