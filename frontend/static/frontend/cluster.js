// The cluster page, in the spirit of crm_mon: summary, warnings, nodes with their
// resources, the resource tree as configured, failed actions, fencing history, events.

import {Advisor} from "./advice.js";
import {chip, embedded, fill, h, when, yesNo} from "./dom.js";
import {startClusterPage} from "./page.js";
import {
  failuresTable, nodeLinks, renderFreshness, resourceLink, roleAndFlags, section, table,
} from "./sections.js";
import {nodeFlags, runningOn, sortedWarnings} from "./status.js";
import {pages} from "./urls.js";

const $ = (id) => document.getElementById(id);
let shown = embedded("status-message");  // the message on the page, for the advisor's redraws
const pageData = embedded("page-data");
const advisor = new Advisor(pageData.cluster.id, pageData.can,
  () => renderWarnings($("warnings"), shown, shown.status || {}));

function render(message, page, stale, contacts) {
  const status = message.status || {};
  shown = message;
  advisor.follow(message);
  const ctx = {id: page.cluster.id, nodes: page.nodes, status};
  renderFreshness($("freshness"), message, stale, contacts);
  renderSummary($("summary"), status, message.partitions || []);
  renderWarnings($("warnings"), message, status);
  renderNodes($("nodes"), ctx);
  section($("resources"), "Resources", resourceTree(ctx));
  section($("failures"), "Failed resource actions", failuresTable(ctx.id, status.failures || []));
  section($("fencing"), "Fencing history", fencingTable(ctx.id, status.fence_history || []));
  renderTickets($("tickets"), status.tickets || []);
}

// --- summary -------------------------------------------------------------------------

function renderSummary(el, status, partitions) {
  const s = status.summary;
  if (!s) return fill(el, h("p", {class: "empty"}, "No state read yet."));
  el.dataset.partitions = String(partitions.length);
  const quorum = s.quorate ? chip("with quorum", "ok") : chip("WITHOUT QUORUM", "bad");
  const change = [when(s.last_change), s.last_change_user && ` by ${s.last_change_user}`,
    s.last_change_client && ` via ${s.last_change_client}`,
    s.last_change_origin && ` on ${s.last_change_origin}`];
  return fill(el, h("dl", {class: "summary"},
    item("Stack", s.stack || "unknown"),
    item("Current DC", s.dc ? [s.dc, s.dc_version ? ` (${s.dc_version})` : "", " — partition ", quorum] :
      chip("NONE", "bad")),
    partitions.length ? item("Partitions", partitionsTable(partitions)) : null,
    item("Last change", change),
    item("Configured", `${s.nodes_configured} nodes, ${s.resources_configured} resource instances` +
      ` (${s.resources_disabled} disabled, ${s.resources_blocked} blocked)`),
    item("Fencing", s.stonith_enabled === false ? chip("DISABLED", "bad") : chip("enabled", "ok")),
    item("Options", `no-quorum-policy ${s.no_quorum_policy || "?"}, symmetric ${yesNo(s.symmetric_cluster)}`,
      s.maintenance_mode ? [" ", chip("MAINTENANCE MODE", "warn")] : "",
      s.stop_all_resources ? [" ", chip("stop-all-resources", "warn")] : "")));
}

/** The sides of a split, each as its own crm_mon sees it; the first is read from. */
function partitionsTable(partitions) {
  const rows = partitions.map((p, i) => h("tr", {"data-partition": p.nodes.join(" ")},
    h("td", {}, p.nodes.join(", ")), h("td", {}, p.dc || chip("NONE", "bad")),
    h("td", {}, p.quorate ? chip("quorum", "ok") : chip("NO QUORUM", "bad")),
    h("td", {}, p.read_from, i === 0 ? " (the status shown)" : "")));
  return [chip(`SPLIT in ${partitions.length}`, "bad"),
    table(["Nodes", "DC", "Quorum", "Seen from"], rows)];
}

function item(term, ...value) {
  return [h("dt", {}, term), h("dd", {"data-field": term.toLowerCase()}, value)];
}

// --- warnings ------------------------------------------------------------------------

