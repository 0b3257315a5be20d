# Sourced by the benchmarks (run from the repository root).

# bench_setup NAME: needs wrk, builds the `dist` binary into $bin, makes the workspace
# (bench_workspace) and exports the settings every benchmarked server shares.
bench_setup() {
  command -v wrk >/dev/null || { echo "$(basename "$0"): needs wrk (apt-get install wrk)" >&2; exit 1; }
  cargo build --profile dist -q -p samverkan
  bin="${CARGO_TARGET_DIR:-target}/dist/samverkan"
  bench_workspace "$1"
  export SAMVERKAN_DATA_DIR="$work" SAMVERKAN_DEMO_DATA=false RUST_LOG=warn
  export SAMVERKAN_RATE_LIMIT_PER_MINUTE=100000000
  export SAMVERKAN_COST_PER_MINUTE=1000000000000 SAMVERKAN_ANONYMOUS_COST_PER_MINUTE=1000000000000
}

# bench_binary: the server to measure into $bin: $BIN when set, else a build of the
# workspace (the `dist` profile, fat LTO as published; BUILD=debug for the debug build).
bench_binary() {
  if [ -n "${BIN:-}" ]; then
    bin=$BIN
  elif [ "${BUILD:-release}" = release ]; then
    cargo build --profile dist -q --locked -p samverkan
    bin=${CARGO_TARGET_DIR:-$PWD/target}/dist/samverkan
  else
    cargo build -q --locked -p samverkan
    bin=${CARGO_TARGET_DIR:-$PWD/target}/debug/samverkan
  fi
}

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

# The mixed load: every request picks one of 12 kommuner's tokens (viewer and editor); 1 in 20
# creates a COUNTY project, the rest read the list (list_read_script must have set $body).
#   mixed_script BINARY FILE    writes the wrk script, with tokens made by BINARY
mixed_script() {
  local tokens="" k
  for k in 1814 1860 1861 1862 1863 1864 1880 1881 1882 1883 1884 1885; do
    tokens+="\"$("$1" token --kommun "$k" --roles viewer,editor --ttl 1h)\","
  done
  cat >"$2" <<LUA
local tokens = { $tokens }
local read = [[$body]]
local n = 0
request = function()
  n = n + 1
  local body = read
  if math.random(100) <= 5 then
    body = '{"query":"mutation(\$i: CreateEServiceProjectInput!) { createEServiceProject(input: \$i) { project { id } } }","variables":{"i":{"title":"Blandad last ' .. n .. '","visibility":"COUNTY","budget":"1000"}}}'
  end
  return wrk.format("POST", "/graphql", {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/graphql-response+json",
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
  }, body)
end
LUA
}
