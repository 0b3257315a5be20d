#!/usr/bin/env bash
# Runs the whole test suite on SQLite and on a throwaway PostgreSQL cluster.
# Without PostgreSQL server binaries the PostgreSQL half is skipped (CI=true makes that an error).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${SAMVERKAN_TEST_POSTGRES_URL:-}" ]; then
  if out=$(scripts/pg-throwaway.sh start); then
    eval "$out"
    trap 'scripts/pg-throwaway.sh stop "$PG_THROWAWAY_DIR"' EXIT
    echo "test.sh: throwaway PostgreSQL at $SAMVERKAN_TEST_POSTGRES_URL"
  else
    echo "test.sh: no PostgreSQL found; PostgreSQL tests will be skipped" >&2
  fi
fi

cargo test --workspace --locked
