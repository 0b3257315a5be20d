#!/usr/bin/env bash
# Compares two builds on the uncached list read, side by side, because runs on a shared
# machine differ by up to 40 % from one minute to the next while two servers measured in
# alternation see the same machine:
#   scripts/bench-ab.sh OLD_BINARY NEW_BINARY [rounds]     (default 4 rounds of 8 s each)
# e.g. cp target/dist/samverkan /tmp/new; git stash; cargo build --profile dist -p samverkan;
#      cp target/dist/samverkan /tmp/old; git stash pop; scripts/bench-ab.sh /tmp/old /tmp/new
# Both serve one throwaway PostgreSQL seeded with BENCH_PROJECTS (5,000) projects by the new
# binary, with the response cache off; wrk -c16 runs against each in turn. Needs wrk.
# Both must know the same migrations: a server refuses a database migrated past it.
#   AB_LOAD=mixed scripts/bench-ab.sh OLD NEW    the mixed load of scripts/bench.sh instead
#                                                (12 kommuner, 5 % writes), response cache on
set -euo pipefail
cd "$(dirname "$0")/.."
old=$(realpath "$1") new=$(realpath "$2") rounds=${3:-4}
command -v wrk >/dev/null || { echo "bench-ab.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
source scripts/bench-common.sh
bench_workspace ab
eval "$(scripts/pg-throwaway.sh start)"
export DATABASE_URL="$SAMVERKAN_TEST_POSTGRES_URL" SAMVERKAN_DATA_DIR="$work" SAMVERKAN_DEMO_DATA=false
# The rate and the cost budget are raised out of reach: a server that answers RATE_LIMITED
# answers fast, and a run that measured refusals would look like a speed-up.
export RUST_LOG=warn SAMVERKAN_RATE_LIMIT_PER_MINUTE=100000000 SAMVERKAN_METRICS_BIND=off
export SAMVERKAN_COST_PER_MINUTE=1000000000000 SAMVERKAN_ANONYMOUS_COST_PER_MINUTE=1000000000000
load=${AB_LOAD:-uncached}
case "$load" in
  uncached) export SAMVERKAN_RESPONSE_CACHE_MB=0 ;;
  mixed) ;;
  *) echo "bench-ab.sh: AB_LOAD is uncached or mixed" >&2; exit 2 ;;
esac
"$new" bench-seed --projects "${BENCH_PROJECTS:-5000}"

addrs=()
for name in old new; do
  bin=$([ "$name" = old ] && echo "$old" || echo "$new")
  env SAMVERKAN_BIND=127.0.0.1:0 "$bin" serve >"$work/$name.out" 2>"$work/$name.err" &
  pids+=("$!")
  for _ in $(seq 100); do grep -q listening "$work/$name.out" 2>/dev/null && break; sleep 0.2; done
  addrs+=("$(grep -o 'http://[0-9.:]*' "$work/$name.out" | head -n 1)")
done
token=$("$new" token --kommun 1862 --roles viewer --ttl 1h)
list_read_script "$token" "$work/post.lua"
script="$work/post.lua"
if [ "$load" = mixed ]; then
  mixed_script "$new" "$work/mixed.lua"
  script="$work/mixed.lua"
fi
for addr in "${addrs[@]}"; do
  curl -sf "$addr/graphql" -H 'content-type: application/json' -H "authorization: Bearer $token" -d "$body" \
    | python3 -c 'import json,sys; d = json.load(sys.stdin); assert "errors" not in d, d'
done

declare -A sum=()
for r in $(seq "$rounds"); do
  for i in 0 1; do
    out=$(wrk -t2 -c16 -d8s -s "$script" "${addrs[$i]}/graphql")
    if grep -q "Non-2xx" <<<"$out"; then
      echo "bench-ab.sh: refused or failed answers in the run; the figure would not be a read's:" >&2
      echo "$out" >&2
      exit 1
    fi
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    label=$([ "$i" = 0 ] && echo old || echo new)
    echo "round $r $label $rps req/s"
    sum[$label]=$(python3 -c "print(${sum[$label]:-0} + $rps)")
  done
done
python3 -c "o=${sum[old]}/$rounds; n=${sum[new]}/$rounds; print(f'$load: mean old {o:.1f} req/s, new {n:.1f} req/s, {100*(n/o-1):+.1f} %')"
