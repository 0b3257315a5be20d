# Sourced by the benchmarks (run from the repository root).

# bench_workspace NAME: a scratch directory in $work, and on exit every server in $pids
# stopped, the throwaway PostgreSQL (if one was started) stopped and $work removed.
bench_workspace() {
  work=$(mktemp -d "/tmp/samverkan-$1.XXXXXX")
  pids=()
  trap bench_cleanup EXIT
}
bench_cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  [ -n "${PG_THROWAWAY_DIR:-}" ] && scripts/pg-throwaway.sh stop "$PG_THROWAWAY_DIR"
  rm -rf "$work"
}

# The read the benchmarks measure, the list a front end opens first (50 visible projects with
# totalCount, owner and participant names).
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
