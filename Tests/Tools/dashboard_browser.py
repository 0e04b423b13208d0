#!/usr/bin/env python3
"""Drives the dashboard in a real browser (Debian's chromium + chromium-driver, Selenium 4) against a
running gateway, and checks that it works live:

 1. the page opened as /?key=KEY (an admin key; every REST call of this script sends it too) signs in:
    the key leaves the address bar, the sign-in screen is hidden, the header shows the key's name and
    role; the page shows machine cards and connects its WebSocket;
 2. a machine is picked (--equipment-id, else the first card not in maintenance);
 3. normal then anomalous readings are posted over REST until an alert row for that machine appears,
    without the page reloading (so it came through the WebSocket);
 4. the alert is acknowledged with its button, in the page and over REST;
 5. the maintenance task the backend makes from the alert appears;
 6. machine names are rendered as text (--xss-name: that exact name, and no <img> in the cards);
 7. the machine's charts open, and a screenshot is saved;
 8. (--sign-out-check) Sign out shows the sign-in screen, empties sessionStorage and closes the
    WebSocket; a wrong key typed there is "not accepted"; typing KEY signs in again;
 9. (--revoked-key KEY2, a key revoked beforehand) a fresh load of /?key=KEY2 shows the sign-in screen;
10. no console message of the whole run reports a Content-Security-Policy violation.

Every wait polls for a condition with a generous limit. On failure it prints what it waited for and the
browser's console log, and exits 1. Prints PASS at the end.

Usage: dashboard_browser.py --base-url http://127.0.0.1:PORT --key ADMIN_KEY --screenshot PATH
       [--equipment-id N] [--xss-name NAME] [--skip-charts] [--sign-out-check] [--revoked-key KEY2]
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import re
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Optional
from urllib.parse import quote

from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

STEP_TIMEOUT = 60.0
KEY_STORAGE = "pm-api-key"  # the dashboard's sessionStorage item
ANOMALY_TIMEOUT = 90.0
NORMAL_READINGS = 150


class Failure(Exception):
    """A check that did not hold; the message says which."""


def log(message: str) -> None:
    print(message, flush=True)


def redacted(text: str) -> str:
    """The text with API keys cut to their visible prefix (console messages quote the page's ?key= URL)."""
    return re.sub(r"\b(pm_[0-9a-f]{8}_)[A-Za-z0-9_-]+", r"\1…", text)


# --- REST ----------------------------------------------------------------------------------------

class Api:
    def __init__(self, base_url: str, key: str) -> None:
        self.base = base_url.rstrip("/")
        self.key = key

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        request.add_header("Authorization", f"Bearer {self.key}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as error:
            raise Failure(f"{method} {path} -> HTTP {error.code}: {error.read().decode(errors='replace')[:500]}") from None
        except OSError as error:
            raise Failure(f"{method} {path} failed: {error}") from None
        return json.loads(text) if text else None

    def get(self, path: str) -> Any:
        return self.call("GET", path)

    def post(self, path: str, body: Any = None) -> Any:
        return self.call("POST", path, body)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def normal_reading(equipment_id: int, moment: datetime) -> dict:
    return {
        "equipment_id": equipment_id,
        "timestamp": iso(moment),
        "temperature": round(random.gauss(70, 1), 3),
        "vibration": round(random.gauss(2.5, 0.1), 3),
        "pressure": round(random.gauss(100, 1), 3),
        "power_consumption": round(random.gauss(80, 1), 3),
        "efficiency": round(random.gauss(92, 0.5), 3),
    }


def anomalous_reading(equipment_id: int) -> dict:
    return {
        "equipment_id": equipment_id,
        "temperature": round(95 + random.random() * 5, 3),
        "vibration": round(9.5 + random.random(), 3),
        "pressure": round(random.gauss(100, 1), 3),
        "power_consumption": round(random.gauss(80, 1), 3),
        "efficiency": 70.0,
    }


# --- browser -------------------------------------------------------------------------------------

def start_browser(args: argparse.Namespace) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for flag in ("--headless=new", "--no-sandbox", "--window-size=1400,1000", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=args.chromedriver), options=options)
    driver.set_page_load_timeout(STEP_TIMEOUT)
    # Record dialogs instead of opening them: an injected onerror=alert(1) would show up here, and a real
    # dialog would block every later command. Record the page's WebSockets too, to see them closed.
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {
        "source": """
            window.__dialogs = []; window.alert = window.confirm = window.prompt = (m) => { window.__dialogs.push(String(m)); };
            window.__sockets = [];
            if (window.WebSocket) {
                window.WebSocket = class extends window.WebSocket {
                    constructor(...args) { super(...args); window.__sockets.push(this); }
                };
            }
        """,
    })
    return driver


