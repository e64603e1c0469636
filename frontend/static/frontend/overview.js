// The overview: one live health tile per cluster (ws/clusters/).

import {embedded, fill, tickAges} from "./dom.js";
import {getJson} from "./http.js";
import {Feed, Sequence, showConnection} from "./live.js";
import {tile} from "./tiles.js";
import {api, socket} from "./urls.js";

const grid = document.getElementById("tiles");
const members = embedded("members-data");
const tiles = new Map();
const seq = new Sequence();

function draw() {
  const sorted = [...tiles.values()].sort((a, b) => a.cluster.name.localeCompare(b.cluster.name));
  fill(grid, sorted.map((m) => tile(m, {link: true, members: members[m.cluster.id] || null})));
  document.getElementById("empty").hidden = tiles.size > 0;
}

function show(message) {
  tiles.set(message.cluster.id, message);
  seq.accept(message.cluster.id, message.seq);
  draw();
}

/** The cluster's current message from the API, as a tile. */
async function refetch(clusterId) {
  const {status, ...message} = await getJson(api.status(clusterId));
  if (seq.isCurrent(clusterId, message.seq)) show({...message, type: "cluster.tile"});
}

function onMessage(message, first) {
  if (message.type !== "cluster.tile") return;
  const id = message.cluster.id;
  const order = seq.classify(id, message.seq);
  if (order === "old") return;
  show(message);
  if (order === "gap" || first) refetch(id).catch((error) => console.warn("refetch", error));
}

embedded("tiles-data").forEach(show);
new Feed(socket.clusters(), {onMessage, onState: (state, retryAt) => showConnection(state, retryAt)}).start();
tickAges();
