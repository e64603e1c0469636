// The overview: one live health tile per cluster (ws/clusters/).

import {embedded, fill, tickAges} from "./dom.js";
import {Contacts} from "./contact.js";
import {getJson} from "./http.js";
import {SequenceLoop, feed, showConnection} from "./live.js";
import {tile} from "./tiles.js";
import {api, socket} from "./urls.js";

const grid = document.getElementById("tiles");
const members = embedded("members-data");
const tiles = new Map();
const contacts = new Contacts(() => draw());

function draw() {
  const sorted = [...tiles.values()].sort((a, b) => a.cluster.name.localeCompare(b.cluster.name));
  fill(grid, sorted.map((m) => tile(m, {link: true, members: members[m.cluster.id] || null, contacts})));
  document.getElementById("empty").hidden = tiles.size > 0;
}

/** A cluster's current message from the API, as a tile. */
async function tileOf(clusterId) {
  const {status, ...message} = await getJson(api.status(clusterId));
  return {...message, type: "cluster.tile"};
}

const loop = new SequenceLoop({
  key: (message) => message.cluster.id,
  seq: (message) => message.seq,
  show: (message) => {
    tiles.set(message.cluster.id, message);
    contacts.note(message.cluster.id, message.contact);
    draw();
  },
  fetch: (clusterIds) => Promise.all(clusterIds.map(tileOf)),
});

embedded("tiles-data").forEach((message) => loop.show(message));
const updates = feed(socket.clusters());
updates.listen({
  onState: (state, retryAt) => showConnection(state, retryAt),
  onMessage: (message) => message.type === "cluster.contact" && contacts.note(message.cluster.id, message.contact),
});
loop.follow(updates, (message) => message.type === "cluster.tile");
updates.start();
tickAges();
