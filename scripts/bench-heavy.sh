#!/usr/bin/env bash
# The reads a committee day makes, at county size, on a throwaway PostgreSQL (DB=sqlite: a
# SQLite file; REUSE=URL: a database an earlier run seeded, as it is): the committee
# report (two sections, every section as the committee and as a kommun, the CSV and the PDF), eight
# kommuner asking for their first report at once while a plain list is read, and a
# search-filtered first page; each with the response cache off, timed, and the server's
# resident memory (VmRSS idle, VmHWM after each step: the peak so far).
#   scripts/bench-heavy.sh                       (release build, 500,000 projects)
#   PROJECTS=5000 scripts/bench-heavy.sh
#   BUILD=debug scripts/bench-heavy.sh
#   STEPS=csv scripts/bench-heavy.sh             (the committee CSV alone; STEPS=first: the first
#                                                 reports after a start; STEPS=search: searches
#                                                 from rare to common; STEPS=none: seed only)
#   DB=sqlite scripts/bench-heavy.sh             (the embedded database)
#   KEEP=1 scripts/bench-heavy.sh                (leaves the seeded database and prints its URL,
#                                                 for REUSE= runs of other binaries)
#   scripts/bench-heavy.sh OLD_BINARY            (the same steps against another binary too,
#                                                 on the same database, one after the other)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-common.sh
bench_binary
old=${1:-}
work=$(mktemp -d)
pid=
db=${DB:-postgres}
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null
  if [ -n "${KEEP:-}" ] && [ -z "${REUSE:-}" ]; then
    echo "kept: REUSE=$DATABASE_URL${PG_THROWAWAY_DIR:+ (scripts/pg-throwaway.sh stop $PG_THROWAWAY_DIR)}"
    return
  fi
  [ -z "${PG_THROWAWAY_DIR:-}" ] || [ -n "${REUSE:-}" ] || scripts/pg-throwaway.sh stop "$PG_THROWAWAY_DIR"
  rm -rf "$work"
}
trap cleanup EXIT
if [ -n "${REUSE:-}" ]; then
  # A database seeded by an earlier run (its URL), measured as it is.
  export DATABASE_URL=$REUSE
elif [ "$db" = sqlite ]; then
  export DATABASE_URL="sqlite://$work/bench.db?mode=rwc"
else
  eval "$(scripts/pg-throwaway.sh start)"
  export DATABASE_URL=$SAMVERKAN_TEST_POSTGRES_URL
fi
export SAMVERKAN_DATA_DIR=$work SAMVERKAN_DEMO_DATA=false \
  SAMVERKAN_METRICS_BIND=off RUST_LOG=warn SAMVERKAN_RATE_LIMIT_PER_MINUTE=10000000 SAMVERKAN_COST_PER_MINUTE=1000000000000 \
  SAMVERKAN_RESPONSE_CACHE_MB=0 SAMVERKAN_REQUEST_TIMEOUT_MS=${TIMEOUT_MS:-30000}
if [ -z "${REUSE:-}" ]; then
  projects=${PROJECTS:-500000}
  echo "seeding $projects projects on $db"
  "$bin" bench-seed --projects "$projects" >/dev/null
  # A benefit for every third project with a follow-up, health and a tollgate in the period
  # for every fifth. Written outside the audited path, so with the columns a benefit keeps
  # (migration 000025).
  if [ "$db" = sqlite ]; then
    python3 - "${DATABASE_URL#sqlite://}" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1].split("?")[0])
db.executescript("""
INSERT INTO benefit (project_id, description, category, kind, owner_id, metric, unit, baseline_e4, target_e4, created_at, updated_at,
  county_id, project_owner_id, project_visibility)
SELECT p.id, 'Nytta ' || p.id, 'QUALITY', 'QUANTITATIVE', p.owner_id, 'min', 'min', 100000, 50000, p.created_at, p.updated_at,
  p.county_id, p.owner_id, p.visibility
FROM project p WHERE p.id % 3 = 0;
INSERT INTO benefit_follow_up (benefit_id, project_id, measured_on, value_e4, comment, municipality_id, created_at, updated_at)
SELECT b.id, b.project_id, '2026-06-01', 70000 + b.id % 30000, '', b.owner_id, b.created_at, b.updated_at FROM benefit b;
UPDATE benefit SET latest_e4 = 70000 + id % 30000, latest_on = '2026-06-01';
UPDATE project SET health = 'GREEN', next_tollgate_due = date('2026-01-01', '+' || (id % 360) || ' days') WHERE id % 5 = 0;
ANALYZE;
""")
print(db.execute("select (select count(*) from project), (select count(*) from participation), (select count(*) from benefit)").fetchone())
PY
  else
    PSQL="psql -q -X $DATABASE_URL"
    [ "$(id -u)" = 0 ] && PSQL="runuser -u postgres -- psql -q -X $DATABASE_URL"
    $PSQL <<'SQL'
