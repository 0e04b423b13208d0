// DOM and formatting helpers. Every piece of data reaches the page as a text node or an attribute value,
// never as markup: names, notes and alert texts come from users and devices.

/**
 * Creates an element. `props` may hold: className, text, dataset ({key: value}), attrs ({name: value}),
 * on ({event: handler}), and any plain DOM property (type, value, disabled, title, ...).
 * Children are nodes or strings (strings become text nodes); null/undefined/false are skipped.
 */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "className") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "dataset") Object.entries(value).forEach(([k, v]) => v != null && (node.dataset[k] = String(v)));
    else if (key === "attrs") Object.entries(value).forEach(([k, v]) => v != null && node.setAttribute(k, String(v)));
    else if (key === "on") Object.entries(value).forEach(([event, handler]) => node.addEventListener(event, handler));
    else node[key] = value;
  }
  for (const child of [].concat(children)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Sets an element's text, or a placeholder when the value is missing. */
export function setText(node, value, placeholder = "—") {
  node.textContent = value === null || value === undefined || value === "" ? placeholder : String(value);
}

/**
 * Keeps a container's children in step with a list of items, by key: a row whose item did not change
 * is kept as it is (so a button under the pointer is not replaced while unrelated rows update).
 */
export class KeyedList {
  constructor(container, { key, build, empty }) {
    this.container = container;
    this.key = key;
    this.build = build;
    this.emptyText = empty;
    this.rows = new Map(); // key -> {node, version}
  }

  render(items) {
    const next = new Map();
    const nodes = items.map((item) => {
      const key = String(this.key(item));
      const version = JSON.stringify(item);
      const old = this.rows.get(key);
      const node = old && old.version === version ? old.node : this.build(item);
      next.set(key, { node, version });
      return node;
    });
    this.rows = next;
    if (nodes.length === 0 && this.emptyText) {
      this.container.replaceChildren(el("li", { className: "empty", text: this.emptyText }));
      return;
    }
    // Move nodes only where the order changed: detaching a node would take the keyboard focus away.
    nodes.forEach((node, index) => {
      const current = this.container.children[index];
      if (current !== node) this.container.insertBefore(node, current || null);
    });
    while (this.container.children.length > nodes.length) this.container.lastElementChild.remove();
  }
}

/** Calls `fn` once, `ms` after the last of a burst of calls. */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/**
 * Runs an async loader so that calls never overlap: a call made while one is running is folded into
 * a single follow-up run.
 */
export function serialized(loader) {
  let running = null;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await loader();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  return run;
}

const timeFormat = new Intl.DateTimeFormat(undefined, {
  month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit",
});
const dateFormat = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });

/** Parses an API timestamp or date; null when absent or unparseable. */
export function parseTime(value) {
  if (value === null || value === undefined || value === "") return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function formatTime(value) {
  const date = parseTime(value);
  return date ? timeFormat.format(date) : "—";
}

/** Formats a "YYYY-MM-DD" calendar date without shifting it through the local time zone. */
export function formatDate(value) {
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split("-").map(Number);
    return dateFormat.format(new Date(y, m - 1, d));
  }
  const date = parseTime(value);
  return date ? dateFormat.format(date) : "—";
}

export function formatNumber(value, digits = 1) {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : "—";
}

/** Today's local calendar date as "YYYY-MM-DD" (what a person means by "today"). */
export function localToday() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Human label for an enum value: "in_progress" -> "in progress". */
export function label(value) {
  return value === null || value === undefined ? "—" : String(value).replaceAll("_", " ");
}
