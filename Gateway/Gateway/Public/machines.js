// The machine cards: one per machine from GET /api/equipment, kept current by status_update, reading
// and prediction messages.

import { get } from "./api.js";
import { el, formatDate, formatNumber, formatTime, KeyedList, label } from "./dom.js";

/** The five sensors, in display order, with their labels, units and precision. */
export const SENSORS = [
  { key: "temperature", label: "Temperature", unit: "°C", digits: 1 },
  { key: "vibration", label: "Vibration", unit: "mm/s", digits: 2 },
  { key: "pressure", label: "Pressure", unit: "kPa", digits: 1 },
  { key: "power_consumption", label: "Power", unit: "kW", digits: 1 },
  { key: "efficiency", label: "Efficiency", unit: "%", digits: 1 },
];

const RENDER_DELAY_MS = 100; // readings can arrive many times a second; draw at most ten times a second

/** The contribution that explains a prediction most. */
export function topContribution(prediction) {
  const list = prediction && Array.isArray(prediction.explanation) ? prediction.explanation : [];
  return list.reduce((best, c) => (!best || Math.abs(c.contribution) > Math.abs(best.contribution) ? c : best), null);
}

function newer(a, b) {
  // Reading ids are the ingest sequence: larger is newer.
  if (!a) return b;
  if (!b) return a;
  return b.id > a.id ? b : a;
}

export class MachineCards {
  constructor(grid, { onOpenCharts }) {
    this.machines = new Map(); // id -> Equipment
    this.predictions = new Map(); // id -> latest Prediction
    this.liveStatusAt = new Map(); // id -> time a status_update was applied (ms)
    this.onOpenCharts = onOpenCharts;
    this.list = new KeyedList(grid, {
      key: (item) => item.machine.id,
      build: (item) => this.buildCard(item),
      empty: null,
    });
    this.renderTimer = null;
    this.emptyNote = grid.parentElement.querySelector(".machines-empty");
  }

  name(id) {
    const machine = this.machines.get(id);
    return machine ? machine.name : null;
  }

  ids() {
    return [...this.machines.keys()].sort((a, b) => a - b);
  }

  /** Loads the machines; returns true when the set of machine ids changed. */
  async reload() {
    const startedAt = Date.now();
    const list = await get("/api/equipment");
    const before = this.ids().join(",");
    const next = new Map();
    for (const fresh of list) {
      const local = this.machines.get(fresh.id);
      const merged = { ...fresh };
      if (local) {
        merged.latest_reading = newer(fresh.latest_reading, local.latest_reading);
        // A status pushed over the socket after this request started is newer than the response.
        if ((this.liveStatusAt.get(fresh.id) || 0) > startedAt) merged.status = local.status;
      }
      next.set(fresh.id, merged);
    }
    this.machines = next;
    this.scheduleRender();
    return before !== this.ids().join(",");
  }

  /** Forgets every machine (signed out). */
  clear() {
    clearTimeout(this.renderTimer);
    this.renderTimer = null;
    this.machines.clear();
    this.predictions.clear();
    this.liveStatusAt.clear();
    this.list.render([]);
    if (this.emptyNote) this.emptyNote.hidden = true;
  }

  /** Loads the newest prediction of each machine. */
  async reloadPredictions() {
    const list = await get("/api/predictions?limit=200");
    for (const prediction of list) this.applyPrediction(prediction);
  }

  applyStatus(message) {
    const machine = this.machines.get(message.equipment_id);
    if (!machine) return false;
    machine.status = message.status;
    this.liveStatusAt.set(message.equipment_id, Date.now());
    this.scheduleRender();
    return true;
  }

  applyReading(reading) {
    const machine = this.machines.get(reading.equipment_id);
    if (!machine) return false;
    machine.latest_reading = newer(machine.latest_reading, reading);
    this.scheduleRender();
    return true;
  }

  applyPrediction(prediction) {
    const current = this.predictions.get(prediction.equipment_id);
    if (current && current.id >= prediction.id) return;
    this.predictions.set(prediction.equipment_id, prediction);
    this.scheduleRender();
  }

