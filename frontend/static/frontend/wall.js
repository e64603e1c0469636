// The status wall: big tiles for every cluster (or a kiosk token's), a ticker of the
// latest events, a clock; reconnects by itself; nothing to click.

import {embedded, fill, h, tickAges} from "./dom.js";
import {EventLog} from "./events.js";
import {getJson} from "./http.js";
import {Feed, Sequence, coalesced, showConnection} from "./live.js";
import {tile} from "./tiles.js";
import {api, socket} from "./urls.js";

const TICKER_LINES = 6;
const config = embedded("wall-data");
const grid = document.getElementById("tiles");
const tiles = new Map();
const seq = new Sequence();
const ticker = new EventLog(document.getElementById("ticker"), {
  limit: TICKER_LINES,
  short: true,
  clusterName: (event) => (tiles.get(event.cluster) || {cluster: {name: `#${event.cluster}`}}).cluster.name,
});

function draw() {
  const sorted = [...tiles.values()].sort((a, b) => a.cluster.name.localeCompare(b.cluster.name));
  fill(grid, sorted.length ? sorted.map((m) => tile(m, {link: false})) :
    h("p", {class: "empty"}, "No cluster to show."));
  grid.dataset.size = tileSize(sorted.length);
  const worst = ["red", "amber", "green"].find((c) => sorted.some((m) => m.health === c)) || "unknown";
  document.body.dataset.health = worst;
}

/** Fewer clusters, bigger tiles: every tile and the ticker fit on one screen. */
function tileSize(count) {
  if (count <= 1) return "xl";
  if (count <= 2) return "l";
  if (count <= 4) return "m";
  return count <= 9 ? "s" : "xs";
}

function show(message) {
  tiles.set(message.cluster.id, message);
  seq.accept(message.cluster.id, message.seq);
  draw();
}

/** The wall's tiles and events as the server has them now (after a gap or a reconnect). */
const resync = coalesced(async () => {
  const state = await getJson(api.wallState(config.token));
  for (const message of state.tiles) {
    if (seq.isCurrent(message.cluster.id, message.seq)) show(message);
  }
  ticker.add(state.events);
});

function onMessage(message, first) {
  if (message.type !== "cluster.tile") return;
  ticker.add(message.events);
  const order = seq.classify(message.cluster.id, message.seq);
  if (order === "old") return;
  show(message);
  // A gap, or the tile sent on (re)connect: fetch the events missed meanwhile.
  if (order === "gap" || first) resync();
}

function clock() {
  const el = document.getElementById("clock");
  const tick = () => { el.textContent = new Date().toLocaleTimeString([], {hour12: false}); };
  tick();
  setInterval(tick, 1000);
}

embedded("tiles-data").forEach(show);
ticker.replace(config.events);
const onState = (state, retryAt) => showConnection(state, retryAt);
new Feed(socket.wall(config.token), {onMessage, onState, onOpen: (again) => again && resync()}).start();
clock();
tickAges();
