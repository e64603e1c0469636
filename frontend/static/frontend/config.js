// The cluster page's configuration views, read from a node when the operator asks:
// constraints (deletable by administrators), placement scores, fencing coverage
// (node x device x level; a node no device can fence is red).

import {chip, embedded, fill, h} from "./dom.js";
import {planAndApply, send} from "./ops.js";
import {table} from "./sections.js";

const page = embedded("page-data");
const API = `/api/v1/clusters/${page.cluster.id}`;
const view = document.getElementById("config-view");

async function load(url, render) {
  fill(view, h("p", {class: "age"}, "Reading from the cluster…"));
  const {status, body} = await send("GET", url);
  if (status !== 200) {
    fill(view, h("p", {class: "msg error"}, body.detail || `HTTP ${status}`),
      body.stderr ? h("pre", {class: "output err"}, body.stderr) : null);
    return;
  }
  fill(view, render(body));
}

function constraintRow(c) {
  const what = c.type === "location" ? `${c.resources[0]} on ${c.node || "(rule)"}`
    : c.resources.join(c.type === "order" ? " then " : " with ");
  const remove = page.can.administer ? h("button", {type: "button", class: "danger", "data-delete": c.id}, "Delete…") : null;
  if (remove) {
    remove.onclick = () => planAndApply({title: `Delete constraint ${c.id}`, clusterId: page.cluster.id,
      url: `${API}/constraints/${encodeURIComponent(c.id)}/`, method: "DELETE"});
  }
  return h("tr", {"data-constraint": c.id}, h("td", {}, c.id), h("td", {}, c.type), h("td", {}, what),
    h("td", {}, c.score || (c.has_rules ? "rules" : "")),
    h("td", {}, Object.entries(c.options).map(([k, v]) => `${k}=${v}`).join(" ")),
    h("td", {}, c.is_cli ? chip("move/ban", "warn") : ""), h("td", {}, remove));
}

function constraints(body) {
  return table(["Id", "Type", "What", "Score", "Options", "", ""], body.constraints.map(constraintRow),
    "No constraints.");
}

function scores(body) {
  return h("pre", {class: "output", "data-scores": ""}, body.scores.join("\n") || "No scores.");
}

function coverage(body) {
  const rows = body.nodes.map((n) => h("tr", {"data-node": n.node, "data-fenceable": String(n.fenceable)},
    h("td", {}, n.node),
    h("td", {}, n.fenceable ? n.devices.join(", ") : chip("no device can fence this node", "bad")),
    h("td", {}, n.levels.map((l) => `${l.level}: ${l.devices.join(", ")}`).join("; ") || "—")));
  return table(["Node", "Devices that can fence it", "Levels"], rows, "No nodes.");
}

const LOADERS = {
  constraints: () => load(`${API}/constraints/`, constraints),
  scores: () => load(`${API}/scores/`, scores),
  coverage: () => load(`${API}/fencing/`, coverage),
};
for (const button of document.querySelectorAll("[data-load]")) {
  button.addEventListener("click", LOADERS[button.dataset.load]);
}
