#!/usr/bin/env bash
# The national mixed benchmark: every county served, projects seeded over all 290 kommuner,
# readers of every kommun (project list, system map, committee report) and a steady writer
# whose projects go to each of the 21 län in turn; run twice on the same database, with
# per-county freshness (cache_freshness = county, the default) and with one global
# generation (global, the behaviour before), and reports per county the response-cache hit
# rate (from the server's log: the reads it answered from the cache) and the p99.
#   scripts/bench-counties.sh          (BENCH_PROJECTS=20000, 30 s per run, 8 readers, 1 write/s)
#   BIN=target/dist/samverkan SECONDS_PER_RUN=60 WRITES=2 scripts/bench-counties.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-common.sh
bench_binary
bench_workspace counties
projects=${BENCH_PROJECTS:-20000}
run_seconds=${SECONDS_PER_RUN:-30}
readers=${READERS:-8}
writes=${WRITES:-1}
export SAMVERKAN_DATA_DIR="$work" SAMVERKAN_DEMO_DATA=false SAMVERKAN_COUNTIES='*'
export SAMVERKAN_RATE_LIMIT_PER_MINUTE=100000000 SAMVERKAN_COST_PER_MINUTE=1000000000
eval "$(scripts/pg-throwaway.sh start)"
export DATABASE_URL="$SAMVERKAN_TEST_POSTGRES_URL"

"$bin" bench-seed --projects "$projects" --counties all
tail -n +2 api/data/kommuner.csv | cut -d, -f1 | while read -r code; do
  printf '%s\t%s\n' "$code" "$("$bin" token --kommun "$code" --roles viewer,editor,namnd --ttl 2h)"
done >"$work/tokens.tsv"

for mode in county global; do
  env SAMVERKAN_BIND=127.0.0.1:0 SAMVERKAN_METRICS_BIND=off SAMVERKAN_CACHE_FRESHNESS=$mode \
    SAMVERKAN_LOG_FORMAT=json RUST_LOG=warn,samverkan::http::graphql=debug \
    "$bin" serve >"$work/$mode.out" 2>"$work/$mode.err" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do grep -q listening "$work/$mode.out" 2>/dev/null && break; sleep 0.2; done
  addr=$(grep -o 'http://[0-9.:]*' "$work/$mode.out" | head -n 1)
  echo "cache_freshness=$mode at $addr"
  python3 scripts/bench/counties.py "$addr" "$work/tokens.tsv" "$work/$mode.json" "$run_seconds" "$readers" "$writes"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
names = {}
for line in open("api/data/lan.csv").read().splitlines()[1:]:
    code, name = line.split(",", 1)
    names[code] = name

def run(mode):
    hits = set()
    for f in (f"{work}/{mode}.out", f"{work}/{mode}.err"):
        for line in open(f, errors="replace"):
            if "answered from the response cache" in line:
                try:
                    d = json.loads(line)
                except ValueError:
                    continue
                rid = d.get("fields", {}).get("request_id") or d.get("request_id")
                if rid:
                    hits.add(rid)
    d = json.load(open(f"{work}/{mode}.json"))
    per = {}
    for county, kind, rid, took in d["reads"]:
        per.setdefault(county, []).append((kind, rid in hits, took))
    return per, d["error_count"]

def p99(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * 0.99))] * 1000 if xs else 0

county, county_errors = run("county")
glob, global_errors = run("global")
print()
print("| län | reads | hit rate, per county | hit rate, global | p99 ms, per county | p99 ms, global |")
print("|---|---|---|---|---|---|")
tot = {"county": [0, 0], "global": [0, 0]}
other = {"county": [0, 0], "global": [0, 0]}
for c in sorted(county):
    a, b = county[c], glob.get(c, [])
    ha = sum(1 for _, h, _ in a if h) / len(a)
    hb = sum(1 for _, h, _ in b if h) / max(1, len(b))
    print(f"| {c} {names.get(c, '')} | {len(a)} | {ha:.1%} | {hb:.1%} | {p99([t for *_, t in a]):.1f} | {p99([t for *_, t in b]):.1f} |")
for mode, per in (("county", county), ("global", glob)):
    for rows in per.values():
        for kind, hit, _ in rows:
            tot[mode][0] += 1; tot[mode][1] += hit
            if kind != "list":
                other[mode][0] += 1; other[mode][1] += hit
def miss(x):
    return 1 - x[1] / max(1, x[0])
print()
print(f"all reads: miss rate per county {miss(tot['county']):.1%}, global {miss(tot['global']):.1%}; "
      f"ratio {miss(tot['county']) / max(1e-9, miss(tot['global'])):.2f}")
print(f"map and report (what the stamping changes): miss rate per county {miss(other['county']):.1%}, "
      f"global {miss(other['global']):.1%}; ratio {miss(other['county']) / max(1e-9, miss(other['global'])):.2f}")
print(f"p99 all reads: per county {p99([t for r in county.values() for *_, t in r]):.1f} ms, "
      f"global {p99([t for r in glob.values() for *_, t in r]):.1f} ms; errors {county_errors} / {global_errors}")
PY
