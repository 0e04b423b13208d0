#!/usr/bin/env python3
"""REST parity: the gateway's public API against the seed's own reference server, call by call.

  gateway_seed_parity.py --gateway-url http://127.0.0.1:PORT --workdir WORKDIR

Starts the seed's reference server (../shared/seedref/app.py, run with this venv's uvicorn on a port
it binds itself, database WORKDIR/seedref.db created afresh, log in WORKDIR/seedref.log), then makes
the same sequence of calls against it and against the gateway: the equipment list and machine 1, 60
healthy readings of machine 1 (small variations of the seed's example body, enough for the seed to
train its model) and one clearly anomalous reading, predictions, alerts (all and unacknowledged), the
acknowledgement of one open alert of each server's own, a maintenance task and the schedule, the
dashboard stats, the equipment list and machine 1 again (now with readings and predictions), and
machine 999 (GET and a reading: 404 on both).

Per call it compares the status class (2xx/4xx/5xx; the exact code where 404 is expected) and, when
both answered 2xx, the JSON shape: every key the seed returns must be in ours (we may add keys), down
into objects and the first element of arrays (when both are non-empty), with a compatible type (null
on either side matches anything, integers and floats are both numbers, booleans are not numbers).
Error bodies differ by design ({"detail": ...} against {"error": {...}}), so 4xx/5xx compare the
status only. Subtrees one side leaves empty or null are listed as "unchecked".

Prints a JSON summary on stdout ({"calls", "compared", "mismatches", "seed_status", "gateway_status",
"notes", "unchecked", ...}) and the mismatches on stderr. Exits 0 without mismatches, 1 with some,
2 when the comparison could not run (bad arguments, the seed's server did not start or stopped answering).
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEEDREF = Path(__file__).resolve().parents[3] / "shared" / "seedref"
STARTUP_SECONDS = 60
CALL_SECONDS = 30

EXAMPLE_READING = {"equipment_id": 1, "temperature": 75.5, "vibration": 3.2, "pressure": 120.0,
                   "power_consumption": 85.0, "efficiency": 92.0}
HEALTHY_READINGS = 60  # the seed trains once a machine has 50
ANOMALOUS_READING = {"equipment_id": 1, "temperature": 135.0, "vibration": 12.5, "pressure": 185.0,
                     "power_consumption": 160.0, "efficiency": 55.0}
# The healthy readings vary by exponential amounts toward the anomalous reading. An Isolation Forest scores
# a reading beyond its training range by the path of the training points in that corner: with symmetric
# gaussian jitter the seed's confidence for any far reading is about 70, its warning threshold, so whether
# it raises an alert would be luck. A sparse tail toward the fault isolates that corner quickly: about
# 75-80 for every data seed tried (the lowest 74 of 60), a warning alert to acknowledge.
VARIATION = {"temperature": 0.8, "vibration": 0.1, "pressure": 2.0, "power_consumption": 1.5, "efficiency": 0.8}
DATA_SEED = 11
MAINTENANCE_TASK = {"equipment_id": 1, "task": "Replace hydraulic seals", "scheduled_date": "2024-12-20",
                    "priority": "high"}


class SetupError(Exception):
    """The comparison cannot run (exit 2)."""


# ------------------------------------------------------------------------------------------ http
@dataclass
class Response:
    status: int | None  # None: no HTTP answer at all (see error)
    body: Any = None
    is_json: bool = False
    error: str | None = None


def request(base: str, method: str, path: str, body: dict | None = None, key: str | None = None) -> Response:
    """One call; a POST without a body is sent with Content-Length: 0 and no Content-Type, as a browser does.
    `key`: the gateway's API key (the seed has none), sent as Authorization: Bearer."""
    url = urllib.parse.urlsplit(base)
    connection_class = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(url.hostname, url.port, timeout=CALL_SECONDS)
    headers = {"Accept": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, url.path.rstrip("/") + path, body=data, headers=headers)
        response = connection.getresponse()
        status, raw = response.status, response.read()
    except (OSError, http.client.HTTPException) as error:
        return Response(None, error=f"{type(error).__name__}: {error}")
    finally:
        connection.close()
    try:
        return Response(status, json.loads(raw), True)
    except ValueError:
        return Response(status, raw[:200].decode(errors="replace"))


