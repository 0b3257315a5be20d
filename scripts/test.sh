#!/usr/bin/env bash
# Runs the whole test suite: every Rust test on SQLite and on a throwaway PostgreSQL cluster,
# the schema against the latest release's, the example clients against a fresh server, then
# the explorer in Chromium. Without PostgreSQL server binaries the PostgreSQL half is
# skipped (CI=true makes that an error); without Chromium (and not root, who may install it)
# the browser test is skipped.
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

# The archive package test validates METS and PREMIS with xmllint (Debian's libxml2-utils);
# the committee's PDF is read back with poppler's pdfinfo, pdftotext and pdftoppm
# (poppler-utils).
missing=()
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; })
  else
    echo "test.sh: missing ${missing[*]}; install them with apt-get (the archive and PDF tests need them)" >&2
    exit 1
  fi
fi

# The DCAT-AP-SE catalogue is validated with pySHACL (PyPI), in a virtual environment of its
# own under target/ so that nothing is installed into the system's Python.
if [ -z "${SAMVERKAN_PYSHACL:-}" ]; then
  venv=target/tools/pyshacl
  if [ ! -x "$venv/bin/pyshacl" ]; then
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
      if [ "$(id -u)" = 0 ]; then
        (apt-get install -y -qq python3-venv >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; })
        python3 -m venv "$venv"
      else
        echo "test.sh: python3 -m venv failed; install python3-venv (the catalogue test needs pySHACL)" >&2
        exit 1
      fi
    fi
    "$venv/bin/pip" install -q --disable-pip-version-check "pyshacl==0.40.1"
  fi
  export SAMVERKAN_PYSHACL="$PWD/$venv/bin/pyshacl"
fi

# The end-to-end tests also run the service binary as a child process (drain, replicas).
cargo build --locked -p samverkan
cargo test --workspace --locked

if command -v npm >/dev/null 2>&1; then
  scripts/schema-check.sh
elif [ "${CI:-}" = true ]; then
  echo "test.sh: Node.js (npm) is needed for the schema check" >&2; exit 1
else
  echo "test.sh: no Node.js; the schema check against the latest release is skipped" >&2
fi
scripts/examples-test.sh

if command -v chromium >/dev/null 2>&1 || [ "$(id -u)" = 0 ]; then
  scripts/browser-test.sh
else
  echo "test.sh: no Chromium; the explorer's browser test is skipped (apt-get install chromium)" >&2
fi
