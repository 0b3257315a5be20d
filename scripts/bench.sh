#!/usr/bin/env bash
# Read benchmark over seeded projects (5,000 unless BENCH_PROJECTS says otherwise), with wrk:
#   repeated reads   "first 50 visible projects with totalCount, owner and participant names",
#                    one token, at 1, 16 and 64 clients (the response cache answers)
#   uncached path    the same at 16 clients on a second server with the cache off
#   mixed load       tokens of all 12 kommuner, 95 % reads / 5 % writes, 16 clients, while a
#                    checker writes and reads back as one kommun and counts stale answers
#   memory           the cached server's peak RSS after all of it
#   committee report median of 10 (GraphQL and CSV)
# then one table.
#   scripts/bench.sh [postgres|sqlite]     (default postgres; needs wrk: apt-get install wrk)
#   BENCH_PROJECTS=500000 scripts/bench.sh sqlite    the same at scale
# (to compare the two sizes, scripts/bench-size.sh runs them side by side, in alternation)
# Server, database and load tool share this machine's cores; figures are for comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-postgres}
duration=${BENCH_DURATION:-10s}
projects=${BENCH_PROJECTS:-5000}
source scripts/bench-common.sh
bench_setup bench
if [ "$db" = postgres ]; then
  eval "$(scripts/pg-throwaway.sh start)"
  export DATABASE_URL="$SAMVERKAN_TEST_POSTGRES_URL"
else
  export DATABASE_URL="sqlite://$work/bench.db?mode=rwc"
fi

# Starts a server with extra settings; sets $addr and $pid.
serve() {
  local name=$1; shift
  env SAMVERKAN_BIND=127.0.0.1:0 SAMVERKAN_METRICS_BIND=off "$@" "$bin" serve >"$work/$name.out" 2>"$work/$name.err" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do grep -q listening "$work/$name.out" 2>/dev/null && break; sleep 0.2; done
  addr=$(grep -o 'http://[0-9.:]*' "$work/$name.out" | head -n 1)
}

"$bin" bench-seed --projects "$projects"
metrics_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
serve cached SAMVERKAN_METRICS_BIND=127.0.0.1:$metrics_port
cached_addr=$addr cached_pid=$pid
# The cached server's response-cache counters: hits misses shared.
cache_counters() {
  curl -s "http://127.0.0.1:$metrics_port/metrics" | awk '
    /^samverkan_response_cache_hits_total / {h=$2} /^samverkan_response_cache_misses_total / {m=$2}
    /^samverkan_response_cache_shared_total / {s=$2} END {print h+0, m+0, s+0}'
}
serve uncached SAMVERKAN_RESPONSE_CACHE_MB=0
uncached_addr=$addr
addr=$cached_addr
token=$("$bin" token --kommun 1862 --roles viewer --ttl 1h)

list_read_script "$token" "$work/post.lua"
size=$(curl -s "$addr/graphql" -H 'content-type: application/json' -H "authorization: Bearer $token" -d "$body" | tee "$work/sample.json" | wc -c)
python3 - "$work/sample.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert "errors" not in d, d
c = d["data"]["eServiceProjects"]
print(f"sample: totalCount={c['totalCount']} edges={len(c['edges'])}")
PY
echo "database=$db projects=$projects response=${size} bytes duration=$duration"

rows=()
# Runs wrk and adds a row: name, clients, script, address.
load() {
  local name=$1 c=$2 script=$3 target=$4 out rps p50 p99 non2xx
  out=$(wrk -t "$(( c < 2 ? 1 : 2 ))" -c "$c" -d "$duration" --latency -s "$script" "$target/graphql")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  rows+=("| $name | $c | $rps | $p50 | $p99 | ${non2xx:-0} |")
  echo "$name clients=$c req/s=$rps p50=$p50 p99=$p99 ${non2xx:+non-2xx=$non2xx}"
}
for c in 1 16 64; do load "repeated reads" "$c" "$work/post.lua" "$cached_addr"; done
# The cache-off server's first seconds are its cold start (the pool filling, PostgreSQL's
# first plans, and, before servers counted ahead at start, the first count of each part: at
# 500,000 projects that put a first 10 s run at p99 250 ms, the runs after it at 35 ms). The row measures the steady state, so they are spent
# first; the repeated reads above run on a server the sample request has warmed.
wrk -t2 -c16 -d3s -s "$work/post.lua" "$uncached_addr/graphql" >/dev/null
load "uncached path" 16 "$work/post.lua" "$uncached_addr"

# Mixed load (mixed_script); meanwhile a checker creates a project as Örebro and reads
# Örebro's list at once on the same server, counting answers without it.
mixed_script "$bin" "$work/mixed.lua"
checker_token=$("$bin" token --kommun 1880 --roles viewer,editor --ttl 1h)
python3 - "$cached_addr" "$checker_token" "$work/stale.txt" <<'PY' &
import json, sys, time, urllib.request
addr, token, out = sys.argv[1:4]
def gql(q, v=None):
    req = urllib.request.Request(addr + "/graphql", data=json.dumps({"query": q, "variables": v or {}}).encode(),
        headers={"content-type": "application/json", "authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(req))
create = "mutation($i: CreateEServiceProjectInput!) { createEServiceProject(input: $i) { project { id } } }"
listq = "{ eServiceProjects(first: 50) { totalCount edges { node { id } } } }"
checks = stale = stale_counts = 0
while True:
    try:
        open(out + ".stop").close(); break
    except FileNotFoundError:
        pass
    before = gql(listq)["data"]["eServiceProjects"]["totalCount"]
    pid = gql(create, {"i": {"title": "Kontroll", "visibility": "PRIVATE", "budget": "1"}})["data"]["createEServiceProject"]["project"]["id"]
    after = gql(listq)["data"]["eServiceProjects"]
    checks += 1
    if pid not in [e["node"]["id"] for e in after["edges"]]:
        stale += 1
    elif after["totalCount"] < before + 1:
        stale_counts += 1
open(out, "w").write(f"{checks} {stale} {stale_counts}\n")
PY
checker=$!
read -r hits0 misses0 shared0 < <(cache_counters)
load "mixed 95/5, 12 kommuner" 16 "$work/mixed.lua" "$cached_addr"
read -r hits1 misses1 shared1 < <(cache_counters)
touch "$work/stale.txt.stop"
wait "$checker"
echo "response cache during the mixed load: $((hits1 - hits0)) hits, $((misses1 - misses0)) misses, of which $((shared1 - shared0)) answered by a request computing the same answer"
read -r checks stale stale_counts <"$work/stale.txt"
echo "read-after-write checks during the mixed load: $checks, stale lists: $stale, stale totalCount: $stale_counts"
rss=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$cached_pid/status")
echo "cached server peak RSS: ${rss} MB"

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

echo
echo "| $db, $projects projects | clients | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo "| stale lists / stale totalCount in $checks read-after-write checks | | $stale / $stale_counts | | | |"
echo "| peak RSS of the cached server | | ${rss} MB | | | |"
