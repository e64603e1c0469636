// The controller of a page about one cluster (cluster, node, resource pages): render the
// embedded message, then every newer pushed one; refetch after a gap or a reconnect.

import {embedded, tickAges} from "./dom.js";
import {EventLog} from "./events.js";
import {getJson} from "./http.js";
import {Feed, Sequence, coalesced, showConnection} from "./live.js";
import {api, socket} from "./urls.js";

/**
 * render(message, page, stale) draws the page (stale: the connection is down); events:
 * {accept(event), queries} picks the events it lists (queries: REST filters such as
 * {resource: "r1"}, one request each, merged; without them the embedded page.events are
 * used at first).
 */
export function startClusterPage(render, events = {}) {
  const page = embedded("page-data");
  const id = page.cluster.id;
  const log = new EventLog(document.getElementById("events"), events);
  const seq = new Sequence();
  const state = {message: embedded("status-message"), stale: false};

  const draw = () => render(state.message, page, state.stale);
  const show = (message) => {
    state.message = message;
    seq.accept(id, message.seq);
    draw();
  };
  const urls = (events.queries || [{}]).map((q) => api.events({cluster: id, limit: log.limit, ...q}));
  const loadEvents = async () => {
    const pages = await Promise.all(urls.map(getJson));
    log.replace(pages.flatMap((p) => p.results));
  };
  const resync = coalesced(async () => {
    const message = await getJson(api.status(id));
    if (seq.isCurrent(id, message.seq)) show(message);
    await loadEvents();
  });

  const onMessage = (message, first) => {
    if (message.type !== "cluster.status" || message.cluster.id !== id) return;
    log.add(message.events);
    const order = seq.classify(id, message.seq);
    if (order === "old") return;
    show(message);
    // A gap, or the state sent on (re)connect: fetch the status and the events missed.
    if (order === "gap" || first) resync();
  };
  const onStale = (stale) => {
    state.stale = stale;
    draw();
  };
  const onState = (conn, retryAt) => showConnection(conn, retryAt, state.message.read_at, onStale);

  show(state.message);
  if (events.queries === undefined) log.replace(page.events || []);
  else loadEvents().catch((error) => console.warn("events", error));
  new Feed(socket.cluster(id), {onMessage, onState, onOpen: (again) => again && resync()}).start();
  tickAges();
}
