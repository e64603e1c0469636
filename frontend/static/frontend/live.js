// The live connection: one WebSocket, reconnected with backoff; sequence numbers per
// cluster; the connection state shown in the header.

import {ago, fill, h} from "./dom.js";

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;

/** A WebSocket to url (a socket.* URL) that reconnects (1 s, 2 s, 4 s... 30 s, with jitter). */
export class Feed {
  constructor(url, {onMessage, onOpen = () => {}, onState = () => {}}) {
    this.url = url;
    this.handlers = {onMessage, onOpen, onState};
    this.failures = 0;
    this.opened = 0;
  }

  start() {
    this.connect();
    return this;
  }

  connect() {
    this.handlers.onState("connecting");
    const socket = new WebSocket(this.url);
    const seen = new Set();
    socket.onopen = () => {
      this.failures = 0;
      this.opened += 1;
      this.handlers.onState("live");
      this.handlers.onOpen(this.opened > 1);
    };
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      const id = message.cluster && message.cluster.id;
      this.handlers.onMessage(message, !seen.has(id));
      seen.add(id);
    };
    socket.onclose = () => this.retry();
  }

  retry() {
    const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.failures);
    const jittered = Math.round(delay * (0.8 + Math.random() * 0.4));
    this.failures += 1;
    this.handlers.onState("reconnecting", Date.now() + jittered);
    setTimeout(() => this.connect(), jittered);
  }
}

/** The last seq seen per cluster: is a message old, the next one, or after a gap? */
export class Sequence {
  constructor() {
    this.last = new Map();
  }

  classify(clusterId, seq) {
    const last = this.last.get(clusterId);
    if (last === undefined) return "next";
    if (seq <= last) return "old";
    return seq === last + 1 ? "next" : "gap";
  }

  accept(clusterId, seq) {
    const last = this.last.get(clusterId);
    this.last.set(clusterId, last === undefined ? seq : Math.max(last, seq));
  }

  isCurrent(clusterId, seq) {
    const last = this.last.get(clusterId);
    return last === undefined || seq >= last;
  }
}

/** Runs fn, at most once at a time; a call made meanwhile runs it once more after. */
export function coalesced(fn) {
  let running = null;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await fn();
        } catch (error) {
          console.warn("resync failed", error);
        }
      } while (again);
    })();
    try {
      await running;
    } finally {
      running = null;
    }
  };
  return run;
}

/** How long a drop may last before the page says its data is not current. */
const GRACE_MS = 3000;
let staleTimer = null;

/**
 * Show the connection state: at once in the header badge; after GRACE_MS without a
 * connection, loudly (body[data-stale], the #stale banner, onStale(true)).
 */
export function showConnection(state, retryAt, readAt, onStale = () => {}) {
  document.body.dataset.conn = state;
  const badge = document.getElementById("conn");
  if (badge) {
    badge.hidden = false;
    badge.dataset.state = state;
    badge.textContent = state === "live" ? "● live" : `○ ${state}…`;
    badge.title = state === "live" ? "updates arrive as they happen" : "not receiving updates";
  }
  clearTimeout(staleTimer);
  if (state === "live") markStale(false, null, null, onStale);
  else if (document.body.dataset.stale) markStale(true, retryAt, readAt, onStale);
  else staleTimer = setTimeout(() => markStale(true, retryAt, readAt, onStale), GRACE_MS);
}

function markStale(stale, retryAt, readAt, onStale) {
  const was = Boolean(document.body.dataset.stale);
  if (stale) document.body.dataset.stale = "yes";
  else delete document.body.dataset.stale;
  const banner = document.getElementById("stale");
  if (banner) {
    banner.hidden = !stale;
    if (stale) fill(banner, ...staleText(retryAt, readAt));
  }
  if (was !== stale) onStale(stale);
}

function staleText(retryAt, readAt) {
  const retry = retryAt ? ` Reconnecting in ${Math.max(1, Math.round((retryAt - Date.now()) / 1000))} s.` : "";
  const read = readAt ? ["What you see was read ", ago(readAt), " and is not updating."] :
    ["What you see is not updating."];
  return [h("b", {}, "Connection to the console lost. "), ...read, retry];
}
