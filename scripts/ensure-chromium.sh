#!/usr/bin/env bash
# The browser test drives Debian's own headless Chromium (no browser download from the npm
# package): install it with apt when missing. Used by the browser phase of scripts/test.sh.
set -euo pipefail
command -v chromium >/dev/null && exit 0
[[ $(id -u) -eq 0 ]] || { echo "chromium is missing: run 'sudo apt-get install chromium'" >&2; exit 1; }
echo "installing Debian's chromium (once)"
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
