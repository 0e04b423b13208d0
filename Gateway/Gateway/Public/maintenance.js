// The maintenance schedule (GET /api/maintenance) and the form that adds a task.

import { get, idempotencyKey, post } from "./api.js";
import { el, formatDate, KeyedList, label, localToday } from "./dom.js";
import { showError, showToast } from "./toast.js";

const CLOSED = new Set(["completed", "cancelled"]);
const PRIORITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 };

function bySchedule(a, b) {
  return String(a.scheduled_date).localeCompare(String(b.scheduled_date))
    || (PRIORITY_RANK[a.priority] ?? 9) - (PRIORITY_RANK[b.priority] ?? 9)
    || a.id - b.id;
}

export class TaskList {
  constructor(listNode, { machineName, showAllToggle, onChange }) {
    this.tasks = [];
    this.machineName = machineName;
    this.onChange = onChange;
    this.showAllToggle = showAllToggle;
    this.countNode = document.getElementById("task-count");
    this.list = new KeyedList(listNode, {
      key: (task) => task.id,
      build: (task) => this.buildRow(task),
      empty: "Nothing scheduled.",
    });
    showAllToggle.addEventListener("change", () => this.render());
  }

  async reload() {
    this.tasks = await get("/api/maintenance?limit=200");
    this.render();
  }

  /** Forgets every task (signed out). */
  clear() {
    this.tasks = [];
    this.list.render([]);
    this.countNode.textContent = "";
  }

  render() {
    const today = localToday();
    const visible = this.tasks.filter((task) => this.showAllToggle.checked || !CLOSED.has(task.status)).sort(bySchedule);
    // The version a row is compared by includes "overdue", so rows turn red when the day changes.
    this.list.render(visible.map((task) => ({ ...task, overdue: !CLOSED.has(task.status) && task.scheduled_date < today })));
    this.countNode.textContent = `${visible.length} shown`;
  }

  buildRow(task) {
    const machine = task.equipment_name || this.machineName(task.equipment_id) || `Machine #${task.equipment_id}`;
    const actions = [];
    if (task.status === "pending") actions.push(this.actionButton("Start", "start-button", task, "start"));
    if (task.status === "pending" || task.status === "in_progress") {
      actions.push(this.actionButton("Complete", "complete-button", task, "complete"));
    }
    return el("li", {
      className: `task-row status-${task.status} priority-${task.priority}${task.overdue ? " overdue" : ""}`,
      dataset: { taskId: task.id, equipmentId: task.equipment_id, status: task.status, alertId: task.alert_id ?? undefined },
    }, [
      el("div", { className: "task-head" }, [
        el("time", { className: "task-date", text: formatDate(task.scheduled_date), title: task.overdue ? "overdue" : null }),
        el("span", { className: "priority-badge", text: task.priority }),
        el("strong", { className: "task-text", text: task.task }),
      ]),
      el("div", { className: "task-foot" }, [
        el("span", { className: "task-machine", text: machine }),
        el("span", { className: "task-status", text: label(task.status) }),
        el("span", { className: "task-source", text: `source: ${task.source}` }),
        task.overdue ? el("span", { className: "task-overdue", text: "overdue" }) : null,
        el("span", { className: "task-actions" }, actions),
      ]),
      task.notes ? el("p", { className: "task-notes", text: task.notes }) : null,
    ]);
  }

  actionButton(text, className, task, action) {
    return el("button", { type: "button", className, text, on: { click: (event) => this.act(event.currentTarget, task, action) } });
  }

  async act(button, task, action) {
    button.disabled = true;
    try {
      const updated = await post(`/api/maintenance/${task.id}/${action}`);
      this.tasks = this.tasks.map((t) => (t.id === updated.id ? updated : t));
      this.render();
      showToast(`Task ${action === "start" ? "started" : "completed"}: ${task.task}`);
      this.onChange();
    } catch (error) {
      button.disabled = false;
      showError(error, `Could not ${action} the task`);
    }
  }
}

/** The "new task" form. */
export class TaskForm {
  constructor(form, { onCreated }) {
    this.form = form;
    this.machineSelect = form.elements.namedItem("equipment_id");
    this.onCreated = onCreated;
    form.elements.namedItem("scheduled_date").value = localToday();
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
  }

  /** Fills the machine select, keeping the current choice. */
  setMachines(machines) {
    // Rebuilding the options would close the list under the user's finger: only when something changed.
    const signature = JSON.stringify(machines);
    if (signature === this.machinesSignature) return;
    this.machinesSignature = signature;
    const chosen = this.machineSelect.value;
    this.machineSelect.replaceChildren(...machines.map((m) => el("option", { value: String(m.id), text: `${m.name} (#${m.id})` })));
    if (chosen && machines.some((m) => String(m.id) === chosen)) this.machineSelect.value = chosen;
  }

  markInvalid(field) {
    for (const input of this.form.elements) input.removeAttribute?.("aria-invalid");
    const input = field && this.form.elements.namedItem(field);
    if (input && input.setAttribute) input.setAttribute("aria-invalid", "true");
  }

  async submit() {
    const data = new FormData(this.form);
    const body = {
      equipment_id: Number(data.get("equipment_id")),
      task: String(data.get("task") || "").trim(),
      scheduled_date: String(data.get("scheduled_date") || ""),
      priority: String(data.get("priority") || "medium"),
    };
    const submitButton = this.form.querySelector("button[type=submit]");
    submitButton.disabled = true;
    try {
      // One key per submission: a retried request after a lost response creates the task once.
      const response = await post("/api/maintenance", body, { "Idempotency-Key": idempotencyKey() });
      this.markInvalid(null);
      this.form.elements.namedItem("task").value = "";
      showToast(`Task scheduled: ${response.task ? response.task.task : body.task}`);
      this.onCreated();
    } catch (error) {
      this.markInvalid(error.field);
      showError(error, "Could not schedule the task");
    } finally {
      submitButton.disabled = false;
    }
  }
}
