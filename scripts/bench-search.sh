#!/usr/bin/env bash
# The project search at county size on a throwaway PostgreSQL, with and without the trigram
# index on titles (migration 000020): a first page of 20 with totalCount as a kommun's
# viewer, for searches that match one project, none, or a fifth of them, each a new filter
# (its count not cached) and then repeated. Response cache off.
#   scripts/bench-search.sh                  (release build, 500,000 projects)
#   BIN=target/debug/samverkan PROJECTS=50000 scripts/bench-search.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-common.sh
bench_binary
work=$(mktemp -d)
pid=
eval "$(scripts/pg-throwaway.sh start)"
trap '[ -z "$pid" ] || kill $pid 2>/dev/null; scripts/pg-throwaway.sh stop "$PG_THROWAWAY_DIR"; rm -rf "$work"' EXIT
export DATABASE_URL=$SAMVERKAN_TEST_POSTGRES_URL SAMVERKAN_DATA_DIR=$work SAMVERKAN_DEMO_DATA=false \
  SAMVERKAN_METRICS_BIND=off RUST_LOG=warn SAMVERKAN_RATE_LIMIT_PER_MINUTE=10000000 SAMVERKAN_COST_PER_MINUTE=1000000000000 \
  SAMVERKAN_COST_PER_MINUTE=1000000000 SAMVERKAN_RESPONSE_CACHE_MB=0
"$bin" bench-seed --projects "${PROJECTS:-500000}" >/dev/null
PSQL="psql -q -X $DATABASE_URL"
[ "$(id -u)" = 0 ] && PSQL="runuser -u postgres -- psql -q -X $DATABASE_URL"
$PSQL -c "ANALYZE"
json() { python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$1"; }
ask() { curl -s -o "$work/body" -w '%{time_total}' -H "Authorization: Bearer $T" -H 'content-type: application/json' -d "$(json "$1")" "$url/graphql"; }
run() { # label
  SAMVERKAN_BIND=127.0.0.1:0 "$bin" serve >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 300); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.2; done
  url=$(grep -o 'http://[0-9.:]*' "$work/out" | head -n1)
  T=$("$bin" token --kommun 1881 --roles viewer --sub search)
  echo "== $1"
  for s in "12345" "zqx" "bygg" "zq"; do
    local q="{ eServiceProjects(first: 20, filter: {search: \"$s\"}) { totalCount totalCountExact edges { node { id } } } }"
    first=$(ask "$q")
    exact=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["data"]["eServiceProjects"]; print(d["totalCount"], d["totalCountExact"])' "$work/body")
    times=$(for _ in $(seq 20); do ask "$q"; echo; done | sort -n)
    echo "search \"$s\": first ${first} s (totalCount, exact: $exact); again p50 $(echo "$times" | sed -n 10p) s, max $(echo "$times" | tail -1) s"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  pid=
}
run "with the trigram index"
$PSQL -c "DROP INDEX ix_project_title_trigram"
run "without it"
