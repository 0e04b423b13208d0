#!/usr/bin/env python3
"""Paced background load for scripts/bench-gateway.sh: POST /api/sensor-data/batch at a fixed rate
(open loop: batch k is due at start + k * size / rate, whether or not earlier ones have returned),
over a few keep-alive connections, until SIGTERM/SIGINT or --seconds. Readings carry no timestamp
(Ingest stamps them). Prints `started` once running, then one JSON line with what it achieved.
Standard library only; loopback only."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import signal
import sys
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
from httpmini import HTTPConnection  # noqa: E402


def body(rnd: random.Random, ids: list[int], size: int, offset: int) -> bytes:
    readings = [{"equipment_id": ids[(i + offset) % len(ids)],
                 "temperature": round(rnd.gauss(70, 1.5), 2), "vibration": round(rnd.gauss(2.5, 0.15), 3),
                 "pressure": round(rnd.gauss(100, 2.5), 2), "power_consumption": round(rnd.gauss(50, 1.5), 2),
                 "efficiency": round(rnd.gauss(92, 1.0), 2)} for i in range(size)]
    return json.dumps(readings, separators=(",", ":")).encode()


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return v[max(0, min(len(v) - 1, math.ceil(p / 100 * len(v)) - 1))]


async def run(args) -> dict:
    rnd = random.Random(3)
    bodies = [body(rnd, args.ids, args.batch, k) for k in range(4)]
    interval = args.batch / args.rate
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.call_later(args.seconds, stop.set)
    state = {"next": 0, "accepted": 0, "batches": 0, "errors": 0, "max_lag": 0.0}
    latencies: list[float] = []
    t0 = time.perf_counter()

    async def worker() -> None:
        conn = HTTPConnection("127.0.0.1", args.port)
        while not stop.is_set():
            k = state["next"]
            state["next"] += 1
            due = t0 + k * interval
            delay = due - time.perf_counter()
            if delay > 0:
                try:
                    await asyncio.wait_for(stop.wait(), delay)
                    break
                except asyncio.TimeoutError:
                    pass
            state["max_lag"] = max(state["max_lag"], time.perf_counter() - due)
            start = time.perf_counter()
            try:
                status, payload = await conn.request("POST", "/api/sensor-data/batch", bodies[k % len(bodies)])
            except Exception:
                state["errors"] += 1
                await conn.close()
                continue
            latencies.append(time.perf_counter() - start)
            if status == 200:
                state["batches"] += 1
                state["accepted"] += json.loads(payload)["accepted"]
            else:
                state["errors"] += 1
        await conn.close()

    print("started", flush=True)
    await asyncio.gather(*(worker() for _ in range(args.connections)))
    wall = time.perf_counter() - t0
    ms = lambda x: None if x is None else round(x * 1000, 1)  # noqa: E731
    return {"target_readings_per_s": args.rate, "wall_s": round(wall, 2), "batches": state["batches"],
            "accepted": state["accepted"], "errors": state["errors"],
            "readings_per_s": round(state["accepted"] / wall, 1) if wall > 0 else None,
            "batch_latency_ms": {"p50": ms(pct(latencies, 50)), "p99": ms(pct(latencies, 99))},
            "max_lag_ms": ms(state["max_lag"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--rate", type=float, default=10_000, help="readings per second")
    ap.add_argument("--batch", type=int, default=1000, help="readings per request")
    ap.add_argument("--ids", type=lambda s: [int(x) for x in s.split(",") if x], default=[1, 2, 3, 4, 5, 6])
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=300, help="upper bound on the run")
    args = ap.parse_args()
    print(json.dumps(asyncio.run(run(args))), flush=True)


if __name__ == "__main__":
    main()
