// Reading a status message (clusters.mirror.cluster_message): resources, placement, flags.

const LEVELS = {critical: 0, warning: 1, info: 2};

/** Every resource of the snapshot, collectives and members, depth first. */
export function flatResources(status) {
  const out = [];
  const walk = (resource) => {
    out.push(resource);
    for (const child of resource.children || []) walk(child);
  };
  for (const resource of (status && status.resources) || []) walk(resource);
  return out;
}

/** "grp:0" (an instance of a cloned group, a bundle replica) -> "grp". */
export function baseId(id) {
  return id.replace(/:\d+$/, "");
}

/** The primitives active on node, each as {id, role, resource}. */
export function runningOn(status, node) {
  return flatResources(status)
    .filter((r) => r.kind === "primitive" && (r.nodes || []).includes(node))
    .map((r) => ({id: r.id, role: r.role, resource: r}));
}

/** Warnings, critical first, in their order otherwise. */
export function sortedWarnings(warnings) {
  return [...(warnings || [])].sort((a, b) => (LEVELS[a.level] ?? 3) - (LEVELS[b.level] ?? 3));
}

/** The tone of a role: started/promoted are fine, stopped is bad, transitions warn. */
export function roleTone(resource) {
  if (resource.failed || resource.blocked) return "bad";
  if (["Started", "Promoted", "Unpromoted"].includes(resource.role)) return "ok";
  if (resource.role === "Stopped") return resource.disabled ? "off" : "bad";
  return "warn";
}

/** Flags worth showing next to a resource, as [text, tone]. */
export function resourceFlags(resource) {
  const flags = [];
  if (resource.disabled) flags.push(["disabled", "off"]);
  if (resource.managed === false) flags.push(["unmanaged", "warn"]);
  if (resource.failed) flags.push(["FAILED", "bad"]);
  if (resource.blocked) flags.push(["blocked", "bad"]);
  if (resource.orphaned) flags.push(["orphaned", "warn"]);
  if (resource.failure_ignored) flags.push(["failure ignored", "warn"]);
  if (resource.pending) flags.push([`pending ${resource.pending}`, "warn"]);
  return flags;
}

/** A node's state flags as [text, tone], most important first. */
export function nodeFlags(node) {
  if (!node) return [["unknown", "unknown"]];
  const flags = [];
  if (node.unclean) flags.push(["UNCLEAN", "bad"]);
  flags.push(node.online ? ["online", "ok"] : ["offline", "bad"]);
  if (node.pending) flags.push(["pending", "warn"]);
  if (node.standby) flags.push([node.standby_onfail ? "standby (on-fail)" : "standby", "warn"]);
  if (node.maintenance) flags.push(["maintenance", "warn"]);
  if (node.shutdown) flags.push(["shutting down", "warn"]);
  if (node.is_dc) flags.push(["DC", "info"]);
  if (node.node_type && node.node_type !== "member") flags.push([node.node_type, "info"]);
  return flags;
}

/** The resource rid as configured (the first entry with that id) and every instance of it. */
export function findResource(status, rid) {
  const matches = flatResources(status).filter((r) => r.id === rid || baseId(r.id) === rid);
  return {resource: matches[0] || null, instances: matches};
}

/** The collective that contains the resource rid (its first occurrence), or null. */
export function parentOf(status, rid) {
  for (const resource of flatResources(status)) {
    if ((resource.children || []).some((c) => c.id === rid || baseId(c.id) === rid)) return resource;
  }
  return null;
}