INSERT INTO benefit (project_id, description, category, kind, owner_id, metric, unit, baseline_e4, target_e4, created_at, updated_at,
  county_id, project_owner_id, project_visibility)
SELECT p.id, 'Nytta ' || p.id, 'QUALITY', 'QUANTITATIVE', p.owner_id, 'min', 'min', 100000, 50000, now(), now(),
  p.county_id, p.owner_id, p.visibility
FROM project p WHERE p.id % 3 = 0;
INSERT INTO benefit_follow_up (benefit_id, project_id, measured_on, value_e4, comment, municipality_id, created_at, updated_at)
SELECT b.id, b.project_id, DATE '2026-06-01', 70000 + b.id % 30000, '', b.owner_id, now(), now() FROM benefit b;
UPDATE benefit b SET latest_e4 = f.value_e4, latest_on = f.measured_on FROM benefit_follow_up f WHERE f.benefit_id = b.id;
UPDATE project SET health = 'GREEN', next_tollgate_due = DATE '2026-01-01' + (id % 360)::int WHERE id % 5 = 0;
ANALYZE;
SQL
    $PSQL -c "select (select count(*) from project) projects, (select count(*) from participation) participations, (select count(*) from benefit) benefits"
  fi
fi

q2='{ committeeReport(county: "18", from: "2026-01-01", to: "2026-12-31") { projectsByPhase { phase health count } costPerMunicipality { municipality { code } committed planned projects } } }'
qall='{ committeeReport(county: "18", from: "2026-01-01", to: "2026-12-31") { projectsByPhase { phase health count } costPerMunicipality { municipality { code } committed planned projects } projectCosts { projectTitle amount } benefitsPerMunicipality { benefits realizationPercent } benefits { projectTitle realizationPercent } tollgatesDue { projectTitle due } sourcingDecisions { title } vendorInitiatives { title } sensitiveSystemsOutsideEu { product } contractsEnding { product } procurementWindows { id } keyPersonRisk { systemsAtRisk } } }'
qlist='{ eServiceProjects(first: 20) { edges { node { id title } } } }'
qsearch='{ eServiceProjects(first: 20, filter: {search: "zq"}) { totalCount edges { node { id } } } }'
json() { python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$1"; }

# One request: "<seconds> <status> <bytes> <first error code or ->". Each request writes its
# own body file, so requests at once do not read each other's answers.
ask() { # token query
  local out body
  body=$(mktemp "$work/body.XXXXXX")
  out=$(curl -s -o "$body" -w '%{time_total} %{http_code} %{size_download}' \
    -H "Authorization: Bearer $1" -H 'content-type: application/json' -d "$(json "$2")" "$url/graphql")
  echo "$out $(python3 -c 'import json,sys
try:
  e=json.load(open(sys.argv[1])).get("errors") or []
  print(e[0]["extensions"]["code"] if e else "-")
except Exception: print("?")' "$body")"
  rm -f "$body"
}
any_running() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
mem() { awk '/VmRSS|VmHWM/ {printf "%s %d MB  ", $1, $2/1024}' "/proc/$pid/status"; echo; }

run() { # binary label
  local b=$1 label=$2
  SAMVERKAN_BIND=127.0.0.1:0 "$b" serve >"$work/out" 2>"$work/err" &
  pid=$!
  # The first start after seeding prices every project before it listens (about a minute).
  for _ in $(seq 1500); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.2; done
  url=$(grep -o 'http://[0-9.:]*' "$work/out" | head -n1)
  # The start warms every kommun's list counts in the background: measure after it.
  sleep "${SETTLE:-2}"
  echo "== $label ($b)"
  echo -n "idle: "; mem
  local gn kv
  gn=$("$b" token --kommun 1880 --roles namnd --sub gn)
  kv=$("$b" token --kommun 1881 --roles viewer --sub kv)
  if [ "${STEPS:-all}" = first ]; then
    # What a replica joining a rolling restart answers first (the figures it measured as it
    # started), then again.
    echo "report, every section, committee, first: $(ask "$gn" "$qall"), again: $(ask "$gn" "$qall")"
    echo "report, every section, kommun viewer, first: $(ask "$kv" "$qall"), again: $(ask "$kv" "$qall")"
    echo -n "  "; mem
    kill "$pid"; wait "$pid" 2>/dev/null || true
    pid=
    return
  fi
  if [ "${STEPS:-all}" = search ]; then
    # Searches a kommun viewer types, from one that matches nothing to one every title holds:
    # the first page with its count (the first time that filter is counted), then the first
    # page alone, repeated.
    local s
    for s in zq q å e by 00 ö 12 zqx kolv 4711 99999; do
      echo "search \"$s\": first with totalCount $(ask "$kv" "{ eServiceProjects(first: 20, filter: {search: \"$s\"}) { totalCount totalCountExact edges { node { id } } } }")"
      : >"$work/search"
      for _ in $(seq "${REPEAT:-30}"); do
        curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $kv" -H 'content-type: application/json' \
          -d "$(json "{ eServiceProjects(first: 20, filter: {search: \"$s\"}) { edges { node { id title } } } }")" "$url/graphql" >>"$work/search"
      done
      sort -n -o "$work/search" "$work/search"
      local n
      n=$(wc -l <"$work/search")
      echo "  page alone x$n: p50 $(sed -n "$(((n + 1) / 2))p" "$work/search") s, p99 $(sed -n "$(((n * 99 + 99) / 100))p" "$work/search") s"
    done
    echo -n "  "; mem
    kill "$pid"; wait "$pid" 2>/dev/null || true
    pid=
    return
  fi
  # The CSV first, so that its peak is its own and not an earlier report's.
  local t
  t=$(curl -s -o "$work/csv" -w '%{time_total} %{http_code}' -H "Authorization: Bearer $gn" \
    "$url/reports/18/committee.csv?from=2026-01-01&to=2026-12-31")
  echo "committee CSV, first on the idle server: $t, $(wc -c <"$work/csv") bytes"
  echo -n "  "; mem
  if [ "${STEPS:-all}" = csv ]; then
    kill "$pid"; wait "$pid" 2>/dev/null || true
    pid=
    return
  fi
  echo "report, two sections, committee, first:  $(ask "$gn" "$q2")"
  echo "report, two sections, committee, again:  $(ask "$gn" "$q2")"
  echo -n "  "; mem
  echo "report, every section, committee:        $(ask "$gn" "$qall")"
  echo "report, every section, kommun viewer:    $(ask "$kv" "$qall")"
  echo -n "  "; mem
  # What a committee day sees after each write: one kommun's shared project changed, then
  # the committee's report (the figures kept per part and slice move with it).
  local ed pv
  ed=$("$b" token --kommun 1880 --roles editor --sub ed)
  for i in 1 2 3; do
    pv=$(curl -s -H "Authorization: Bearer $ed" -H 'content-type: application/json' \
      -d "$(json '{ eServiceProjects(first: 1, filter: {owner: "1880", visibility: [COUNTY]}) { edges { node { id version } } } }')" \
      "$url/graphql" | python3 -c 'import json,sys; n=json.load(sys.stdin)["data"]["eServiceProjects"]["edges"][0]["node"]; print(n["id"], n["version"])')
    echo "  a write ($i): $(ask "$ed" "mutation { updateEServiceProject(input: {id: \"${pv% *}\", version: ${pv#* }, title: \"Ändrad $i\"}) { project { id } } }")"
    echo "report, every section, committee, after:  $(ask "$gn" "$qall")"
  done
  for i in 1 2; do
    t=$(curl -s -o "$work/pdf" -w '%{time_total} %{http_code}' -H "Authorization: Bearer $gn" \
      "$url/reports/18/committee.pdf?from=2026-01-01&to=2026-12-31")
    echo "committee PDF ($i): $t, $(wc -c <"$work/pdf") bytes, $( (pdfinfo "$work/pdf" 2>/dev/null || true) | awk '/^Pages/ {print $2}') pages"
  done
  echo -n "  "; mem
  echo "eight kommuner's first reports at once, a plain list read meanwhile:"
  local codes=(1814 1860 1861 1862 1863 1864 1882 1883) reports=()
  for k in "${codes[@]}"; do
    (ask "$("$b" token --kommun "$k" --roles viewer --sub "v$k")" "$qall" >"$work/r$k") &
    reports+=($!)
  done
  local lt
  lt=$("$b" token --kommun 1885 --roles viewer --sub list)
  # Plain lists one after another for as long as any report is being built.
  : >"$work/list"
  local list
  list=$(json "$qlist")
  while any_running "${reports[@]}"; do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $lt" \
      -H 'content-type: application/json' -d "$list" "$url/graphql" >>"$work/list"
  done
  wait "${reports[@]}" 2>/dev/null || true
  sort -n -o "$work/list" "$work/list"
  local n
  n=$(wc -l <"$work/list")
  for k in "${codes[@]}"; do echo "  $k: $(cat "$work/r$k")"; done
  echo "  plain lists meanwhile: $n, p50 $(sed -n "$(((n + 1) / 2))p" "$work/list") s, p99 $(sed -n "$(((n * 99 + 99) / 100))p" "$work/list") s, max $(tail -1 "$work/list") s"
  echo -n "  "; mem
  echo "search-filtered first page: $(ask "$kv" "$qsearch")"
  echo "plain list after:           $(ask "$kv" "$qlist")"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  pid=
}
[ "${STEPS:-all}" = none ] && exit 0
run "$bin" new
[ -n "$old" ] && run "$old" old
exit 0
