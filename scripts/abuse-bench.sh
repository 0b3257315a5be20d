#!/usr/bin/env bash
# What abusive documents cost on the release build: each document of the adversarial corpus,
# the most expensive document the limits still admit, and 10,000 distinct searches, with the
# server's resident memory (RSS) before and after. Goal: everything admitted costs about what
# the limits say, and RSS stays under 200 MB.
#   scripts/abuse-bench.sh [sqlite|postgres]     (default sqlite; 3,000 seeded projects)
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-sqlite}

cargo build --profile dist -q -p samverkan
bin="${CARGO_TARGET_DIR:-target}/dist/samverkan"
work=$(mktemp -d /tmp/samverkan-abuse.XXXXXX)
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -n "${PG_THROWAWAY_DIR:-}" ] && scripts/pg-throwaway.sh stop "$PG_THROWAWAY_DIR"
  rm -rf "$work"
}
trap cleanup EXIT

export SAMVERKAN_DATA_DIR="$work" SAMVERKAN_DEMO_DATA=false RUST_LOG=warn
export SAMVERKAN_RATE_LIMIT_PER_MINUTE=100000000
if [ "$db" = postgres ]; then
  eval "$(scripts/pg-throwaway.sh start)"
  export DATABASE_URL="$SAMVERKAN_TEST_POSTGRES_URL"
else
  export DATABASE_URL="sqlite://$work/abuse.db?mode=rwc"
fi
"$bin" bench-seed --projects "${ABUSE_PROJECTS:-3000}" >/dev/null 2>&1
SAMVERKAN_BIND=127.0.0.1:0 "$bin" serve >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 50); do grep -q listening "$work/server.out" 2>/dev/null && break; sleep 0.2; done
addr=$(grep -o 'http://[0-9.:]*' "$work/server.out" | head -n 1)
token=$("$bin" token --kommun 1880 --roles viewer --ttl 1h)

python3 - "$addr" "$token" "$server_pid" <<'PY'
import http.client, json, sys, time, urllib.parse

addr, token, pid = sys.argv[1], sys.argv[2], sys.argv[3]
host = urllib.parse.urlparse(addr).netloc

def rss_mb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

conn = http.client.HTTPConnection(host)
def post(query):
    body = json.dumps({"query": query})
    t = time.perf_counter()
    conn.request("POST", "/graphql", body, {"content-type": "application/json", "authorization": f"Bearer {token}"})
    r = conn.getresponse()
    data = r.read()
    dt = time.perf_counter() - t
    try:
        d = json.loads(data)
    except ValueError:
        d = {}
    code = (d.get("errors") or [{}])[0].get("extensions", {}).get("code", "ok")
    return r.status, code, dt, len(data)

inner = " ".join(f"a{i}: sub" for i in range(14))
outer = " ".join(f"v{i}: viewer {{ ...F }}" for i in range(15))
chain = "{ viewer { ...F0 } }" + "".join(f" fragment F{i} on Viewer {{ sub ...F{i+1} }}" for i in range(40)) + " fragment F40 on Viewer { sub }"
NESTED = "{ eServiceProjects(first: 100) { edges { node { participations { project { participations { project { participations { project { participations { project { title } } } } } } } } } } } }"
corpus = [
    ("nested participations x4 (the reported 5.1 s / 1.1 GB)", NESTED),
    ("four aliased copies of it (the reported 23 s / 6 GB)", "{ " + " ".join(f"c{i}: " + NESTED[2:-2] for i in range(4)) + " }"),
    ("aliases through a fragment (15 x 14)", f"{{ {outer} }} fragment F on Viewer {{ {inner} }}"),
    ("25 aliased 100-project pages", "{ " + " ".join(f"a{i}: eServiceProjects(first: 100) {{ edges {{ node {{ title participations {{ municipality {{ name }} }} }} }} }}" for i in range(25)) + " }"),
    ("fragment chain 40 deep", chain),
    ("circular introspection", "{ __schema { types { fields { type { fields { type { fields { type { name } } } } } } } } }"),
    ("worst admitted: 25 projects x participations x project x participations", "{ eServiceProjects(first: 25) { edges { node { participations { project { participations { municipality { name } } } } } } } }"),
    ("near the budget: four aliased 100-project lists", "{ " + " ".join(f"l{i}: eServiceProjects(first: 100) {{ totalCount edges {{ node {{ id title phase owner {{ name }} participations {{ municipality {{ name }} }} }} }} }}" for i in range(4)) + " }"),
    ("the 100-project list", "{ eServiceProjects(first: 100) { totalCount edges { node { id title phase owner { name } participations { municipality { name } } } } } }"),
]
print(f"RSS at start: {rss_mb():.0f} MB")
print(f"{'document':<75} {'status':>6} {'code':<18} {'median':>9} {'max':>9} {'bytes':>8}")
for name, q in corpus:
    runs = [post(q) for _ in range(5)]
    times = sorted(r[2] for r in runs)
    s, c, _, n = runs[-1]
    print(f"{name:<75} {s:>6} {c:<18} {times[2]*1000:>7.1f}ms {times[-1]*1000:>7.1f}ms {n:>8}")
print(f"RSS after the corpus: {rss_mb():.0f} MB")
t = time.perf_counter()
for i in range(10_000):
    post(f'{{ eServiceProjects(first: 1, filter: {{search: "{i:05d}{"x" * 190}"}}) {{ totalCount }} }}')
print(f"10,000 distinct 195-character searches in {time.perf_counter() - t:.1f} s; RSS after: {rss_mb():.0f} MB")
PY
