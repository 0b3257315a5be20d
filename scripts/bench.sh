#!/usr/bin/env bash
# Benchmark: "first 50 visible projects with totalCount, owner and participant names" over
# 5,000 seeded projects, at 1, 16 and 64 concurrent clients, with wrk.
#   scripts/bench.sh [postgres|sqlite]     (default postgres; needs wrk: apt-get install wrk)
# Server, database and load tool share this machine's cores; figures are for comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-postgres}
duration=${BENCH_DURATION:-10s}
command -v wrk >/dev/null || { echo "bench.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }

cargo build --release -q -p samverkan
bin="${CARGO_TARGET_DIR:-target}/release/samverkan"
work=$(mktemp -d /tmp/samverkan-bench.XXXXXX)
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -n "${PG_THROWAWAY_DIR:-}" ] && scripts/pg-throwaway.sh stop "$PG_THROWAWAY_DIR"
  rm -rf "$work"
}
trap cleanup EXIT

export SAMVERKAN_DATA_DIR="$work" SAMVERKAN_DEMO_DATA=false RUST_LOG=warn
export SAMVERKAN_RATE_LIMIT_PER_MINUTE=100000000
if [ "$db" = postgres ]; then
  eval "$(scripts/pg-throwaway.sh start)"
  export DATABASE_URL="$SAMVERKAN_TEST_POSTGRES_URL"
else
  export DATABASE_URL="sqlite://$work/bench.db?mode=rwc"
fi

"$bin" bench-seed --projects "${BENCH_PROJECTS:-5000}"
SAMVERKAN_BIND=127.0.0.1:0 "$bin" serve >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 50); do grep -q listening "$work/server.out" 2>/dev/null && break; sleep 0.2; done
addr=$(grep -o 'http://[0-9.:]*' "$work/server.out" | head -n 1)
token=$("$bin" token --kommun 1862 --roles viewer --ttl 1h)

query='{ eServiceProjects(first: 50) { totalCount pageInfo { hasNextPage endCursor } edges { node { id title phase budget owner { name } participations { role municipality { name } } } } } }'
body=$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$query")
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = [[$body]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/graphql-response+json"
wrk.headers["Authorization"] = "Bearer $token"
LUA
size=$(curl -s "$addr/graphql" -H 'content-type: application/json' -H "authorization: Bearer $token" -d "$body" | tee "$work/sample.json" | wc -c)
python3 - "$work/sample.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert "errors" not in d, d
c = d["data"]["eServiceProjects"]
print(f"sample: totalCount={c['totalCount']} edges={len(c['edges'])}")
PY
echo "database=$db response=${size} bytes duration=$duration"
for c in 1 16 64; do
  out=$(wrk -t "$(( c < 2 ? 1 : 2 ))" -c "$c" -d "$duration" --latency -s "$work/post.lua" "$addr/graphql")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  echo "clients=$c req/s=$rps p50=$p50 p99=$p99 ${non2xx:+non-2xx=$non2xx}"
done

# The committee report over the whole seeded county, as the committee (namnd) sees it.
ntoken=$("$bin" token --kommun 1880 --roles namnd --ttl 1h)
rbody='{"query":"{ committeeReport(county: \"18\", from: \"2026-01-01\", to: \"2026-12-31\") { projectsByPhase { phase count } costPerMunicipality { municipality { code } committed planned } tollgatesDue { projectTitle } } }"}'
times=$(for _ in $(seq 10); do
  curl -s -o /dev/null -w '%{time_total}\n' "$addr/graphql" -H 'content-type: application/json' -H "authorization: Bearer $ntoken" -d "$rbody"
done | sort -n)
echo "committeeReport (GraphQL): median $(echo "$times" | sed -n 5p)s max $(echo "$times" | tail -n 1)s over 10 runs"
ctimes=$(for _ in $(seq 10); do
  curl -s -o /dev/null -w '%{time_total}\n' -H "authorization: Bearer $ntoken" "$addr/reports/18/committee.csv?from=2026-01-01&to=2026-12-31"
done | sort -n)
echo "committee.csv: median $(echo "$ctimes" | sed -n 5p)s max $(echo "$ctimes" | tail -n 1)s over 10 runs"
