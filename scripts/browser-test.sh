#!/usr/bin/env bash
# The explorer in a real browser: builds the service, starts it on a throwaway SQLite
# database with the demo data, and drives Debian's Chromium against it with Playwright
# (tests/browser/explorer.mjs). Installs Chromium and the pinned playwright-core when missing.
#   scripts/browser-test.sh [SCREENSHOT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
shot=${1:+$(realpath -m "$1")}

if ! command -v chromium >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { echo "browser-test: Chromium is missing (apt-get install chromium)" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
(cd tests/browser && npm ci --silent --no-audit --no-fund)
cargo build -q --locked -p samverkan
bin=target/debug/samverkan

dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export SAMVERKAN_DATA_DIR=$dir SAMVERKAN_BIND=127.0.0.1:$port SAMVERKAN_MODE=development
"$bin" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  kill -0 $server 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  sleep 0.2
done
token=$("$bin" token --kommun 1880 --roles editor,admin)
(cd tests/browser && SAMVERKAN_URL="http://127.0.0.1:$port" SAMVERKAN_TOKEN="$token" node explorer.mjs ${shot:+"$shot"})
