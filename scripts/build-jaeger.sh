#!/usr/bin/env bash
# Builds Jaeger v2 (all-in-one: OTLP in on 4317/4318, query API on 16686) from the Go module proxy
# into .tools/bin/jaeger, once. `go install ...@version` refuses the module (its go.mod has a
# replace directive), so we download the module, copy it out of the read-only module cache and
# build inside it. The Go module carries no UI assets: the stack's trace UI is Zipkin's (see README).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAEGER_VERSION=v1.76.0
BIN="$ROOT/.tools/bin/jaeger"
STAMP="$ROOT/.tools/jaeger-$JAEGER_VERSION"
[[ -x $BIN && -f $STAMP ]] && exit 0
start=$(date +%s)
echo "building Jaeger $JAEGER_VERSION from the Go module proxy (first time only, a few minutes)"
dir=$(cd "$ROOT" && GOFLAGS=-mod=mod go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_VERSION" |
  sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[[ -n $dir && -d $dir ]] || { echo "go mod download of jaeger failed" >&2; exit 1; }
work="$ROOT/.cache/jaeger-src"
rm -rf "$work" && mkdir -p "$work" && cp -r "$dir/." "$work" && chmod -R u+w "$work"
mkdir -p "$ROOT/.tools/bin"
(cd "$work" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$BIN" ./cmd/jaeger)
rm -rf "$work"
touch "$STAMP"
echo "Jaeger built in $(($(date +%s) - start)) s → $BIN"
