// A resource's page: what it is, where each instance runs and in which role, its
// flags, its members, the failures of it, its events.

import {embedded, fill, h} from "./dom.js";
import {request} from "./http.js";
import {actionBar, pairsFromLines, planAndApply} from "./ops.js";
import {startClusterPage} from "./page.js";
import {
  failuresTable, nodeLinks, operationsTable, renderFreshness, resourceLink, roleAndFlags, section, table,
} from "./sections.js";
import {baseId, findResource, flatResources, parentOf} from "./status.js";
import {api} from "./urls.js";
import {VM_AGENT, vmCard} from "./vm.js";
import {DRBD_AGENT, drbdCard} from "./drbd.js";

const $ = (id) => document.getElementById(id);
const RID = embedded("page-data").resource;
const VM = vmCard($("vm"), embedded("page-data").cluster.id, RID);
let DRBD = null;

function render(message, page, stale, contacts) {
  const status = message.status || {};
  const {resource, instances} = findResource(status, RID);
  const id = page.cluster.id;
  document.body.dataset.health = message.health;
  renderFreshness($("freshness"), message, stale, contacts);
  if (!resource) {
    section($("about"), "Resource", h("p", {class: "msg error"},
      `The last status read does not show ${RID}: it is no longer configured.`));
    for (const part of ["placement", "members", "resource-failures", "history"]) section($(part), "");
    return;
  }
  section($("about"), "Resource", aboutList(id, status, resource));
  section($("placement"), "Placement", placementTable(id, placed(resource, instances)));
  const placementKey = (list) => list.map((i) => `${i.id}:${i.role}@${(i.nodes || []).join(",")}`).join(" ");
  if (resource.agent === VM_AGENT) VM.update(placementKey(instances));
  const drbd = flatResources({resources: [resource]}).find((r) => r.agent === DRBD_AGENT);
  if (drbd) {
    DRBD = DRBD || drbdCard($("drbd"), id, baseId(drbd.id));
    DRBD.update(placementKey(placed(resource, instances)));
  }
  section($("members"), "Members", membersList(id, resource));
  section($("resource-failures"), "Failed actions", failuresTable(id, failuresOf(status, resource)));
  section($("history"), "Operation history and fail counts", operationsTable(id, historyOf(status, resource),
    "node", "No operations recorded for it."));
}

function aboutList(clusterId, status, r) {
  const parent = parentOf(status, RID);
  const rows = [
    ["Kind", r.kind + (r.promotable ? " (promotable)" : "") + (r.unique ? " (unique)" : "")],
    ["Agent", r.agent || "—"],
    ["Role", roleAndFlags(r)],
    ["Target role", r.target_role || "(default)"],
    ["Managed", r.managed ? "yes" : "no"],
    ["Failed", r.failed ? "yes" : "no"],
    ["Blocked", r.blocked ? "yes" : "no"],
    ["Part of", parent ? resourceLink(clusterId, parent.id) : "—"],
  ];
  if (r.description) rows.push(["Description", r.description]);
  return h("dl", {class: "summary", "data-resource": RID, "data-role": r.role},
    rows.map(([term, value]) => [h("dt", {}, term), h("dd", {"data-field": term.toLowerCase()}, value)]));
}

/** What runs somewhere: a clone's or bundle's instances, or every copy of a primitive. */
function placed(resource, instances) {
  return ["clone", "bundle"].includes(resource.kind) ? resource.children || [] : instances;
}

function placementTable(clusterId, instances) {
  const placed = instances.flatMap((i) => (i.nodes || []).map((node) => [node, i]));
  const rows = placed.map(([node, i]) => h("tr", {"data-on-node": node, "data-role": i.role},
    h("td", {}, nodeLinks(clusterId, [node])), h("td", {}, i.id), h("td", {}, roleAndFlags(i))));
  const stopped = instances.filter((i) => !(i.nodes || []).length);
  for (const i of stopped) {
    rows.push(h("tr", {"data-on-node": "", "data-role": i.role}, h("td", {}, "—"),
      h("td", {}, i.id), h("td", {}, roleAndFlags(i))));
  }
  return table(["Node", "Instance", "Role"], rows, "Not placed.");
}

