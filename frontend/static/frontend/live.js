// The live connection: WebSockets that reconnect with backoff, one per URL and shared by
// whatever on the page listens; the sequence-and-refetch loop every live view runs; the
// connection state shown in the header.

import {ago, fill, h} from "./dom.js";

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;
const feeds = new Map();

/** The page's one Feed for url (a socket.* URL); start() it once its listeners are in. */
export function feed(url) {
  if (!feeds.has(url)) feeds.set(url, new Feed(url));
  return feeds.get(url);
}

// Close codes of a socket whose rights ended (logout, a revoked token, a role change, a
// deactivated user) or were refused on connect.
const DENIED = new Set([4401, 4403]);
const SETTLE_MS = 250;

/** Hide what the page shows (and say why) while the feed has no right to it. */
export function accessEnded(denied) {
  if (denied) document.body.dataset.access = "ended";
  else delete document.body.dataset.access;
  let note = document.getElementById("access-ended");
  if (!note && denied) {
    note = h("p", {id: "access-ended", class: "msg error", role: "alert"},
      "Access ended: logged out, token revoked or rights changed. ",
      h("a", {href: `/login/?next=${encodeURIComponent(location.pathname + location.search)}`}, "Log in again"));
    document.querySelector("main").prepend(note);
  }
  if (note) note.hidden = !denied;
}

/**
 * A WebSocket that reconnects (1 s, 2 s, 4 s... 30 s, with jitter) and tells each listener
 * {onMessage(message), onOpen(), onState(state, retryAt), onDenied(denied)} (all optional)
 * what happens. A close for lack of rights hides the page's data (accessEnded) first.
 */
class Feed {
  constructor(url) {
    this.url = url;
    this.listeners = new Set();
    this.failures = 0;
    this.started = false;
  }

  /** Add a listener; the function that removes it. */
  listen(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start() {
    if (!this.started) this.connect();
    this.started = true;
    return this;
  }

  emit(event, ...args) {
    for (const listener of [...this.listeners]) listener[event]?.(...args);
  }

  connect() {
    this.emit("onState", "connecting");
    const socket = new WebSocket(this.url);
    // The console refuses a socket by accepting it and closing it at once with a code
    // (4401/4403): it is live once a message came or it stayed open SETTLE_MS.
    let timer = null;
    let live = false;
    const settle = () => {
      if (live) return;
      live = true;
      clearTimeout(timer);
      this.failures = 0;
      accessEnded(false);
      this.emit("onDenied", false);
      this.emit("onState", "live");
      this.emit("onOpen");
    };
    socket.onopen = () => { timer = setTimeout(settle, SETTLE_MS); };
    socket.onmessage = (event) => {
      settle();
      this.emit("onMessage", JSON.parse(event.data));
    };
    socket.onclose = (event) => {
      clearTimeout(timer);
      if (DENIED.has(event.code)) {
        accessEnded(true);
        this.emit("onDenied", true);
      }
      this.retry();
    };
  }

  retry() {
    const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.failures);
    const jittered = Math.round(delay * (0.8 + Math.random() * 0.4));
    this.failures += 1;
    this.emit("onState", "reconnecting", Date.now() + jittered);
    setTimeout(() => this.connect(), jittered);
  }
}

/** The last seq seen per key: is a message old, the next one, or after a gap? */
class Sequence {
  constructor() {
    this.last = new Map();
  }

  keys() {
    return [...this.last.keys()];
  }

  classify(key, seq) {
    const last = this.last.get(key);
    if (last === undefined) return "next";
    if (seq <= last) return "old";
    return seq === last + 1 ? "next" : "gap";
  }

  accept(key, seq) {
    const last = this.last.get(key);
    this.last.set(key, last === undefined ? seq : Math.max(last, seq));
  }

  isCurrent(key, seq) {
    const last = this.last.get(key);
    return last === undefined || seq >= last;
  }
}

/**
 * The sequence-and-refetch loop of every live view. Messages carry a seq per key (a
 * cluster, an operation): a newer one is shown, an older one dropped. After a gap, and
 * each time the feed (re)opens, the keys are fetched again: fetch(keys) resolves to
 * messages, each shown if still current. One fetch at a time; keys asked for meanwhile
 * go in the next one.
 */
export class SequenceLoop {
  /** key(message), seq(message): its key and number; show(message): render it. */
  constructor({key, seq, show, fetch}) {
    Object.assign(this, {keyOf: key, seqOf: seq, render: show, fetch});
    this.seqs = new Sequence();
    this.pending = new Set();
    this.run = coalesced(() => this.refetch());
  }

  /** Take the messages of a feed that pick(message) selects; the function that stops it. */
  follow(source, pick) {
    return source.listen({
      onMessage: (message) => pick(message) && this.receive(message),
      onOpen: () => this.resync(),
    });
  }

  receive(message) {
    const key = this.keyOf(message);
    const order = this.seqs.classify(key, this.seqOf(message));
    if (order === "old") return;
    this.show(message);
    if (order === "gap") this.resync([key]);
  }

  show(message) {
    this.seqs.accept(this.keyOf(message), this.seqOf(message));
    this.render(message);
  }

  /** Another message says key is at seq: fetch it again if this loop has shown less (a
   * status dropped on the way leaves no gap until the next one; a heartbeat tells). */
  catchUp(key, seq) {
    const last = this.seqs.last.get(key);
    if (last !== undefined && seq > last) this.resync([key]);
  }

  /** Forget every key seen (what was shown is gone: access ended). */
  forget() {
    this.seqs.last.clear();
    this.pending.clear();
  }

  /** Fetch these keys again (default: every key seen). */
  resync(keys = this.seqs.keys()) {
    for (const key of keys) this.pending.add(key);
    return this.run();
  }

  async refetch() {
    const keys = [...this.pending];
    this.pending.clear();
    if (!keys.length) return;
    for (const message of await this.fetch(keys)) {
      if (this.seqs.isCurrent(this.keyOf(message), this.seqOf(message))) this.show(message);
    }
  }
}

/** Runs fn, at most once at a time; a call made meanwhile runs it once more after. */
function coalesced(fn) {
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
