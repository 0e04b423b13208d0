// The live connection to the gateway's /ws: reconnects with backoff, and treats a connection that has
// been silent for longer than three heartbeats as dead (a half-open TCP connection never fires "close").
// Its first message is the API key ({"type":"auth","key":...}); the gateway answers with "hello", or
// closes the socket with 1008 (policy violation) when the key is missing, invalid, or revoked later.

import { currentKey } from "./auth.js";

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 15000;
const SILENCE_LIMIT_MS = 45000;
const OFFLINE_AFTER_FAILURES = 4; // about 15 s of failed attempts before we call it "offline"
const POLICY_VIOLATION = 1008;

export class LiveSocket {
  /**
   * @param {object} handlers
   *   onOpen(isReconnect): the gateway accepted the key (its "hello" arrived); send subscriptions here.
   *   onMessage(message): a decoded server message.
   *   onState(state, detail): "connecting" | "connected" | "reconnecting" | "offline".
   *   onRejected(key): the gateway closed the socket with 1008: `key` is not accepted. No reconnect.
   */
  constructor({ onOpen, onMessage, onState, onRejected }) {
    this.handlers = { onOpen, onMessage, onState, onRejected };
    this.ws = null;
    this.stopped = true;
    this.failures = 0;
    this.everConnected = false;
    this.reconnectTimer = null;
    this.watchdog = null;
    this.silenceLimitMs = SILENCE_LIMIT_MS;
    window.addEventListener("online", () => this.reconnectNow());
  }

  get url() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    return `${scheme}://${location.host}/ws`;
  }

  /** Connects (again, after stop()) as a new session: its first "hello" is not a reconnect. */
  start() {
    this.stopped = false;
    this.failures = 0;
    this.everConnected = false;
    this.connect();
  }

  /** Closes the socket and stops reconnecting (signed out). */
  stop() {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.watchdog);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      try {
        ws.close(1000, "signed out");
      } catch {
        // Already closing.
      }
    }
  }

  /** Sends a message if the socket is open; returns whether it was sent. */
  send(message) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  connect() {
    clearTimeout(this.reconnectTimer);
    if (this.stopped) return;
    const key = currentKey();
    if (!key) {
      this.stopped = true;
      this.handlers.onRejected(null);
      return;
    }
    this.handlers.onState(this.everConnected ? "reconnecting" : "connecting");
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => this.opened(ws, key));
    ws.addEventListener("message", (event) => this.received(ws, event));
    ws.addEventListener("close", (event) => this.closed(ws, event, key));
    // "error" is always followed by "close", which does the work.
  }

  opened(ws, key) {
    if (ws !== this.ws) return;
    // The key goes in the first message, not in the URL (URLs end up in logs).
    ws.send(JSON.stringify({ type: "auth", key }));
    // Connected only once "hello" says the key was accepted; a gateway that never answers is
    // declared dead by the watchdog like a silent one.
    this.armWatchdog();
  }

  /** The gateway accepted the key: the connection is established end to end. */
  accepted(message) {
    const isReconnect = this.everConnected;
    this.everConnected = true;
    // Start the next outage's backoff from the beginning.
    this.failures = 0;
    if (message.heartbeat_seconds > 0) {
      this.silenceLimitMs = Math.max(SILENCE_LIMIT_MS, message.heartbeat_seconds * 3000);
    }
    this.handlers.onState("connected");
    this.handlers.onOpen(isReconnect);
  }

  received(ws, event) {
    if (ws !== this.ws) return;
    // Any message proves the connection alive, not only heartbeats.
    this.armWatchdog();
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type === "hello") this.accepted(message);
    this.handlers.onMessage(message);
  }

  closed(ws, event, key) {
    if (ws !== this.ws) return;
    this.ws = null;
    clearTimeout(this.watchdog);
    if (event.code === POLICY_VIOLATION) {
      // The key is missing, invalid or was revoked: retrying with it cannot help.
      this.stopped = true;
      this.handlers.onRejected(key);
      return;
    }
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    clearTimeout(this.reconnectTimer);
    if (this.stopped) return;
    const delay = Math.min(FIRST_DELAY_MS * 2 ** this.failures, MAX_DELAY_MS);
    this.failures += 1;
    const offline = !navigator.onLine || this.failures >= OFFLINE_AFTER_FAILURES;
    this.handlers.onState(offline ? "offline" : "reconnecting", { retryInMs: delay });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (this.ws || this.stopped) return;
    this.failures = 0;
    this.connect();
  }

  armWatchdog() {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.declareDead(), this.silenceLimitMs);
  }

  declareDead() {
    const ws = this.ws;
    if (!ws) return;
    // Forget the socket first: its own "close" may arrive much later, or never.
    this.ws = null;
    try {
      ws.close(4000, "heartbeat timeout");
    } catch {
      // Already closing.
    }
    this.scheduleReconnect();
  }
}
