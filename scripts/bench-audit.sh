#!/usr/bin/env bash
# The audit trail at 10 million events on a throwaway PostgreSQL (docs/CAPACITY.md): seeds
# 20,000 projects, generates the events in PostgreSQL, prints the table's size and the first
# page's time as the committee and as a kommun's viewer (100 requests each, cache off).
#   scripts/bench-audit.sh               (AUDIT_EVENTS=10000000, release build; BUILD=debug)
#   BIN=target/debug/samverkan scripts/bench-audit.sh
#   scripts/bench-audit.sh OLD_BINARY    (the same requests against another binary too, on
#                                         the same database, one after the other)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-common.sh
bench_binary
old=${1:-}
work=$(mktemp -d)
pid=
eval "$(scripts/pg-throwaway.sh start)"
trap '[ -z "$pid" ] || kill $pid 2>/dev/null; scripts/pg-throwaway.sh stop "$PG_THROWAWAY_DIR"; rm -rf "$work"' EXIT
export DATABASE_URL=$SAMVERKAN_TEST_POSTGRES_URL SAMVERKAN_DATA_DIR=$work SAMVERKAN_DEMO_DATA=false SAMVERKAN_METRICS_BIND=off RUST_LOG=warn SAMVERKAN_RATE_LIMIT_PER_MINUTE=10000000 SAMVERKAN_COST_PER_MINUTE=1000000000000 SAMVERKAN_RESPONSE_CACHE_MB=0
"$bin" bench-seed --projects 20000
PSQL="psql -q -X $DATABASE_URL"
[ "$(id -u)" = 0 ] && PSQL="runuser -u postgres -- psql -q -X $DATABASE_URL"
t0=$(date +%s)
$PSQL -v events="${AUDIT_EVENTS:-10000000}" <<'SQL'
INSERT INTO audit_event (occurred_at, actor_sub, actor_municipality_id, actor_roles, action, record_type, record_id, before, after, request_id, scope_type, scope_id, created_at, updated_at)
SELECT now() - (g || ' seconds')::interval, 'user-' || (g % 500), 1 + (g % 12), 'editor', 'updateEServiceProject', 'EServiceProject', p, '{"title":"a"}', '{"title":"b","budget":"1000.00","phase":"PLANNING"}', 'req-' || g, 'EServiceProject', p, now(), now()
FROM generate_series(1, :events) g, LATERAL (SELECT 1 + (g::bigint * 7919) % 20000 AS p) x;
ANALYZE audit_event;
SQL
echo "inserted ${AUDIT_EVENTS:-10000000} events in $(( $(date +%s) - t0 )) s"
$PSQL -c "select pg_size_pretty(pg_total_relation_size('audit_event')) total, pg_size_pretty(pg_relation_size('audit_event')) heap, pg_size_pretty(pg_indexes_size('audit_event')) indexes"
run() { # binary label
  local b=$1
  SAMVERKAN_BIND=127.0.0.1:0 "$b" serve >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.2; done
  url=$(grep -o 'http://[0-9.:]*' "$work/out" | head -n1)
  echo "== $2 ($b)"
  for who in "1880 namnd" "1881 viewer"; do
    set -- $who
    T=$("$b" token --kommun $1 --roles $2)
    for q in '{ auditEvents(first: 50) { edges { node { action occurredAt } } } }' \
             '{ auditEvents(first: 50, filter: {municipality: "1882"}) { edges { node { action } } } }'; do
      body=$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$q")
      curl -s -o /dev/null -H "Authorization: Bearer $T" -H 'content-type: application/json' -d "$body" "$url/graphql"
      times=$(for i in $(seq 100); do curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $T" -H 'content-type: application/json' -d "$body" "$url/graphql"; done | sort -n)
      echo "$2 $(echo "$q" | cut -c1-60): p50 $(echo "$times" | sed -n 50p) s, p99 $(echo "$times" | sed -n 99p) s, max $(echo "$times" | tail -1) s"
    done
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  pid=
}
run "$bin" new
[ -n "$old" ] && run "$old" old
exit 0
