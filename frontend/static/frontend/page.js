// The controller of a page about one cluster (cluster, node, resource pages): render the
// embedded message, then every newer pushed one; refetch after a gap or a reconnect.

import {embedded, tickAges} from "./dom.js";
import {Contacts} from "./contact.js";
import {EventLog} from "./events.js";
import {getJson} from "./http.js";
import {SequenceLoop, feed, showConnection} from "./live.js";
import {api, socket} from "./urls.js";

const STATUS = "cluster.status";
const CONTACT = "cluster.contact";

/**
 * render(message, page, stale, contacts) draws the page (stale: the connection to the console
 * is down; contacts: the console's live contact with the cluster, see contact.js); events:
 * {accept(event), queries} picks the events it lists (queries: REST filters such as
 * {resource: "r1"}, one request each, merged; without them the embedded page.events are
 * used at first).
 */
export function startClusterPage(render, events = {}) {
  const page = embedded("page-data");
  const id = page.cluster.id;
  const log = new EventLog(document.getElementById("events"), events);
  const state = {message: embedded("status-message"), stale: false};
  const draw = () => {
    document.body.dataset.health = contacts.health(state.message);
    render(state.message, page, state.stale, contacts);
  };
  const contacts = new Contacts(() => draw());

  const loadEvents = async () => {
    const urls = (events.queries || [{}]).map((q) => api.events({cluster: id, limit: log.limit, ...q}));
    const pages = await Promise.all(urls.map(getJson));
    log.replace(pages.flatMap((p) => p.results));
  };
  const loop = new SequenceLoop({
    key: (message) => message.cluster.id,
    seq: (message) => message.seq,
    show: (message) => {
      state.message = message;
      contacts.note(id, message.contact);
      draw();
    },
    fetch: async () => {
      const message = await getJson(api.status(id));
      await loadEvents().catch((error) => console.warn("events", error));
      return [message];
    },
  });
  const onStale = (stale) => {
    state.stale = stale;
    draw();
  };
  const ours = (message) => message.type === STATUS && message.cluster.id === id;

  loop.show(state.message);
  if (events.queries === undefined) log.replace(page.events || []);
  else loadEvents().catch((error) => console.warn("events", error));
  const updates = feed(socket.cluster(id));
  updates.listen({
    onState: (conn, retryAt) => showConnection(conn, retryAt, state.message.read_at, onStale),
    onMessage: (message) => {
      if (ours(message)) log.add(message.events);
      if (message.type !== CONTACT || message.cluster.id !== id) return;
      contacts.note(id, message.contact);
      if (typeof message.seq === "number") loop.catchUp(id, message.seq);
    },
  });
  loop.follow(updates, ours);
  updates.start();
  tickAges();
}
