#!/usr/bin/env bash
# Does the first page cost the same at 500,000 projects as at 5,000? Both sizes side by side,
# measured in alternation, because on a shared machine a 1-client p99 differs by 2× from one
# hour to the next (0.53 ms and 1.05 ms at the same size) while two servers measured in turn
# see the same machine:
#   scripts/bench-size.sh [postgres|sqlite]      (default postgres; needs wrk)
#   BENCH_ROUNDS=5 BENCH_DURATION=10s BENCH_SMALL=5000 BENCH_LARGE=500000 (the defaults)
# One database per size (two databases of one throwaway PostgreSQL, or two SQLite files), each
# served by a cached server and a cache-off one. Every round runs each load against the small
# size, then the large: repeated reads (the response cache answers) at 1 and 16 clients, and
# the uncached path at 16. Prints the median of the rounds per size, the large/small ratio of
# p50 and p99 (the goal is ≤ 1.5), and the cached servers' response-cache misses during the
# repeated reads (a miss pays the size's price).
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-postgres}
rounds=${BENCH_ROUNDS:-5} duration=${BENCH_DURATION:-10s}
small=${BENCH_SMALL:-5000} large=${BENCH_LARGE:-500000}
source scripts/bench-common.sh
bench_setup size

declare -A url=()
if [ "$db" = postgres ]; then
  eval "$(scripts/pg-throwaway.sh start)"
  port=$(cat "$PG_THROWAWAY_DIR/port")
  psql -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "create database small" -c "create database large"
  url[small]="postgres://postgres@127.0.0.1:$port/small"
  url[large]="postgres://postgres@127.0.0.1:$port/large"
else
  url[small]="sqlite://$work/small.db?mode=rwc"
  url[large]="sqlite://$work/large.db?mode=rwc"
fi
DATABASE_URL=${url[small]} "$bin" bench-seed --projects "$small"
DATABASE_URL=${url[large]} "$bin" bench-seed --projects "$large"
if [ "$db" = postgres ]; then
  # Both sizes start from analysed tables and a clean checkpoint, not one of them amid
  # autovacuum's work on the rows just seeded.
  psql -q -h 127.0.0.1 -p "$port" -U postgres -d small -c "vacuum analyze" -c checkpoint
  psql -q -h 127.0.0.1 -p "$port" -U postgres -d large -c "vacuum analyze" -c checkpoint
fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
declare -A addr=() metrics=()
# serve NAME DATABASE_URL [settings...]: starts a server, sets addr[NAME] and metrics[NAME].
serve() {
  local name=$1 db_url=$2 mport
  shift 2
  mport=$(free_port)
  env DATABASE_URL="$db_url" SAMVERKAN_BIND=127.0.0.1:0 SAMVERKAN_METRICS_BIND="127.0.0.1:$mport" "$@" \
    "$bin" serve >"$work/$name.out" 2>"$work/$name.err" &
  pids+=("$!")
  for _ in $(seq 100); do grep -q listening "$work/$name.out" 2>/dev/null && break; sleep 0.2; done
  addr[$name]=$(grep -o 'http://[0-9.:]*' "$work/$name.out" | head -n 1)
  metrics[$name]=$mport
}
for size in small large; do
  serve "$size-cached" "${url[$size]}"
  serve "$size-uncached" "${url[$size]}" SAMVERKAN_RESPONSE_CACHE_MB=0
done
token=$("$bin" token --kommun 1862 --roles viewer --ttl 1h)
list_read_script "$token" "$work/post.lua"
for name in "${!addr[@]}"; do
  curl -sf "${addr[$name]}/graphql" -H 'content-type: application/json' -H "authorization: Bearer $token" -d "$body" \
    | python3 -c 'import json,sys; d = json.load(sys.stdin); assert "errors" not in d, d'
done
# A cache-off server's first seconds are its cold start (first counts, first plans); the
# rows measure the steady state (bench.sh says the same of its uncached row).
for size in small large; do wrk -t2 -c16 -d3s -s "$work/post.lua" "${addr[$size-uncached]}/graphql" >/dev/null; done

misses() { curl -s "http://127.0.0.1:${metrics[$1]}/metrics" | awk '/^samverkan_response_cache_misses_total / {print $2 + 0}'; }
declare -A misses0=()
for size in small large; do misses0[$size]=$(misses "$size-cached"); done

# run LOAD CLIENTS SERVER SIZE ROUND: one wrk run, a line "load|clients|size|round|rps|p50 ms|p99 ms".
run() {
  wrk -t "$(( $2 < 2 ? 1 : 2 ))" -c "$2" -d "$duration" --latency -s "$work/post.lua" "${addr[$3]}/graphql" | awk \
    -v load="$1" -v c="$2" -v size="$4" -v round="$5" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ {rps = $2} $1 == "50%" {p50 = ms($2)} $1 == "99%" {p99 = ms($2)}
    END {printf "%s|%s|%s|%s|%s|%.3f|%.3f\n", load, c, size, round, rps, p50, p99}'
}
for r in $(seq "$rounds"); do
  for load in "repeated reads|1|cached" "repeated reads|16|cached" "uncached path|16|uncached"; do
    IFS='|' read -r name clients server <<<"$load"
    for size in small large; do
      run "$name" "$clients" "$size-$server" "$size" "$r" | tee -a "$work/runs.txt"
    done
  done
done
for size in small large; do
  echo "response-cache misses of the cached $size server during the repeated reads: $(( $(misses "$size-cached") - ${misses0[$size]} ))"
done

python3 - "$work/runs.txt" "$db" "$small" "$large" "$rounds" <<'PY'
import statistics, sys
path, db, small, large, rounds = sys.argv[1:6]
runs = {}
for line in open(path):
    load, clients, size, _, rps, p50, p99 = line.strip().split("|")
    runs.setdefault((load, clients), {}).setdefault(size, []).append((float(rps), float(p50), float(p99)))
med = lambda xs: statistics.median(xs)
print()
print(f"| {db}, median of {rounds} alternating rounds | clients | req/s {small} / {large} | p50 ms {small} / {large} | p99 ms {small} / {large} | p50 ratio | p99 ratio |")
print("|---|---|---|---|---|---|---|")
held = True
for (load, clients), sizes in runs.items():
    s, l = sizes["small"], sizes["large"]
    rps = [med([x[0] for x in v]) for v in (s, l)]
    p50 = [med([x[1] for x in v]) for v in (s, l)]
    p99 = [med([x[2] for x in v]) for v in (s, l)]
    r50, r99 = p50[1] / p50[0], p99[1] / p99[0]
    held &= r50 <= 1.5 and r99 <= 1.5
    print(f"| {load} | {clients} | {rps[0]:,.0f} / {rps[1]:,.0f} | {p50[0]:.2f} / {p50[1]:.2f} | {p99[0]:.2f} / {p99[1]:.2f} | {r50:.2f} | {r99:.2f} |")
print(f"size goal (p50 and p99 at {large} each ≤ 1.5× those at {small}): {'held' if held else 'NOT held'}")
PY
