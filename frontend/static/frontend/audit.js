// The audit trail: operations filtered like the API filters them, each row opening on
// the commands it ran, their output and the CIB diff; export as CSV or JSON.

import {embedded, fill, h, when} from "./dom.js";
import {getJson} from "./http.js";
import {planAndApply, stepsList} from "./ops.js";
import {api} from "./urls.js";

const $ = (id) => document.getElementById(id);
const page = embedded("page-data");
const form = $("filters");
const clusterNames = new Map(page.clusters.map((c) => [c.id, c.name]));

function query() {
  const data = new FormData(form);
  const q = new URLSearchParams();
  for (const name of ["cluster", "status", "kind", "target", "user"]) {
    if (data.get(name)) q.set(name, data.get(name));
  }
  if (data.get("since")) q.set("since", new Date(data.get("since")).toISOString());
  if (data.get("changes_only")) q.set("dry_run", "false");
  return q;
}

function details(op) {
  return h("tr", {class: "detail", "data-detail": op.id}, h("td", {colspan: 7},
    op.error ? h("p", {class: "msg error"}, op.error) : null,
    op.reconciliation ? h("p", {class: "msg"}, op.reconciliation) : null,
    stepsList(op.steps),
    op.cib_diff ? h("pre", {class: "diff"}, op.cib_diff) : null,
    revertButton(op),
    op.cib_before ? h("p", {class: "age"}, `CIB ${op.cib_before} → ${op.cib_after || "?"}`) : null));
}

/** Undo a pushed change (as a new change, planned first); administrators only. */
function revertButton(op) {
  if (!page.can.administer_clusters.includes(op.cluster) || !op.revert_patch || op.status !== "succeeded") return null;
  const button = h("button", {type: "button", "data-revert": op.id}, `Revert #${op.id}…`);
  button.onclick = (event) => {
    event.stopPropagation();
    planAndApply({title: `Revert operation #${op.id} (${op.summary})`, clusterId: op.cluster,
      url: api.operation(op.id, "revert")});
  };
  return h("p", {}, button);
}

function row(op) {
  const tone = {succeeded: "ok", failed: "bad", interrupted: "bad"}[op.status] || "info";
  const tr = h("tr", {"data-op": op.id, "data-status": op.status, class: "clickable"},
    h("td", {}, op.id), h("td", {}, when(op.created)), h("td", {}, op.user || "console"),
    h("td", {}, clusterNames.get(op.cluster) || op.cluster), h("td", {}, op.summary),
    h("td", {}, h("span", {class: `state ${tone}`}, op.status)), h("td", {}, op.node));
  tr.onclick = () => {
    const open = document.querySelector(`[data-detail="${op.id}"]`);
    if (open) open.remove();
    else tr.after(details(op));
  };
  return tr;
}

async function load() {
  const q = query();
  $("export-csv").href = api.exportOperations({...Object.fromEntries(q), as: "csv"});
  $("export-json").href = api.exportOperations({...Object.fromEntries(q), as: "json"});
  const one = new URLSearchParams(location.search).get("id");
  const ops = one ? [await getJson(api.operation(one))]
    : (await getJson(api.operations({...Object.fromEntries(q), limit: 200}))).results;
  fill($("operations"), ops.map(row));
  if (one) $("operations").firstChild.click();
  $("more").textContent = ops.length ? "" : "No operations match.";
}

fill(form.elements.cluster, h("option", {value: ""}, "all"),
  page.clusters.map((c) => h("option", {value: c.id}, c.name)));
fill(form.elements.status, h("option", {value: ""}, "all"), page.statuses.map((s) => h("option", {}, s)));
const given = new URLSearchParams(location.search);
for (const name of ["cluster", "status", "kind", "target", "user"]) {
  if (given.get(name)) form.elements[name].value = given.get(name);
}
form.addEventListener("submit", (event) => {
  event.preventDefault();
  history.replaceState(null, "", location.pathname);
  load();
});
load();