  scheduleRender() {
    if (this.renderTimer) return;
    this.renderTimer = setTimeout(() => {
      this.renderTimer = null;
      this.render();
    }, RENDER_DELAY_MS);
  }

  render() {
    const items = this.ids().map((id) => ({ machine: this.machines.get(id), prediction: this.predictions.get(id) || null }));
    this.list.render(items);
    if (this.emptyNote) this.emptyNote.hidden = items.length > 0;
  }

  buildCard({ machine, prediction }) {
    const status = machine.status || "offline";
    const open = () => this.onOpenCharts(machine.id);
    const card = el("article", {
      className: `machine-card status-${status}`,
      tabIndex: 0,
      dataset: { equipmentId: machine.id, status },
      attrs: { "aria-label": `${machine.name}, ${label(status)}` },
      on: {
        click: open,
        keydown: (event) => {
          if (event.target === card && (event.key === "Enter" || event.key === " ")) {
            event.preventDefault();
            open();
          }
        },
      },
    }, [
      el("header", { className: "card-head" }, [
        el("h3", { className: "machine-name", text: machine.name }),
        el("span", { className: "status-badge", text: label(status) }),
      ]),
      el("p", { className: "machine-meta" }, [
        el("span", { className: "machine-type", text: machine.type }),
        machine.location ? " · " : null,
        machine.location ? el("span", { className: "machine-location", text: machine.location }) : null,
      ]),
      this.buildSensors(machine.latest_reading),
      el("p", { className: "machine-line" }, [
        "Last reading: ",
        el("span", { className: "machine-last-reading", text: machine.latest_reading ? formatTime(machine.latest_reading.timestamp) : "none yet" }),
      ]),
      el("p", { className: "machine-line" }, [
        "Last maintenance: ",
        el("span", { className: "machine-last-maintenance", text: machine.last_maintenance ? formatDate(machine.last_maintenance) : "never" }),
      ]),
      prediction ? this.buildHealth(prediction) : null,
      el("button", {
        type: "button",
        className: "charts-button",
        text: "Charts",
        on: { click: (event) => { event.stopPropagation(); open(); } },
      }),
    ]);
    return card;
  }

  buildSensors(reading) {
    return el("dl", { className: "sensor-values" }, SENSORS.map((sensor) => el("div", { className: "sensor", dataset: { sensor: sensor.key } }, [
      el("dt", { text: sensor.label }),
      el("dd", {}, [
        el("span", { className: "sensor-value", text: reading ? formatNumber(reading[sensor.key], sensor.digits) : "—" }),
        reading ? el("span", { className: "sensor-unit", text: ` ${sensor.unit}` }) : null,
      ]),
    ])));
  }

  buildHealth(prediction) {
    const top = topContribution(prediction);
    const parts = [];
    if (typeof prediction.health_score === "number") parts.push(`Health: ${formatNumber(prediction.health_score, 0)}/100`);
    if (prediction.predicted_failure_date) parts.push(`Predicted failure: ${formatDate(prediction.predicted_failure_date)}`);
    if (typeof prediction.remaining_useful_life_hours === "number") {
      const band = typeof prediction.remaining_life_lower_hours === "number"
        ? ` (${formatNumber(prediction.remaining_life_lower_hours, 0)}–${typeof prediction.remaining_life_upper_hours === "number" ? formatNumber(prediction.remaining_life_upper_hours, 0) : "∞"} h)`
        : "";
      parts.push(`RUL: ${formatNumber(prediction.remaining_useful_life_hours, 0)} h${band}`);
    }
    if (top) parts.push(`Top factor: ${label(top.feature)}`);
    return el("div", { className: `machine-health severity-${prediction.severity}` }, [
      el("p", { className: "health-title" }, [
        el("span", { text: `${label(prediction.prediction_type)} (${formatNumber(prediction.confidence, 0)} %)` }),
        " · ",
        el("time", { text: formatTime(prediction.timestamp) }),
      ]),
      parts.length ? el("p", { className: "health-details", text: parts.join(" · ") }) : null,
      prediction.recommendation ? el("p", { className: "health-advice", text: prediction.recommendation }) : null,
    ]);
  }
}