def wait_for(description: str, condition: Callable[[], Any], timeout: float = STEP_TIMEOUT, interval: float = 0.25) -> Any:
    """Polls `condition` until it returns something truthy; elements replaced mid-check are retried."""
    deadline = time.monotonic() + timeout
    last_error: Optional[Exception] = None
    while True:
        try:
            result = condition()
            if result:
                return result
        except (StaleElementReferenceException, Failure) as error:
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            raise Failure(f"timed out after {timeout:.0f} s waiting for {description}{detail}")
        time.sleep(interval)


def js(driver: webdriver.Chrome, script: str, *args: Any) -> Any:
    return driver.execute_script(script, *args)


def cards(driver: webdriver.Chrome) -> list[dict]:
    return js(driver, """
        return [...document.querySelectorAll('.machine-card')].map(card => ({
            id: Number(card.dataset.equipmentId),
            status: card.dataset.status || '',
            name: (card.querySelector('.machine-name') || card).textContent,
            text: card.textContent,
        }));
    """)


def alert_rows(driver: webdriver.Chrome, equipment_id: int) -> list[dict]:
    return js(driver, """
        return [...document.querySelectorAll('.alert-row')]
            .filter(row => Number(row.dataset.equipmentId) === arguments[0])
            .map(row => ({id: Number(row.dataset.alertId), state: row.dataset.state || '', text: row.textContent}));
    """, equipment_id)


def task_rows(driver: webdriver.Chrome, equipment_id: int) -> list[dict]:
    return js(driver, """
        return [...document.querySelectorAll('.task-row')]
            .filter(row => Number(row.dataset.equipmentId) === arguments[0])
            .map(row => ({id: Number(row.dataset.taskId), alertId: Number(row.dataset.alertId || 0), text: row.innerText}));
    """, equipment_id)


def click(driver: webdriver.Chrome, selector: str) -> bool:
    """Clicks the element if present; False (to poll again) when it is missing, was just replaced, or is
    covered for now (a toast over it goes away by itself)."""
    elements = driver.find_elements(By.CSS_SELECTOR, selector)
    if not elements:
        return False
    try:
        js(driver, "arguments[0].scrollIntoView({block: 'center'});", elements[0])
        elements[0].click()
    except (StaleElementReferenceException, ElementClickInterceptedException, ElementNotInteractableException):
        return False
    return True


def save_screenshot(driver: webdriver.Chrome, path: str) -> None:
    """The whole page, not only the window, through the DevTools protocol; the window as a fallback."""
    try:
        js(driver, "window.scrollTo(0, 0)")
        metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 8000), "scale": 1},
        })
        with open(path, "wb") as file:
            file.write(base64.b64decode(shot["data"]))
    except WebDriverException:
        if not driver.save_screenshot(path):
            raise Failure(f"could not save the screenshot to {path}")


CONSOLE: list[dict] = []  # every console entry of the run: get_log hands each entry out once


def console_entries(driver: Optional[webdriver.Chrome]) -> list[dict]:
    """The browser's console messages since the last call (also kept in CONSOLE)."""
    if driver is None:
        return []
    try:
        entries = driver.get_log("browser")
    except WebDriverException as error:
        log(f"(browser console log unavailable: {error})")
        return []
    CONSOLE.extend(entries)
    return entries


def dump_console(driver: Optional[webdriver.Chrome], only_severe: bool = False) -> None:
    """Prints the console messages of the whole run (only the errors with only_severe)."""
    console_entries(driver)
    entries = [e for e in CONSOLE if not only_severe or e.get("level") == "SEVERE"]
    if not entries:
        return
    log("--- browser console ---")
    for entry in entries:
        log(redacted(f"[{entry.get('level')}] {entry.get('message')}"))
    log("--- end of browser console ---")


# --- the steps -----------------------------------------------------------------------------------

def ensure_a_machine(api: Api) -> None:
    if not api.get("/api/equipment"):
        created = api.post("/api/equipment", {"name": "Browser Test Machine", "type": "pump", "location": "Test bench"})
        log(f"      no machine registered: created #{created['id']}")


def shown(driver: webdriver.Chrome, element_id: str) -> bool:
    """Whether the element exists and is displayed (neither it nor an ancestor hidden)."""
    elements = driver.find_elements(By.ID, element_id)
    return bool(elements) and elements[0].is_displayed()


def stored_key(driver: webdriver.Chrome) -> Optional[str]:
    return js(driver, "return window.sessionStorage.getItem(arguments[0]);", KEY_STORAGE)


