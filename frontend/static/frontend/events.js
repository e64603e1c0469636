// An event timeline: newest first, each event once (by id), live ones prepended.

import {fill, h, when, whenShort} from "./dom.js";

/** "node_lost" -> "Node lost". */
export function kindLabel(kind) {
  const text = String(kind || "").replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The same event from the API (resource "") and from a pushed message (resource null). */
function normalised(event) {
  return {...event, resource: event.resource || null, node: event.node || null};
}

export class EventLog {
  /** list: the <ul> to fill; accept(event): whether this page shows it; limit: how many. */
  constructor(list, {accept = () => true, limit = 50, clusterName = null, short = false} = {}) {
    this.list = list;
    this.format = short ? whenShort : when;
    this.accept = accept;
    this.limit = limit;
    this.clusterName = clusterName;
    this.events = new Map();
  }

  add(events) {
    for (const event of events || []) {
      if (this.accept(event)) this.events.set(event.id, normalised(event));
    }
    this.render();
  }

  replace(events) {
    this.events.clear();
    this.add(events);
  }

  newest() {
    return [...this.events.values()].sort((a, b) => b.id - a.id).slice(0, this.limit);
  }

  render() {
    const items = this.newest().map((e) => this.item(e));
    fill(this.list, items.length ? items : h("li", {class: "empty"}, "No events."));
  }

  item(event) {
    const attrs = {class: `sev-${event.severity}`, "data-event": event.id, "data-kind": event.kind};
    return h("li", attrs,
      h("time", {datetime: event.created, title: when(event.created)}, this.format(event.created)), " ",
      this.clusterName ? h("span", {class: "where"}, this.clusterName(event), " ") : null,
      h("b", {}, kindLabel(event.kind)), " ", event.message,
      event.user ? h("small", {}, ` by ${event.user}`) : null);
  }
}
