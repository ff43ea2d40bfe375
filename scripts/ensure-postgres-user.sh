#!/usr/bin/env bash
# Postgres refuses to run as root. Embedded Postgres (make run, unit tests) and the stack's
# clusters both run as the `postgres` OS user; create it once as a *system* user, the way
# Debian's postgresql package does, so that installing that package later accepts it.
set -euo pipefail
[[ $(id -u) -eq 0 ]] || exit 0
id postgres >/dev/null 2>&1 && exit 0
useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home --shell /bin/bash \
  --comment "PostgreSQL administrator" postgres
