// The dashboard's entry point: signs in (signin.js), then loads the lists over REST, keeps them current
// from the WebSocket, and polls what the socket does not push (statistics, the maintenance schedule).
// Signed out (no key, sign-out, or the gateway refused the key), nothing talks to the gateway.

import { AlertList } from "./alerts.js";
import { onRejected, reportRejected } from "./auth.js";
import { ChartPanel } from "./charts.js";
import { debounce, serialized } from "./dom.js";
import { MachineCards } from "./machines.js";
import { TaskForm, TaskList } from "./maintenance.js";
import { SignIn } from "./signin.js";
import { LiveSocket } from "./socket.js";
import { StatsBar } from "./stats.js";
import { showError } from "./toast.js";

const POLL_MS = 10000;
const SLOW_POLL_MS = 30000;
// Scheduling turns an alert into a task a moment after the alert event: look twice.
const TASK_REFRESH_DELAYS_MS = [500, 3000];

const byId = (id) => document.getElementById(id);
const machineName = (id) => cards.name(id);

const stats = new StatsBar(byId("stats"), byId("stats-unavailable"));
const charts = new ChartPanel(byId("chart-panel"), { machineName });
const cards = new MachineCards(byId("machine-grid"), { onOpenCharts: (id) => charts.open(id) });
const alerts = new AlertList(byId("alert-list"), { machineName, onChange: () => refreshAfterAction() });
const tasks = new TaskList(byId("task-list"), {
  machineName,
  showAllToggle: byId("show-all-tasks"),
  onChange: () => refreshAfterAction(),
});
const taskForm = new TaskForm(byId("task-form"), { onCreated: () => loadTasks() });

/**
 * Wraps a loader: never two at once, and a failure becomes a toast instead of an unhandled rejection
 * (but for a 401, which brings up the sign-in screen instead: see toast.js).
 */
function loader(what, load) {
  return serialized(async () => {
    try {
      await load();
    } catch (error) {
      showError(error, `Could not load ${what}`);
    }
  });
}

const loadStats = loader("the statistics", () => stats.reload());
const loadAlerts = loader("the alerts", () => alerts.reload());
const loadTasks = loader("the maintenance schedule", () => tasks.reload());
const loadPredictions = loader("the predictions", () => cards.reloadPredictions());
const loadMachines = loader("the machines", async () => {
  const changed = await cards.reload();
  taskForm.setMachines(cards.ids().map((id) => ({ id, name: cards.name(id) })));
  if (changed) subscribe();
});

const statsSoon = debounce(loadStats, 1000);
const machinesSoon = debounce(loadMachines, 1000);
const tasksSoon = TASK_REFRESH_DELAYS_MS.map((ms) => debounce(loadTasks, ms));

function loadEverything() {
  loadMachines();
  loadPredictions();
  loadAlerts();
  loadTasks();
  loadStats();
  charts.reload();
}

function refreshAfterAction() {
  loadStats();
  loadTasks();
  machinesSoon();
}

// --- live updates -------------------------------------------------------------------------------

let alertSequence = null; // the last alert event seen, for "resume" after a reconnect
let firstHello = true;

const socket = new LiveSocket({
  onOpen(isReconnect) {
    subscribe();
    if (isReconnect && alertSequence !== null) socket.send({ type: "resume", alert_sequence: alertSequence });
  },
  onMessage: handleMessage,
  onState: showConnection,
  // Closed with 1008: the key is not accepted any more, as a 401 would say.
  onRejected: (key) => {
    if (key) reportRejected(key);
    else if (signIn.signedIn) signIn.rejected();
  },
});

/**
 * Every machine. The cards' ids are listed too (once known), so that a gateway reading only the list
 * still sends what the cards show; an empty list is left out, as it would mean "none".
 */
function subscribe() {
  const ids = cards.ids();
  socket.send(ids.length ? { type: "subscribe", all: true, equipment_ids: ids } : { type: "subscribe", all: true });
}

const handlers = {
  hello(message) {
    if (alertSequence === null) alertSequence = message.alert_sequence ?? 0;
    const reconnected = !firstHello;
    if (firstHello) {
      firstHello = false;
      // Alerts raised between the first REST load and the subscription would otherwise be missed.
      loadAlerts();
    } else {
      loadEverything();
    }
    // Who is signed in: again after a reconnect, or now if the gateway could not say at sign-in.
    if (reconnected || !signIn.session) signIn.refresh();
  },
  status_update(message) {
    if (!cards.applyStatus(message)) machinesSoon(); // a machine we do not know yet
    statsSoon();
  },
  reading(message) {
    if (!cards.applyReading(message.reading)) machinesSoon();
    charts.addReading(message.reading);
  },
  prediction(message) {
    cards.applyPrediction(message.prediction);
    charts.addPrediction(message.prediction);
  },
  alert(message) {
    if (typeof message.sequence === "number") alertSequence = Math.max(alertSequence ?? 0, message.sequence);
    if (message.alert) alerts.apply(message.alert, { live: true });
    statsSoon();
    tasksSoon.forEach((refresh) => refresh());
  },
  resync() {
    loadEverything();
  },
};

function handleMessage(message) {
  const handler = handlers[message.type];
  if (handler) handler(message);
}

const CONNECTION_TEXT = {
  connecting: "Connecting…",
  connected: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

function showConnection(state, detail = {}) {
  const node = byId("connection-status");
  node.dataset.state = state;
  const retry = detail.retryInMs ? ` (retry in ${Math.round(detail.retryInMs / 1000)} s)` : "";
  node.querySelector(".connection-text").textContent = CONNECTION_TEXT[state] + (state === "connected" ? "" : retry);
}

// --- signing in and out --------------------------------------------------------------------------

let pollTimers = [];

function start() {
  stop();
  alertSequence = null;
  firstHello = true;
  loadEverything();
  socket.start();
  pollTimers = [
    setInterval(() => {
      loadStats();
      loadTasks();
    }, POLL_MS),
    setInterval(() => {
      loadMachines();
      loadAlerts();
    }, SLOW_POLL_MS),
  ];
}

/** Signed out: no more requests, no socket, and nothing of the previous key's data left in the page. */
function stop() {
  pollTimers.forEach(clearInterval);
  pollTimers = [];
  socket.stop();
  showConnection("connecting");
  charts.close();
  cards.clear();
  alerts.clear();
  tasks.clear();
  stats.clear();
  taskForm.setMachines([]);
}

const signIn = new SignIn({
  screen: byId("sign-in"),
  form: byId("sign-in-form"),
  input: byId("sign-in-key"),
  submit: byId("sign-in-submit"),
  error: byId("sign-in-error"),
  pending: byId("signing-in"),
  dashboard: byId("dashboard"),
  account: byId("signed-in-as"),
  signOut: byId("sign-out"),
}, {
  onSignedIn: start,
  onSignedOut: stop,
});

// A 401 from any request (api.js), for the key in use: revoked or expired while the page was open.
onRejected(() => {
  if (signIn.signedIn) signIn.rejected();
});

signIn.begin();
