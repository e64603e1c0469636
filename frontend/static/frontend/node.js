// A node's page: its state flags, attributes, the resources on it, its operation history.

import {chip, embedded, h} from "./dom.js";
import {drainCard} from "./drain.js";
import {actionBar, planAndApply} from "./ops.js";
import {startClusterPage} from "./page.js";
import {operationsTable, renderFreshness, resourceLink, roleAndFlags, section, table} from "./sections.js";
import {nodeFlags, parentOf, runningOn} from "./status.js";
import {api} from "./urls.js";

const $ = (id) => document.getElementById(id);
const NAME = embedded("page-data").node;

function render(message, page, stale, contacts) {
  const status = message.status || {};
  const node = (status.nodes || []).find((n) => n.name === NAME);
  const config = page.nodes.find((n) => n.name === NAME);
  document.body.dataset.health = message.health;
  renderFreshness($("freshness"), message, stale, contacts);
  renderState($("state"), node, config, status);
  section($("attributes"), "Attributes", attributesTable(node));
  section($("node-resources"), "Resources on this node", runningTable(page.cluster.id, status));
  section($("history"), "Operation history", historyTable(page.cluster.id, status));
}

function renderState(el, node, config, status) {
  el.dataset.node = NAME;
  el.dataset.online = node ? String(node.online) : "unknown";
  const flags = status.nodes ? nodeFlags(node) : [["unknown", "unknown"]];
  const rows = [
    ["State", flags.map(([text, tone]) => [chip(text, tone, {"data-flag": text}), " "])],
    ["Node id", (config && config.node_id) || (node && node.node_id) || "—"],
    ["Type", node ? node.node_type : "—"],
    ["Address", config ? `${config.address}:${config.port}` : "—"],
    ["Host key (pinned)", config && config.fingerprint ?
      [h("code", {class: "fp"}, config.fingerprint), " ", config.algorithm] : chip("not trusted", "bad")],
    ["Resources running", node ? String(node.resources_running) : "—"],
    ["Expected up", node ? (node.expected_up ? "yes" : "no") : "—"],
  ];
  const missing = status.nodes && !node ? h("p", {class: "msg error"}, "The last status read does not list this node.") : "";
  section(el, "State", missing, h("dl", {class: "summary"},
    rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])));
}

function attributesTable(node) {
  const entries = Object.entries((node && node.attributes) || {});
  const rows = entries.map(([name, value]) => h("tr", {"data-attribute": name},
    h("td", {}, h("code", {}, name)), h("td", {}, value)));
  return table(["Name", "Value"], rows, "No node attributes.");
}

function runningTable(clusterId, status) {
  const rows = runningOn(status, NAME).map(({id, resource}) => {
    const parent = parentOf(status, id);
    return h("tr", {"data-runs": id},
      h("td", {}, resourceLink(clusterId, id)), h("td", {}, resource.agent || ""),
      h("td", {}, roleAndFlags(resource)),
      h("td", {}, parent ? resourceLink(clusterId, parent.id) : "—"));
  });
  return table(["Resource", "Agent", "Role", "Part of"], rows, "No resource runs on this node.");
}

function historyTable(clusterId, status) {
  const ops = (status.history || []).filter((op) => op.node === NAME);
  return operationsTable(clusterId, ops, "resource", "No operations recorded on this node.");
}

function nodeActions() {
  const page = embedded("page-data");
  if (!page.can.operate) return;
  const id = page.cluster.id;
  const url = (verb) => api.node(id, NAME, verb);
  const act = (label, verb, title, body) => ({label, kind: `node.${verb}`, attrs: {"data-do": verb},
    run: () => planAndApply({title, clusterId: id, url: url(verb), body})});
  const actions = [
    act("Standby…", "standby", `Standby ${NAME}`),
    act("Unstandby…", "unstandby", `Unstandby ${NAME}`),
    act("Maintenance…", "maintenance", `Maintenance mode on ${NAME}`),
    act("End maintenance…", "unmaintenance", `End maintenance mode on ${NAME}`),
  ];
  if (page.can.administer) {
    actions.push(
      act("Stop cluster services…", "stop", `Stop Pacemaker and Corosync on ${NAME}`),
      act("Start cluster services…", "start", `Start Pacemaker and Corosync on ${NAME}`),
      {label: "Fence…", danger: true, kind: "node.fence", attrs: {"data-do": "fence"}, run: () => {
        const typed = prompt(`Fencing cuts ${NAME}'s power and kills what runs there. Type ${NAME} to go on.`);
        if (typed !== null) planAndApply({title: `Fence ${NAME} (reboot)`, clusterId: id, url: url("fence"), body: {confirm: typed}});
      }},
    );
  }
  $("actions").append(actionBar(actions, page.unsupported));
}

nodeActions();
const pageData = embedded("page-data");
drainCard($("drain"), pageData.cluster.id, NAME, pageData.can, pageData.drain);
startClusterPage(render, {
  accept: (event) => event.node === NAME,
  queries: [{node__name: NAME}],
});
