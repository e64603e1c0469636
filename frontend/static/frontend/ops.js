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
    body.blockers ? h("ul", {class: "blockers"}, body.blockers.map((b) =>
      h("li", {"data-blocker": b.code}, b.reason))) : null,
  ];
}

function planView(plan) {
  const actions = plan.actions.length
    ? h("ul", {class: "plan-actions"}, plan.actions.map((a) => h("li", {"data-action": a.action}, a.text)))
    : h("p", {class: "empty"}, "Pacemaker would not start, stop or move anything.");
  return [
    h("h3", {}, "What Pacemaker would do"),
    actions,
    plan.commands && plan.commands.length ? [h("h3", {}, "Commands, in order"),
      h("ol", {class: "steps", "data-commands": ""}, plan.commands.map((c) => h("li", {"data-node": c.node},
        c.node ? `on ${c.node}: ` : "", h("code", {}, c.argv.join(" ")))))] : null,
    h("h3", {}, "CIB change"),
    plan.cib_diff ? h("pre", {class: "diff", "data-diff": ""}, plan.cib_diff)
      : h("p", {class: "empty"}, "No configuration change (a runtime action)."),
    h("p", {class: "age"}, `Planned on CIB version ${plan.base_version}.`),
  ];
}

/**
 * A move that would not hold once its temporary constraint is cleared (422
 * move_would_not_hold): what Pacemaker would then do, and the choice to keep the
 * constraint (pcs resource move-with-constraint, optionally for a lifetime); again(extra)
 * plans anew with the choice added to the body.
 */
function holdChoice(refusal, again) {
  if (refusal.code !== "move_would_not_hold") return null;
  const keep = h("input", {type: "checkbox", "data-keep-constraint": ""});
  const lifetime = h("input", {type: "text", "data-lifetime": "", placeholder: "e.g. PT1H (optional)", size: 18});
  const replan = h("button", {type: "button", "data-replan": "", disabled: true}, "Plan again");
  keep.onchange = () => { replan.disabled = !keep.checked; };
  replan.onclick = () => again({keep_constraint: true, ...(lifetime.value.trim() ? {lifetime: lifetime.value.trim()} : {})});
  const then = refusal.would_then || [];
  return h("div", {class: "hold-choice"},
    then.length ? [h("p", {}, "Once the move's constraint is cleared, Pacemaker would:"),
      h("ul", {class: "plan-actions"}, then.map((a) => h("li", {"data-action": a.action}, a.text)))] : null,
    h("p", {}, h("label", {}, keep, ` Keep the constraint that moves ${refusal.resource || "it"} to ${refusal.node || "the node"}`),
      " for ", lifetime),
    h("p", {class: "hint"}, "The constraint stays until cleared (Clear moves/bans) or its lifetime ends. ",
      "The other way: set a resource-stickiness higher than the other nodes' scores."),
    h("p", {class: "bar"}, replan));
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
    const again = (extra) => planAndApply({title, clusterId, method, url, body: {...body, ...extra}, done});
    fill(box, errorBlock(planned.body), holdChoice(planned.body, again));
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

/**
 * A row of action buttons: [{label, run, danger, kind}] (run gets no arguments). kind: the
 * change kind (e.g. "resource.move"); one the cluster's tools cannot make (unsupported:
 * the page data's kind -> missing pcs capabilities) is shown disabled with the reason.
 */
export function actionBar(actions, unsupported = {}) {
  return h("p", {class: "bar actions"}, actions.map(({label, run, danger, kind, attrs = {}}) => {
    const missing = kind ? unsupported[kind] : null;
    const why = missing ? `This cluster's pcs cannot do this: it lacks ${missing.join(", ")}.` : null;
    const button = h("button", {type: "button", class: danger ? "danger" : "", disabled: Boolean(why),
      title: why, "data-unsupported": why, ...attrs}, label);
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
