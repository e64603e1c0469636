// A DRBD promotable clone's card: per node and volume DRBD's role, disk, connection,
// replication and what is out of sync, a resync bar with its rate and DRBD's ETA, and a
// split-brain in red with its guided recovery (choose the victim, type its name back,
// plan, apply). DRBD is read on every node when the page opens, when Pacemaker's view
// of the clone changes and when asked; in between, the monitor pushes a node's state
// each time DRBD's own event stream (drbdsetup events2) tells of a change there: a
// resync's progress, a disconnect, a split-brain (drbd.update on the cluster's feed).

import {ago, chip, h} from "./dom.js";
import {request} from "./http.js";
import {feed} from "./live.js";
import {planAndApply} from "./ops.js";
import {nodeLinks, section, table} from "./sections.js";
import {api, socket} from "./urls.js";

export const DRBD_AGENT = "ocf:linbit:drbd";

/** The card in el for the DRBD resource under Pacemaker resource rid (its primitive). */
export function drbdCard(el, clusterId, rid) {
  let shownFor = null;
  let name = null;
  let shown = null; // {status, entry} as last read or pushed
  const draw = () => render(el, clusterId, name, shown.status, shown.entry, read);
  const read = async () => {
    if (!name) {
      const {status, body} = await request("GET", api.resource(clusterId, rid));
      name = status === 200 ? (body.params || {}).drbd_resource : null;
      if (!name) {
        section(el, "DRBD", h("p", {class: "msg error"}, body.detail || `${rid} names no drbd_resource.`));
        return;
      }
    }
    el.dataset.reading = "true";
    const {status, body} = await request("GET", api.cluster(clusterId, "drbd", name));
    el.dataset.reading = "false";
    shown = {status, entry: {...body, read_at: new Date().toISOString()}};
    draw();
  };
  feed(socket.cluster(clusterId)).listen({
    onMessage: (message) => {
      if (message.type !== "drbd.update" || !shown || shown.status !== 200) return;
      const entry = shown.entry;
      const state = message.resources[name];
      if (state) entry.nodes[message.node] = state;
      else delete entry.nodes[message.node];
      entry.read_errors = Object.fromEntries(Object.entries(entry.read_errors).filter(([n]) => n !== message.node));
      entry.split_brain = volumes(entry).some(([, v]) => v.split_brain);
      entry.read_at = message.read_at;
      el.dataset.pushed = String(Number(el.dataset.pushed || 0) + 1);
      draw();
    },
  });
  return {
    update(key) {
      el.hidden = false;
      if (key === shownFor) return;
      shownFor = key;
      read();
    },
  };
}

function volumes(entry) {
  return Object.entries(entry.nodes).flatMap(([node, state]) => state.volumes.map((v) => [node, v]));
}

function syncing(entry) {
  return volumes(entry).some(([, v]) => v.resync_percent !== null);
}

function bytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function resyncCell(v) {
  if (v.resync_percent === null) return v.out_of_sync ? bytes(v.out_of_sync) : "0";
  const peer = v.peers.find((p) => p.resync_percent !== null) || {};
  const rate = peer.resync_rate !== null && peer.resync_rate !== undefined ? `${peer.resync_rate} MiB/s` : "";
  const eta = peer.resync_eta !== null && peer.resync_eta !== undefined ? `, ${Math.round(peer.resync_eta)} s left` : "";
  return [h("progress", {max: 100, value: v.resync_percent, "data-resync-percent": String(v.resync_percent)}),
    ` ${v.resync_percent.toFixed(1)} % ${rate}${eta} (${bytes(v.out_of_sync)} to go)`];
}

function render(el, clusterId, name, status, entry, again) {
  const refresh = h("button", {type: "button", "data-drbd-read": ""}, "Read DRBD now");
  refresh.onclick = again;
  if (status !== 200) {
    section(el, `DRBD ${name}`, h("p", {class: "msg error", "data-drbd-error": ""}, entry.detail || `HTTP ${status}`),
      h("p", {class: "bar"}, refresh));
    return;
  }
  el.dataset.splitBrain = String(entry.split_brain);
  el.dataset.syncing = String(syncing(entry));
  const rows = volumes(entry).map(([node, v]) => h("tr", {"data-on-node": node, "data-volume": v.volume,
    "data-disk-state": v.disk_state, "data-connection": v.connection_state || ""},
  h("td", {}, nodeLinks(clusterId, [node]), ` /${v.volume}`),
  h("td", {}, v.role), h("td", {}, chip(v.disk_state, v.disk_state === "UpToDate" ? "ok" : "warn")),
  h("td", {}, chip(v.connection_state || "—", v.split_brain ? "bad" : v.connection_state === "Connected" ? "ok" : "warn")),
  h("td", {}, v.replication_state || "—"), h("td", {"data-resync": ""}, resyncCell(v))));
  for (const [node, error] of Object.entries(entry.read_errors)) {
    rows.push(h("tr", {"data-on-node": node}, h("td", {}, nodeLinks(clusterId, [node])),
      h("td", {colspan: 5}, chip("unknown", "warn"), ` ${error}`)));
  }
  section(el, `DRBD ${name}`,
    entry.split_brain ? splitBrain(clusterId, name, entry) : null,
    table(["Node / volume", "Role", "Disk", "Connection", "Replication", "Out of sync / resync"], rows,
      "No node has it up."),
    h("p", {class: "age"}, ago(entry.read_at, "Read ")),
    h("p", {class: "bar"}, refresh));
}

/** The red alarm and the guided recovery: victim, its name typed back, plan, apply. */
function splitBrain(clusterId, name, entry) {
  const sides = Object.entries(entry.nodes)
    .filter(([, s]) => s.volumes.some((v) => v.split_brain)).map(([node]) => node);
  const victim = h("select", {"data-victim": ""}, sides.map((n) => h("option", {value: n}, n)));
  const confirm = h("input", {type: "text", "data-confirm": "", placeholder: "type the victim's name", size: 22});
  const go = h("button", {type: "button", class: "danger", "data-do": "resolve-split-brain"}, "Resolve…");
  go.onclick = () => planAndApply({title: `Resolve the split-brain of ${name}: discard ${victim.value}'s changes`,
    clusterId, url: api.cluster(clusterId, "drbd", name, "resolve-split-brain"),
    body: {victim: victim.value, confirm: confirm.value}});
  return h("div", {class: "msg error alarm", "data-split-brain": ""},
    h("p", {}, chip("SPLIT-BRAIN", "bad big"), ` ${name} is StandAlone on ${sides.join(" and ")}: `,
      "each side may hold writes the other has not. Choose the victim: every change written on it since ",
      "the split is discarded and replaced by the other side's data."),
    h("p", {class: "bar"}, "Victim ", victim, " ", confirm, " ", go));
}
