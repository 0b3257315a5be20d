#!/usr/bin/env bash
# Subscription fan-out across replicas: two release replicas on a throwaway PostgreSQL, 24
# subscribers on replica B (two per kommun of Örebro län, each following its project list),
# COUNTY projects created on replica A; prints p50/p99/max of the delay from the mutation's
# answer to each subscriber's event (goal: p99 < 200 ms) and how many events went missing.
#   scripts/bench-fanout.sh        (FANOUT_WRITES=200, FANOUT_RATE=20 per second)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --profile dist -q --locked -p samverkan
bin=$PWD/target/dist/samverkan
venv=target/examples-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r examples/python/requirements.txt websockets==17.4

work=$(mktemp -d)
eval "$(scripts/pg-throwaway.sh start)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/pg-throwaway.sh stop "$PG_THROWAWAY_DIR"
  rm -rf "$work"
}
trap cleanup EXIT
export DATABASE_URL=$SAMVERKAN_TEST_POSTGRES_URL SAMVERKAN_DATA_DIR=$work SAMVERKAN_DEMO_DATA=false \
  SAMVERKAN_METRICS_BIND=off SAMVERKAN_RATE_LIMIT_PER_MINUTE=1000000 RUST_LOG=warn
urls=()
for name in a b; do
  SAMVERKAN_BIND=127.0.0.1:0 "$bin" serve >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  for _ in $(seq 150); do grep -q listening "$work/$name.out" 2>/dev/null && break; sleep 0.2; done
  urls+=("$(grep -o 'http://[0-9.:]*' "$work/$name.out" | head -n 1)")
done
writer=$("$bin" token --kommun 1880 --roles editor --ttl 1h)
for k in 1814 1860 1861 1862 1863 1864 1880 1881 1882 1883 1884 1885; do
  for n in 1 2; do "$bin" token --kommun "$k" --roles viewer --ttl 1h --sub "watcher-$n"; done
done >"$work/tokens"
"$venv/bin/python" scripts/bench/fanout.py "${urls[0]}" "${urls[1]}" "$writer" "$work/tokens" \
  "${FANOUT_WRITES:-200}" "${FANOUT_RATE:-20}"
