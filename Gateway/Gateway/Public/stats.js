// The header's statistics, from GET /api/dashboard-stats.

import { get } from "./api.js";
import { el, formatNumber, setText } from "./dom.js";

// [field, label, extra class]. The class gives the status colours.
const GROUPS = [
  ["Machines", [
    ["total_equipment", "total", ""],
    ["healthy", "healthy", "status-healthy"],
    ["monitoring", "monitoring", "status-monitoring"],
    ["warning", "warning", "status-warning"],
    ["critical", "critical", "status-critical"],
    ["maintenance", "maintenance", "status-maintenance"],
    ["offline", "offline", "status-offline"],
  ]],
  ["Alerts", [
    ["active_alerts", "active", ""],
    ["critical_alerts", "critical", "status-critical"],
    ["acknowledged_alerts", "acknowledged", ""],
  ]],
  ["Maintenance", [
    ["pending_maintenance", "pending", ""],
    ["in_progress_maintenance", "in progress", ""],
    ["overdue_maintenance", "overdue", "status-critical"],
  ]],
  ["Last 24 h", [
    ["readings_24h", "readings", ""],
    ["avg_efficiency", "avg efficiency %", ""],
  ]],
];

export class StatsBar {
  constructor(root, unavailableBanner) {
    this.values = new Map();
    this.unavailableBanner = unavailableBanner;
    root.replaceChildren(...GROUPS.map(([title, items]) => this.buildGroup(title, items)));
  }

  buildGroup(title, items) {
    return el("section", { className: "stat-group" }, [
      el("h2", { className: "stat-group-title", text: title }),
      el("dl", { className: "stat-items" }, items.map(([field, text, extra]) => {
        const value = el("dd", { className: "stat-value", text: "—", dataset: { stat: field } });
        this.values.set(field, value);
        return el("div", { className: `stat ${extra}`.trim() }, [value, el("dt", { text })]);
      })),
    ]);
  }

  async reload() {
    this.show(await get("/api/dashboard-stats"));
  }

  /** Back to dashes (signed out). */
  clear() {
    for (const node of this.values.values()) node.textContent = "—";
    this.showUnavailable([]);
  }

  show(stats) {
    for (const [field, node] of this.values) {
      const value = stats[field];
      const text = field === "avg_efficiency" ? formatNumber(value, 1) : typeof value === "number" ? value.toLocaleString() : value;
      setText(node, text, "—");
    }
    this.showUnavailable(Array.isArray(stats.unavailable) ? stats.unavailable : []);
  }

  showUnavailable(parts) {
    const banner = this.unavailableBanner;
    banner.hidden = parts.length === 0;
    banner.replaceChildren(
      el("strong", { text: "Partly unavailable: " }),
      parts.map((part) => `${part.service}${part.reason ? ` (${part.reason})` : ""}`).join("; "),
    );
  }
}
