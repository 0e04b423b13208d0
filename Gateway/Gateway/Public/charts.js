// Per-machine charts of the last six hours: bucket means with a min–max band from the readings endpoint,
// live readings appended as they arrive, anomaly markers from predictions, and the predicted failure date.

import { get, withQuery } from "./api.js";
import { el, formatDate, formatNumber, label, parseTime } from "./dom.js";
import { SENSORS, topContribution } from "./machines.js";
import { showError } from "./toast.js";

const WINDOW_MS = 6 * 3600 * 1000;
const BUCKETS = 120;
const RAW_LIMIT = 1000; // up to this many readings in the window are drawn one by one
const MAX_LIVE_POINTS = 3000; // bounds memory when a machine streams fast
const MAX_PREDICTIONS = 200;
const RENDER_INTERVAL_MS = 1000; // redraw at most once a second while readings stream in
const SEVERITY_COLORS = { critical: "#d32f2f", warning: "#f59e0b", info: "#2563eb" };

/** window.Plotly once the deferred plotly.js has run, or null if it failed to load. */
async function plotly() {
  if (window.Plotly) return window.Plotly;
  if (document.readyState !== "complete") {
    await new Promise((resolve) => window.addEventListener("load", resolve, { once: true }));
  }
  return window.Plotly || null;
}

/** "YYYY-MM-DD" is a calendar day: draw it at local midnight rather than at UTC midnight. */
function failureTime(value) {
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split("-").map(Number);
    return new Date(y, m - 1, d);
  }
  return parseTime(value);
}

function emptySeries() {
  return { x: [], mean: [], min: [], max: [] };
}

export class ChartPanel {
  constructor(panel, { machineName }) {
    this.panel = panel;
    this.machineName = machineName;
    this.title = panel.querySelector("#chart-title");
    this.summary = panel.querySelector("#chart-summary");
    this.message = panel.querySelector("#chart-message");
    this.grid = panel.querySelector("#chart-grid");
    panel.querySelector("#chart-close").addEventListener("click", () => this.close());
    this.equipmentId = null;
    this.loadToken = 0;
    this.renderTimer = null;
    this.lastRender = 0;
    this.Plotly = null;
  }

  get isOpen() {
    return this.equipmentId !== null;
  }

  async open(equipmentId) {
    this.equipmentId = equipmentId;
    this.panel.hidden = false;
    this.title.textContent = `${this.machineName(equipmentId) || `Machine #${equipmentId}`} — last 6 hours`;
    this.summary.textContent = "";
    this.showMessage("Loading…");
    this.panel.scrollIntoView({ behavior: "smooth", block: "start" });
    await this.reload();
  }

  close() {
    this.equipmentId = null;
    this.loadToken += 1;
    this.panel.hidden = true;
    if (this.Plotly) this.grid.querySelectorAll(".chart").forEach((div) => this.Plotly.purge(div));
    this.grid.replaceChildren();
  }

  /** (Re)loads the open machine's history, e.g. after the socket reconnected. */
  async reload() {
    if (!this.isOpen) return;
    const id = this.equipmentId;
    const token = ++this.loadToken;
    this.pending = []; // readings that arrive while the history loads
    const to = new Date();
    const from = new Date(to.getTime() - WINDOW_MS);
    try {
      const [series, predictions, Plotly] = await Promise.all([
        this.loadSeries(id, from, to),
        get(`/api/equipment/${id}/predictions?limit=${MAX_PREDICTIONS}`),
        plotly(),
      ]);
      if (token !== this.loadToken) return; // another machine was opened meanwhile
      this.series = series;
      this.predictions = predictions.slice().sort((a, b) => a.id - b.id);
      this.Plotly = Plotly;
      this.live = { x: [], values: Object.fromEntries(SENSORS.map((s) => [s.key, []])) };
      const pending = this.pending;
      this.pending = null;
      const last = series[SENSORS[0].key].x.at(-1) || from;
      pending.filter((r) => parseTime(r.timestamp) > last).forEach((r) => this.addReading(r));
      this.buildCharts();
      this.render();
    } catch (error) {
      if (token !== this.loadToken) return;
      this.pending = null;
      this.showMessage("The history of this machine could not be loaded.");
      showError(error, "Charts");
    }
  }

