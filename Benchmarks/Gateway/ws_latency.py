#!/usr/bin/env python3
"""Reading -> WebSocket alert latency of the gateway, under paced background load (bg_load.py in a
child process). For each sample: register a fresh machine, give it healthy history (one batch with
past timestamps, then single healthy readings until its model answers "ready"), then POST anomalous
readings one at a time (vibration 9.8, temperature 96, efficiency 70). The detector alarms on 3
anomalous readings of the last 5, so after the third it waits for the machine's `alert` message with
event `raised` on /ws (posting one more every --alert-wait seconds, at most 8 in all).

Per sample: latency from the LAST POST that returned before the alert arrived (the reading that
completed the alarm) to the alert's arrival, and from the first anomalous POST's return, for context.
Prints a human summary and one `WS_JSON {...}` line. Standard library only; loopback only."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httpmini import HTTPConnection, WebSocket  # noqa: E402

HOST = "127.0.0.1"
ANOMALY = {"temperature": 96.0, "vibration": 9.8, "pressure": 100.0, "power_consumption": 50.0, "efficiency": 70.0}


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return v[max(0, min(len(v) - 1, math.ceil(p / 100 * len(v)) - 1))]


def healthy(rnd: random.Random, eq: int) -> dict:
    return {"equipment_id": eq, "temperature": round(rnd.gauss(70, 1.5), 2), "vibration": round(rnd.gauss(2.5, 0.15), 3),
            "pressure": round(rnd.gauss(100, 2.5), 2), "power_consumption": round(rnd.gauss(50, 1.5), 2),
            "efficiency": round(rnd.gauss(92, 1.0), 2)}


class Clock:
    """Strictly increasing Unix-millisecond timestamps, so no two readings of a machine collide."""

    def __init__(self) -> None:
        self.last = 0

    def next(self) -> int:
        self.last = max(int(time.time() * 1000), self.last + 1)
        return self.last


async def measure(args) -> dict:
    rnd = random.Random(11)
    ws = await WebSocket.connect(HOST, args.port)
    hello = json.loads(await ws.recv())
    if hello.get("type") != "hello":
        raise SystemExit(f"/ws did not start with hello: {hello}")
    arrivals: dict[int, float] = {}
    events: dict[int, asyncio.Event] = {}
    counts = {"messages": 0, "alerts": 0}

    async def read() -> None:
        while True:
            text = await ws.recv()
            now = time.perf_counter()
            if text is None:
                counts["closed"] = True
                return
            counts["messages"] += 1
            msg = json.loads(text)
            if msg.get("type") == "alert":
                counts["alerts"] += 1
                if msg.get("event") == "raised":
                    eq = msg["alert"]["equipment_id"]
                    arrivals.setdefault(eq, now)
                    if eq in events:
                        events[eq].set()

    reader = asyncio.create_task(read())

    background = None
    if args.background_rate > 0:
        background = await asyncio.create_subprocess_exec(
            sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "bg_load.py"),
            "--port", str(args.port), "--rate", str(args.background_rate), "--batch", str(args.background_batch),
            "--ids", args.background_ids, "--seconds", str(args.max_seconds + 60),
            stdout=asyncio.subprocess.PIPE)
        line = await background.stdout.readline()
        if line.strip() != b"started":
            raise SystemExit(f"bg_load.py did not start: {line!r}")
        await asyncio.sleep(args.settle)

    http = HTTPConnection(HOST, args.port)
    run = int(time.time())
    samples, failures, post_ms = [], [], []
    t_end = time.monotonic() + args.max_seconds
    for i in range(args.samples):
        if time.monotonic() > t_end:
            failures.append(f"stopped after {i} samples: --max-seconds {args.max_seconds} reached")
            break
        eq = (await http.json("POST", "/api/equipment", {"name": f"ws-latency-{run}-{i + 1}", "type": "pump"}))["id"]
        events[eq] = asyncio.Event()
        clock = Clock()
        start = clock.next() - args.healthy * 250
        history = []
        for k in range(args.healthy):
            r = healthy(rnd, eq)
            r["timestamp"] = start + k * 250
            history.append(r)
        clock.last = history[-1]["timestamp"]
        await http.json("POST", "/api/sensor-data/batch", history)
        # Healthy readings one at a time until the machine's model is ready (Detection has streamed the history).
        probes, ready_by = 0, time.monotonic() + args.ready_timeout
        while True:
            r = healthy(rnd, eq)
            r["timestamp"] = clock.next()
            probes += 1
            if (await http.json("POST", "/api/sensor-data", r))["model"] == "ready":
                break
            if time.monotonic() > ready_by:
                break
            await asyncio.sleep(0.02)
        if time.monotonic() > ready_by:
            failures.append(f"machine {eq}: model not ready after {args.ready_timeout} s")
            continue
        posts = []  # (sent, returned, anomaly in the answer)
        for k in range(8):
            body = {"equipment_id": eq, **ANOMALY, "timestamp": clock.next()}
            sent = time.perf_counter()
            answer = await http.json("POST", "/api/sensor-data", body)
            returned = time.perf_counter()
            posts.append((sent, returned, bool(answer.get("anomaly"))))
            post_ms.append((returned - sent) * 1000)
            if events[eq].is_set():
                break
            if k >= 2:
                try:
                    await asyncio.wait_for(events[eq].wait(), args.alert_wait)
                    break
                except asyncio.TimeoutError:
                    pass
        arrival = arrivals.get(eq)
        if arrival is None:
            try:
                await asyncio.wait_for(events[eq].wait(), args.alert_wait)
                arrival = arrivals[eq]
            except asyncio.TimeoutError:
                failures.append(f"machine {eq}: no alert after {len(posts)} anomalous readings")
                continue
        before = [p for p in posts if p[1] <= arrival]
        last_index = len(before)  # 1-based index of the last POST returned before the alert
        last = before[-1] if before else posts[0]
        samples.append({
            "equipment_id": eq, "probes": probes, "posts": len(posts), "last_index": last_index,
            "flagged_in_answer": sum(p[2] for p in posts),
            "from_last_ms": round((arrival - last[1]) * 1000, 2),
            "from_first_ms": round((arrival - posts[0][1]) * 1000, 2),
        })
        print(f"  sample {len(samples)}: machine {eq}, alert {samples[-1]['from_last_ms']} ms after POST "
              f"#{last_index} returned ({samples[-1]['from_first_ms']} ms after #1)", flush=True)

    bg = None
    if background is not None:
        background.terminate()
        out, _ = await background.communicate()
        lines = [x for x in out.decode().splitlines() if x.startswith("{")]
        bg = json.loads(lines[-1]) if lines else None
    reader.cancel()
    await ws.close()
    await http.close()

    last = [s["from_last_ms"] for s in samples]
    first = [s["from_first_ms"] for s in samples]
    return {"samples": len(samples), "failures": failures,
            "from_last_ms": {"p50": pct(last, 50), "p99": pct(last, 99), "max": max(last, default=None)},
            "from_first_ms": {"p50": pct(first, 50), "p99": pct(first, 99)},
            "last_index_counts": {str(k): sum(1 for s in samples if s["last_index"] == k)
                                  for k in sorted({s["last_index"] for s in samples})},
            "anomalous_post_ms": {"p50": pct(post_ms, 50), "p99": pct(post_ms, 99)},
            "ws_messages": counts["messages"], "ws_closed": counts.get("closed", False),
            "background": bg, "per_sample": samples}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True, help="the gateway's HTTP port on 127.0.0.1")
    ap.add_argument("--samples", type=int, default=25)
    ap.add_argument("--max-seconds", type=float, default=90, help="stop taking samples after this long")
    ap.add_argument("--healthy", type=int, default=120, help="healthy history readings per machine")
    ap.add_argument("--ready-timeout", type=float, default=15)
    ap.add_argument("--alert-wait", type=float, default=3, help="seconds to wait for the alert before another reading")
    ap.add_argument("--background-rate", type=float, default=10_000, help="readings/s of background load; 0: none")
    ap.add_argument("--background-batch", type=int, default=1000)
    ap.add_argument("--background-ids", default="1,2,3,4,5,6")
    ap.add_argument("--settle", type=float, default=2, help="seconds of background load before the first sample")
    args = ap.parse_args()
    result = asyncio.run(measure(args))
    print("WS_JSON " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
