#!/usr/bin/env bash
# Fails when schema.graphql breaks clients of the latest release without CHANGELOG.md naming
# the change (tools/schema-check, on graphql-inspector's diff); first proves that it would.
set -euo pipefail
cd "$(dirname "$0")/../tools/schema-check"
npm ci --silent --no-audit --no-fund
node check.mjs --self-test
node check.mjs