def open_sockets(driver: webdriver.Chrome) -> int:
    """The page's WebSockets that are connecting or open."""
    return js(driver, "return (window.__sockets || []).filter(s => s.readyState === 0 || s.readyState === 1).length;")


def wait_until_connected(driver: webdriver.Chrome) -> list[dict]:
    found = wait_for("at least one .machine-card", lambda: cards(driver))
    wait_for("#connection-status[data-state=connected]", lambda: js(
        driver, "const n = document.getElementById('connection-status'); return n && n.dataset.state === 'connected';"))
    return found


def check_signed_in(driver: webdriver.Chrome, key: str, session: dict) -> None:
    expected = f"{session['name']} ({session['role']})"
    wait_for("the dashboard shown and the sign-in screen hidden",
             lambda: shown(driver, "dashboard") and not shown(driver, "sign-in"))
    wait_for(f"#signed-in-as to show {expected!r}",
             lambda: js(driver, "return document.getElementById('signed-in-as').textContent.trim();") == expected)
    if stored_key(driver) != key:
        raise Failure(f"sessionStorage[{KEY_STORAGE!r}] does not hold the key")


def load_page(driver: webdriver.Chrome, base_url: str, key: str, session: dict) -> None:
    log("step 1: load the dashboard with ?key=")
    driver.get(f"{base_url.rstrip('/')}/?key={quote(key, safe='')}")
    wait_for("the key to leave the address bar", lambda: "key=" not in driver.current_url)
    if key in driver.current_url:
        raise Failure(f"the address still holds the key: {driver.current_url}")
    check_signed_in(driver, key, session)
    found = wait_until_connected(driver)
    js(driver, "window.__marker = 1;")
    log(f"      signed in as {session['name']} ({session['role']}), address {driver.current_url}, "
        f"{len(found)} machine card(s), WebSocket connected")


def pick_machine(driver: webdriver.Chrome, wanted: Optional[int]) -> int:
    log("step 2: pick a machine")
    found = cards(driver)
    if wanted is not None:
        card = wait_for(f"the card of machine #{wanted}", lambda: next((c for c in cards(driver) if c["id"] == wanted), None))
    else:
        # A machine in maintenance raises no alerts, so prefer one that is not.
        card = next((c for c in found if c["status"] != "maintenance"), found[0])
    if card["status"] == "maintenance":
        log(f"      warning: machine #{card['id']} is in maintenance; the backend may raise no alert for it")
    log(f"      machine #{card['id']} ({card['name']!r}, {card['status']})")
    return card["id"]


def clear_open_work(api: Api, driver: webdriver.Chrome, equipment_id: int) -> set[int]:
    """Resolves the machine's unresolved alerts and cancels its open alert tasks, so that the anomaly
    below raises a new alert (one alert per machine and problem) and a new task. Returns the ids of the
    tasks the machine had before."""
    for state in ("open", "acknowledged"):
        for alert in api.get(f"/api/alerts?equipment_id={equipment_id}&state={state}&limit=200"):
            if alert["equipment_id"] != equipment_id or alert["state"] != state:
                continue
            api.post(f"/api/alerts/{alert['id']}/resolve", {"note": "dashboard browser test: clean start"})
            log(f"      resolved earlier alert #{alert['id']}")
    tasks = [t for t in api.get(f"/api/maintenance?equipment_id={equipment_id}&limit=200") if t["equipment_id"] == equipment_id]
    for task in tasks:
        if task["source"] == "alert" and task["status"] in ("pending", "in_progress"):
            api.post(f"/api/maintenance/{task['id']}/cancel", {"note": "dashboard browser test: clean start"})
            log(f"      cancelled earlier alert task #{task['id']}")
    wait_for(f"no alert row left for machine #{equipment_id}", lambda: not alert_rows(driver, equipment_id))
    return {task["id"] for task in tasks}


def raise_alert(api: Api, driver: webdriver.Chrome, equipment_id: int, known_alerts: set[int]) -> int:
    log("step 3: post readings until an alert row appears")
    now = datetime.now(timezone.utc)
    batch = [normal_reading(equipment_id, now - timedelta(seconds=NORMAL_READINGS - 1 - i)) for i in range(NORMAL_READINGS)]
    result = api.post("/api/sensor-data/batch", batch)
    if result.get("accepted", 0) + result.get("duplicates", 0) != NORMAL_READINGS:
        raise Failure(f"batch of {NORMAL_READINGS} normal readings not taken: {result}")
    log(f"      {result['accepted']} normal readings accepted")

    deadline = time.monotonic() + ANOMALY_TIMEOUT
    sent = 0
    while True:
        api.post("/api/sensor-data", anomalous_reading(equipment_id))
        sent += 1
        new = [row for row in alert_rows(driver, equipment_id) if row["id"] not in known_alerts]
        if new:
            break
        if time.monotonic() >= deadline:
            raise Failure(f"no new .alert-row for machine #{equipment_id} after {sent} anomalous readings ({ANOMALY_TIMEOUT:.0f} s)")
        time.sleep(0.5)
    if js(driver, "return window.__marker;") != 1:
        raise Failure("the page reloaded: the alert did not arrive through the WebSocket")
    alert_id = new[0]["id"]
    log(f"      alert #{alert_id} shown after {sent} anomalous reading(s), page not reloaded")
    return alert_id


