// Small, self-dismissing messages in a corner of the screen.

import { el } from "./dom.js";

const VISIBLE_MS = 8000;
const MAX_TOASTS = 4;
const shown = new Map(); // message -> toast node, so a failing poll does not stack copies

function container() {
  return document.getElementById("toasts");
}

function dismiss(message) {
  const node = shown.get(message);
  if (node) node.remove();
  shown.delete(message);
}

export function showToast(message, kind = "info") {
  if (shown.has(message)) return;
  const close = el("button", { type: "button", className: "toast-close", text: "×", title: "Dismiss" });
  const node = el("div", { className: `toast toast-${kind}`, attrs: { role: kind === "error" ? "alert" : "status" } }, [
    el("span", { className: "toast-text", text: message }),
    close,
  ]);
  close.addEventListener("click", () => dismiss(message));
  shown.set(message, node);
  container().append(node);
  while (container().children.length > MAX_TOASTS) {
    const oldest = container().firstElementChild;
    shown.forEach((value, key) => value === oldest && shown.delete(key));
    oldest.remove();
  }
  setTimeout(() => dismiss(message), VISIBLE_MS);
}

/**
 * Shows an API error (or any Error) with what the gateway said, and the field it is about. A 401 is not
 * shown: the sign-in screen replaces the dashboard instead (a 403, a role that may not do something, is).
 */
export function showError(error, context = "") {
  if (error && error.status === 401) return;
  const field = error && error.field ? ` (${error.field})` : "";
  const text = (error && error.message) || String(error);
  showToast(`${context ? `${context}: ` : ""}${text}${field}`, "error");
}
