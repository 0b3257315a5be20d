"""Delay from a mutation's answer on replica A to its event at subscribers on replica B.

    python fanout.py A_URL B_URL TOKEN_DIR_WRITER_TOKEN SUBSCRIBER_TOKENS_FILE [WRITES] [RATE]

SUBSCRIBER_TOKENS_FILE holds one token per line (one subscription connection each, all
subscribed to eServiceProjectsChanged). WRITES COUNTY projects are created on A at RATE per
second; every subscriber must receive every one. Prints p50/p99/max of the delay.
"""

import asyncio
import json
import sys
import time

import requests
import websockets

a_url, b_url, writer, tokens_file = sys.argv[1:5]
writes = int(sys.argv[5]) if len(sys.argv) > 5 else 200
rate = float(sys.argv[6]) if len(sys.argv) > 6 else 20.0
tokens = [t.strip() for t in open(tokens_file) if t.strip()]

answered = {}  # title -> time the mutation's answer arrived
delays = []
missing = 0


async def subscriber(token: str, ready: asyncio.Event, done: asyncio.Event, counts: dict):
    url = b_url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
            "query": "subscription { eServiceProjectsChanged { project { title } } }"}}))
        ready.set()
        seen = 0
        while seen < writes:
            try:
                msg = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
            except asyncio.TimeoutError:
                break
            if msg.get("type") != "next":
                continue
            title = msg["payload"]["data"]["eServiceProjectsChanged"]["project"]["title"]
            now = time.perf_counter()
            if title.startswith("fanout-"):
                seen += 1
                # The event may beat the mutation's own answer home; that counts as 0.
                counts.setdefault(title, []).append(now)
        done.set()


def write_all():
    session = requests.Session()
    for i in range(writes):
        title = f"fanout-{i}"
        q = 'mutation($t: String!) { createEServiceProject(input: {title: $t, budget: "1", visibility: COUNTY}) { project { id } } }'
        r = session.post(f"{a_url}/graphql", json={"query": q, "variables": {"t": title}},
                         headers={"Authorization": f"Bearer {writer}"}, timeout=30)
        answered[title] = time.perf_counter()
        assert r.status_code == 200 and "errors" not in r.json(), r.text
        time.sleep(1 / rate)


async def main():
    counts: dict = {}
    readies, dones, tasks = [], [], []
    for t in tokens:
        ready, done = asyncio.Event(), asyncio.Event()
        readies.append(ready)
        dones.append(done)
        tasks.append(asyncio.create_task(subscriber(t, ready, done, counts)))
    for r in readies:
        await r.wait()
    await asyncio.sleep(0.5)
    await asyncio.to_thread(write_all)
    await asyncio.gather(*tasks)
    global missing
    for title, t0 in answered.items():
        got = counts.get(title, [])
        missing += len(tokens) - len(got)
        delays.extend(max(0.0, t - t0) * 1000 for t in got)
    delays.sort()
    pick = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))] if delays else float("nan")
    print(f"fan-out: {writes} writes on A at {rate:.0f}/s, {len(tokens)} subscribers on B: "
          f"{len(delays)} events, {missing} missing; delay p50 {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms, max {delays[-1] if delays else float('nan'):.1f} ms")


asyncio.run(main())