def acknowledge(api: Api, driver: webdriver.Chrome, alert_id: int) -> None:
    log(f"step 4: acknowledge alert #{alert_id}")
    row = f'.alert-row[data-alert-id="{alert_id}"]'
    wait_for("the Acknowledge button to be clicked", lambda: click(driver, f"{row} .ack-button"))
    wait_for(f"alert #{alert_id} shown as acknowledged", lambda: js(driver, """
        const row = document.querySelector(arguments[0]);
        return row && (row.dataset.state === 'acknowledged' || row.textContent.includes('acknowledged'));
    """, row))
    wait_for(f"GET /api/alerts/{alert_id} to say acknowledged == 1",
             lambda: api.get(f"/api/alerts/{alert_id}").get("acknowledged") == 1)
    log("      acknowledged in the page and over REST")


def wait_for_task(driver: webdriver.Chrome, equipment_id: int, alert_id: int, known_tasks: set[int]) -> None:
    log("step 5: wait for the maintenance task made from the alert")

    def task_row() -> Optional[dict]:
        return next((t for t in task_rows(driver, equipment_id) if t["alertId"] == alert_id or t["id"] not in known_tasks), None)

    task = wait_for(f"a new .task-row for machine #{equipment_id}", task_row)
    log(f"      task #{task['id']} shown: {' '.join(task['text'].split())[:100]}")


def check_names_are_text(driver: webdriver.Chrome, xss_name: Optional[str]) -> None:
    log("step 6: machine names are rendered as text")
    if xss_name is not None:
        wait_for(f"a card named {xss_name!r}", lambda: any(xss_name in c["text"] for c in cards(driver)))
    markup_names = [c["name"] for c in cards(driver) if "<" in c["name"]]
    images = js(driver, "return document.querySelectorAll('.machine-card img').length;")
    if images:
        raise Failure(f"{images} <img> element(s) inside the machine cards: a name was inserted as markup")
    dialogs = js(driver, "return window.__dialogs || [];")
    if dialogs:
        raise Failure(f"the page opened dialog(s) {dialogs}: injected script ran")
    if markup_names:
        log(f"      {len(markup_names)} name(s) with '<' shown as text: {markup_names}")
    else:
        log("      no machine name contains '<'")


def check_charts(driver: webdriver.Chrome, equipment_id: int) -> None:
    log(f"step 7a: open the charts of machine #{equipment_id}")
    wait_for("the Charts button to be clicked",
             lambda: click(driver, f'.machine-card[data-equipment-id="{equipment_id}"] .charts-button'))
    outcome = wait_for("five rendered charts or a message saying why not", lambda: js(driver, """
        const message = document.getElementById('chart-message');
        if (message && !message.hidden && !message.textContent.startsWith('Loading')) return 'message: ' + message.textContent;
        const plots = document.querySelectorAll('#chart-grid .chart .main-svg');
        return document.querySelectorAll('#chart-grid .chart').length === 5 && plots.length >= 5 ? 'charts' : null;
    """))
    if outcome != "charts":
        raise Failure(f"the charts did not render: {outcome}")
    log("      five charts rendered")


def sign_in_error(driver: webdriver.Chrome) -> str:
    return js(driver, """
        const node = document.getElementById('sign-in-error');
        return node && !node.hidden ? node.textContent.trim() : '';
    """)


def type_key(driver: webdriver.Chrome, key: str) -> None:
    field = driver.find_element(By.ID, "sign-in-key")
    field.clear()
    field.send_keys(key)
    driver.find_element(By.ID, "sign-in-submit").click()


