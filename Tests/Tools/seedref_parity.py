#!/usr/bin/env python3
"""Seed-mode parity: our seed detector against the seed's own reference server, on the same readings.

  seedref_parity.py DETECTION_BINARY WORKDIR [--data-seed N]

Generates one machine's stream of healthy readings with a few injected anomalies, POSTs it in order
to the seed's reference server (../shared/seedref/app.py, run with this venv's uvicorn on a database
in WORKDIR) and records its `anomaly` flags, then runs `DETECTION_BINARY backtest --detector seed` on
the same readings (WORKDIR/readings.csv). Prints a JSON summary of both on stdout; exits non-zero with
a message on stderr when anything fails. The two forests draw different random numbers, so the flags
are compared statistically by the caller.
"""

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

SEEDREF = Path(__file__).resolve().parents[3] / "shared" / "seedref"
FEATURES = ("temperature", "vibration", "pressure", "power_consumption", "efficiency")
MEANS = np.array([70.0, 2.5, 100.0, 50.0, 92.0])
SIGMAS = np.array([3.0, 0.3, 5.0, 3.0, 2.0])
READINGS = 400
INJECTED = [int(i) for i in np.linspace(130, 390, 12)]  # spread after reading 120
STARTUP_SECONDS = 60


def fail(message: str) -> None:
    sys.exit(f"seedref_parity: {message}")


def generate(seed: int) -> np.ndarray:
    """Healthy gaussian readings; each injected one is 6 to 8 sigma away on every feature."""
    rng = np.random.default_rng(seed)
    readings = rng.normal(MEANS, SIGMAS, size=(READINGS, len(FEATURES)))
    for i in INJECTED:
        signs = rng.choice([-1.0, 1.0], size=len(FEATURES))
        readings[i] = MEANS + signs * rng.uniform(6, 8, size=len(FEATURES)) * SIGMAS
    return readings


def call(url: str, body: dict | None = None, timeout: float = 30) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


def seed_verdicts(readings: np.ndarray, workdir: Path) -> list[dict]:
    """Starts the seed's server on a socket we bound (port 0), POSTs every reading, stops the server."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    command = [sys.executable, "-m", "uvicorn", "app:app", "--app-dir", str(SEEDREF), "--workers", "1",
               "--fd", str(listener.fileno()), "--log-level", "warning", "--no-access-log"]
    env = {**os.environ, "SEEDREF_DB": str(workdir / "seedref.db")}
    log_path = workdir / "seedref.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, env=env, pass_fds=[listener.fileno()], stdin=subprocess.DEVNULL,
                                  stdout=log, stderr=subprocess.STDOUT)
    listener.close()  # the server holds its own copy
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if server.poll() is not None:
                fail(f"the seedref server exited with {server.returncode}:\n{log_path.read_text()}")
            try:
                call(base + "/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    fail(f"the seedref server did not answer within {STARTUP_SECONDS} s:\n{log_path.read_text()}")
                time.sleep(0.2)
        return [call(base + "/api/sensor-data", {"equipment_id": 1, **dict(zip(FEATURES, map(float, row)))})
                for row in readings]
    finally:
        server.kill()
        server.wait()


def our_verdicts(binary: str, readings: np.ndarray, workdir: Path) -> list[dict]:
    path = workdir / "readings.csv"
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(FEATURES)
        writer.writerows([repr(float(v)) for v in row] for row in readings)
    result = subprocess.run([binary, "backtest", str(path), "--format", "csv", "--detector", "seed", "--train-rows", "0"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{binary} backtest exited with {result.returncode}:\n{result.stderr}")
    rows = list(csv.DictReader(result.stdout.splitlines()))
    if [int(row["row"]) for row in rows] != list(range(len(readings))):
        fail(f"{binary} backtest did not print one row per reading:\n{result.stdout[:2000]}")
    return rows


def main() -> None:
    args = sys.argv[1:]
    seed = 7
    if "--data-seed" in args:
        at = args.index("--data-seed")
        seed = int(args[at + 1])
        del args[at:at + 2]
    if len(args) != 2:
        fail(__doc__)
    binary, workdir = args[0], Path(args[1])
    signal.signal(signal.SIGTERM, lambda *_: fail("terminated"))  # still stops the server (finally)
    workdir.mkdir(parents=True, exist_ok=True)

    readings = generate(seed)
    seed_answers = seed_verdicts(readings, workdir)
    ours = our_verdicts(binary, readings, workdir)

    seed_flags = [answer["anomaly"] is True for answer in seed_answers]
    our_flags = [row["predicted"] == "1" for row in ours]
    seed_start = next(i for i, answer in enumerate(seed_answers) if answer.get("model") != "insufficient_data")
    our_start = next(i for i, row in enumerate(ours) if float(row["threshold"]) != 0)
    # Healthy readings both could score: the flag rate contamination=0.1 sets.
    healthy = [i for i in range(max(seed_start, our_start), READINGS) if i not in INJECTED]
    print(json.dumps({
        "data_seed": seed,
        "readings": READINGS,
        "seed_flagged": sum(seed_flags),
        "ours_flagged": sum(our_flags),
        "agreement": sum(s == o for s, o in zip(seed_flags, our_flags)) / READINGS,
        "injected": INJECTED,
        "injected_flagged_by_seed": sum(seed_flags[i] for i in INJECTED),
        "injected_flagged_by_ours": sum(our_flags[i] for i in INJECTED),
        "both_model_start": {"seed": seed_start, "ours": our_start},
        "healthy_scored": len(healthy),
        "seed_healthy_flag_rate": sum(seed_flags[i] for i in healthy) / len(healthy),
        "ours_healthy_flag_rate": sum(our_flags[i] for i in healthy) / len(healthy),
    }, indent=2))


if __name__ == "__main__":
    main()
