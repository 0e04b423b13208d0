// Who is signed in: the sign-in screen (#sign-in), the header's account (#signed-in-as, #sign-out), and
// the check of a key with GET /api/session before the dashboard shows anything.

import { request } from "./api.js";
import { clearKey, currentKey, normalizeKey, storeKey, takeKeyFromAddress } from "./auth.js";
import { formatTime } from "./dom.js";

export const MESSAGES = {
  rejected: "Key not accepted: it is unknown, revoked or expired.",
  rejectedLater: "Key not accepted any more: it was revoked or has expired. Sign in with another key.",
  malformed: "Key not accepted: an API key looks like pm_1a2b3c4d_… (letters, digits, _ and -).",
  device: "Key not accepted here: a device key may only post readings. Sign in with a viewer, operator or admin key.",
  signedOut: "Signed out.",
};

// Header values must be visible ASCII; anything else would make fetch throw before sending.
const PLAUSIBLE_KEY = /^[\x21-\x7e]{1,512}$/;

/** GET /api/session for `key`: {name, role, prefix, expires_at}. */
function fetchSession(key) {
  return request("GET", "/api/session", { key });
}

export class SignIn {
  /**
   * @param {object} nodes  screen (#sign-in), form, input, submit, error, dashboard, pending, account,
   *                        signOut: the elements it shows, hides and reads.
   * @param {object} handlers
   *   onSignedIn(session): the key was accepted and the dashboard is shown: start it. `session` is null
   *     when the gateway could not be asked (it is down): the dashboard starts anyway and says why.
   *   onSignedOut(): the dashboard was hidden: stop everything that talks to the gateway.
   */
  constructor(nodes, { onSignedIn, onSignedOut }) {
    this.nodes = nodes;
    this.onSignedIn = onSignedIn;
    this.onSignedOut = onSignedOut;
    this.signedIn = false;
    this.session = null; // GET /api/session's answer, null until the gateway could be asked
    nodes.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    nodes.signOut.addEventListener("click", () => this.signOut());
  }

  /** At page load: the key of the address or of this tab, checked before the dashboard shows. */
  async begin() {
    takeKeyFromAddress();
    const key = currentKey();
    if (!key) {
      this.showScreen(null);
      return;
    }
    this.nodes.pending.hidden = false;
    const verdict = await this.check(key);
    this.nodes.pending.hidden = true;
    if (verdict.error) {
      clearKey();
      this.showScreen(verdict.error);
      return;
    }
    this.enter(verdict.session);
  }

  /** The current key was refused by a request or the socket: back to the sign-in screen. */
  rejected() {
    clearKey();
    this.leave(MESSAGES.rejectedLater);
  }

  signOut() {
    clearKey();
    this.leave(MESSAGES.signedOut);
  }

  /**
   * Asks the gateway again who the key belongs to (after a reconnect, or when it could not be asked at
   * sign-in): the header stays right.
   */
  async refresh() {
    if (!this.signedIn) return;
    try {
      this.showAccount(await request("GET", "/api/session"));
    } catch {
      // A 401 has already brought the sign-in screen (api.js reports it); anything else is shown by the
      // dashboard's other requests.
    }
  }

  /**
   * Checks a key: {session} when the gateway accepts it for the dashboard, {session: null} when the
   * gateway could not be asked (the key may be fine), {error} otherwise.
   */
  async check(key) {
    if (!PLAUSIBLE_KEY.test(key)) return { error: MESSAGES.malformed };
    try {
      const session = await fetchSession(key);
      if (session && session.role === "device") return { error: MESSAGES.device };
      return { session };
    } catch (error) {
      if (error.status === 401) return { error: MESSAGES.rejected };
      return { session: null, failure: error };
    }
  }

  async submit() {
    const { input, submit } = this.nodes;
    const key = normalizeKey(input.value);
    if (!key) {
      this.showError("Paste an API key.");
      input.focus();
      return;
    }
    submit.disabled = true;
    this.showError(null);
    try {
      const verdict = await this.check(key);
      if (verdict.error) {
        this.showError(verdict.error);
        input.select();
        return;
      }
      if (!verdict.session) {
        // On the sign-in screen a key is only kept once the gateway said yes.
        this.showError(`The key could not be checked: ${verdict.failure.message}. Try again in a moment.`);
        return;
      }
      storeKey(key);
      input.value = "";
      this.enter(verdict.session);
    } finally {
      submit.disabled = false;
    }
  }

  enter(session) {
    this.signedIn = true;
    this.showAccount(session);
    this.nodes.screen.hidden = true;
    this.nodes.dashboard.hidden = false;
    this.onSignedIn(session);
  }

  leave(message) {
    const wasSignedIn = this.signedIn;
    this.signedIn = false;
    this.session = null;
    this.nodes.account.textContent = "";
    this.nodes.account.removeAttribute("title");
    if (wasSignedIn) this.onSignedOut();
    this.showScreen(message);
  }

  showScreen(message) {
    this.nodes.dashboard.hidden = true;
    this.nodes.pending.hidden = true;
    this.nodes.screen.hidden = false;
    this.showError(message);
    this.nodes.input.focus();
  }

  showError(message) {
    const node = this.nodes.error;
    node.hidden = !message;
    node.textContent = message || "";
    node.dataset.kind = message === MESSAGES.signedOut ? "info" : "error";
  }

  showAccount(session) {
    this.session = session;
    const node = this.nodes.account;
    if (!session) {
      node.textContent = "signed in";
      node.title = "The gateway could not be asked who this key belongs to.";
      return;
    }
    node.textContent = `${session.name ?? "?"} (${session.role ?? "?"})`;
    const details = [];
    if (session.prefix) details.push(`API key pm_${session.prefix}_…`);
    details.push(session.expires_at ? `expires ${formatTime(session.expires_at)}` : "does not expire");
    node.title = details.join(", ");
  }
}
