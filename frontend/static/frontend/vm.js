// A VirtualDomain resource's VM card: libvirt's state of its domain on every node next to
// Pacemaker's placement, a red alarm when it runs where Pacemaker does not place it, and
// the live migration (pre-checked and planned by the console, applied through Pacemaker).
// libvirt is read when the page opens, when Pacemaker's placement of the VM changes, and
// when asked: never on a timer.

import {ago, chip, fill, h} from "./dom.js";
import {request} from "./http.js";
import {planAndApply} from "./ops.js";
import {nodeLinks, section, table} from "./sections.js";
import {api} from "./urls.js";

export const VM_AGENT = "ocf:heartbeat:VirtualDomain";

/** The card in el for the VM of resource rid; update(placementKey) re-reads libvirt when
 * Pacemaker's placement (a string naming it) has changed since the last read. */
export function vmCard(el, clusterId, rid) {
  let shownFor = null;
  let reading = false;
  let stale = false; // the placement changed while a read ran: read once more after it
  const read = async () => {
    if (reading) {
      stale = true;
      return;
    }
    reading = true;
    el.dataset.reading = "true";
    try {
      do {
        stale = false;
        const {status, body} = await request("GET", api.cluster(clusterId, "vms", rid));
        render(el, clusterId, rid, status, body, read);
      } while (stale);
    } finally {
      reading = false;
      el.dataset.reading = "false";
    }
  };
  return {
    update(placementKey) {
      el.hidden = false;
      if (placementKey === shownFor) return;
      shownFor = placementKey;
      read();
    },
  };
}

function render(el, clusterId, rid, status, vm, again) {
  const refresh = h("button", {type: "button", "data-vm-read": ""}, "Read libvirt now");
  refresh.onclick = again;
  if (status !== 200) {
    section(el, "Virtual machine", h("p", {class: "msg error", "data-vm-error": ""},
      vm.detail || `HTTP ${status}`), h("p", {class: "bar"}, refresh));
    return;
  }
  el.dataset.doubleRun = String(vm.double_run);
  el.dataset.vmNode = vm.node || "";
  const alarm = vm.double_run
    ? h("p", {class: "msg error alarm", "data-double-run": ""}, chip("DOUBLE RUN", "bad big"),
      ` The domain ${vm.name} runs on ${runningOn(vm).join(" and ")}`,
      vm.running_outside_pacemaker.length
        ? `, where Pacemaker does not place it (${vm.running_outside_pacemaker.join(", ")})` : "",
      ": two copies write the same disk. Stop the copy Pacemaker does not manage.")
    : null;
  const rows = Object.entries(vm.domains).map(([node, state]) => h("tr", {"data-on-node": node,
    "data-domain-state": state || ""},
  h("td", {}, nodeLinks(clusterId, [node])),
  h("td", {}, chip(state || "not defined", state === "running" ? "ok" : "")),
  h("td", {}, vm.nodes.includes(node) ? chip(`Pacemaker: ${vm.role}`, "ok") : "—")));
  for (const [node, error] of Object.entries(vm.read_errors)) {
    rows.push(h("tr", {"data-on-node": node, "data-domain-state": "unknown"},
      h("td", {}, nodeLinks(clusterId, [node])), h("td", {}, chip("unknown", "warn"), ` ${error}`), h("td", {}, "—")));
  }
  section(el, "Virtual machine",
    alarm,
    h("dl", {class: "summary"},
      h("dt", {}, "Domain"), h("dd", {"data-field": "domain"}, vm.name || "(its config could not be read)"),
      h("dt", {}, "Config"), h("dd", {}, h("code", {}, vm.config || "—")),
      h("dt", {}, "Hypervisor"), h("dd", {}, vm.hypervisor),
      h("dt", {}, "Live migration"), h("dd", {"data-field": "allow-migrate"},
        vm.allow_migrate ? `allowed (${vm.migration_transport || "default transport"})` : "off (allow-migrate)")),
    table(["Node", "libvirt", "Pacemaker"], rows, "No node was read."),
    h("p", {class: "age"}, ago(vm.placement_read_at, "Read ")),
    details(clusterId, vm.details),
    migrateBar(clusterId, rid, vm), powerBar(clusterId, rid, vm), h("p", {class: "bar"}, refresh));
}

