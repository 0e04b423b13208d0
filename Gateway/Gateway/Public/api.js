// The gateway's REST API. Errors come back as {"error": {"code", "message", "field"}}; they are
// thrown as ApiError so callers can show the message to the user. Every request carries the signed-in
// key (Authorization: Bearer); a 401 reports the key as rejected, which brings up the sign-in screen.

import { currentKey, reportRejected } from "./auth.js";

const TIMEOUT_MS = 15000;

export class ApiError extends Error {
  constructor(message, { status = 0, code = "network", field = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page, for instance): fall back to the HTTP status below.
  }
  const error = body && body.error;
  if (error && typeof error.message === "string") {
    return new ApiError(error.message, { status: response.status, code: error.code, field: error.field ?? null });
  }
  return new ApiError(`HTTP ${response.status} ${response.statusText}`.trim(), { status: response.status, code: "http" });
}

/** The error of a request that needs a key when there is none: nothing is sent. */
function signedOut(method, path) {
  return new ApiError(`${method} ${path}: not signed in`, { status: 401, code: "unauthenticated" });
}

/**
 * Sends a request and returns the decoded JSON body (null for 204). `key` overrides the signed-in key
 * (the sign-in screen checks a key before keeping it); a 401 for it is then left to the caller.
 */
export async function request(method, path, { body, headers = {}, key } = {}) {
  const presented = key ?? currentKey();
  if (!presented) throw signedOut(method, path);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  const init = {
    method,
    headers: { Accept: "application/json", ...headers, Authorization: `Bearer ${presented}` },
    signal: controller.signal,
    cache: "no-store",
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    const reason = error.name === "AbortError" ? "the gateway did not answer in time" : "the gateway cannot be reached";
    throw new ApiError(`${method} ${path}: ${reason}`);
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    if (response.status === 401) {
      error.code = "unauthenticated";
      if (key === undefined) reportRejected(presented);
    }
    throw error;
  }
  if (response.status === 204) return null;
  return response.json();
}

export const get = (path) => request("GET", path);
export const post = (path, body, headers) => request("POST", path, { body, headers });

/** Builds "path?k=v&..." from the parameters that are set. */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** A random Idempotency-Key; crypto.randomUUID exists only on secure origins, getRandomValues everywhere. */
export function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