function renderWarnings(el, message, status) {
  const warnings = sortedWarnings(message.warnings);
  const list = warnings.map((w) => h("li", {"data-warning": w.code, "data-level": w.level,
    class: `level-${w.level}`}, chip(w.level, w.level === "critical" ? "bad" : "warn"), " ", w.message));
  const notes = (status.warnings || []).map((text) => h("li", {class: "level-info"}, text));
  el.dataset.count = String(warnings.length);
  section(el, `Warnings (${warnings.length})`,
    list.length ? h("ul", {class: "warnings"}, list) : h("p", {class: "empty ok"}, "No warnings."),
    notes.length ? h("details", {}, h("summary", {}, "Notes from reading crm_mon"), h("ul", {}, notes)) : "",
    advisor.block());
}

// --- nodes ---------------------------------------------------------------------------

function renderNodes(tbody, ctx) {
  const seen = new Map((ctx.status.nodes || []).map((n) => [n.name, n]));
  const names = [...ctx.nodes.map((n) => n.name), ...[...seen.keys()].filter(
    (name) => !ctx.nodes.some((n) => n.name === name))];
  const config = new Map(ctx.nodes.map((n) => [n.name, n]));
  fill(tbody, names.map((name) => nodeRow(ctx, name, config.get(name), seen.get(name))));
}

function nodeRow(ctx, name, config, node) {
  const flags = ctx.status.nodes ? nodeFlags(node) : [["unknown", "unknown"]];
  const attrs = {"data-node": name, "data-online": node ? String(node.online) : "unknown"};
  return h("tr", attrs,
    h("td", {}, h("a", {href: pages.node(ctx.id, name)}, name)),
    h("td", {}, config && config.node_id !== null ? config.node_id : (node && node.node_id) || ""),
    h("td", {}, config ? `${config.address}:${config.port}` : "—"),
    h("td", {}, flags.map(([text, tone]) => [chip(text, tone), " "])),
    h("td", {class: "running"}, runningList(ctx.id, runningOn(ctx.status, name))),
    h("td", {}, hostKey(config)));
}

function runningList(clusterId, running) {
  if (!running.length) return h("span", {class: "empty"}, "—");
  return running.map((r, i) => [i ? ", " : "", h("span", {"data-runs": r.id, "data-role": r.role},
    resourceLink(clusterId, r.id), r.role !== "Started" ? ` (${r.role})` : "")]);
}

function hostKey(config) {
  if (!config) return "—";
  if (!config.fingerprint) return chip("not trusted yet", "bad");
  return [h("code", {class: "fp"}, config.fingerprint), " ", h("small", {}, config.algorithm)];
}

// --- resources -----------------------------------------------------------------------

function resourceTree(ctx) {
  const resources = ctx.status.resources || [];
  if (!resources.length) return h("p", {class: "empty"}, "No resources configured.");
  return h("ul", {class: "tree"}, resources.map((r) => resourceItem(ctx, r, false)));
}

function resourceItem(ctx, resource, inCollective) {
  if (resource.kind === "group") return groupItem(ctx, resource, inCollective);
  if (resource.kind === "clone") return cloneItem(ctx, resource);
  if (resource.kind === "bundle") return bundleItem(ctx, resource);
  return primitiveItem(ctx, resource, inCollective);
}

function idAttrs(resource, inCollective) {
  const key = inCollective ? "data-instance" : "data-resource";
  return {[key]: resource.id, "data-kind": resource.kind, "data-role": resource.role,
    "data-active": String(resource.active)};
}

function primitiveItem(ctx, r, inCollective) {
  const where = r.nodes && r.nodes.length ? [" on ", nodeLinks(ctx.id, r.nodes)] : "";
  const target = r.target_role && r.target_role.toLowerCase() !== "started" ?
    h("small", {}, ` target-role ${r.target_role}`) : "";
  return h("li", {class: "res", ...idAttrs(r, inCollective)},
    resourceLink(ctx.id, r.id), " ", h("span", {class: "agent"}, `(${r.agent || "?"})`), ": ",
    roleAndFlags(r), where, target);
}

function collectiveHead(ctx, r, label, extra = "") {
  return h("div", {class: "head"}, h("span", {class: "label"}, label), " ",
    resourceLink(ctx.id, r.id), extra, ": ", roleAndFlags(r));
}

