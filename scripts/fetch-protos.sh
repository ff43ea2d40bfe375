#!/usr/bin/env bash
# Fetches third-party .proto files from package registries into proto/.deps (gitignored):
#   google/api/{annotations,http}.proto  from the npm package google-proto-files (a devDependency);
#   buf/validate/validate.proto           from the Maven artifact build.buf:protovalidate (its jar
#                                         carries the .proto sources). Only long-stable rules are used
#                                         (int64/uint32 bounds, repeated min/max items), which the
#                                         runtime validator @bufbuild/protovalidate embeds too.
#   plugin/codegen.proto                  from the sqlc Go module (the same version the Makefile
#                                         builds), for our sqlc TypeScript plugin.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=proto/.deps
PROTOVALIDATE_VERSION=1.3.0
SQLC_VERSION=v1.31.1
STAMP="$DEST/.stamp-$PROTOVALIDATE_VERSION-$SQLC_VERSION"
[[ -f "$STAMP" ]] && exit 0

rm -rf "$DEST" && mkdir -p "$DEST/google/api" "$DEST/buf/validate" "$DEST/plugin"
cp node_modules/google-proto-files/google/api/{annotations,http}.proto "$DEST/google/api/"

JAR_DIR=.cache/maven
mkdir -p "$JAR_DIR"
JAR="$JAR_DIR/protovalidate-$PROTOVALIDATE_VERSION.jar"
if [[ ! -f "$JAR" ]]; then
  mvn -q -B dependency:copy -Dartifact="build.buf:protovalidate:$PROTOVALIDATE_VERSION" \
    -DoutputDirectory="$JAR_DIR" -Dmdep.overWriteIfNewer=true
fi
unzip -q -o -j "$JAR" buf/validate/validate.proto -d "$DEST/buf/validate/"
# `go mod download` works outside a module for an explicit version and prints where it landed.
SQLC_DIR=$(go mod download -json "github.com/sqlc-dev/sqlc@$SQLC_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
cp "$SQLC_DIR/protos/plugin/codegen.proto" "$DEST/plugin/codegen.proto"
chmod u+w "$DEST/plugin/codegen.proto"
touch "$STAMP"