  /**
   * Bucket means with their min–max band; when the window holds few readings, the readings themselves
   * (a few buckets would draw a machine that started streaming minutes ago as one or two dots).
   */
  async loadSeries(id, from, to) {
    const range = { from: from.toISOString(), to: to.toISOString() };
    const history = await get(withQuery(`/api/equipment/${id}/readings`, { ...range, buckets: BUCKETS }));
    const buckets = history.buckets || [];
    const count = buckets.reduce((sum, bucket) => sum + (bucket.count || 0), 0);
    if (count === 0 || count > RAW_LIMIT) return this.seriesFrom(buckets);
    const raw = await get(withQuery(`/api/equipment/${id}/readings`, { ...range, limit: RAW_LIMIT }));
    return this.seriesFromReadings(raw.readings || []);
  }

  seriesFromReadings(readings) {
    const series = Object.fromEntries(SENSORS.map((s) => [s.key, emptySeries()]));
    for (const reading of readings) {
      const time = parseTime(reading.timestamp);
      if (!time) continue;
      for (const sensor of SENSORS) {
        const s = series[sensor.key];
        s.x.push(time);
        s.mean.push(reading[sensor.key]);
      }
    }
    return series;
  }

  seriesFrom(buckets) {
    const series = Object.fromEntries(SENSORS.map((s) => [s.key, emptySeries()]));
    for (const bucket of buckets) {
      const start = parseTime(bucket.start);
      const end = parseTime(bucket.end);
      if (!start) continue;
      const mid = end ? new Date((start.getTime() + end.getTime()) / 2) : start;
      for (const sensor of SENSORS) {
        const stats = bucket.count > 0 ? bucket[sensor.key] : null;
        const s = series[sensor.key];
        s.x.push(mid);
        // null leaves a gap where a bucket had no readings.
        s.mean.push(stats ? stats.mean : null);
        s.min.push(stats ? stats.min : null);
        s.max.push(stats ? stats.max : null);
      }
    }
    return series;
  }

  buildCharts() {
    if (!this.Plotly) {
      this.grid.replaceChildren();
      this.showMessage("Charts are unavailable: the chart library (plotly.js) did not load. Live values are still shown on the cards.");
      return;
    }
    this.showMessage(null);
    this.grid.replaceChildren(...SENSORS.map((sensor) => el("div", { className: "chart", dataset: { sensor: sensor.key } })));
  }

  addReading(reading) {
    if (!this.isOpen || reading.equipment_id !== this.equipmentId) return;
    if (this.pending) {
      this.pending.push(reading);
      return;
    }
    if (!this.live) return;
    const time = parseTime(reading.timestamp);
    if (!time) return;
    this.live.x.push(time);
    for (const sensor of SENSORS) this.live.values[sensor.key].push(reading[sensor.key]);
    if (this.live.x.length > MAX_LIVE_POINTS) {
      this.live.x.shift();
      for (const sensor of SENSORS) this.live.values[sensor.key].shift();
    }
    this.scheduleRender();
  }

  addPrediction(prediction) {
    if (!this.isOpen || prediction.equipment_id !== this.equipmentId || !this.predictions) return;
    if (this.predictions.some((p) => p.id === prediction.id)) return;
    this.predictions.push(prediction);
    if (this.predictions.length > MAX_PREDICTIONS) this.predictions.shift();
    this.scheduleRender();
  }

  scheduleRender() {
    if (this.renderTimer) return;
    const wait = Math.max(0, this.lastRender + RENDER_INTERVAL_MS - Date.now());
    this.renderTimer = setTimeout(() => {
      this.renderTimer = null;
      this.render();
    }, wait);
  }

  render() {
    this.lastRender = Date.now();
    const latest = this.predictions.length ? this.predictions[this.predictions.length - 1] : null;
    this.showSummary(latest);
    if (!this.Plotly) return;
    const now = new Date();
    const from = new Date(now.getTime() - WINDOW_MS);
    this.dropBefore(from);
    const failure = latest ? failureTime(latest.predicted_failure_date) : null;
    const start = this.firstPointTime(from, now);
    for (const div of this.grid.querySelectorAll(".chart")) {
      const sensor = SENSORS.find((s) => s.key === div.dataset.sensor);
      this.Plotly.react(div, this.traces(sensor, from), this.layout(sensor, start, now, failure), {
        displayModeBar: false, responsive: true,
      });
    }
  }

  /** Where the time axis starts: six hours back, or just before the first point if the data is younger. */
  firstPointTime(from, now) {
    const key = SENSORS[0].key;
    const history = this.series[key];
    const index = history.mean.findIndex((v) => v !== null && v !== undefined);
    const first = index >= 0 ? history.x[index] : this.live.x[0];
    if (!first || first <= from) return from;
    const margin = Math.max((now - first) * 0.05, 5000);
    return new Date(Math.max(from.getTime(), first.getTime() - margin));
  }

