#!/usr/bin/env bash
# `make test`: every check CI runs, in order, printing how long each phase took.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -a SUMMARY=()
phase() {
  local name=$1
  shift
  local start=$SECONDS
  echo "=== ${name}"
  "$@"
  SUMMARY+=("$(printf '%-22s %4ds' "$name" $((SECONDS - start)))")
}
report() {
  echo "=== phase durations"
  printf '%s\n' "${SUMMARY[@]}"
}
trap report EXIT

phase deps make --no-print-directory deps
phase lint make --no-print-directory lint
phase generated-fresh make --no-print-directory check-generated
phase sqlc-vet make --no-print-directory sqlc-vet
phase unit-tests make --no-print-directory test-unit
phase browser make --no-print-directory test-browser
phase bun-install make --no-print-directory test-bun-install
phase compose-check make --no-print-directory check-compose
phase integration-e2e make --no-print-directory test-integration
# A fixed seed, so that a failure here can be replayed with the same fault schedule.
phase chaos-short env CHAOS_SEED="${CHAOS_SEED:-2}" make --no-print-directory chaos-short
