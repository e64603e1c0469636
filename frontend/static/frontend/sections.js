// Pieces shared by the cluster, node and resource pages.

import {ago, chip, fill, h, when} from "./dom.js";
import {resourceFlags, roleTone} from "./status.js";
import {pages} from "./urls.js";

/** "State read 4 s ago from node1", and loudly when that state is not current: no node
 * answers, the console's watcher lost contact, or this page lost the console. */
export function renderFreshness(el, message, stale, contacts) {
  el.dataset.reachable = String(message.reachable);
  const lost = contacts ? contacts.label(message.cluster.id) : null;
  el.dataset.contact = lost ? "stale" : "live";
  const parts = lost ? [lost, " The console hears nothing from the cluster; what follows is old. "] : [];
  if (message.reachable === false) {
    parts.push(chip("UNREACHABLE", "bad big"), " No node of the cluster answers: this is the last state read, ");
    parts.push(ago(message.read_at), ". ");
  } else {
    parts.push(ago(message.read_at, "State read "));
    if (message.read_from) parts.push(` from ${message.read_from}`);
    parts.push(". ");
  }
  if (stale) parts.push(chip("not updating: no connection to the console", "warn"));
  fill(el, ...parts);
}

/** A link to a resource page. */
export function resourceLink(clusterId, id) {
  return h("a", {href: pages.resource(clusterId, id)}, id);
}

/** Links to node pages, separated by spaces. */
export function nodeLinks(clusterId, nodes) {
  return nodes.flatMap((n, i) => [i ? " " : "", h("a", {href: pages.node(clusterId, n)}, n)]);
}

/** A resource's role as a coloured label, with its flags. */
export function roleAndFlags(resource) {
  return [
    chip(resource.role, roleTone(resource), {"data-role": resource.role}),
    ...resourceFlags(resource).map(([text, tone]) => [" ", chip(text, tone)]),
  ];
}

/** A table, or "None." when there are no rows. */
export function table(headers, rows, empty = "None.") {
  if (!rows.length) return h("p", {class: "empty"}, empty);
  return h("table", {},
    h("thead", {}, h("tr", {}, headers.map((t) => h("th", {}, t)))),
    h("tbody", {}, rows));
}

/** Failed actions (crm_mon's "Failed Resource Actions"), with exit reasons. */
export function failuresTable(clusterId, failures) {
  const rows = failures.map((f) => h("tr", {"data-failure": f.op_key, "data-on-node": f.node},
    h("td", {}, f.resource ? resourceLink(clusterId, f.resource) : "", " ", h("code", {}, f.op_key)),
    h("td", {}, nodeLinks(clusterId, [f.node])),
    h("td", {}, chip(f.exitstatus, "bad"), f.exitcode !== null ? ` (rc ${f.exitcode})` : ""),
    h("td", {class: "reason"}, f.exitreason || "—"),
    h("td", {}, f.status),
    h("td", {}, when(f.last_rc_change))));
  return table(["Operation", "Node", "Result", "Exit reason", "Status", "Last change"], rows,
    "No failed actions.");
}

/** A section's content: a heading and a body. */
export function section(el, title, ...body) {
  fill(el, h("h2", {}, title), ...body);
}

/** Operation history rows (crm_mon's node history): by "resource" (a node's page) or by
 * "node" (a resource's page), with result, timing and fail count. */
export function operationsTable(clusterId, ops, by, empty) {
  const rows = ops.map((op) => h("tr", {"data-op": `${op.resource}_${op.task}_${op.interval_ms}`},
    h("td", {}, by === "resource" ? resourceLink(clusterId, op.resource) : nodeLinks(clusterId, [op.node])),
    h("td", {}, op.task),
    h("td", {}, op.interval_ms ? `${op.interval_ms / 1000} s` : "—"), h("td", {}, op.call ?? ""),
    h("td", {}, chip(`${op.rc_text} (${op.rc})`, op.rc === 0 || op.rc === 8 ? "ok" : "bad")),
    h("td", {}, when(op.last_rc_change)),
    h("td", {}, op.exec_time_ms ?? ""), h("td", {}, op.fail_count ? chip(String(op.fail_count), "bad") : "")));
  return table([by === "resource" ? "Resource" : "Node", "Operation", "Interval", "Call", "Result",
    "Last change", "Exec ms", "Fail count"], rows, empty);
}