function groupItem(ctx, r, inCollective) {
  const where = inCollective && r.nodes && r.nodes.length ? [" on ", nodeLinks(ctx.id, r.nodes)] : "";
  return h("li", {class: "res collective", ...idAttrs(r, inCollective)},
    collectiveHead(ctx, r, "Resource Group", where),
    h("ul", {}, (r.children || []).map((c) => primitiveItem(ctx, c, inCollective))));
}

function cloneItem(ctx, r) {
  const children = r.children || [];
  const kind = r.promotable ? "Clone Set (promotable)" : "Clone Set";
  const member = children[0] ? ` [${children[0].id.replace(/:\d+$/, "")}]` : "";
  const body = children.some((c) => c.kind === "group") ?
    h("ul", {}, children.map((c) => groupItem(ctx, c, true))) : instanceSummary(ctx, children);
  return h("li", {class: "res collective", ...idAttrs(r, false), "data-promotable": String(r.promotable)},
    collectiveHead(ctx, r, kind, member), body);
}

function instanceSummary(ctx, instances) {
  const byRole = new Map();
  for (const instance of instances) {
    for (const node of instance.nodes || []) {
      if (!byRole.has(instance.role)) byRole.set(instance.role, []);
      byRole.get(instance.role).push([node, instance]);
    }
  }
  const stopped = instances.filter((i) => !(i.nodes || []).length).length;
  const lines = [...byRole.entries()].map(([role, placed]) => h("li", {class: "instances"},
    h("span", {class: "label"}, `${role}:`), " ",
    placed.map(([node, instance]) => [instanceChip(ctx, node, instance), " "])));
  if (stopped) lines.push(h("li", {class: "instances"}, h("span", {class: "label"}, "Stopped:"),
    ` ${stopped} instance${stopped > 1 ? "s" : ""}`, stoppedWhere(ctx, instances)));
  return h("ul", {}, lines);
}

function stoppedWhere(ctx, instances) {
  const running = new Set(instances.flatMap((i) => i.nodes || []));
  const idle = ctx.nodes.map((n) => n.name).filter((n) => !running.has(n));
  return idle.length ? [" (not on ", nodeLinks(ctx.id, idle), ")"] : "";
}

function instanceChip(ctx, node, instance) {
  const attrs = {"data-instance": instance.id, "data-on-node": node, "data-role": instance.role,
    class: "instance"};
  return h("span", attrs, nodeLinks(ctx.id, [node]), " ", roleAndFlags(instance));
}

function bundleItem(ctx, r) {
  return h("li", {class: "res collective", ...idAttrs(r, false)},
    collectiveHead(ctx, r, "Container bundle set"),
    h("ul", {}, (r.children || []).map((replica) => h("li", {class: "res collective",
      ...idAttrs(replica, true)}, h("div", {class: "head"}, h("span", {class: "label"}, "Replica"),
      ` ${replica.id}`), h("ul", {}, (replica.children || []).map((c) => primitiveItem(ctx, c, true)))))));
}

// --- fencing, tickets ----------------------------------------------------------------

function fencingTable(clusterId, history) {
  const tone = (s) => (s === "success" ? "ok" : s === "pending" ? "warn" : "bad");
  const rows = history.map((f) => h("tr", {"data-fence-target": f.target, "data-status": f.status},
    h("td", {}, nodeLinks(clusterId, [f.target])), h("td", {}, f.action),
    h("td", {}, chip(f.status, tone(f.status))), h("td", {}, f.delegate || "—"),
    h("td", {}, [f.client, f.origin && `on ${f.origin}`].filter(Boolean).join(" ")),
    h("td", {}, when(f.completed)), h("td", {class: "reason"}, f.exit_reason || "")));
  return table(["Target", "Action", "Status", "Fenced by", "Requested by", "Completed", "Reason"],
    rows, "No fencing actions recorded.");
}

function renderTickets(el, tickets) {
  el.hidden = !tickets.length;
  if (!tickets.length) return;
  const rows = tickets.map((t) => h("tr", {"data-ticket": t.id}, h("td", {}, t.id),
    h("td", {}, t.granted ? chip("granted", "ok") : chip("revoked", "bad")),
    h("td", {}, t.standby ? "standby" : ""), h("td", {}, when(t.last_granted))));
  section(el, "Tickets", table(["Ticket", "State", "", "Last granted"], rows));
}

startClusterPage(render);
