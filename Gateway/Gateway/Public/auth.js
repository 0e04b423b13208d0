// The dashboard's API key. `make run` prints http://HOST/?key=<key>: the page takes the key from the
// address once, keeps it in this tab's sessionStorage (gone when the tab closes, never sent anywhere but
// to this gateway) and removes it from the address bar and the history, so it is not bookmarked, shared
// with a screenshot or left in the back/forward list.

export const STORAGE_KEY = "pm-api-key";

let memoryKey = null; // when sessionStorage is unavailable (storage disabled): this page's lifetime only
const events = new EventTarget();

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // a SecurityError when storage is blocked
  }
}

export function currentKey() {
  try {
    const stored = storage()?.getItem(STORAGE_KEY);
    if (stored) return stored;
  } catch {
    // Fall back to the in-memory copy.
  }
  return memoryKey;
}

export function storeKey(key) {
  memoryKey = key;
  try {
    storage()?.setItem(STORAGE_KEY, key);
  } catch {
    // Quota or blocked storage: the key lives in memory until the page is closed.
  }
}

export function clearKey() {
  memoryKey = null;
  try {
    storage()?.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored.
  }
}

/**
 * Takes `?key=` from the address (once: it is removed with history.replaceState, keeping the rest of
 * the query and the fragment). Returns whether a key was found.
 */
export function takeKeyFromAddress() {
  const url = new URL(window.location.href);
  if (!url.searchParams.has("key")) return false;
  const key = normalizeKey(url.searchParams.get("key"));
  url.searchParams.delete("key");
  window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  if (!key) return false;
  storeKey(key);
  return true;
}

/**
 * What the user typed or pasted: surrounding blanks and a "Bearer " prefix are dropped, and a whole
 * sign-in link (…/?key=pm_…) gives its key.
 */
export function normalizeKey(text) {
  let key = String(text ?? "").trim();
  if (/^https?:\/\//i.test(key)) {
    try {
      key = new URL(key).searchParams.get("key") || "";
    } catch {
      // Not a URL after all: take the text as it is.
    }
  }
  key = key.replace(/^bearer\s+/i, "").trim();
  return key;
}

/**
 * Reports that the gateway refused `key` (a 401, or the WebSocket closed with 1008). A refusal of a key
 * that is no longer the current one (a request sent before the user signed in again) is ignored.
 */
export function reportRejected(key) {
  if (!key || key !== currentKey()) return;
  events.dispatchEvent(new CustomEvent("rejected", { detail: { key } }));
}

/** Calls `handler()` whenever the current key is refused. */
export function onRejected(handler) {
  events.addEventListener("rejected", () => handler());
}
