#!/usr/bin/env bash
# `bun install` instead of npm gives a working `make run`: a fresh clone of HEAD, installed with
# Bun (the pinned one from this checkout's node_modules, as a Bun user's own would be), then
# `make run` on free ports until embedded mode is up, and a cart round trip through the gateway.
# Proves that trustedDependencies lets embedded Postgres' postinstall run, and that the root
# postinstall applies patches/. Takes under a minute
# (a few seconds on a warm Bun cache); run by `make test-bun-install`, a phase of `make test`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUN=$ROOT/node_modules/.bin/bun
WORK=$(mktemp -d /tmp/marketplace-bun-install-XXXXXX)
chmod 755 "$WORK" # the postgres OS user must reach the clone when this runs as root
RUN_PID=
cleanup() {
  # make run has a process group of its own (setsid below): stop exactly that group.
  if [[ -n $RUN_PID ]]; then
    kill -TERM -- "-$RUN_PID" 2>/dev/null || true
    wait "$RUN_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

git clone -q "$ROOT" "$WORK/clone"
git -C "$WORK/clone" checkout -q "$(git -C "$ROOT" rev-parse HEAD)"
cd "$WORK/clone"
echo "bun install in a fresh clone"
# copyfile: with Bun's default hardlinks, patch-package's in-place edits would land in Bun's global
# cache, and the next install would start from patched files (a changed patch then fails to apply).
"$BUN" install --no-progress --backend=copyfile >"$WORK/install.log" 2>&1 || { tail -20 "$WORK/install.log"; exit 1; }
[[ -f bun.lock ]] || { echo "bun install left no bun.lock" >&2; exit 1; }
# Bun runs the root package's postinstall (patch-package, patches/): every copy is patched.
for f in node_modules/postgres/{src,cjs/src,cf/src}/connection.js; do
  grep -q "porsager/postgres#1208" "$f" || { echo "bun install did not apply patches/ to $f" >&2; exit 1; }
done

port() { "$BUN" -e 'const s=Bun.listen({hostname:"127.0.0.1",port:0,socket:{data(){}}});console.log(s.port);s.stop()'; }
export CART_HTTP_PORT=$(port) CART_GRPC_PORT=$(port) LOMS_HTTP_PORT=$(port) LOMS_GRPC_PORT=$(port)
export PRODUCT_MOCK_HTTP_PORT=$(port) PRODUCT_MOCK_GRPC_PORT=$(port) EMBEDDED_PG_PORT=$(port)
: >"$WORK/run.log"
PATH=$(dirname "$BUN"):$PATH setsid make run >"$WORK/run.log" 2>&1 &
RUN_PID=$!
for _ in $(seq 1 120); do
  grep -q "embedded mode is up" "$WORK/run.log" && break
  kill -0 "$RUN_PID" 2>/dev/null || break
  sleep 1
done
if ! grep -q "embedded mode is up" "$WORK/run.log"; then
  echo "make run after bun install did not come up:" >&2
  tail -20 "$WORK/run.log" >&2
  exit 1
fi
grep -q "^npm install" "$WORK/run.log" && { echo "make run fell back to npm install" >&2; exit 1; }
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "127.0.0.1:$CART_HTTP_PORT/user/7/cart/1076963" -d '{"count":1}')
[[ $status == 200 ]] || { echo "add item answered $status" >&2; exit 1; }
curl -fsS "127.0.0.1:$CART_HTTP_PORT/user/7/cart" | grep -q '"sku":1076963' || { echo "the item is not listed" >&2; exit 1; }
echo "bun install → make run: up, add item 200, listed"