def check_sign_out(driver: webdriver.Chrome, key: str, session: dict) -> None:
    log("step 8: sign out, try a wrong key, sign in again")
    wait_for("the Sign out button to be clicked", lambda: click(driver, "#sign-out"))
    wait_for("the sign-in screen shown and the dashboard hidden",
             lambda: shown(driver, "sign-in") and not shown(driver, "dashboard"))
    left = js(driver, "return Object.keys(window.sessionStorage);")
    if left:
        raise Failure(f"sessionStorage not empty after signing out: {left}")
    wait_for("the WebSocket closed", lambda: open_sockets(driver) == 0)
    log("      signed out: sign-in screen shown, sessionStorage empty, WebSocket closed")

    wrong = "pm_00000000_" + "A" * 43
    type_key(driver, wrong)
    message = wait_for("the sign-in screen to say the wrong key is not accepted",
                       lambda: "key not accepted" in sign_in_error(driver).lower() and sign_in_error(driver))
    if shown(driver, "dashboard") or stored_key(driver) is not None:
        raise Failure("a wrong key signed in")
    log(f"      a wrong key: {message!r}")

    type_key(driver, key)
    check_signed_in(driver, key, session)
    found = wait_until_connected(driver)
    log(f"      signed in again: {len(found)} machine card(s), WebSocket connected")


def check_revoked_key(driver: webdriver.Chrome, base_url: str, revoked_key: str) -> None:
    log("step 9: a fresh load with a revoked key shows the sign-in screen")
    driver.get(f"{base_url.rstrip('/')}/?key={quote(revoked_key, safe='')}")
    wait_for("the sign-in screen shown and the dashboard hidden",
             lambda: shown(driver, "sign-in") and not shown(driver, "dashboard"))
    message = wait_for("the sign-in screen to say the key is not accepted",
                       lambda: "key not accepted" in sign_in_error(driver).lower() and sign_in_error(driver))
    if "key=" in driver.current_url or revoked_key in driver.current_url:
        raise Failure(f"the address still holds the key: {driver.current_url}")
    if stored_key(driver) is not None:
        raise Failure("the refused key was kept in sessionStorage")
    if js(driver, "return (window.__sockets || []).length;"):
        raise Failure("the page opened a WebSocket with a refused key")
    log(f"      sign-in screen: {message!r}")


def check_no_csp_violation(driver: webdriver.Chrome) -> None:
    log("step 10: no Content-Security-Policy violation in the console")
    console_entries(driver)
    violations = [e for e in CONSOLE if "content security policy" in str(e.get("message", "")).lower()]
    if violations:
        for entry in violations:
            log(redacted(f"      [{entry.get('level')}] {entry.get('message')}"))
        raise Failure(f"{len(violations)} console message(s) report a Content-Security-Policy violation")
    log(f"      none among {len(CONSOLE)} console message(s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--key", required=True, help="an admin API key: the page signs in with it, and REST calls send it")
    parser.add_argument("--screenshot", required=True)
    parser.add_argument("--equipment-id", type=int)
    parser.add_argument("--xss-name", help="a machine name with markup that must show as text")
    parser.add_argument("--skip-charts", action="store_true", help="do not open the charts before the screenshot")
    parser.add_argument("--sign-out-check", action="store_true",
                        help="at the end: sign out, try a wrong key, and sign in again by typing the key")
    parser.add_argument("--revoked-key", metavar="KEY2",
                        help="a key revoked beforehand: a fresh load of /?key=KEY2 must show the sign-in screen")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = parser.parse_args()

    api = Api(args.base_url, args.key)
    driver: Optional[webdriver.Chrome] = None
    try:
        session = api.get("/api/session")
        if session.get("role") != "admin":
            raise Failure(f"--key must be an admin key; GET /api/session says {session}")
        ensure_a_machine(api)
        driver = start_browser(args)
        load_page(driver, args.base_url, args.key, session)
        equipment_id = pick_machine(driver, args.equipment_id)
        known_tasks = clear_open_work(api, driver, equipment_id)
        known_alerts = {a["id"] for a in api.get(f"/api/alerts?equipment_id={equipment_id}&limit=200")}
        alert_id = raise_alert(api, driver, equipment_id, known_alerts)
        acknowledge(api, driver, alert_id)
        wait_for_task(driver, equipment_id, alert_id, known_tasks)
        check_names_are_text(driver, args.xss_name)
        if not args.skip_charts:
            check_charts(driver, equipment_id)
        log(f"step 7: screenshot to {args.screenshot}")
        save_screenshot(driver, args.screenshot)
        if args.sign_out_check:
            check_sign_out(driver, args.key, session)
        if args.revoked_key:
            check_revoked_key(driver, args.base_url, args.revoked_key)
        check_no_csp_violation(driver)
        dump_console(driver, only_severe=True)
    except (Failure, WebDriverException) as error:
        log(redacted(f"FAIL: {error}"))
        dump_console(driver)
        return 1
    finally:
        if driver is not None:
            driver.quit()
    log("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