/** Start, stop and restart through Pacemaker (the resource's target-role, pcs restart). */
function powerBar(clusterId, rid, vm) {
  const page = JSON.parse(document.getElementById("page-data").textContent);
  if (!page.can.operate) return null;
  const verbs = [["start", "Start"], ["stop", "Stop"], ["restart", "Restart"]];
  return h("p", {class: "bar"}, ...verbs.map(([verb, label]) => {
    const go = h("button", {type: "button", "data-do": `vm-${verb}`}, `${label}…`);
    go.onclick = () => planAndApply({title: `${label} VM ${vm.name || rid}`, clusterId,
      url: api.cluster(clusterId, "vms", rid, verb)});
    return go;
  }));
}

const STORAGE = {
  drbd: (s) => chip(`DRBD ${s.resource}/${s.volume}`, "ok"),
  filesystem: (s) => chip(`cluster filesystem ${s.resource} (${s.directory})`, "ok"),
  local: () => chip("on no shared storage", "bad"),
  none: () => "no medium",
};

/** libvirt's description where the VM runs: state and reason, vCPUs, memory, disks. */
function details(clusterId, d) {
  if (!d) return null;
  if (d.error) {
    return h("div", {"data-vm-details": "error"}, h("h3", {}, "Where it runs"),
      h("p", {class: "msg error"}, d.error));
  }
  const mib = (kib) => (kib == null ? "?" : `${Math.round(kib / 1024)} MiB`);
  const disks = d.disks.map((disk) => h("tr", {"data-disk": disk.target,
    "data-storage": disk.storage.kind},
  h("td", {}, disk.target), h("td", {}, `${disk.type} ${disk.device}`),
  h("td", {}, h("code", {}, disk.source || "—")), h("td", {}, STORAGE[disk.storage.kind](disk.storage))));
  return h("div", {"data-vm-details": d.node},
    h("h3", {}, "Where it runs: ", nodeLinks(clusterId, [d.node])),
    h("dl", {class: "summary"},
      h("dt", {}, "State"), h("dd", {"data-field": "state"}, d.state, d.reason ? ` (${d.reason})` : ""),
      h("dt", {}, "vCPUs"), h("dd", {"data-field": "vcpus"}, String(d.vcpus)),
      h("dt", {}, "Memory"), h("dd", {"data-field": "memory"}, mib(d.used_memory_kib), " of ", mib(d.max_memory_kib)),
      h("dt", {}, "Definition"), h("dd", {}, d.persistent ? "persistent" : "transient (from the config file)")),
    table(["Disk", "Kind", "Source", "Lives on"], disks, "No disk."),
    h("p", {class: "age"}, ago(d.read_at, "Read ")));
}

function runningOn(vm) {
  return Object.entries(vm.domains).filter(([, s]) => s === "running").map(([n]) => n);
}

/** Live-migrate to a node other than the VM's: the console's pre-check, then the plan. */
function migrateBar(clusterId, rid, vm) {
  const page = JSON.parse(document.getElementById("page-data").textContent);
  if (!page.can.operate) return null;
  const others = page.nodes.map((n) => n.name).filter((n) => !vm.nodes.includes(n));
  const target = h("select", {"data-migrate-to": ""}, others.map((n) => h("option", {value: n}, n)));
  const go = h("button", {type: "button", "data-do": "migrate", disabled: !others.length}, "Live-migrate…");
  go.onclick = () => planAndApply({title: `Live-migrate ${vm.name || rid} to ${target.value}`, clusterId,
    url: api.cluster(clusterId, "vms", rid, "migrate"), body: {node: target.value}});
  return h("p", {class: "bar"}, go, " to ", target);
}
