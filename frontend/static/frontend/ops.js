// Changing a cluster from a page: plan (the change tried on a copy of the CIB), show what
// Pacemaker would do and the CIB diff, apply on confirmation, then follow the operation
// from the updates its cluster's feed pushes until it ends, with every command and its
// output. One dialog for every action.

import {fill, h} from "./dom.js";
import {getJson, request} from "./http.js";
import {SequenceLoop, feed} from "./live.js";
import {api, pages, planOnly, socket} from "./urls.js";

const FINAL = ["succeeded", "failed", "interrupted"];
const UPDATE = "operation.update";

function dialog() {
  let el = document.getElementById("op-dialog");
  if (!el) {
    el = h("dialog", {id: "op-dialog", class: "op-dialog"});
    document.body.append(el);
  }
  return el;
}

function errorBlock(body) {
  return [
    h("p", {class: "msg error", "data-error": ""}, body.detail || "The request was refused."),
    body.stderr ? h("pre", {class: "output", "data-stderr": ""}, body.stderr) : null,
  ];
}

function planView(plan) {
  const actions = plan.actions.length
    ? h("ul", {class: "plan-actions"}, plan.actions.map((a) => h("li", {"data-action": a.action}, a.text)))
    : h("p", {class: "empty"}, "Pacemaker would not start, stop or move anything.");
  return [
    h("h3", {}, "What Pacemaker would do"),
    actions,
    h("h3", {}, "CIB change"),
    plan.cib_diff ? h("pre", {class: "diff", "data-diff": ""}, plan.cib_diff)
      : h("p", {class: "empty"}, "No configuration change (a runtime action)."),
    h("p", {class: "age"}, `Planned on CIB version ${plan.base_version}.`),
  ];
}

/** A command's output: shown when short, folded when long. */
function output(text) {
  const pre = h("pre", {class: "output"}, text);
  const lines = text.split("\n").length;
  return lines > 6 ? h("details", {}, h("summary", {}, `output (${lines} lines)`), pre) : pre;
}

/** Every command an operation ran: its argv, exit status, time, output folded when long. */
export function stepsList(steps) {
  return h("ol", {class: "steps"}, (steps || []).map((s) => h("li", {"data-exit": s.exit_status},
    h("code", {}, s.argv.join(" ")), ` → exit ${s.exit_status}`,
    s.duration === undefined ? "" : ` (${s.duration} s)`,
    s.stdout ? output(s.stdout) : null,
    s.stderr ? h("pre", {class: "output err"}, s.stderr) : null)));
}

function operationView(op) {
  const tone = {succeeded: "ok", failed: "bad", interrupted: "bad"}[op.status] || "info";
  return [
    h("p", {}, "Operation ", h("a", {href: pages.operation(op.id)}, `#${op.id}`), ": ",
      h("span", {class: `state ${tone}`, "data-op-status": op.status}, op.status),
      op.node ? ` on ${op.node}` : ""),
    op.error ? h("p", {class: "msg error", "data-error": ""}, op.error) : null,
    op.reconciliation ? h("p", {class: "msg"}, op.reconciliation) : null,
    stepsList(op.steps),
    op.cib_diff ? [h("h3", {}, "CIB change made"), h("pre", {class: "diff"}, op.cib_diff)] : null,
  ];
}

/**
 * Show the operation op (the 202 answer) and every newer state of it its cluster's feed
 * pushes (early: updates that came before the answer), until it ends; fetch it once now,
 * after a gap in its seq and after a reconnect. onEnd(op) once it has ended.
 */
function follow(box, updates, op, early, onEnd) {
  let unfollow = null;
  const ours = (message) => message.type === UPDATE && message.operation.id === op.id;
  const loop = new SequenceLoop({
    key: (message) => message.operation.id,
    seq: (message) => message.operation.seq,
    show: ({operation}) => {
      if (!unfollow) return;  // it has ended: a late answer changes nothing
      fill(box, operationView(operation));
      if (!FINAL.includes(operation.status)) return;
      unfollow();
      unfollow = null;
      onEnd(operation);
    },
    fetch: async () => [{operation: await getJson(api.operation(op.id))}],
  });
  unfollow = loop.follow(updates, ours);
  loop.show({type: UPDATE, operation: op});
  early.filter(ours).forEach((message) => loop.receive(message));
  if (unfollow) loop.resync();
}

/**
 * Plan the change (url with ?plan=1), show it, apply it when the user confirms, follow it.
 * title: what the dialog says; clusterId: for the apply URL and the feed; done(op): an
 * element to show after a success (e.g. a link to what was made).
 */
export async function planAndApply({title, clusterId, method = "POST", url, body, done = null}) {
  const updates = feed(socket.cluster(clusterId)).start();
  const el = dialog();
  const box = h("div", {class: "op-body"}, h("p", {}, "Trying the change on a copy of the CIB…"));
  const close = h("button", {type: "button", "data-close": ""}, "Close");
  const apply = h("button", {type: "button", class: "primary", "data-apply": "", disabled: true}, "Apply");
  close.onclick = () => el.close();
  fill(el, h("h2", {}, title), box, h("p", {class: "bar"}, apply, close));
  if (!el.open) el.showModal();
  const planned = await request(method, planOnly(url), body);
  if (planned.status !== 200) {
    fill(box, errorBlock(planned.body));
    return;
  }
  fill(box, planView(planned.body));
  apply.disabled = false;
  apply.onclick = async () => {
    apply.disabled = true;
    const early = [];
    const unbuffer = updates.listen({onMessage: (message) => message.type === UPDATE && early.push(message)});
    const applied = await request("POST", api.apply(clusterId, planned.body.plan_id));
    unbuffer();
    if (applied.status === 409 && applied.body.code === "cib_changed") {
      fill(box, errorBlock(applied.body));
      apply.textContent = "Plan again";
      apply.disabled = false;
      apply.onclick = () => planAndApply({title, clusterId, method, url, body, done});
      return;
    }
    if (applied.status !== 202) {
      fill(box, errorBlock(applied.body));
      return;
    }
    apply.hidden = true;
    follow(box, updates, applied.body, early, (op) => {
      if (done && op.status === "succeeded") box.append(done(op));
    });
  };
}

/** A row of action buttons: [{label, run, danger}] (run gets no arguments). */
export function actionBar(actions) {
  return h("p", {class: "bar actions"}, actions.map(({label, run, danger, attrs = {}}) => {
    const button = h("button", {type: "button", class: danger ? "danger" : "", ...attrs}, label);
    button.onclick = run;
    return button;
  }));
}

/** "name=value" lines (blank lines skipped) as an object; throws on a line without "=". */
export function pairsFromLines(text) {
  const pairs = {};
  for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const at = line.indexOf("=");
    if (at < 1) throw new Error(`"${line}" is not name=value`);
    pairs[line.slice(0, at).trim()] = line.slice(at + 1);
  }
  return pairs;
}
