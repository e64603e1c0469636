// The status wall: big tiles for every cluster (or a kiosk token's), a ticker of the
// latest events, a clock; reconnects by itself; nothing to click.

import {embedded, fill, h, tickAges} from "./dom.js";
import {Contacts} from "./contact.js";
import {EventLog} from "./events.js";
import {getJson} from "./http.js";
import {SequenceLoop, feed, showConnection} from "./live.js";
import {tile} from "./tiles.js";
import {api, socket} from "./urls.js";

const TICKER_LINES = 6;
const TILE = "cluster.tile";
const CONTACT = "cluster.contact";
const config = embedded("wall-data");
const grid = document.getElementById("tiles");
const tiles = new Map();
const contacts = new Contacts(() => draw());
const ticker = new EventLog(document.getElementById("ticker"), {
  limit: TICKER_LINES,
  short: true,
  clusterName: (event) => (tiles.get(event.cluster) || {cluster: {name: `#${event.cluster}`}}).cluster.name,
});

function draw() {
  const sorted = [...tiles.values()].sort((a, b) => a.cluster.name.localeCompare(b.cluster.name));
  fill(grid, sorted.length ? sorted.map((m) => tile(m, {link: false, contacts})) :
    h("p", {class: "empty"}, "No cluster to show."));
  grid.dataset.size = tileSize(sorted.length);
  const worst = ["red", "amber", "grey", "green"].find((c) => sorted.some((m) => contacts.health(m) === c)) || "unknown";
  document.body.dataset.health = worst;
  ticker.render();  // a cluster's name may have come with this tile
}

/** Fewer clusters, bigger tiles: every tile and the ticker fit on one screen. */
function tileSize(count) {
  if (count <= 1) return "xl";
  if (count <= 2) return "l";
  if (count <= 4) return "m";
  return count <= 9 ? "s" : "xs";
}

/** The wall's tiles (all of them, whichever are asked for) and the events missed meanwhile. */
async function wallState() {
  const state = await getJson(api.wallState(config.token));
  ticker.add(state.events);
  return state.tiles;
}

const loop = new SequenceLoop({
  key: (message) => message.cluster.id,
  seq: (message) => message.seq,
  show: (message) => {
    tiles.set(message.cluster.id, message);
    contacts.note(message.cluster.id, message.contact);
    draw();
  },
  fetch: wallState,
});

function clock() {
  const el = document.getElementById("clock");
  const tick = () => { el.textContent = new Date().toLocaleTimeString([], {hour12: false}); };
  tick();
  setInterval(tick, 1000);
}

embedded("tiles-data").forEach((message) => loop.show(message));
ticker.replace(config.events);
const updates = feed(socket.wall(config.token));
updates.listen({
  onState: (state, retryAt) => showConnection(state, retryAt),
  onMessage: (message) => {
    if (message.type === TILE) ticker.add(message.events);
    if (message.type === CONTACT) contacts.note(message.cluster.id, message.contact);
  },
  // The token was revoked (or the user logged out): blank the wall, keep nothing shown.
  onDenied: (denied) => {
    if (!denied) return;
    tiles.clear();
    loop.forget();
    ticker.replace([]);
    draw();
  },
});
loop.follow(updates, (message) => message.type === TILE);
updates.start();
clock();
tickAges();
