// The live connection to the gateway's /ws: reconnects with backoff, and treats a connection that has
// been silent for longer than three heartbeats as dead (a half-open TCP connection never fires "close").

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 15000;
const SILENCE_LIMIT_MS = 45000;
const OFFLINE_AFTER_FAILURES = 4; // about 15 s of failed attempts before we call it "offline"

export class LiveSocket {
  /**
   * @param {object} handlers
   *   onOpen(isReconnect): the socket is open; send subscriptions here.
   *   onMessage(message): a decoded server message.
   *   onState(state, detail): "connecting" | "connected" | "reconnecting" | "offline".
   */
  constructor({ onOpen, onMessage, onState }) {
    this.handlers = { onOpen, onMessage, onState };
    this.ws = null;
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

  start() {
    this.connect();
  }

  /** Sends a message if the socket is open; returns whether it was sent. */
  send(message) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  connect() {
    clearTimeout(this.reconnectTimer);
    this.handlers.onState(this.everConnected ? "reconnecting" : "connecting");
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => this.opened(ws));
    ws.addEventListener("message", (event) => this.received(ws, event));
    ws.addEventListener("close", () => this.closed(ws));
    // "error" is always followed by "close", which does the work.
  }

  opened(ws) {
    if (ws !== this.ws) return;
    const isReconnect = this.everConnected;
    this.everConnected = true;
    this.armWatchdog();
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
    if (message.type === "hello") {
      // The connection is established end to end: start the next outage's backoff from the beginning.
      this.failures = 0;
      if (message.heartbeat_seconds > 0) {
        this.silenceLimitMs = Math.max(SILENCE_LIMIT_MS, message.heartbeat_seconds * 3000);
      }
    }
    this.handlers.onMessage(message);
  }

  closed(ws) {
    if (ws !== this.ws) return;
    this.ws = null;
    clearTimeout(this.watchdog);
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    clearTimeout(this.reconnectTimer);
    const delay = Math.min(FIRST_DELAY_MS * 2 ** this.failures, MAX_DELAY_MS);
    this.failures += 1;
    const offline = !navigator.onLine || this.failures >= OFFLINE_AFTER_FAILURES;
    this.handlers.onState(offline ? "offline" : "reconnecting", { retryInMs: delay });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (this.ws) return;
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
