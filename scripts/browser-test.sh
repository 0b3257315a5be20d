#!/usr/bin/env bash
# The explorer in a real browser: starts the service on a throwaway SQLite database with the
# demo data and drives Debian's Chromium against it with Playwright
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
source scripts/lib/throwaway-server.sh
(cd tests/browser && SAMVERKAN_URL="$SERVER_URL" SAMVERKAN_TOKEN="$(token --kommun 1880 --roles editor,admin)" \
  node explorer.mjs ${shot:+"$shot"})