# --------------------------------------------------------------------------------------- seedref
def start_seedref(workdir: Path) -> tuple[subprocess.Popen, str]:
    """Starts the seed's server on a socket we bound (port 0) and waits until it answers."""
    for stale in ("seedref.db", "seedref.db-journal"):
        (workdir / stale).unlink(missing_ok=True)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    command = [sys.executable, "-m", "uvicorn", "app:app", "--app-dir", str(SEEDREF), "--workers", "1",
               "--fd", str(listener.fileno()), "--log-level", "warning", "--no-access-log"]
    env = {**os.environ, "SEEDREF_DB": str(workdir / "seedref.db")}
    log_path = workdir / "seedref.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, cwd=SEEDREF, env=env, pass_fds=[listener.fileno()],
                                  stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    listener.close()  # the server holds its own copy
    try:
        wait_until_serving(server, base, log_path)
    except BaseException:
        stop(server)
        raise
    return server, base


def wait_until_serving(server: subprocess.Popen, base: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if server.poll() is not None:
            raise SetupError(f"the seedref server exited with {server.returncode}:\n{log_path.read_text()}")
        if request(base, "GET", "/").status == 200:
            return
        if time.monotonic() > deadline:
            raise SetupError(f"the seedref server did not answer within {STARTUP_SECONDS} s:\n{log_path.read_text()}")
        time.sleep(0.2)


def stop(server: subprocess.Popen) -> None:
    server.kill()
    server.wait()


# ------------------------------------------------------------------------------------- shapes
def kind(value: Any) -> str:
    """The JSON type; bool before int, since Python's True is an int."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def shape_diff(seed: Any, ours: Any, path: str, mismatches: list, unchecked: list) -> None:
    """Appends (path, seed kind, our kind) for every incompatibility, (path, reason) for every subtree not checked."""
    seed_kind, our_kind = kind(seed), kind(ours)
    if seed_kind == "null" or our_kind == "null":
        if {seed_kind, our_kind} & {"object", "array"}:
            unchecked.append((path or "(root)", f"{'seed' if seed_kind == 'null' else 'ours'} is null"))
        return
    if seed_kind != our_kind:
        mismatches.append((path or "(root)", seed_kind, our_kind))
        return
    if seed_kind == "object":
        for key, value in seed.items():
            if key in ours:
                shape_diff(value, ours[key], child(path, key), mismatches, unchecked)
            else:
                mismatches.append((child(path, key), kind(value), "missing"))
    elif seed_kind == "array":
        if seed and ours:
            shape_diff(seed[0], ours[0], f"{path}[0]", mismatches, unchecked)
        elif seed or ours:
            unchecked.append((f"{path}[0]", "ours is empty" if seed else "seed's is empty"))


# -------------------------------------------------------------------------------------- report
def status_class(status: int | None) -> str:
    return "no response" if status is None else f"{status // 100}xx"


def counted(items: dict) -> list[dict]:
    return [{**entry, "count": count} for entry, count in ((dict(key), count) for key, count in items.items())]


class Comparison:
    """Makes each call on both servers in turn and records what differs."""

    def __init__(self, seed_base: str, our_base: str, our_key: str | None = None) -> None:
        self.bases = {"seed": seed_base, "gateway": our_base}
        self.our_key = our_key
        self.calls = 0
        self.compared = 0
        self.mismatches: dict[tuple, int] = {}  # (("call", ..), ("path", ..), ("seed", ..), ("ours", ..)) -> count
        self.unchecked: dict[tuple, int] = {}
        self.statuses: dict[str, dict[str, list]] = {"seed": {}, "gateway": {}}
        self.notes: list[str] = []

    def call(self, label: str, method: str, path: str, body: dict | None = None, *,
             our_path: str | None = None, expect: int | None = None) -> tuple[Response, Response]:
        seed = request(self.bases["seed"], method, path, body)
        if seed.status is None:
            raise SetupError(f"the seedref server stopped answering ({label}): {seed.error}")
        ours = request(self.bases["gateway"], method, our_path or path, body, key=self.our_key)
        self.calls += 1
        self.statuses["seed"].setdefault(label, []).append(seed.status)
        self.statuses["gateway"].setdefault(label, []).append(ours.status if ours.status is not None else ours.error)
        self.compare(label, seed, ours, expect)
        return seed, ours

    def compare(self, label: str, seed: Response, ours: Response, expect: int | None) -> None:
        self.compared += 1
        if expect is not None and (seed.status != expect or ours.status != expect):
            self.mismatch(label, f"(status, expected {expect})", str(seed.status), self.status_text(ours))
            return
        if status_class(seed.status) != status_class(ours.status):
            self.mismatch(label, "(status)", str(seed.status), self.status_text(ours))
            return
        if seed.status // 100 != 2:
            return  # error bodies differ by design
        if not seed.is_json:
            raise SetupError(f"the seedref server answered {label} with a body that is not JSON: {seed.body!r}")
        if not ours.is_json:
            self.mismatch(label, "(body)", kind(seed.body), "not JSON")
            return
        mismatches, unchecked = [], []
        shape_diff(seed.body, ours.body, "", mismatches, unchecked)
        for path, seed_kind, our_kind in mismatches:
            self.mismatch(label, path, seed_kind, our_kind)
        for path, reason in unchecked:
            key = (("call", label), ("path", path), ("reason", reason))
            self.unchecked[key] = self.unchecked.get(key, 0) + 1

    @staticmethod
    def status_text(response: Response) -> str:
        return str(response.status) if response.status is not None else f"no response ({response.error})"

    def mismatch(self, label: str, path: str, seed: str, ours: str) -> None:
        key = (("call", label), ("path", path), ("seed", seed), ("ours", ours))
        self.mismatches[key] = self.mismatches.get(key, 0) + 1

    def summary(self) -> dict:
        def statuses(side: str) -> dict:
            return {label: codes[0] if len(codes) == 1 else {str(c): codes.count(c) for c in dict.fromkeys(codes)}
                    for label, codes in self.statuses[side].items()}
        return {
            "seed_url": self.bases["seed"],
            "gateway_url": self.bases["gateway"],
            "calls": self.calls,
            "compared": self.compared,
            "mismatches": counted(self.mismatches),
            "seed_status": statuses("seed"),
            "gateway_status": statuses("gateway"),
            "notes": self.notes,
            "unchecked": counted(self.unchecked),
        }


# ------------------------------------------------------------------------------------ sequence
def healthy_readings(count: int, seed: int = DATA_SEED) -> list[dict]:
    """The seed's example body with small variations (see VARIATION), the same on every run."""
    rng = random.Random(seed)

    def vary(feature: str, scale: float) -> float:
        toward = 1 if ANOMALOUS_READING[feature] > EXAMPLE_READING[feature] else -1
        return round(EXAMPLE_READING[feature] + toward * scale * rng.expovariate(1), 2)

    return [{**EXAMPLE_READING, **{feature: vary(feature, scale) for feature, scale in VARIATION.items()}}
            for _ in range(count)]


def first_alert_id(*responses: Response) -> int | None:
    for response in responses:
        if response.is_json and response.status == 200 and isinstance(response.body, list):
            for alert in response.body:
                if isinstance(alert, dict) and isinstance(alert.get("id"), int) and not isinstance(alert["id"], bool):
                    return alert["id"]
    return None


def verdict(response: Response) -> dict | None:
    if not (response.is_json and isinstance(response.body, dict)):
        return None
    return {key: response.body.get(key) for key in ("anomaly", "severity", "confidence", "model")}


def run(comparison: Comparison) -> dict:
    """The call sequence; returns what the summary should say about the readings and the acknowledgement."""
    c = comparison.call
    c("GET /api/equipment", "GET", "/api/equipment")
    c("GET /api/equipment/1", "GET", "/api/equipment/1")
    for reading in healthy_readings(HEALTHY_READINGS):
        last_healthy = c("POST /api/sensor-data", "POST", "/api/sensor-data", reading)
    anomalous = c("POST /api/sensor-data (anomalous)", "POST", "/api/sensor-data", ANOMALOUS_READING)
    c("GET /api/predictions", "GET", "/api/predictions")
    all_alerts = c("GET /api/alerts", "GET", "/api/alerts")
    open_alerts = c("GET /api/alerts?acknowledged=false", "GET", "/api/alerts?acknowledged=false")
    ids = [first_alert_id(open_alerts[i], all_alerts[i]) for i in (0, 1)]
    if None in ids:
        without = " and ".join(side for side, i in zip(("seed", "gateway"), ids) if i is None)
        comparison.notes.append(f"POST /api/alerts/{{id}}/acknowledge skipped on both: no alert on the {without}")
    else:
        c("POST /api/alerts/{id}/acknowledge", "POST", f"/api/alerts/{ids[0]}/acknowledge",
          our_path=f"/api/alerts/{ids[1]}/acknowledge")
    c("POST /api/maintenance", "POST", "/api/maintenance", MAINTENANCE_TASK)
    c("GET /api/maintenance", "GET", "/api/maintenance")
    c("GET /api/dashboard-stats", "GET", "/api/dashboard-stats")
    c("GET /api/equipment (after readings)", "GET", "/api/equipment")
    c("GET /api/equipment/1 (after readings)", "GET", "/api/equipment/1")
    c("GET /api/equipment/999", "GET", "/api/equipment/999", expect=404)
    c("POST /api/sensor-data (equipment 999)", "POST", "/api/sensor-data", {**EXAMPLE_READING, "equipment_id": 999},
      expect=404)
    return {
        "acknowledged_alert_id": {"seed": ids[0], "gateway": ids[1]},
        "last_healthy_reading": {"seed": verdict(last_healthy[0]), "gateway": verdict(last_healthy[1])},
        "anomalous_reading": {"seed": verdict(anomalous[0]), "gateway": verdict(anomalous[1])},
    }


# ---------------------------------------------------------------------------------------- main
def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gateway-url", required=True, help="the gateway's base URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--workdir", required=True, type=Path, help="where the seed's database and log go")
    parser.add_argument("--gateway-key", help="an API key for the gateway (admin: the calls post readings and acknowledge)")
    arguments = parser.parse_args()
    if urllib.parse.urlsplit(arguments.gateway_url).scheme not in ("http", "https"):
        parser.error(f"--gateway-url must be an http(s) URL, not {arguments.gateway_url!r}")
    return arguments


def report(summary: dict) -> None:
    print(json.dumps(summary, indent=2))
    for entry in summary["mismatches"]:
        times = f" (x{entry['count']})" if entry["count"] > 1 else ""
        print(f"gateway_seed_parity: MISMATCH {entry['call']}: {entry['path']}: seed {entry['seed']}, "
              f"ours {entry['ours']}{times}", file=sys.stderr)
    for note in summary["notes"]:
        print(f"gateway_seed_parity: note: {note}", file=sys.stderr)
    print(f"gateway_seed_parity: {summary['compared']} calls compared, {len(summary['mismatches'])} mismatches",
          file=sys.stderr)


def terminated(*_: Any) -> None:
    """SIGTERM: leave through the finally blocks, which stop the seed's server."""
    print("gateway_seed_parity: terminated", file=sys.stderr)
    raise SystemExit(2)


def main() -> int:
    arguments = parse_arguments()
    signal.signal(signal.SIGTERM, terminated)
    arguments.workdir.mkdir(parents=True, exist_ok=True)
    try:
        server, seed_base = start_seedref(arguments.workdir.resolve())
        try:
            comparison = Comparison(seed_base, arguments.gateway_url.rstrip("/"), arguments.gateway_key)
            context = run(comparison)
        finally:
            stop(server)
    except SetupError as error:
        print(f"gateway_seed_parity: {error}", file=sys.stderr)
        return 2
    summary = {**comparison.summary(), **context}
    report(summary)
    return 1 if summary["mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
