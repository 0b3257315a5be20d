#!/usr/bin/env bash
# The audit's nine answers at size on a throwaway PostgreSQL: 60,000 projects over the county
# (about 5,000 Örebro's own), 2,000 Örebro systems with roles from a register of 300 people, a
# benefit and the tollgate decisions of every Örebro project, then auditReadiness for Örebro
# (its own view and the committee's) 20 times each with the response cache off.
#   scripts/bench-readiness.sh            (release build)
#   BUILD=debug scripts/bench-readiness.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BUILD:-release}" = release ]; then
  cargo build --profile dist -q --locked -p samverkan
  bin=$PWD/target/dist/samverkan
else
  cargo build -q --locked -p samverkan
  bin=$PWD/target/debug/samverkan
fi
work=$(mktemp -d)
eval "$(scripts/pg-throwaway.sh start)"
trap 'kill $pid 2>/dev/null; scripts/pg-throwaway.sh stop "$PG_THROWAWAY_DIR"; rm -rf "$work"' EXIT
export DATABASE_URL=$SAMVERKAN_TEST_POSTGRES_URL SAMVERKAN_DATA_DIR=$work SAMVERKAN_DEMO_DATA=false SAMVERKAN_METRICS_BIND=off RUST_LOG=warn SAMVERKAN_RATE_LIMIT_PER_MINUTE=10000000 SAMVERKAN_COST_PER_MINUTE=1000000000000 SAMVERKAN_RESPONSE_CACHE_MB=0
"$bin" bench-seed --projects "${PROJECTS:-60000}"
PSQL="psql -q -X $DATABASE_URL"
[ "$(id -u)" = 0 ] && PSQL="runuser -u postgres -- psql -q -X $DATABASE_URL"
$PSQL <<'SQL'
INSERT INTO vendor (name, org_number, website) VALUES ('Bench AB', '556677-8899', '');
INSERT INTO product (vendor_id, name, category, standards) SELECT id, 'Produkt ' || g, 'HR', '[]' FROM vendor, generate_series(1, 40) g;
INSERT INTO role_holder (municipality_id, display_name, holder_key)
  SELECT m.id, 'Person ' || g, 'E' || g FROM municipality m, generate_series(1, 300) g WHERE m.code = '1880';
INSERT INTO system_instance (owner_id, county_id, product_id, product_version, maintenance_object,
  system_owner_id, object_owner_id, object_manager_business_id, object_manager_it_id, last_reviewed,
  hosting, data_location, confidentiality, integrity, availability, annual_cost_ore, visibility, version)
SELECT m.id, m.county_id, (SELECT min(id) FROM product) + g % 40, '1', CASE WHEN g % 5 = 0 THEN '' ELSE 'Objekt ' || g END,
  (SELECT min(id) FROM role_holder) + g % 300, CASE WHEN g % 7 = 0 THEN NULL ELSE (SELECT min(id) FROM role_holder) + (g * 7) % 300 END,
  (SELECT min(id) FROM role_holder) + (g * 13) % 300, NULL, CASE WHEN g % 3 = 0 THEN NULL ELSE current_date - (g % 500) END,
  CASE WHEN g % 10 = 0 THEN 'SHARED_COUNTY' ELSE 'OWN_DATACENTER' END, 'SWEDEN', 1, 1, g % 5, 100000 * g,
  CASE WHEN g % 4 = 0 THEN 'PRIVATE' ELSE 'COUNTY' END, 1
FROM municipality m, generate_series(1, 2000) g WHERE m.code = '1880';
INSERT INTO benefit (project_id, description, category, kind, owner_id, metric, unit, baseline_e4, target_e4, created_at, updated_at,
  county_id, project_owner_id, project_visibility)
SELECT p.id, 'Nytta', CASE WHEN p.id % 2 = 0 THEN 'WORK_METHODS' ELSE 'QUALITY' END, 'QUANTITATIVE', p.owner_id, 'min', 'min', 100000, 50000, now() - interval '400 days', now(),
  p.county_id, p.owner_id, p.visibility
FROM project p JOIN municipality m ON m.id = p.owner_id WHERE m.code = '1880';
INSERT INTO decision (project_id, from_phase, to_phase, decided_on, deciding_body, diarienummer, summary, recorded_by_id, created_at, updated_at)
SELECT p.id, 'PLANNING', 'EXECUTION', current_date - (p.id % 300)::int, 'KS', 'KS 1', 'Till genomförande', p.owner_id, now() - interval '1 day', now()
FROM project p JOIN municipality m ON m.id = p.owner_id WHERE m.code = '1880' AND p.phase NOT IN ('IDEA', 'PRE_STUDY', 'PLANNING');
ANALYZE;
SQL
$PSQL -c "select (select count(*) from project p join municipality m on m.id = p.owner_id where m.code = '1880') orebro_projects, (select count(*) from system_instance) systems, (select count(*) from decision) decisions, (select count(*) from benefit) benefits"
SAMVERKAN_BIND=127.0.0.1:0 "$bin" serve >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.2; done
url=$(grep -o 'http://[0-9.:]*' "$work/out" | head -n1)
q='{ auditReadiness(kommun: "1880") { answers { question status counted figures { name value of } } trend { quarterEnd statuses { status } } } }'
body=$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$q")
for roles in "editor" "namnd"; do
  T=$("$bin" token --kommun 1880 --roles $roles)
  curl -s -H "Authorization: Bearer $T" -H 'content-type: application/json' -d "$body" "$url/graphql" | head -c 300; echo
  times=$(for i in $(seq 20); do curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $T" -H 'content-type: application/json' -d "$body" "$url/graphql"; done | sort -n)
  echo "auditReadiness as 1880 $roles: p50 $(echo "$times" | sed -n 10p) s, p95 $(echo "$times" | sed -n 19p) s, max $(echo "$times" | tail -1) s"
done
