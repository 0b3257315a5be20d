#!/usr/bin/env bash
# A rolling restart under load: two replicas on one throwaway PostgreSQL behind HAProxy (from
# Debian's packages; health-checked on /readyz), wrk driving the project list through the
# proxy, and each replica stopped with SIGTERM and started again in turn. Prints the number
# of failed requests (goal: 0) and exits 1 if any failed.
#   scripts/rolling-restart.sh            (ROUNDS=2 restarts of each replica, DRAIN=2 s)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}
DRAIN=${DRAIN:-2}

need() {
  command -v "$1" >/dev/null 2>&1 && return
  [ "$(id -u)" = 0 ] || { echo "rolling-restart: $1 is missing (apt-get install $2)" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need haproxy haproxy
need wrk wrk
PATH=$PATH:/usr/sbin

cargo build -q --locked -p samverkan
bin=$PWD/target/debug/samverkan
work=$(mktemp -d)
eval "$(scripts/pg-throwaway.sh start)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/haproxy.pid" ] && kill "$(cat "$work/haproxy.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  scripts/pg-throwaway.sh stop "$PG_THROWAWAY_DIR"
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ports=("$(free_port)" "$(free_port)")
front=$(free_port)
stats=$(free_port)

# Both replicas share the data folder, so they share the development signing secret.
start_replica() {
  local i=$1
  env DATABASE_URL="$SAMVERKAN_TEST_POSTGRES_URL" SAMVERKAN_DATA_DIR="$work/data" \
    SAMVERKAN_BIND="127.0.0.1:${ports[$i]}" SAMVERKAN_METRICS_BIND=off SAMVERKAN_DRAIN_SECONDS="$DRAIN" \
    SAMVERKAN_WORKERS=2 SAMVERKAN_RATE_LIMIT_PER_MINUTE=1000000 SAMVERKAN_LOG_FORMAT=json RUST_LOG=warn \
    "$bin" serve >>"$work/replica$i.log" 2>&1 &
  pids[$i]=$!
  for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:${ports[$i]}/readyz" >/dev/null && return
    sleep 0.1
  done
  echo "replica $i did not become ready" >&2; cat "$work/replica$i.log" >&2; exit 1
}

start_replica 0
start_replica 1

cat >"$work/haproxy.cfg" <<CFG
global
  pidfile $work/haproxy.pid
  maxconn 2000
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  # A request whose connection could not be made goes to the other replica; one that was
  # sent is never sent twice (a mutation must not run twice).
  retries 3
  option redispatch
  retry-on conn-failure
frontend samverkan
  bind 127.0.0.1:$front
  default_backend replicas
backend replicas
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 250ms fall 1 rise 2
  server a 127.0.0.1:${ports[0]} check
  server b 127.0.0.1:${ports[1]} check
listen stats
  bind 127.0.0.1:$stats
  stats enable
  stats uri /
CFG
haproxy -D -f "$work/haproxy.cfg"
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$front/readyz" >/dev/null && break; sleep 0.1; done

token=$(SAMVERKAN_DATA_DIR="$work/data" SAMVERKAN_MODE=development "$bin" token --kommun 1880 --roles viewer --ttl 1h)
cat >"$work/list.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.body = '{"query":"query List { eServiceProjects(first: 20) { totalCount edges { node { title phase owner { name } } } } }"}'
LUA
duration=$(( ROUNDS * 2 * (DRAIN + 6) + 6 ))
wrk -t2 -c16 -d"${duration}s" --latency -s "$work/list.lua" "http://127.0.0.1:$front/graphql" >"$work/wrk.out" 2>&1 &
wrk_pid=$!
sleep 3

for round in $(seq 1 "$ROUNDS"); do
  for i in 0 1; do
    t0=$(date +%s.%N)
    kill -TERM "${pids[$i]}"
    wait "${pids[$i]}" || { echo "replica $i exited with an error" >&2; exit 1; }
    start_replica "$i"
    t1=$(date +%s.%N)
    printf 'round %d: replica %d stopped and ready again in %.1f s\n' "$round" "$i" "$(echo "$t1 - $t0" | bc)"
    sleep 2   # the proxy's rise (2 × 250 ms) and some traffic on both
  done
done
wait "$wrk_pid" || true

cat "$work/wrk.out"
total=$(awk '/requests in/ {print $1}' "$work/wrk.out")
non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$work/wrk.out")
sockets=$(awk '/Socket errors:/ {gsub(",",""); print $4+$6+$8+$10}' "$work/wrk.out")
failed=$(( ${non2xx:-0} + ${sockets:-0} ))
echo "rolling restart: $ROUNDS rounds × 2 replicas, drain ${DRAIN}s: $total requests, $failed failed (non-2xx ${non2xx:-0}, socket errors ${sockets:-0})"
[ "$failed" -eq 0 ]
