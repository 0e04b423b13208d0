#!/usr/bin/env python3
"""The default detector judged against the simulator's ground truth (scripts/evaluate-detection.sh).
Standard library only; loopback only; the gateway's REST API and /ws with the admin key in PM_API_KEY.

  collect --port P --out FILE     follows /ws from before the simulator starts and appends every alert
                                  event to FILE (JSON lines); writes FILE.ready once connected; runs
                                  until terminated, resuming after a disconnection
  wait --ingest-metrics P --detection-metrics P1,P2 [--seconds S]
                                  until the replicas have scored every reading Ingest accepted and
                                  their outboxes are empty (the services' /metrics)
  report --port P --truth CSV --events FILE [--grace-minutes 60] [--quiet-minutes 60]
                                  prints the figures below against the goals

Why /ws: alerts and predictions carry the readings' timestamps (a backfilled week lies in the past),
but Alerting folds every event of a machine and kind into its unresolved alert and resolves a quiet one
after ALERTING_AUTO_RESOLVE_MINUTES of *wall-clock* time; a week replayed in minutes therefore leaves
one alert per machine and kind, and its history's times are wall-clock times. Each /ws alert event
carries the alert as it stood after the event, so its `last_seen` is the reading time of that raise.
Predictions cannot be listed beyond the newest 1,000 per machine, and the first reading of an alarm
both raises its first event and gets its first prediction, so the events give first detection times.

Definitions (times are the readings' timestamps; 1 reading/s per machine):
- event: one RaiseAlert by Detection: when an alarm starts and every 300 readings while it lasts, of
  kind anomaly:<the sensor that drove the score most>.
- alert: events folded as a live Alerting folds them, per machine and kind, a new alert opening when
  that machine had no event of that kind for --quiet-minutes (ALERTING_AUTO_RESOLVE_MINUTES, 60).
- fault window: [start, end] from the ground truth; `end` is when the machine would fail (a
  degradation's end; a sudden failure lasts 2-9 minutes). Faults still running when the history ends
  are not judged (listed apart).
- healthy stretches: each machine's history outside [fault start, fault end + grace]; the grace
  (--grace-minutes, 60) keeps alarms that outlast a fault (the 10-reading window, the hysteresis) with it.
- false alerts per machine-week: alerts opened in healthy stretches / (healthy time / 7 days); the
  per-machine-week figure over the whole history is printed beside it.
- detected: the machine raised an event between the fault's start and its end (before the failure).
- lead time: fault end - the first such event (the warning before failure); time to detect: that event
  - fault start.
- kind match: the first event's kind names the sensor the fault drives first: bearing wear ->
  vibration, seal leak -> pressure, fouling -> efficiency, sudden failure -> vibration, temperature or
  power_consumption (it moves all three at once).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import http.client
import json
import os
import re
import statistics
import sys
import time
import urllib.request
from collections import Counter
from datetime import datetime, timezone

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Gateway"))
from httpmini import WebSocket  # noqa: E402

HOST = "127.0.0.1"
EXPECTED = {
    "bearing_wear": {"vibration"},
    "seal_leak": {"pressure"},
    "fouling": {"efficiency"},
    "sudden_failure": {"vibration", "temperature", "power_consumption"},
}
KIND_ORDER = ["bearing_wear", "seal_leak", "fouling", "sudden_failure"]
RAISES = {"raised", "updated", "escalated"}  # each is one RaiseAlert folded in; the others change state
GOAL_FALSE_PER_WEEK = 1.0
GOAL_DETECTED = 0.95
MINUTE, HOUR, WEEK = 60_000, 3_600_000, 7 * 86_400_000
EVENT_EVERY_MS = 300 * 1000  # the detector's eventEvery (300 readings) at 1 reading/s


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def utc(milliseconds: int) -> datetime:
    return datetime.fromtimestamp(milliseconds / 1000, timezone.utc)


# ---------------------------------------------------------------------------------------- collect
async def collect(port: int, out: str) -> None:
    last = 0
    first = True
    with open(out, "a", buffering=1) as sink:
        while True:
            ws = await WebSocket.connect(HOST, port)
            hello = json.loads(await ws.recv() or "{}")
            if hello.get("type") != "hello":
                raise SystemExit(f"/ws did not start with hello: {hello}")
            await ws.send_text(json.dumps({"type": "resume", "alert_sequence": last}))
            if first:
                with open(out + ".ready", "w") as ready:
                    ready.write(json.dumps(hello) + "\n")
                first = False
            while (text := await ws.recv()) is not None:
                message = json.loads(text)
                if message.get("type") == "alert" and message["sequence"] > last:
                    last = message["sequence"]
                    sink.write(json.dumps({"sequence": last, "event": message["event"], "alert": message["alert"]}) + "\n")
                elif message.get("type") == "resync":
                    sink.write(json.dumps({"resync": True, "after": last}) + "\n")
                    print(f"collect: alert events after {last} were lost ({message.get('reason')})", file=sys.stderr)
            print(f"collect: /ws closed after alert event {last}; reconnecting", file=sys.stderr)
            await asyncio.sleep(0.5)


# ------------------------------------------------------------------------------------------- wait
def metrics(port: int) -> str:
    with urllib.request.urlopen(f"http://{HOST}:{port}/metrics", timeout=10) as response:
        return response.read().decode()


def metric(text: str, name: str, labels: str = "") -> float:
    pattern = re.compile(rf"^{re.escape(name)}(\{{[^}}]*\}})?\s+(\S+)$", re.M)
    return sum(float(value) for found, value in pattern.findall(text) if labels in (found or ""))


def wait(ingest_port: int, detection_ports: list[int], seconds: float) -> None:
    t0 = time.monotonic()
    steady, last_print = 0, 0.0
    while True:
        accepted = metric(metrics(ingest_port), "pm_readings_ingested_total", 'outcome="accepted"')
        texts = [metrics(p) for p in detection_ports]
        scored = sum(metric(t, "pm_readings_scored_total") for t in texts)
        outbox = sum(metric(t, "pm_outbox_depth", 'queue="detection_outbox"') for t in texts)
        steady = steady + 1 if accepted > 0 and scored >= accepted and outbox == 0 else 0
        elapsed = time.monotonic() - t0
        if steady >= 5:  # the outbox gauge is set when the outbox is polled: hold the state a few seconds
            print(f"  {scored:,.0f} readings scored of {accepted:,.0f} stored; outboxes empty")
            return
        if elapsed - last_print >= 30:
            print(f"  {elapsed:4.0f} s: {scored:,.0f} of {accepted:,.0f} readings scored, {outbox:.0f} calls in the outboxes",
                  flush=True)
            last_print = elapsed
        if elapsed > seconds:
            raise SystemExit(f"Detection had not caught up after {seconds:.0f} s: {scored:,.0f} of {accepted:,.0f} scored")
        time.sleep(1)


# ----------------------------------------------------------------------------------------- report
class Gateway:
    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.headers = {"Authorization": f"Bearer {os.environ['PM_API_KEY']}"}

    def get(self, path: str):
        self.conn.request("GET", path, headers=self.headers)
        response = self.conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"GET {path}: HTTP {response.status} {body[:300]!r}")
        return json.loads(body)

    def all_alerts(self) -> list[dict]:
        alerts, before = [], None
        while True:
            page = self.get("/api/alerts?limit=500" + (f"&before_id={before}" if before else ""))
            alerts += page
            if len(page) < 500:
                return alerts
            before = page[-1]["id"]


def load_events(path: str) -> tuple[list[dict], bool]:
    events, lost = [], False
    with open(path) as f:
        for line in f:
            record = json.loads(line)
            if record.get("resync"):
                lost = True
            else:
                events.append(record)
    return events, lost


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def fmt_minutes(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / HOUR:.1f} h" if value >= HOUR else f"{value / MINUTE:.1f} min"


def report(args) -> None:
    gateway = Gateway(args.port)
    quiet, grace = args.quiet_minutes * MINUTE, args.grace_minutes * MINUTE

    # Every RaiseAlert must have reached the collector: the alerts' occurrences count them.
    deadline = time.monotonic() + 120
    while True:
        alerts = gateway.all_alerts()
        occurrences = sum(a["occurrences"] for a in alerts)
        events, lost = load_events(args.events)
        raises = [e for e in events if e["event"] in RAISES]
        if len(raises) >= occurrences or time.monotonic() > deadline:
            break
        time.sleep(1)
    complete = len(raises) == occurrences and not lost

    machines = sorted(m["id"] for m in gateway.get("/api/equipment"))
    ends = [r["readings"][-1]["timestamp"] for m in machines
            if (r := gateway.get(f"/api/equipment/{m}/readings?limit=1"))["readings"]]
    span_end = max(ms(t) for t in ends)
    span_start = span_end - int(args.hours * HOUR)

    faults = []
    with open(args.truth) as f:
        for row in csv.DictReader(f):
            faults.append({"machine": int(row["equipment_id"]), "kind": row["kind"],
                           "start": int(row["start_ms"]), "end": int(row["end_ms"])})
    judged = [f for f in faults if f["end"] <= span_end]
    running = [f for f in faults if f["end"] > span_end]

    # Each RaiseAlert with its reading time (the alert's last_seen right after it folded in).
    ordered = sorted(raises, key=lambda e: e["sequence"])
    seen_last: dict[int, int] = {}
    out_of_order = 0
    points = []  # (machine, time, sensor)
    for e in ordered:
        alert = e["alert"]
        t = ms(alert["last_seen"])
        if e["event"] != "raised" and t <= seen_last.get(alert["id"], -1):
            out_of_order += 1
        seen_last[alert["id"]] = max(t, seen_last.get(alert["id"], -1))
        points.append((alert["equipment_id"], t, alert["kind"].removeprefix("anomaly:")))
    points.sort(key=lambda p: (p[0], p[1]))

    # Alarms: an event exactly eventEvery readings after the machine's previous one continues an alarm;
    # any other starts one. alarm_of[i] is the alarm of points[i].
    alarms: list[dict] = []
    alarm_of: list[int] = []
    previous: dict[int, int] = {}
    for machine, t, sensor in points:
        if t - previous.get(machine, -10**15) != EVENT_EVERY_MS:
            alarms.append({"machine": machine, "start": t, "last": t, "sensor": sensor})
        alarms[-1]["last"] = t
        alarm_of.append(len(alarms) - 1)
        previous[machine] = t

    # Alerts as a live Alerting would open them: (machine, time, sensor, alarm).
    opened = []
    last_kind: dict[tuple[int, str], int] = {}
    for i, (machine, t, sensor) in enumerate(points):
        key = (machine, sensor)
        if t - last_kind.get(key, -10**15) > quiet:
            opened.append((machine, t, sensor, alarm_of[i]))
        last_kind[key] = t

    def fault_at(machine: int, t: int, after: int) -> dict | None:
        for f in faults:
            if f["machine"] == machine and f["start"] <= t <= f["end"] + after:
                return f
        return None

    def faulty_overlap(machine: int, lo: int, hi: int) -> int:
        """Milliseconds of [lo, hi] within a fault or its grace (faults of a machine never overlap)."""
        covered, cursor = 0, lo
        for f in sorted((f for f in faults if f["machine"] == machine), key=lambda f: f["start"]):
            a, b = max(f["start"], cursor), min(f["end"] + grace, hi)
            if b > a:
                covered += b - a
                cursor = b
        return covered

    total_ms = span_end - span_start
    healthy_weeks = sum(total_ms - faulty_overlap(m, span_start, span_end) for m in machines) / WEEK
    all_weeks = len(machines) * total_ms / WEEK
    false_alerts = [a for a in opened if fault_at(a[0], a[1], grace) is None]
    false_rate = len(false_alerts) / healthy_weeks if healthy_weeks else float("nan")
    healthy_alarm_starts = [a for a in alarms if fault_at(a["machine"], a["start"], grace) is None]
    # Alarm time on healthy stretches: from an alarm's first event to its last (it ends within 300 readings after).
    alarm_healthy_ms = sum((a["last"] - a["start"]) - faulty_overlap(a["machine"], a["start"], a["last"]) for a in alarms)

    per_fault = []
    for f in judged:
        inside = [i for i, p in enumerate(points) if p[0] == f["machine"] and f["start"] <= p[1] <= f["end"]]
        new = [i for i in inside if alarms[alarm_of[i]]["start"] >= f["start"]]
        after = [a for a in alarms if a["machine"] == f["machine"] and f["end"] < a["start"] <= f["end"] + grace]
        first = points[new[0]] if new else None
        per_fault.append({**f, "alarmed": bool(inside), "first": first,
                          "carried": bool(inside) and not new,
                          "match": bool(first) and first[2] in EXPECTED[f["kind"]],
                          "any_match": any(points[i][2] in EXPECTED[f["kind"]] for i in new),
                          "named": Counter(points[i][2] for i in inside),
                          "after": after[0] if after else None})

    # ------------------------------------------------------------------ print
    print(f"Simulated {args.hours:g} h x {len(machines)} machines at 1 reading/s (seed {args.seed}, "
          f"{args.faults_per_day:g} faults per machine per day, fault time scale {args.fault_time_scale:g}): "
          f"{len(faults)} faults injected, {len(judged)} ended within the history, {len(running)} still running at its "
          f"end (not judged).")
    print(f"History {utc(span_start):%Y-%m-%d %H:%M} to "
          f"{utc(span_end):%Y-%m-%d %H:%M} UTC; healthy stretches "
          f"{healthy_weeks:.2f} of {all_weeks:.2f} machine-weeks (grace {args.grace_minutes:g} min after a fault).")
    print(f"Detection raised {len(points)} alert events in {len(alarms)} alarms; Alerting holds {len(alerts)} alerts "
          f"(their occurrences: {occurrences}); folded as a live Alerting folds them ({args.quiet_minutes:g} min "
          f"quiet resolves): {len(opened)} alerts.")
    if not complete:
        print(f"warning: {len(raises)} events recorded but the alerts count {occurrences} occurrences"
              f"{' and /ws lost some' if lost else ''}: the figures below are incomplete")
    if out_of_order:
        print(f"warning: {out_of_order} events reached Alerting out of reading order (their times are approximate)")
    print()

    header = (f"{'fault kind':<16}{'faults':>7}{'alarmed':>9}{'new alarm':>11}{'lead time':>11}{'to detect':>11}"
              f"{'kind match':>12}{'alarm after end':>17}")
    print(header)
    print("-" * len(header))
    rows = [(k, [f for f in per_fault if f["kind"] == k]) for k in KIND_ORDER] + [("all", per_fault)]
    for name, group in rows:
        found = [f for f in group if f["first"]]
        lead = [f["end"] - f["first"][1] for f in found]
        delay = [f["first"][1] - f["start"] for f in found]
        alarmed = sum(f["alarmed"] for f in group)
        after = sum(1 for f in group if not f["first"] and f["after"])

        def share(n: int) -> str:
            return f"{n} {100 * n / len(group):3.0f}%" if group else "-"

        print(f"{name:<16}{len(group):>7}{share(alarmed):>9}{share(len(found)):>11}{fmt_minutes(median(lead)):>11}"
              f"{fmt_minutes(median(delay)):>11}{sum(f['match'] for f in found):>7}/{len(found):<4}{after:>13}")
    print("alarmed: an alert event while the fault lasted (alarms already on when it began included); new alarm:")
    print("an alarm that began while it lasted; lead time (fault end - that alarm's start), time to detect and kind")
    print("match are over new alarms (medians); alarm after end: undetected faults whose machine alarmed within")
    print("the grace after the fault ended.")
    print()

    judged_n = len(per_fault)
    alarmed_all = sum(f["alarmed"] for f in per_fault)
    found_all = [f for f in per_fault if f["first"]]
    lead_all = median([f["end"] - f["first"][1] for f in found_all])

    def pct(n: int) -> float:
        return 100 * n / judged_n if judged_n else float("nan")

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    print(f"{'goal':<58}{'measured':>10}   verdict")
    print(f"{'false alerts per machine-week on healthy stretches (<= 1)':<58}{false_rate:>10.2f}   "
          f"{verdict(false_rate <= GOAL_FALSE_PER_WEEK)}")
    for label, n in (("faults with an alert before they end (>= 95 %)", alarmed_all),
                     ("  of which by an alarm that began during the fault", len(found_all))):
        if judged_n:
            print(f"{label:<58}{pct(n):>9.1f}%   {verdict(pct(n) >= 100 * GOAL_DETECTED)}")
        else:
            print(f"{label:<58}{'-':>10}   no fault ended within the history")
    print(f"{'median lead time (fault end - start of that alarm)':<58}{fmt_minutes(lead_all):>10}   (no goal)")
    print(f"{'alarm names the sensor the fault drives':<58}{sum(f['match'] for f in found_all):>6}/{len(found_all):<3}"
          f"   (no goal)")
    print()

    print(f"False alerts: {len(false_alerts)} opened on healthy stretches ({len(false_alerts) / all_weeks:.2f} per "
          f"machine-week of the whole history). Alarms that began on a healthy stretch: {len(healthy_alarm_starts)} "
          f"({len(healthy_alarm_starts) / healthy_weeks if healthy_weeks else 0:.2f} per healthy machine-week); "
          f"machine-time in alarm on healthy stretches: {fmt_minutes(alarm_healthy_ms)} "
          f"({100 * alarm_healthy_ms / (healthy_weeks * WEEK) if healthy_weeks else 0:.1f} %).")
    if false_alerts:
        carried = [a for a in false_alerts if fault_at(a[0], alarms[a[3]]["start"], grace) is not None]
        by_sensor = Counter(a[2] for a in false_alerts)
        by_machine = Counter(a[0] for a in false_alerts)
        by_hour = Counter((a[1] // HOUR) % 24 // 3 for a in false_alerts)
        print(f"  {len(carried)} of them come from alarms that began during a fault or its grace and outlasted it "
              f"(a new kind named on the way opens a new alert); {len(false_alerts) - len(carried)} from alarms that "
              f"began on a healthy stretch")
        print("  by sensor named:  " + ", ".join(f"{s} {n}" for s, n in by_sensor.most_common()))
        print("  by machine:       " + ", ".join(f"{m}: {by_machine.get(m, 0)}" for m in machines))
        print("  by hour of the simulated day (UTC; load highest at 14:00, lowest at 02:00): "
              + ", ".join(f"{3 * h:02d}-{3 * h + 3:02d} {by_hour.get(h, 0)}" for h in range(8)))
    for g in (0, 15, 120):
        n = sum(1 for a in opened if fault_at(a[0], a[1], g * MINUTE) is None)
        print(f"  with a grace of {g} min instead: {n} false alerts")
    long_alarms = [a for a in sorted(alarms, key=lambda a: a["start"] - a["last"])[:5] if a["last"] > a["start"]]
    if long_alarms:
        print("Longest alarms: " + "; ".join(
            f"machine {a['machine']} from {utc(a['start']):%m-%d %H:%M} for "
            f"{fmt_minutes(a['last'] - a['start'] + EVENT_EVERY_MS)}" for a in long_alarms))
    missed = [f for f in per_fault if not f["first"]]
    if missed:
        print("Faults without an alarm that began while they lasted:")
        for f in missed:
            note = "an alarm already on carried through it" if f["carried"] else "no alert during it"
            if f["after"]:
                note += (f"; an alarm ({f['after']['sensor']}) began {(f['after']['start'] - f['end']) / 1000:.0f} s "
                         "after it ended")
            print(f"  machine {f['machine']} {f['kind']:<14} {utc(f['start']):%m-%d %H:%M} "
                  f"lasting {fmt_minutes(f['end'] - f['start']):>8}: {note}")
    mismatched = [f for f in found_all if not f["match"]]
    if mismatched:
        print("New alarms that named another sensor first (kinds named while the fault lasted):")
        for f in mismatched:
            named = ", ".join(f"{s} {n}" for s, n in f["named"].most_common())
            print(f"  machine {f['machine']} {f['kind']}: {f['first'][2]} after {fmt_minutes(f['first'][1] - f['start'])} "
                  f"of {fmt_minutes(f['end'] - f['start'])}; the expected sensor {'later' if f['any_match'] else 'never'}; "
                  f"events: {named}")
    for f in running:
        got = any(p[0] == f["machine"] and p[1] >= f["start"] for p in points)
        print(f"Not judged: machine {f['machine']} {f['kind']} still running at the end "
              f"({'alarmed' if got else 'no alarm yet'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--out", required=True)
    w = sub.add_parser("wait")
    w.add_argument("--ingest-metrics", type=int, required=True)
    w.add_argument("--detection-metrics", required=True)
    w.add_argument("--seconds", type=float, default=1800)
    r = sub.add_parser("report")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--truth", required=True)
    r.add_argument("--events", required=True)
    r.add_argument("--grace-minutes", type=float, default=60)
    r.add_argument("--quiet-minutes", type=float, default=60)
    r.add_argument("--hours", type=float, default=168)
    r.add_argument("--seed", default="?")
    r.add_argument("--faults-per-day", type=float, default=0)
    r.add_argument("--fault-time-scale", type=float, default=1)
    args = parser.parse_args()
    if args.command == "collect":
        try:
            asyncio.run(collect(args.port, args.out))
        except KeyboardInterrupt:
            pass
    elif args.command == "wait":
        wait(args.ingest_metrics, [int(p) for p in args.detection_metrics.split(",")], args.seconds)
    else:
        report(args)


if __name__ == "__main__":
    main()
