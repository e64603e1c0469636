// The advisor on the cluster page (inside the Warnings card): its findings, fetched from
// GET /api/v1/clusters/<id>/advice/ when the page opens and again whenever a pushed
// status says the stored advice is not current any more (or was recomputed elsewhere);
// each finding with the objects it names and, where one exists, its fix: planned and
// applied through the usual dialog (ops.js planAndApply).

import {ago, chip, h} from "./dom.js";
import {planAndApply} from "./ops.js";
import {nodeLinks, resourceLink} from "./sections.js";

const TONES = {critical: "bad", warning: "warn", info: "info"};
const QUIET_MS = 2000; // wait for a burst of changes to settle before asking again

export class Advisor {
  /** clusterId, the page's permissions ({operate, administer}), redraw() to call. */
  constructor(clusterId, can, redraw) {
    this.clusterId = clusterId;
    this.can = can;
    this.redraw = redraw;
    this.findings = null;
    this.meta = {};
    this.error = "";
    this.loading = false;
    this.failedAt = null; // the seq a failed read was made for: not retried on it
    this.timer = null;
  }

  /** Read the findings (refresh: computed now, even if the stored ones are current). */
  async load(refresh = false) {
    this.loading = true;
    this.redraw();
    const url = `/api/v1/clusters/${this.clusterId}/advice/${refresh ? "?refresh=1" : ""}`;
    try {
      const response = await fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}});
      const body = await response.json().catch(() => ({detail: `HTTP ${response.status}`}));
      if (!response.ok) throw new Error(body.detail || `HTTP ${response.status}`);
      this.findings = body;
      this.meta = {
        computedAt: response.headers.get("X-Advice-Computed-At"),
        readFrom: response.headers.get("X-Advice-Read-From"),
        version: response.headers.get("X-Advice-CIB-Version"),
        operation: response.headers.get("X-Advice-Operation"),
        fenceAt: response.headers.get("X-Advice-Fence-Checked-At"),
        fencePaths: response.headers.get("X-Advice-Fence-Paths"),
        error: response.headers.get("X-Advice-Error") || "",
      };
      this.error = "";
      this.failedAt = null;
    } catch (error) {
      this.error = error.message;
      this.failedAt = this.seq;
    } finally {
      this.loading = false;
      this.redraw();
    }
  }

  /** A status message arrived: read the advice again if it is not what is shown. */
  follow(message) {
    this.seq = message.seq;
    const summary = message.advice;
    const shown = this.meta.computedAt;
    const behind = !summary || !summary.current || summary.computed_at !== shown;
    const sameFailure = summary && summary.error && summary.error === this.meta.error;
    if (!behind || sameFailure || this.loading || this.failedAt === message.seq) return;
    clearTimeout(this.timer);
    const settled = summary && summary.current;  // computed elsewhere: just fetch it
    this.timer = setTimeout(() => this.load(), settled || this.findings === null ? 0 : QUIET_MS);
  }

  /** The block shown in the Warnings card. */
  block() {
    const head = h("h3", {}, "Advice", this.findings ? ` (${this.findings.length})` : "");
    let again = null;
    if (this.can.operate) {  // ?refresh=1 asks every fence device again: operators only
      again = h("button", {type: "button", "data-advice-refresh": "", disabled: this.loading},
        this.loading ? "Checking…" : "Check again");
      again.onclick = () => this.load(true);
    }
    return h("div", {id: "advice", "data-count": this.findings ? String(this.findings.length) : "",
      "data-loading": String(this.loading)}, head, this.body(),
    h("p", {class: "age bar"}, h("span", {"data-advice-about": ""}, this.about()), again));
  }

  body() {
    if (this.error) return h("p", {class: "msg error", "data-advice-error": ""}, `The advice could not be read: ${this.error}`);
    if (this.findings === null) return h("p", {class: "age"}, "Reading the configuration and asking the fence devices…");
    if (!this.findings.length) return h("p", {class: "empty ok"}, "No advice: nothing found.");
    return h("ul", {class: "warnings advice"}, this.findings.map((f) => this.item(f)));
  }

  item(finding) {
    return h("li", {"data-rule": finding.rule, "data-severity": finding.severity, class: `level-${finding.severity}`},
      chip(finding.severity, TONES[finding.severity] || ""), " ", finding.detail,
      h("div", {class: "objects"}, finding.objects.map((o) => [this.object(o), " "]), this.fix(finding)));
  }

  object(o) {
    if (o.kind === "resource") return ["resource ", resourceLink(this.clusterId, o.id)];
    if (o.kind === "node") return ["node ", nodeLinks(this.clusterId, [o.id])];
    return [`${o.kind} `, h("code", {}, o.id)];
  }

  fix(finding) {
    const fix = finding.fix;
    if (!fix || !this.can[fix.permission]) return null;
    const button = h("button", {type: "button", "data-fix": finding.rule}, `Fix: ${fix.summary}…`);
    button.onclick = () => planAndApply({title: fix.summary, clusterId: this.clusterId,
      method: fix.method, url: fix.path, body: fix.body === null ? undefined : fix.body});
    return button;
  }

  about() {
    const m = this.meta;
    if (!m.computedAt) return "";
    const fence = m.fenceAt ? [`; ${m.fencePaths} fence paths asked `, ago(m.fenceAt)] : "";
    return [ago(m.computedAt, "Checked "), m.readFrom ? ` on ${m.readFrom}` : "",
      m.version ? ` (CIB ${m.version})` : "", fence, ". "];
  }
}
