#!/usr/bin/env bash
# What the audit chain costs, on a throwaway PostgreSQL (release builds):
#   scripts/bench-chain.sh [OLD_BINARY]
# 1. Write throughput: 8 concurrent writers (wrk, 8 connections, 8 kommuner's editors)
#    creating projects, CHAIN_SECONDS (10) per round, CHAIN_ROUNDS (3) rounds alternating the
#    OLD binary (a build from before the chain, if given) and this checkout's, each binary on
#    its own database; then verify-audit on the new binary's database.
# 2. verify-audit over CHAIN_EVENTS (1,000,000) chained events of county 18.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-common.sh
old=${1:-}
bench_setup chain
eval "$(scripts/pg-throwaway.sh start)"
PSQL="psql -q -X"
[ "$(id -u)" = 0 ] && PSQL="runuser -u postgres -- psql -q -X"
base=${SAMVERKAN_TEST_POSTGRES_URL%/*}
fresh() { $PSQL "$SAMVERKAN_TEST_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null; echo "$base/$1"; }

writers_script() {
  local tokens="" k
  for k in 1880 1881 1882 1883 1884 1885 1860 1861; do
    tokens+="\"$("$1" token --kommun "$k" --roles editor --ttl 1h)\","
  done
  cat >"$2" <<LUA
local tokens = { $tokens }
local n = 0
request = function()
  n = n + 1
  local body = '{"query":"mutation(\$i: CreateEServiceProjectInput!) { createEServiceProject(input: \$i) { project { id } } }","variables":{"i":{"title":"Skrivlast ' .. n .. '","visibility":"COUNTY","budget":"1000"}}}'
  return wrk.format("POST", "/graphql", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1],
  }, body)
end
LUA
}

serve() { # BINARY DATABASE_URL -> sets url, appends to pids
  DATABASE_URL=$2 SAMVERKAN_BIND=127.0.0.1:0 SAMVERKAN_METRICS_BIND=off "$1" serve >"$work/out.$3" 2>"$work/err.$3" &
  pids+=($!)
  for _ in $(seq 200); do grep -q listening "$work/out.$3" 2>/dev/null && break; sleep 0.1; done
  url=$(grep -o 'http://[0-9.:]*' "$work/out.$3" | head -n1)
}

names=(new); bins=("$bin"); [ -n "$old" ] && { names+=(old); bins+=("$old"); }
declare -A urls
for i in "${!bins[@]}"; do
  serve "${bins[$i]}" "$(fresh "chain_${names[$i]}")" "${names[$i]}"
  urls[${names[$i]}]=$url
  writers_script "${bins[$i]}" "$work/w.${names[$i]}.lua"
done
secs=${CHAIN_SECONDS:-10}
for round in $(seq "${CHAIN_ROUNDS:-3}"); do
  for n in "${names[@]}"; do
    rps=$(wrk -t2 -c8 -d"${secs}s" -s "$work/w.$n.lua" "${urls[$n]}" | awk '/Requests\/sec/ {print $2}')
    echo "round $round $n: $rps writes/s (8 writers)"
  done
done
DATABASE_URL="$base/chain_new" "$bin" verify-audit --county 18

events=${CHAIN_EVENTS:-1000000}
db=$(fresh chain_size)
DATABASE_URL=$db "$bin" bench-seed --projects 0 --audit-events "$events"
$PSQL "$db" -c "VACUUM ANALYZE audit_event" >/dev/null
start=$(date +%s.%N)
DATABASE_URL=$db "$bin" verify-audit --county 18
end=$(date +%s.%N)
echo "verify-audit over $events events: $(echo "$end - $start" | bc) s"
