#!/usr/bin/env python3
"""Set-up steps of scripts/bench-gateway.sh, standard library only. Loopback targets only.

  wait PORT [SECONDS]                 until GET /api/equipment answers 200
  register PORT COUNT PREFIX          registers COUNT machines, prints their ids (comma-separated)
  warm-ours PORT IDS PER_MACHINE      one batch of past healthy readings per machine, then waits until
                                      Detection has a ready model for each (dashboard-stats models_trained)
  warm-seed PORT IDS PER_MACHINE      posts readings one by one (the seed trains at 50 per machine)
  drain PORT                          waits until the seed's stored reading count stops moving
  catch-up PORT [SECONDS]             waits until Detection has scored everything stored so far: registers
                                      one machine per replica (2), posts history, waits for their models
  stats PORT                          prints GET /api/dashboard-stats
  cpu PID...                          CPU seconds (user+system) of the processes and all their descendants
"""

from __future__ import annotations

import http.client
import json
import os
import random
import sys
import time

HEALTHY = {"temperature": (70.0, 1.5), "vibration": (2.5, 0.15), "pressure": (100.0, 2.5),
           "power_consumption": (50.0, 1.5), "efficiency": (92.0, 1.0)}


def healthy(rnd: random.Random, equipment_id: int) -> dict:
    body = {"equipment_id": equipment_id}
    body.update({k: round(rnd.gauss(m, s), 3) for k, (m, s) in HEALTHY.items()})
    return body


class Client:
    def __init__(self, port: int, timeout: float = 30):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def call(self, method: str, path: str, value=None, expect=(200, 201)):
        body = None if value is None else json.dumps(value).encode()
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if os.environ.get("PM_API_KEY"):
            headers["Authorization"] = f"Bearer {os.environ['PM_API_KEY']}"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
        except (ConnectionError, http.client.HTTPException):
            self.conn.close()
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
        payload = resp.read()
        if resp.status not in expect:
            raise SystemExit(f"{method} {path}: HTTP {resp.status} {payload[:300]!r}")
        return json.loads(payload) if payload else None


def ids_of(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def wait(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            Client(port, timeout=2).call("GET", "/api/equipment")
            return
        except (OSError, SystemExit):
            if time.monotonic() > deadline:
                raise SystemExit(f"nothing answers on 127.0.0.1:{port} after {seconds:.0f} s")
            time.sleep(0.2)


def register(port: int, count: int, prefix: str) -> None:
    c = Client(port)
    ids = []
    for i in range(count):
        ids.append(c.call("POST", "/api/equipment", {"name": f"{prefix}-{i + 1}", "type": "pump"})["id"])
    print(",".join(str(i) for i in ids))


def warm_ours(port: int, ids: list[int], per_machine: int) -> None:
    c = Client(port)
    rnd = random.Random(7)
    now = int(time.time() * 1000)
    batch = []
    for eq in ids:
        for k in range(per_machine):  # one a second, ending a second ago
            r = healthy(rnd, eq)
            r["timestamp"] = now - (per_machine - k) * 1000
            batch.append(r)
    result = c.call("POST", "/api/sensor-data/batch", batch)
    if result["accepted"] != len(batch):
        raise SystemExit(f"warm-up batch: {result}")
    deadline = time.monotonic() + 60
    while True:
        stats = c.call("GET", "/api/dashboard-stats")
        if (stats.get("models_trained") or 0) >= len(ids):
            print(f"ours: {len(batch)} warm-up readings, models ready: {stats['models_trained']}")
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"Detection has no ready model for every machine after 60 s: {stats}")
        time.sleep(0.2)


def warm_seed(port: int, ids: list[int], per_machine: int) -> None:
    c = Client(port)
    rnd = random.Random(7)
    t0 = time.monotonic()
    for k in range(per_machine):
        for eq in ids:
            c.call("POST", "/api/sensor-data", healthy(rnd, eq))
    print(f"seed: {per_machine * len(ids)} warm-up readings in {time.monotonic() - t0:.1f} s")


def drain(port: int) -> None:
    c = Client(port, timeout=60)
    last, deadline = None, time.monotonic() + 60
    while time.monotonic() < deadline:
        n = c.call("GET", "/api/dashboard-stats")["readings_24h"]
        if n == last:
            return
        last = n
        time.sleep(0.5)


def catch_up(port: int, seconds: float = 180) -> None:
    c = Client(port)
    rnd = random.Random(5)
    t0 = time.monotonic()
    ids = [c.call("POST", "/api/equipment", {"name": f"bench-sync-{int(time.time())}-{k}", "type": "pump"})["id"]
           for k in range(2)]
    if ids[0] % 2 == ids[1] % 2:  # one machine per replica (id % 2)
        ids.append(c.call("POST", "/api/equipment", {"name": f"bench-sync-{int(time.time())}-2", "type": "pump"})["id"])
    now = int(time.time() * 1000)
    history = []
    for eq in ids:
        for k in range(110):
            r = healthy(rnd, eq)
            r["timestamp"] = now - (110 - k) * 100
            history.append(r)
    c.call("POST", "/api/sensor-data/batch", history)
    pending = set(ids)
    while pending:
        for eq in list(pending):
            r = healthy(rnd, eq)
            if c.call("POST", "/api/sensor-data", r)["model"] == "ready":
                pending.discard(eq)
        if time.monotonic() - t0 > seconds:
            raise SystemExit(f"Detection had not caught up after {seconds:.0f} s")
        time.sleep(0.1)
    print(f"{time.monotonic() - t0:.1f}")


def cpu(pids: list[int]) -> None:
    children: dict[int, list[int]] = {}
    times: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        times[pid] = int(fields[11]) + int(fields[12])  # utime + stime
    total, todo, seen = 0, list(pids), set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += times.get(pid, 0)
        todo += children.get(pid, [])
    print(f"{total / os.sysconf('SC_CLK_TCK'):.2f}")


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "wait":
        wait(int(args[0]), float(args[1]) if len(args) > 1 else 60)
    elif cmd == "register":
        register(int(args[0]), int(args[1]), args[2])
    elif cmd == "warm-ours":
        warm_ours(int(args[0]), ids_of(args[1]), int(args[2]))
    elif cmd == "warm-seed":
        warm_seed(int(args[0]), ids_of(args[1]), int(args[2]))
    elif cmd == "drain":
        drain(int(args[0]))
    elif cmd == "catch-up":
        catch_up(int(args[0]), float(args[1]) if len(args) > 1 else 180)
    elif cmd == "stats":
        print(json.dumps(Client(int(args[0])).call("GET", "/api/dashboard-stats")))
    elif cmd == "cpu":
        cpu([int(p) for p in args])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
