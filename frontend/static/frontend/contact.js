// Live contact with each cluster. Its watcher beats every 2 s (cluster.contact messages,
// and every status carries the last beat); with no beat for STALE_AFTER_S the status shown
// is stale: grey, "no contact for N s". A lost watcher is not a cluster that is down.

import {age, h} from "./dom.js";

export const STALE_AFTER_S = 5;

/** The contact of every cluster a page shows; onFlip(clusterId) when one turns stale or
 * live again (checked every second, and on every note). */
export class Contacts {
  constructor(onFlip) {
    this.known = new Map();
    this.flags = new Map();
    this.onFlip = onFlip;
    setInterval(() => this.tick(), 1000);
  }

  /** Note the contact a message carries (a status, a tile or a heartbeat). */
  note(clusterId, contact) {
    if (!contact) return;
    const had = this.known.get(clusterId);
    if (had && had.at && contact.at && Date.parse(contact.at) < Date.parse(had.at)) return;
    // Age is counted from when the browser heard of it: no clock skew with the console.
    this.known.set(clusterId, {at: contact.at, node: contact.node, live: !contact.stale, heard: Date.now()});
    this.check(clusterId);
  }

  /** No live contact now (false while nothing is known). */
  stale(clusterId) {
    const c = this.known.get(clusterId);
    if (!c) return false;
    return !c.live || Date.now() - c.heard > STALE_AFTER_S * 1000;
  }

  /** The health to show: grey while stale, else the status's own. */
  health(message) {
    if (this.stale(message.cluster.id)) return "grey";
    return message.health_in_contact || message.health || "unknown";
  }

  /** "no contact for 12 s" (kept current every second), or null while in contact. */
  label(clusterId) {
    if (!this.stale(clusterId)) return null;
    const {at} = this.known.get(clusterId);
    return h("span", {class: "no-contact", "data-no-contact": at || ""}, noContactText(at));
  }

  check(clusterId) {
    const now = this.stale(clusterId);
    if (this.flags.get(clusterId) === now) return;
    this.flags.set(clusterId, now);
    this.onFlip(clusterId);
  }

  tick() {
    for (const id of this.known.keys()) this.check(id);
    for (const el of document.querySelectorAll("[data-no-contact]")) {
      el.textContent = noContactText(el.dataset.noContact);
    }
  }
}

function noContactText(at) {
  return at ? `NO CONTACT for ${age(at)}` : "NO CONTACT yet";
}
