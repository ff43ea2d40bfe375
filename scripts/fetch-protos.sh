#!/usr/bin/env bash
# Fetches third-party .proto files from package registries into proto/.deps (gitignored):
#   google/api/{annotations,http}.proto  from the npm package google-proto-files (a devDependency);
#   buf/validate/validate.proto           from the Maven artifact build.buf:protovalidate (its jar
#                                         carries the .proto sources). Only long-stable rules are used
#                                         (int64/uint32 bounds, repeated min/max items), which the
#                                         runtime validator @bufbuild/protovalidate embeds too.
#   grpc/health/v1/health.proto,          from the npm packages grpc-health-check and @grpc/reflection
#   grpc/reflection/v1/reflection.proto   (the standard services every gRPC port serves), generated so
#                                         that reflection can describe them and tests can call them.
#   plugin/codegen.proto                  from the sqlc Go module, for our sqlc TypeScript plugin
#                                         (scripts/sqlc-gen-ts). Its version is the Makefile's
#                                         SQLC_VERSION, the sqlc it builds, so the plugin decodes
#                                         exactly what that sqlc sends (override: SQLC_VERSION=...).
set -euo pipefail
SELF=$(realpath "$0")
cd "$(dirname "$0")/.."
DEST=proto/.deps
PROTOVALIDATE_VERSION=1.3.0
SQLC_VERSION=${SQLC_VERSION:-$(sed -n 's/^SQLC_VERSION *:= *//p' Makefile)}
[[ -n "$SQLC_VERSION" ]] || { echo "fetch-protos: no SQLC_VERSION in the Makefile" >&2; exit 1; }
# The stamp names this script's own content too: a change to what it fetches fetches again.
STAMP="$DEST/.stamp-$PROTOVALIDATE_VERSION-$SQLC_VERSION-$(sha1sum "$SELF" | cut -c1-12)"
[[ -f "$STAMP" ]] && exit 0

rm -rf "$DEST" && mkdir -p "$DEST/google/api" "$DEST/buf/validate" "$DEST/plugin" "$DEST/grpc/health/v1" "$DEST/grpc/reflection/v1"
cp node_modules/google-proto-files/google/api/{annotations,http}.proto "$DEST/google/api/"
cp node_modules/grpc-health-check/proto/health/v1/health.proto "$DEST/grpc/health/v1/"
cp node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto "$DEST/grpc/reflection/v1/"

JAR_DIR=.cache/maven
mkdir -p "$JAR_DIR"
JAR="$JAR_DIR/protovalidate-$PROTOVALIDATE_VERSION.jar"
if [[ ! -f "$JAR" ]]; then
  mvn -q -B dependency:copy -Dartifact="build.buf:protovalidate:$PROTOVALIDATE_VERSION" \
    -DoutputDirectory="$JAR_DIR" -Dmdep.overWriteIfNewer=true
fi
unzip -q -o -j "$JAR" buf/validate/validate.proto -d "$DEST/buf/validate/"
# `go mod download` works outside a module for an explicit version: it reuses the module cache
# (where `go install` of sqlc put the module) and prints where the module's files are.
if ! SQLC_MODULE=$(go mod download -json "github.com/sqlc-dev/sqlc@$SQLC_VERSION"); then
  echo "fetch-protos: cannot download sqlc $SQLC_VERSION: $SQLC_MODULE" >&2
  exit 1
fi
SQLC_DIR=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$SQLC_MODULE")
[[ -f "$SQLC_DIR/protos/plugin/codegen.proto" ]] ||
  { echo "fetch-protos: no protos/plugin/codegen.proto in sqlc $SQLC_VERSION ('$SQLC_DIR')" >&2; exit 1; }
cp "$SQLC_DIR/protos/plugin/codegen.proto" "$DEST/plugin/codegen.proto"
chmod u+w "$DEST/plugin/codegen.proto"
touch "$STAMP"
