// A cluster's health tile (overview and status wall): colour from `health`, the
// numbers of `tile`, the age of the data, and loudly when it is not current.

import {ago, chip, h} from "./dom.js";
import {sortedWarnings} from "./status.js";
import {pages} from "./urls.js";

const WORDS = {green: "OK", amber: "WARNING", red: "CRITICAL", grey: "NOT CURRENT"};
const WARNINGS_SHOWN = 3;

/** The tile of a cluster.tile (or cluster.status) message; contacts: the live contact
 * with each cluster (contact.js), which turns a tile grey when lost. */
export function tile(message, {link = true, members = null, contacts = null} = {}) {
  const health = contacts ? contacts.health(message) : message.health || "unknown";
  const lost = contacts ? contacts.label(message.cluster.id) : null;
  const name = message.cluster.name;
  return h("section", {class: `tile health-${health}`, "data-cluster": name,
    "data-cluster-id": message.cluster.id, "data-health": health,
    "data-reachable": String(message.reachable), "data-seq": message.seq,
    "data-contact": lost ? "stale" : "live"},
  h("header", {}, h("h2", {}, link ? h("a", {href: pages.cluster(message.cluster.id)}, name) : name),
    h("span", {class: "word"}, WORDS[health] || "UNKNOWN")),
  lost ? h("p", {class: "age lost"}, lost) : null,
  freshness(message),
  numbers(message.tile || {}, message.advice),
  warnings(message.warnings),
  members ? memberTable(members, message.tile || {}) : null);
}

function freshness(message) {
  if (!message.read_at) return h("p", {class: "age"}, "State never read.");
  if (message.reachable === false) {
    return h("p", {class: "age unreachable"}, h("b", {}, "UNREACHABLE"),
      " — last data read ", ago(message.read_at));
  }
  return h("p", {class: "age"}, ago(message.read_at, "read "),
    message.read_from ? ` from ${message.read_from}` : "");
}

function numbers(t, advice) {
  const cell = (label, value, bad, field) => h("div", {class: bad ? "num bad" : "num", "data-field": field},
    h("span", {class: "value"}, value), h("span", {class: "label"}, label));
  return h("div", {class: "numbers"},
    cell("quorum", t.quorate === null || t.quorate === undefined ? "?" : t.quorate ? "yes" : "NO",
      t.quorate === false, "quorum"),
    cell("nodes online", `${t.nodes_online ?? "?"}/${t.nodes_total ?? "?"}`,
      t.nodes_online !== t.nodes_total, "nodes"),
    cell("resources started", `${t.resources_started ?? "?"}/${t.resources_total ?? "?"}`,
      t.resources_started !== t.resources_total, "resources"),
    cell("failures", String(t.failures ?? "?"), t.failures > 0, "failures"),
    cell("fencing", t.fencing === false ? "OFF" : t.fencing ? "on" : "?", t.fencing === false, "fencing"),
    t.maintenance ? cell("maintenance", "ON", true, "maintenance") : null,
    adviceCell(advice, cell));
}

/** The advisor's count as last computed (on a cluster page visit): "?" if never, and
 * marked when the status changed since. */
function adviceCell(advice, cell) {
  if (!advice) return cell("advice", "?", false, "advice");
  const label = advice.current ? "advice" : "advice (before last change)";
  const el = cell(label, String(advice.count), advice.critical > 0, "advice");
  el.dataset.critical = String(advice.critical);
  el.dataset.current = String(advice.current);
  el.title = `critical ${advice.critical}, warning ${advice.warning}, info ${advice.info}; computed ${advice.computed_at}`;
  return el;
}

function warnings(list) {
  const sorted = sortedWarnings(list);
  if (!sorted.length) return null;
  const shown = sorted.slice(0, WARNINGS_SHOWN).map((w) => h("li", {class: `level-${w.level}`,
    "data-warning": w.code}, w.message));
  const more = sorted.length > WARNINGS_SHOWN ? h("li", {class: "more"}, `+${sorted.length - WARNINGS_SHOWN} more`) : null;
  return h("ul", {class: "warnings"}, shown, more);
}

function memberTable(members, t) {
  return h("table", {class: "members"}, h("tbody", {}, members.map((n) => h("tr", {"data-node": n.name},
    h("td", {}, n.name), h("td", {}, n.address), h("td", {}, t.dc === n.name ? chip("DC", "info") : "")))));
}
