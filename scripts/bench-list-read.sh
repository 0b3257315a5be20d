# Sourced by the benchmarks: the read they measure, the list a front end opens first (50
# visible projects with totalCount, owner and participant names).
#   list_read_script TOKEN FILE    writes a wrk script posting it with TOKEN; sets $body
list_read_query='{ eServiceProjects(first: 50) { totalCount pageInfo { hasNextPage endCursor } edges { node { id title phase budget owner { name } participations { role municipality { name } } } } } }'
list_read_script() {
  body=$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$list_read_query")
  cat >"$2" <<LUA
wrk.method = "POST"
wrk.body = [[$body]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/graphql-response+json"
wrk.headers["Authorization"] = "Bearer $1"
LUA
}