function membersList(clusterId, r) {
  const children = r.children || [];
  if (!children.length) return h("p", {class: "empty"}, "No members (a primitive).");
  const seen = new Set();
  const unique = children.filter((c) => !seen.has(baseId(c.id)) && seen.add(baseId(c.id)));
  const instances = ["clone", "bundle"].includes(r.kind);
  return h("ul", {class: "tree"}, unique.map((c) => h("li", {"data-member": baseId(c.id)},
    resourceLink(clusterId, c.id), ` (${c.kind}${c.agent ? `, ${c.agent}` : ""})`,
    instances ? ` — ${children.length} instances, see placement` : [": ", roleAndFlags(c)])));
}

function historyOf(status, r) {
  const ids = new Set(flatResources({resources: [r]}).map((x) => baseId(x.id)));
  return (status.history || []).filter((op) => ids.has(baseId(op.resource)));
}

function failuresOf(status, r) {
  const ids = new Set(flatResources({resources: [r]}).map((x) => baseId(x.id)));
  return (status.failures || []).filter((f) => f.resource && ids.has(baseId(f.resource)));
}

/** The resource and its members (a clone's events are about its primitive). */
function eventIds() {
  const {resource} = findResource(embedded("status-message").status || {}, RID);
  const ids = new Set([RID, ...flatResources({resources: resource ? [resource] : []}).map((r) => baseId(r.id))]);
  return [...ids];
}

// A button's change kind (operations/capabilities.py), for the ones the cluster may lack.
const KINDS = {
  move: "resource.move", ban: "resource.ban", clear: "resource.clear", disable: "resource.disable",
  enable: "resource.enable", unmanage: "resource.unmanage", manage: "resource.manage",
  restart: "resource.restart", cleanup: "resource.cleanup", promote: "resource.promote",
  demote: "resource.demote", unclone: "resource.unclone", clone: "resource.clone",
  promotable: "resource.promotable", group: "group.add", edit: "resource.update", delete: "resource.delete",
};

/** Move or ban (the chosen node), clear, disable, enable, (un)manage, restart, cleanup;
 * delete for administrators. */