  dropBefore(from) {
    let drop = 0;
    while (drop < this.live.x.length && this.live.x[drop] < from) drop += 1;
    if (drop === 0) return;
    this.live.x.splice(0, drop);
    for (const sensor of SENSORS) this.live.values[sensor.key].splice(0, drop);
  }

  traces(sensor, from) {
    const history = this.series[sensor.key];
    const live = this.live.values[sensor.key];
    const x = history.x.concat(this.live.x);
    const y = history.mean.concat(live);
    const anomalies = this.predictions.filter((p) => (parseTime(p.timestamp) || 0) >= from);
    return [
      { x: history.x, y: history.max, mode: "lines", line: { width: 0 }, hoverinfo: "skip", showlegend: false },
      {
        x: history.x, y: history.min, mode: "lines", line: { width: 0 }, fill: "tonexty",
        fillcolor: "rgba(37, 99, 235, 0.15)", hoverinfo: "skip", showlegend: false,
      },
      { x, y, mode: "lines", name: sensor.label, line: { color: "#2563eb", width: 1.5 }, connectgaps: false },
      {
        x: anomalies.map((p) => parseTime(p.timestamp)),
        y: anomalies.map((p) => this.valueAt(p, sensor.key, x, y)),
        mode: "markers",
        name: "anomaly",
        marker: { symbol: "x", size: 9, color: anomalies.map((p) => SEVERITY_COLORS[p.severity] || "#555") },
        text: anomalies.map((p) => `${label(p.prediction_type)} · ${formatNumber(p.confidence, 0)} %`),
        hoverinfo: "text+x",
      },
    ];
  }

  /** The sensor's value when a prediction was made: from its explanation, else the nearest point. */
  valueAt(prediction, key, xs, ys) {
    const contribution = (prediction.explanation || []).find((c) => c.feature === key);
    if (contribution && typeof contribution.value === "number") return contribution.value;
    const time = parseTime(prediction.timestamp)?.getTime() ?? 0;
    let best = null;
    xs.forEach((x, i) => {
      if (ys[i] === null || ys[i] === undefined) return;
      if (best === null || Math.abs(x - time) < Math.abs(xs[best] - time)) best = i;
    });
    return best === null ? null : ys[best];
  }

  layout(sensor, from, now, failure) {
    const layout = {
      title: { text: `${sensor.label} (${sensor.unit})`, font: { size: 13 }, x: 0.01, xanchor: "left" },
      height: 200,
      margin: { l: 48, r: 12, t: 28, b: 28 },
      showlegend: false,
      xaxis: { type: "date", range: [from, now] },
      yaxis: { zeroline: false },
      shapes: [],
      annotations: [],
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
    };
    if (!failure) return layout;
    const text = `predicted failure ${formatDate(failure)}`;
    if (failure >= from && failure <= now) {
      layout.shapes.push({ type: "line", xref: "x", yref: "paper", x0: failure, x1: failure, y0: 0, y1: 1, line: { color: "#d32f2f", dash: "dash" } });
      layout.annotations.push({ xref: "x", yref: "paper", x: failure, y: 1, yanchor: "bottom", text, showarrow: false, font: { color: "#d32f2f", size: 11 }, xanchor: "right" });
    } else if (failure > now) {
      // Outside the 6-hour window: a marker at the right edge instead of stretching the time axis.
      layout.shapes.push({ type: "line", xref: "paper", yref: "paper", x0: 1, x1: 1, y0: 0, y1: 1, line: { color: "#d32f2f", dash: "dash" } });
      layout.annotations.push({ xref: "paper", yref: "paper", x: 1, y: 1, yanchor: "bottom", text: `${text} →`, showarrow: false, font: { color: "#d32f2f", size: 11 }, xanchor: "right" });
    }
    return layout;
  }

  showSummary(prediction) {
    if (!prediction) {
      this.summary.textContent = "No anomaly predicted recently.";
      return;
    }
    const parts = [`Latest prediction: ${label(prediction.prediction_type)} (${formatNumber(prediction.confidence, 0)} %)`];
    if (prediction.predicted_failure_date) parts.push(`predicted failure ${formatDate(prediction.predicted_failure_date)}`);
    if (typeof prediction.remaining_useful_life_hours === "number") {
      parts.push(`remaining useful life ${formatNumber(prediction.remaining_useful_life_hours, 0)} h`);
    }
    const top = topContribution(prediction);
    if (top) parts.push(`driven by ${label(top.feature)}`);
    if (prediction.recommendation) parts.push(prediction.recommendation);
    this.summary.textContent = parts.join(" · ");
  }

  showMessage(text) {
    this.message.hidden = !text;
    this.message.textContent = text || "";
  }
}
