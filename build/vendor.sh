#!/usr/bin/env bash
# Rebuild what static/vendor/ ships from the upstream file next to it (run after updating a vendored library).
#   htmx 2 is written in ES2020 (?. and ??): older campus tablets (iOS 12.2–13.3, Chrome 73–79) cannot parse it,
#   so the page loads a copy lowered to ES2019 by esbuild. The upstream file stays beside it for comparison.
# Usage: bash build/vendor.sh   (needs Node.js and npm; esbuild is fetched into ~/.cache/xgapp-build/npm)
set -euo pipefail
cd "$(dirname "$0")/.."
ESBUILD_VERSION=0.25.12
TARGET=es2019,chrome73,safari12.1
tools="${XGAPP_BUILD_CACHE:-$HOME/.cache/xgapp-build}/npm/esbuild-$ESBUILD_VERSION"
if [ ! -x "$tools/node_modules/.bin/esbuild" ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-save --silent "esbuild@$ESBUILD_VERSION"
fi
for upstream in static/vendor/htmx-*.min.js; do
  case "$upstream" in *.es2019.min.js) continue;; esac
  out="${upstream%.min.js}.es2019.min.js"
  "$tools/node_modules/.bin/esbuild" "$upstream" --target="$TARGET" --minify --log-level=warning \
    --legal-comments=inline --outfile="$out"
  echo "$upstream -> $out ($TARGET)"
done
