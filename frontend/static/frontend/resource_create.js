// Create a resource (or, with page.fence, a fence device) from its agent's metadata:
// pick an agent the cluster has, fill the form its parameters make (required, optional,
// advanced), preview, apply.

import {embedded, fill, h} from "./dom.js";
import {getJson, request} from "./http.js";
import {pairsFromLines, planAndApply} from "./ops.js";
import {api, pages} from "./urls.js";

const $ = (id) => document.getElementById(id);
const page = embedded("page-data");
const ID = page.cluster.id;
let metadata = null;

function showError(id, text) {
  $(id).hidden = !text;
  $(id).textContent = text || "";
}

async function loadStandards() {
  if (page.fence) {
    fill($("standard"), h("option", {value: "stonith"}, "stonith"));
    return loadAgents();
  }
  const {status, body} = await request("GET", api.agents(ID));
  if (status !== 200) return showError("agent-error", body.detail || `HTTP ${status}`);
  fill($("standard"), h("option", {value: ""}, "choose…"),
    body.standards.map((s) => h("option", {value: s}, s)));
}

async function loadAgents() {
  const standard = $("standard").value;
  $("agent").disabled = true;
  $("create-form").hidden = true;
  if (!standard) return;
  const {status, body} = await request("GET", api.agents(ID, standard));
  if (status !== 200) return showError("agent-error", body.detail || `HTTP ${status}`);
  fill($("agent"), h("option", {value: ""}, "choose…"), body.agents.map((a) => h("option", {value: a}, a)));
  $("agent").disabled = false;
}

async function loadMetadata() {
  const agent = $("agent").value;
  $("create-form").hidden = true;
  if (!agent) return;
  showError("agent-error", "");
  try {
    metadata = await getJson(api.agent(ID, agent));
  } catch (error) {
    return showError("agent-error", `metadata of ${agent}: ${error.message}`);
  }
  fill($("agent-about"), metadata.shortdesc || agent);
  renderParameters(metadata.parameters);
  if (!page.fence) renderOperations(metadata.actions);
  $("create-form").hidden = false;
}

function field(p) {
  const input = p.type === "boolean"
    ? h("select", {name: `param:${p.name}`}, h("option", {value: ""}, `(default: ${p.default || "unset"})`),
      h("option", {}, "true"), h("option", {}, "false"))
    : h("input", {name: `param:${p.name}`, required: p.required, autocomplete: "off",
      type: p.secret ? "password" : "text", "data-secret": p.secret ? "1" : null,
      placeholder: p.default ? `default: ${p.default}` : "", "data-type": p.type});
  return h("label", {title: p.longdesc}, p.name, p.required ? h("span", {class: "req"}, " *") : null,
    " ", h("span", {class: "help"}, p.shortdesc), input);
}

function renderParameters(parameters) {
  const shown = parameters.filter((p) => !p.deprecated);
  const required = shown.filter((p) => p.required);
  const optional = shown.filter((p) => !p.required && !p.advanced);
  const advanced = shown.filter((p) => p.advanced);
  fill($("params"),
    h("h3", {}, "Parameters"),
    required.length ? required.map(field) : h("p", {class: "empty"}, "No required parameters."),
    optional.length ? h("details", {open: true}, h("summary", {}, "Optional"), optional.map(field)) : null,
    advanced.length ? h("details", {class: "advanced"}, h("summary", {}, "Advanced"), advanced.map(field)) : null);
}

function renderOperations(actions) {
  const wanted = actions.filter((a) => ["monitor", "start", "stop", "promote", "demote"].includes(a.name));
  fill($("operations"), h("table", {}, h("tr", {}, ["Add", "Operation", "Interval", "Timeout", "Role"].map((t) => h("th", {}, t))),
    wanted.map((a, i) => h("tr", {"data-op": a.name},
      h("td", {}, h("input", {type: "checkbox", name: `op-on:${i}`, checked: a.name === "monitor"})),
      h("td", {}, a.name),
      h("td", {}, h("input", {name: `op-interval:${i}`, value: a.interval || (a.name === "monitor" ? "10s" : "0s")})),
      h("td", {}, h("input", {name: `op-timeout:${i}`, value: a.timeout || ""})),
      h("td", {}, a.role || "")))));
  $("operations").dataset.actions = JSON.stringify(wanted);
}

function requestBody(form) {
  const data = new FormData(form);
  const params = {};
  for (const [name, value] of data.entries()) {
    if (name.startsWith("param:") && value !== "") params[name.slice(6)] = value;
  }
  Object.assign(params, pairsFromLines(data.get("param-extra") || ""));
  const meta = pairsFromLines(data.get("meta-extra") || "");
  if (data.get("meta:target-role")) meta["target-role"] = data.get("meta:target-role");
  const actions = page.fence ? [] : JSON.parse($("operations").dataset.actions || "[]");
  const operations = actions.flatMap((a, i) => {
    if (!data.get(`op-on:${i}`)) return [];
    const op = {name: a.name, interval: data.get(`op-interval:${i}`)};
    if (data.get(`op-timeout:${i}`)) op.timeout = data.get(`op-timeout:${i}`);
    if (a.role) op.role = a.role;
    return [op];
  });
  // The agent's private parameters: recorded as secrets (masked) whatever their names.
  const secrets = metadata.parameters.filter((p) => p.secret && p.name in params).map((p) => p.name);
  if (page.fence) return {id: data.get("rid"), agent: metadata.agent, params, meta, secret_params: secrets};
  return {id: data.get("rid"), agent: metadata.agent, params, meta, operations};
}

$("create-form").addEventListener("submit", (event) => {
  event.preventDefault();
  let body;
  try {
    body = requestBody(event.target);
  } catch (error) {
    return showError("form-error", error.message);
  }
  showError("form-error", "");
  planAndApply({
    title: `Create ${body.id} (${body.agent})`,
    clusterId: ID,
    url: api.cluster(ID, page.fence ? "fence-devices" : "resources"),
    body,
    done: () => h("p", {class: "msg success"}, "Created. ",
      h("a", {href: pages.resource(ID, body.id), "data-created": ""}, `See ${body.id} live`),
      " or ", h("a", {href: pages.cluster(ID)}, "the cluster page"), "."),
  });
});
$("standard").addEventListener("change", loadAgents);
$("agent").addEventListener("change", loadMetadata);
loadStandards();
