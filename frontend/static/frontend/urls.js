// Every URL the pages use: the REST API (docs/api.md), the WebSockets, the pages. Path
// segments and queries are encoded here and nowhere else.

import {baseId} from "./status.js";

/** "/a/b%3Ac/" from segments; with query ({name: value}, or URLSearchParams), empty values left out. */
function path(segments, query = {}) {
  const url = `/${segments.map((s) => encodeURIComponent(String(s))).join("/")}/`;
  const entries = query instanceof URLSearchParams ? [...query] : Object.entries(query);
  const q = String(new URLSearchParams(entries.filter(([, v]) => v !== undefined && v !== null && v !== "")));
  return q ? `${url}?${q}` : url;
}

const V1 = ["api", "v1"];

export const api = {
  /** A cluster, or something under it: api.cluster(1, "constraints", id). */
  cluster: (id, ...rest) => path([...V1, "clusters", id, ...rest]),
  status: (id) => api.cluster(id, "status"),
  node: (id, name, ...rest) => api.cluster(id, "nodes", name, ...rest),
  resource: (id, rid, ...rest) => api.cluster(id, "resources", rid, ...rest),
  agents: (id, standard) => path([...V1, "clusters", id, "agents"], {standard}),
  agent: (id, agent) => api.cluster(id, "agents", agent),
  apply: (id, planId) => api.cluster(id, "plans", planId, "apply"),
  report: (id, from) => path([...V1, "clusters", id, "report"], {from}),
  events: (query) => path([...V1, "events"], query),
  operation: (id, ...rest) => path([...V1, "operations", id, ...rest]),
  operations: (query) => path([...V1, "operations"], query),
  exportOperations: (query) => path([...V1, "operations", "export"], query),
  wallState: (token) => path(["wall", "state"], {token}),
};

/** The same change, planned only (url may have no query yet). */
export function planOnly(url) {
  return `${url}${url.includes("?") ? "&" : "?"}plan=1`;
}

function ws(url) {
  return `wss://${location.host}${url}`;
}

export const socket = {
  cluster: (id) => ws(path(["ws", "clusters", id])),
  clusters: () => ws(path(["ws", "clusters"])),
  wall: (token) => ws(path(["ws", "wall"], {token})),
};

export const pages = {
  cluster: (id) => path(["clusters", id]),
  node: (id, name) => path(["clusters", id, "nodes", name]),
  /** A resource's page; an instance ("db:1") links to its resource. */
  resource: (id, rid) => path(["clusters", id, "resources", baseId(rid)]),
  operation: (id) => path(["audit"], {id}),
};
