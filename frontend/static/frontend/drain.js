// A node's guided drain on its page: start it, follow it step by step as its worker
// pushes it (drain.update on the cluster's feed), stop, resume or return the node.

import {chip, h, when} from "./dom.js";
import {request} from "./http.js";
import {feed} from "./live.js";
import {section, table} from "./sections.js";
import {api, pages, socket} from "./urls.js";

const ACTIVE = new Set(["queued", "running"]);
const RESUMABLE = new Set(["paused", "failed", "interrupted"]);
const TONE = {
  done: "ok", succeeded: "ok", moved: "ok", returned: "ok", started: "ok",
  running: "warn", queued: "warn", paused: "warn", pending: "warn", stopped: "warn", stayed: "warn", gone: "warn",
  failed: "bad", interrupted: "bad", blocked: "bad",
};
const PHASE = {
  out: "leaving", drained: "drained: in standby, waiting for its return", back: "returning", done: "back",
};

function tone(state) {
  return TONE[state] || "";
}

/** The drain card of node `node` in el, showing `drain` (the page's, or null); `can`
 * is the page's rights ({operate}). */
export function drainCard(el, clusterId, node, can, drain) {
  let error = "";
  const url = (verb) => (verb ? api.node(clusterId, node, "drain", verb) : api.node(clusterId, node, "drain"));

  // Read again on each reconnect (what was pushed meanwhile is lost): a node never
  // drained has nothing to read, and its first drain.update will come.
  const load = async () => {
    if (!drain) return;
    const {status, body} = await request("GET", url());
    if (status === 200) drain = body;
    draw();
  };
  const act = async (verb, body) => {
    const {status, body: answer} = await request("POST", url(verb), body);
    if (status === 202) {
      drain = answer;
      error = "";
    } else {
      error = answer.detail || `HTTP ${status}`;
    }
    draw();
  };
  const draw = () => section(el, "Drain", error ? h("p", {class: "msg error", role: "alert"}, error) : "",
    ...(drain ? shown(drain) : [h("p", {class: "empty"}, "Never drained from this console.")]),
    can.operate ? controls(drain, act, node) : "");

  feed(socket.cluster(clusterId)).listen({
    onMessage: (message) => {
      if (message.type !== "drain.update" || message.drain.node !== node) return;
      if (drain && message.drain.id === drain.id && message.drain.updated < drain.updated) return;
      drain = message.drain;
      draw();
    },
    onState: (state) => state === "live" && load().catch((e) => console.warn("drain", e)),
  });
  draw();
}

function shown(drain) {
  const facts = [
    ["Phase", PHASE[drain.phase] || drain.phase],
    ["Status", chip(drain.status, tone(drain.status), {"data-drain-status": drain.status})],
    ["Started", [when(drain.created), drain.user ? ` by ${drain.user}` : ""]],
    ["Operation", h("a", {href: pages.operation(drain.operation)}, `#${drain.operation}`)],
  ];
  if (drain.stop_requested) facts.push(["Stop", "asked: it stops after the current step"]);
  return [
    h("dl", {class: "summary", "data-drain": drain.id, "data-drain-phase": drain.phase},
      facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
    drain.note ? h("p", {class: drain.status === "failed" ? "msg error" : "msg", "data-drain-note": ""}, drain.note) : "",
    vmsTable(drain.vms),
    h("ol", {class: "steps", "data-drain-steps": ""}, drain.steps.map((s) =>
      h("li", {"data-step-state": s.state}, chip(s.state, tone(s.state)), " ", s.title,
        s.detail ? h("span", {class: "detail"}, `: ${s.detail}`) : ""))),
  ];
}

function vmsTable(vms) {
  const rows = vms.map((v) => h("tr", {"data-vm": v.resource},
    h("td", {}, v.resource), h("td", {}, v.origin), h("td", {}, v.to || "—"),
    h("td", {}, chip(v.state, tone(v.state))), h("td", {}, v.reason || "")));
  return table(["VM", "Left", "Went to", "State", "Why"], rows, "No VM had to move.");
}

function controls(drain, act, node) {
  const box = (name, label) => {
    const input = h("input", {type: "checkbox", name});
    return [input, h("label", {}, input, ` ${label}`)];
  };
  const button = (label, attrs, run) => {
    const b = h("button", {type: "button", ...attrs}, label);
    b.addEventListener("click", run);
    return b;
  };
  const status = drain ? drain.status : "";
  if (drain && ACTIVE.has(status)) {
    return h("p", {class: "actions"}, button("Stop after this step", {"data-drain-do": "stop"}, () => act("stop", {})));
  }
  if (drain && drain.phase === "drained" && RESUMABLE.has(status)) {
    const [back, label] = box("move_back", "move each VM back to this node");
    return h("p", {class: "actions"}, label, " ",
      button("Return the node…", {"data-drain-do": "return"}, () => {
        if (confirm(`Unstandby ${node}, wait for DRBD UpToDate${back.checked ? ", move its VMs back" : ""}?`)) {
          act("return", {move_back: back.checked});
        }
      }));
  }
  if (drain && drain.phase !== "done" && RESUMABLE.has(status)) {
    const [consent, label] = box("stop_unmovable", "stop the VMs that cannot live-migrate");
    return h("p", {class: "actions"}, label, " ",
      button("Resume", {"data-drain-do": "resume"}, () => act("resume", {stop_unmovable: consent.checked})));
  }
  const [consent, label] = box("stop_unmovable", "stop the VMs that cannot live-migrate (else the drain waits)");
  return h("p", {class: "actions"}, label, " ",
    button("Drain this node…", {"data-drain-do": "start"}, () => {
      const risk = consent.checked ? " VMs that cannot move will be STOPPED." : "";
      if (confirm(`Live-migrate every VM away from ${node}, then put it in standby?${risk}`)) {
        act("", {stop_unmovable: consent.checked});
      }
    }));
}
