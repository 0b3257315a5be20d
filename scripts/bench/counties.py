"""The national mixed load: readers of all 290 kommuner and a writer spread over the 21 län.

    python counties.py URL TOKENS_TSV OUT_JSON [SECONDS] [READERS] [WRITES_PER_SECOND]

TOKENS_TSV: "kommunkod<TAB>token" per line (viewer, editor and namnd of that kommun). Each
reader picks a county, then a kommun of it, then one of three reads: the project list (it
follows project count parts), the kommun's system map and its county's committee report
(these follow the county's scope, or every change with cache_freshness = global). The
writer creates a COUNTY project at a steady rate, by a kommun of each county in turn.
Writes out every read as [county, request id, seconds] for the hit rates the server's log
gives (scripts/bench-counties.sh joins them).
"""

import http.client
import json
import random
import sys
import threading
import time
import urllib.parse

url, tokens_file, out_file = sys.argv[1:4]
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 30
readers = int(sys.argv[5]) if len(sys.argv) > 5 else 8
writes_per_second = float(sys.argv[6]) if len(sys.argv) > 6 else 1.0

tokens = {}
for line in open(tokens_file):
    code, token = line.rstrip("\n").split("\t")
    tokens[code] = token
by_county = {}
for code in sorted(tokens):
    by_county.setdefault(code[:2], []).append(code)
counties = sorted(by_county)

LIST = "{ eServiceProjects(first: 20) { totalCount edges { node { id title phase owner { name } } } } }"
MAP = 'query($k: String!) { systemMap(kommun: $k) { systems { id } integrations { id } } }'
REPORT = 'query($c: String!) { committeeReport(county: $c, from: "2026-01-01", to: "2026-12-31") { projectsByPhase { phase count } tollgateCount } }'
CREATE = 'mutation($i: CreateEServiceProjectInput!) { createEServiceProject(input: $i) { project { id } } }'

target = urllib.parse.urlparse(url)
stop = time.monotonic() + seconds
reads = []
errors = []
lock = threading.Lock()


def post(conn, token, query, variables):
    body = json.dumps({"query": query, "variables": variables})
    conn.request(
        "POST",
        "/graphql",
        body=body,
        headers={
            "content-type": "application/json",
            "accept": "application/graphql-response+json",
            "authorization": "Bearer " + token,
        },
    )
    r = conn.getresponse()
    data = r.read()
    return r.status, r.getheader("x-request-id"), data


def reader(seed):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    mine = []
    while time.monotonic() < stop:
        county = rng.choice(counties)
        code = rng.choice(by_county[county])
        which = rng.randrange(3)
        query, variables = [(LIST, {}), (MAP, {"k": code}), (REPORT, {"c": county})][which]
        started = time.monotonic()
        status, rid, data = post(conn, tokens[code], query, variables)
        took = time.monotonic() - started
        if status != 200 or b'"errors"' in data:
            with lock:
                errors.append((county, status, data[:200].decode(errors="replace")))
        mine.append([county, ["list", "map", "report"][which], rid, took])
    with lock:
        reads.extend(mine)


def writer():
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    n = 0
    while time.monotonic() < stop:
        county = counties[n % len(counties)]
        code = by_county[county][n % len(by_county[county])]
        post(conn, tokens[code], CREATE, {"i": {"title": f"Nationell last {n}", "visibility": "COUNTY", "budget": "1000"}})
        n += 1
        time.sleep(1.0 / writes_per_second)
    return n


threads = [threading.Thread(target=reader, args=(i,)) for i in range(readers)]
wt = threading.Thread(target=writer)
for t in threads + [wt]:
    t.start()
for t in threads + [wt]:
    t.join()
json.dump({"reads": reads, "errors": errors[:20], "error_count": len(errors)}, open(out_file, "w"))
print(f"reads={len(reads)} errors={len(errors)} in {seconds:.0f} s")
