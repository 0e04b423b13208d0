// The alerts list: open and acknowledged alerts, newest first, kept current by "alert" messages.

import { get, post } from "./api.js";
import { el, formatTime, KeyedList, label, parseTime } from "./dom.js";
import { showError, showToast } from "./toast.js";

const MAX_ROWS = 200;

function updatedAt(alert) {
  const time = parseTime(alert.updated_at || alert.last_seen || alert.timestamp);
  return time ? time.getTime() : 0;
}

function newestFirst(a, b) {
  const byTime = (parseTime(b.timestamp)?.getTime() || 0) - (parseTime(a.timestamp)?.getTime() || 0);
  return byTime || b.id - a.id;
}

export class AlertList {
  constructor(listNode, { machineName, onChange }) {
    this.alerts = new Map(); // id -> Alert (open or acknowledged)
    this.liveAt = new Map(); // id -> time it last changed through the socket (ms)
    this.machineName = machineName;
    this.onChange = onChange;
    this.countNode = document.getElementById("alert-count");
    this.list = new KeyedList(listNode, {
      key: (alert) => alert.id,
      build: (alert) => this.buildRow(alert),
      empty: "No open alerts.",
    });
  }

  async reload() {
    const startedAt = Date.now();
    const [open, acknowledged] = await Promise.all([
      get(`/api/alerts?state=open&limit=${MAX_ROWS}`),
      get(`/api/alerts?state=acknowledged&limit=${MAX_ROWS}`),
    ]);
    const next = new Map();
    for (const alert of [...open, ...acknowledged]) next.set(alert.id, alert);
    // Keep what the socket told us after the request started: the response may predate it.
    for (const [id, local] of this.alerts) {
      if ((this.liveAt.get(id) || 0) <= startedAt) continue;
      const fresh = next.get(id);
      if (!fresh || updatedAt(local) >= updatedAt(fresh)) next.set(id, local);
    }
    for (const [id, at] of this.liveAt) {
      if (at > startedAt && !this.alerts.has(id)) next.delete(id); // resolved over the socket meanwhile
    }
    this.alerts = next;
    for (const [id, at] of this.liveAt) if (at < startedAt - 60000) this.liveAt.delete(id);
    this.render();
  }

  /** Forgets every alert (signed out). */
  clear() {
    this.alerts.clear();
    this.liveAt.clear();
    this.list.render([]);
    this.countNode.textContent = "";
  }

  /** Applies an alert from a socket message or an action's response. */
  apply(alert, { live = false } = {}) {
    const current = this.alerts.get(alert.id);
    // Replayed or reordered events must not undo a newer state.
    if (current && updatedAt(current) > updatedAt(alert)) return;
    if (live) this.liveAt.set(alert.id, Date.now());
    if (alert.state === "resolved") this.alerts.delete(alert.id);
    else this.alerts.set(alert.id, alert);
    this.render();
  }

  render() {
    const items = [...this.alerts.values()].sort(newestFirst).slice(0, MAX_ROWS);
    this.list.render(items);
    const open = items.filter((a) => a.state === "open").length;
    this.countNode.textContent = `${open} open, ${items.length - open} acknowledged`;
  }

  buildRow(alert) {
    const machine = alert.equipment_name || this.machineName(alert.equipment_id) || `Machine #${alert.equipment_id}`;
    const actions = [];
    if (alert.state === "open") {
      actions.push(this.actionButton("Acknowledge", "ack-button", () => this.act(alert, "acknowledge")));
    }
    actions.push(this.actionButton("Resolve", "resolve-button", () => this.act(alert, "resolve")));
    const facts = [`${label(alert.state)}`];
    if (alert.occurrences > 1) facts.push(`${alert.occurrences}×`);
    if (alert.silenced) facts.push("silenced");
    if (alert.acknowledged_by) facts.push(`ack by ${alert.acknowledged_by}`);
    return el("li", {
      className: `alert-row severity-${alert.severity} state-${alert.state}`,
      dataset: { alertId: alert.id, equipmentId: alert.equipment_id, state: alert.state, severity: alert.severity, kind: alert.kind },
    }, [
      el("div", { className: "alert-head" }, [
        el("span", { className: "severity-badge", text: alert.severity }),
        el("strong", { className: "alert-machine", text: machine }),
        el("span", { className: "alert-title", text: alert.title }),
      ]),
      alert.description ? el("p", { className: "alert-description", text: alert.description }) : null,
      el("div", { className: "alert-foot" }, [
        el("time", { className: "alert-time", text: formatTime(alert.timestamp), title: `last seen ${formatTime(alert.last_seen)}` }),
        el("span", { className: "alert-state", text: facts.join(" · ") }),
        el("span", { className: "alert-actions" }, actions),
      ]),
    ]);
  }

  actionButton(text, className, handler) {
    return el("button", { type: "button", className, text, on: { click: handler } });
  }

  async act(alert, action) {
    const row = this.list.rows.get(String(alert.id));
    row?.node.querySelectorAll("button").forEach((button) => { button.disabled = true; });
    try {
      const response = await post(`/api/alerts/${alert.id}/${action}`);
      if (response && response.alert) this.apply(response.alert);
      showToast(`Alert ${action === "resolve" ? "resolved" : "acknowledged"}: ${alert.title}`);
      this.onChange();
    } catch (error) {
      showError(error, `Could not ${action} the alert`);
      row?.node.querySelectorAll("button").forEach((button) => { button.disabled = false; });
    }
  }
}