function resourceActions() {
  const page = embedded("page-data");
  if (!page.can.operate) return;
  const id = page.cluster.id;
  const url = (verb) => (verb ? api.resource(id, RID, verb) : api.resource(id, RID));
  const plan = (title, verb, body, method = "POST") =>
    () => planAndApply({title, clusterId: id, url: url(verb), body, method});
  const target = h("select", {"data-move-to": ""}, page.nodes.map((n) => h("option", {value: n.name}, n.name)));
  const actions = [
    {label: "Move to…", attrs: {"data-do": "move"},
      run: () => plan(`Move ${RID} to ${target.value}`, "move", {node: target.value})()},
    {label: "Ban from…", attrs: {"data-do": "ban"},
      run: () => plan(`Keep ${RID} off ${target.value}`, "ban", {node: target.value})()},
    {label: "Clear moves/bans…", attrs: {"data-do": "clear"}, run: plan(`Clear the move and ban constraints of ${RID}`, "clear")},
    {label: "Disable…", attrs: {"data-do": "disable"}, run: plan(`Disable ${RID}`, "disable")},
    {label: "Enable…", attrs: {"data-do": "enable"}, run: plan(`Enable ${RID}`, "enable")},
    {label: "Unmanage…", attrs: {"data-do": "unmanage"}, run: plan(`Unmanage ${RID}`, "unmanage")},
    {label: "Manage…", attrs: {"data-do": "manage"}, run: plan(`Manage ${RID}`, "manage")},
    {label: "Restart…", attrs: {"data-do": "restart"}, run: plan(`Restart ${RID}`, "restart")},
    {label: "Cleanup…", attrs: {"data-do": "cleanup"}, run: plan(`Cleanup ${RID}`, "cleanup")},
  ];
  const {resource} = findResource(embedded("status-message").status || {}, RID);
  if (resource && resource.promotable) {
    actions.push(
      {label: "Promote on…", attrs: {"data-do": "promote"},
        run: () => plan(`Promote ${RID} on ${target.value}`, "promote", {node: target.value})()},
      {label: "Demote on…", attrs: {"data-do": "demote"},
        run: () => plan(`Keep ${RID}'s promoted role off ${target.value}`, "demote", {node: target.value})()},
    );
  }
  if (page.can.administer) {
    const structure = resource && ["clone", "bundle"].includes(resource.kind)
      ? [{label: "Unclone…", attrs: {"data-do": "unclone"}, run: plan(`Unclone ${RID}`, "unclone")}]
      : [
        {label: "Clone…", attrs: {"data-do": "clone"}, run: plan(`Clone ${RID}`, "clone", {})},
        {label: "Promotable clone…", attrs: {"data-do": "promotable"},
          run: plan(`Make ${RID} a promotable clone`, "promotable", {})},
        {label: "Add to group…", attrs: {"data-do": "group"}, run: () => {
          const group = prompt(`Group to add ${RID} to (a new id makes a new group)`);
          if (group) {
            planAndApply({title: `Add ${RID} to group ${group}`, clusterId: id, url: api.cluster(id, "groups"),
              body: {id: group, resources: [RID]}});
          }
        }},
      ];
    actions.push(...structure);
    actions.push({label: "Edit attributes…", attrs: {"data-do": "edit"}, run: () => editAttributes(id)});
    actions.push({label: "Delete…", danger: true, attrs: {"data-do": "delete"},
      run: plan(`Delete ${RID}`, "", undefined, "DELETE")});
  }
  const bar = actionBar(actions.map((a) => ({kind: KINDS[a.attrs["data-do"]], ...a})), page.unsupported);
  bar.firstChild.after(" ", target);
  $("actions").append(bar);
}

function lines(pairs) {
  return Object.entries(pairs).map(([k, v]) => `${k}=${v}`).join("\n");
}

/** name=value lines of the changes: new or changed values, and "" for removed names. */
function changed(before, after) {
  const out = {};
  for (const [k, v] of Object.entries(after)) if (before[k] !== v) out[k] = v;
  for (const k of Object.keys(before)) if (!(k in after)) out[k] = "";
  return out;
}

/** Parameters and meta attributes as read from the CIB now, edited as name=value lines. */
async function editAttributes(clusterId) {
  const {status, body} = await request("GET", api.resource(clusterId, RID));
  const panel = $("edit-panel") || h("form", {id: "edit-panel", class: "card"});
  $("actions").append(panel);
  if (status !== 200) {
    fill(panel, h("p", {class: "msg error"}, body.detail || `HTTP ${status}`));
    return;
  }
  const params = h("textarea", {name: "params", rows: 4}, lines(body.params));
  const meta = h("textarea", {name: "meta", rows: 3}, lines(body.meta));
  const problem = h("p", {class: "msg error", hidden: true});
  fill(panel, h("h2", {}, `Attributes of ${RID}`),
    h("label", {}, "Parameters (name=value per line; delete a line to remove it)", params),
    h("label", {}, "Meta attributes", meta), problem,
    h("p", {class: "bar"}, h("button", {type: "submit", class: "primary"}, "Preview…")));
  panel.onsubmit = (event) => {
    event.preventDefault();
    let update;
    try {
      update = {params: changed(body.params, pairsFromLines(params.value)), meta: changed(body.meta, pairsFromLines(meta.value))};
    } catch (error) {
      problem.hidden = false;
      problem.textContent = error.message;
      return;
    }
    planAndApply({title: `Update ${RID}`, clusterId, url: api.resource(clusterId, RID, "update"), body: update});
  };
}

resourceActions();
const IDS = eventIds();
startClusterPage(render, {
  accept: (event) => IDS.includes(event.resource),
  queries: IDS.map((rid) => ({resource: rid})),
});
