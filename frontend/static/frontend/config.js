// The cluster page's configuration views, read from a node when the operator asks:
// constraints (deletable by administrators), placement scores, fencing coverage
// (node x device x level; a node no device can fence is red), properties (settable by
// administrators), corosync; links to download a backup and a cluster report.

import {chip, embedded, fill, h} from "./dom.js";
import {request} from "./http.js";
import {planAndApply} from "./ops.js";
import {table} from "./sections.js";
import {baseId, flatResources} from "./status.js";
import {api} from "./urls.js";

const page = embedded("page-data");
const ID = page.cluster.id;
const view = document.getElementById("config-view");

async function load(url, render) {
  fill(view, h("p", {class: "age"}, "Reading from the cluster…"));
  const {status, body} = await request("GET", url);
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
    remove.onclick = () => planAndApply({title: `Delete constraint ${c.id}`, clusterId: ID,
      url: api.cluster(ID, "constraints", c.id), method: "DELETE"});
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

function levelButton(node, level, label) {
  if (!page.can.administer) return null;
  const button = h("button", {type: "button", "data-level": `${node.node}:${level ? level.level : "new"}`}, label);
  button.onclick = () => {
    if (level) {
      planAndApply({title: `Remove fencing level ${level.level} of ${node.node}`, clusterId: ID,
        url: api.cluster(ID, "fencing-levels"), method: "DELETE", body: {level: level.level, node: node.node, devices: level.devices}});
      return;
    }
    const number = Number(prompt(`Level (1-9) for ${node.node}`, String(node.levels.length + 1)));
    const devices = (prompt(`Fence devices for this level, comma-separated`, node.devices.join(",")) || "")
      .split(",").map((d) => d.trim()).filter(Boolean);
    if (number && devices.length) {
      planAndApply({title: `Fencing level ${number} for ${node.node}`, clusterId: ID,
        url: api.cluster(ID, "fencing-levels"), body: {level: number, node: node.node, devices}});
    }
  };
  return button;
}

function coverage(body) {
  const rows = body.nodes.map((n) => h("tr", {"data-node": n.node, "data-fenceable": String(n.fenceable)},
    h("td", {}, n.node),
    h("td", {}, n.fenceable ? n.devices.join(", ") : chip("no device can fence this node", "bad")),
    h("td", {}, n.levels.length ? n.levels.map((l) => [`${l.level}: ${l.devices.join(", ")} `,
      levelButton(n, l, "Remove…"), " "]) : "—"),
    h("td", {}, levelButton(n, null, "Add level…"))));
  return table(["Node", "Devices that can fence it", "Levels", ""], rows, "No nodes.");
}

function setProperty(p) {
  const value = prompt(`New value of ${p.name} (empty: back to the default ${p.default ?? "unset"})`, p.value ?? "");
  if (value === null) return;
  const body = {name: p.name, value};
  if (p.name === "stonith-enabled" && ["false", "0", "no", "off", "n"].includes(value.trim().toLowerCase())) {
    body.confirm = prompt("Without fencing the cluster cannot recover a node that stops answering. Type: disable fencing");
    if (body.confirm === null) return;
  }
  planAndApply({title: `Set ${p.name}`, clusterId: ID, url: api.cluster(ID, "properties"), body});
}

function properties(body) {
  const rows = body.properties.filter((p) => !p.advanced || p.value !== null).map((p) => {
    const set = page.can.administer ? h("button", {type: "button", "data-set": p.name}, "Set…") : null;
    if (set) set.onclick = () => setProperty(p);
    return h("tr", {"data-property": p.name, title: p.longdesc},
      h("td", {}, p.name), h("td", {}, p.value ?? h("span", {class: "age"}, `default: ${p.default ?? "—"}`)),
      h("td", {}, p.type), h("td", {}, p.shortdesc), h("td", {}, set));
  });
  const defaults = (title, values) => h("p", {}, h("b", {}, title), " ",
    Object.entries(values).map(([k, v]) => `${k}=${v}`).join(", ") || "none");
  return [table(["Property", "Value", "Type", "What it does", ""], rows, "No properties."),
    defaults("Resource defaults:", body.resource_defaults),
    defaults("Operation defaults:", body.operation_defaults)];
}

function corosync(body) {
  const rows = Object.entries({...body.totem, ...body.quorum}).map(([k, v]) => h("tr", {}, h("td", {}, k), h("td", {}, v)));
  return [table(["Key (as corosync runs)", "Value"], rows, "Nothing read."),
    h("details", {}, h("summary", {}, "corosync.conf"), h("pre", {class: "output"}, body.corosync_conf))];
}

/** A form for a location, order or colocation constraint; planned and applied. */
function constraintForm() {
  const status = embedded("status-message").status || {};
  const ids = [...new Set(flatResources(status).map((r) => baseId(r.id)))];
  const pick = (name) => h("select", {name}, ids.map((id) => h("option", {}, id)));
  const nodes = h("select", {name: "node"}, page.nodes.map((n) => h("option", {}, n.name)));
  const field = (label, input) => h("label", {}, label, " ", input);
  const kinds = h("select", {name: "kind"}, ["Mandatory", "Optional", "Serialize"].map((k) => h("option", {}, k)));
  const parts = {
    location: [field("Resource", pick("resource")), field("Node", nodes),
      field("Score", h("input", {name: "score", value: "INFINITY", size: 10}))],
    order: [field("First", pick("first")), field("Then", pick("then")), field("Kind", kinds)],
    colocation: [field("Resource", pick("resource")), field("With", pick("with")),
      field("Score", h("input", {name: "score", value: "INFINITY", size: 10}))],
  };
  const fields = h("div", {class: "bar"});
  const type = h("select", {name: "type"}, Object.keys(parts).map((t) => h("option", {}, t)));
  const show = () => fill(fields, parts[type.value]);
  type.onchange = show;
  show();
  const form = h("form", {id: "constraint-form"}, field("Type", type), fields,
    h("button", {type: "submit", class: "primary"}, "Preview…"));
  form.onsubmit = (event) => {
    event.preventDefault();
    const body = {type: type.value};
    for (const input of fields.querySelectorAll("select, input")) body[input.name] = input.value;
    planAndApply({title: `New ${type.value} constraint`, clusterId: ID,
      url: api.cluster(ID, "constraints"), body});
  };
  return form;
}

const report = document.querySelector("[data-download=report]");
if (report) {
  report.addEventListener("click", (event) => {
    event.preventDefault();
    const since = new Date(Date.now() - 3600 * 1000).toISOString();
    location.href = api.report(ID, since);
  });
}

const LOADERS = {
  constraints: () => load(api.cluster(ID, "constraints"), constraints),
  scores: () => load(api.cluster(ID, "scores"), scores),
  coverage: () => load(api.cluster(ID, "fencing"), coverage),
  properties: () => load(api.cluster(ID, "properties"), properties),
  corosync: () => load(api.cluster(ID, "corosync"), corosync),
  "new-constraint": () => fill(view, constraintForm()),
};
for (const button of document.querySelectorAll("[data-load]")) {
  button.addEventListener("click", LOADERS[button.dataset.load]);
}
