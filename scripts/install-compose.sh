#!/usr/bin/env bash
# Builds Docker Compose's own CLI (github.com/docker/compose/v2, from the Go module proxy) into
# .tools/bin/docker-compose, so that `make test` validates compose.yaml with a real Compose
# implementation's `config` (no Docker engine is needed for that). `go install pkg@version`
# refuses this module (its go.mod has exclude directives), so it is built inside the
# downloaded module. A few minutes once; cached in .tools afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=${1:?usage: install-compose.sh VERSION}
OUT=$PWD/.tools/bin/docker-compose
STAMP=$PWD/.tools/docker-compose-$VERSION
[[ -x $OUT && -f $STAMP ]] && exit 0
module=$(go mod download -json "github.com/docker/compose/v2@$VERSION")
dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$module")
[[ -d $dir ]] || { echo "install-compose: cannot download docker/compose $VERSION: $module" >&2; exit 1; }
echo "building docker compose $VERSION (once)"
mkdir -p "$(dirname "$OUT")"
(cd "$dir" && GOFLAGS=-mod=mod go build -trimpath \
  -ldflags "-X github.com/docker/compose/v2/internal.Version=$VERSION" -o "$OUT" ./cmd)
touch "$STAMP"
