// Small DOM helpers shared by every live page: build elements, format times and ages.

/** An element: h("td", {class: "x", "data-node": "n1"}, "text", child, [more]). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Replace everything inside el with children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** The JSON a template embedded with json_script. */
export function embedded(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

/** "2026-11-25 15:10:51" in the browser's time zone, or "" for no time. */
export function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "15:10:51" for today, "11-24 15:10" before: for a ticker. */
export function whenShort(iso) {
  if (!iso) return "";
  const full = when(iso);
  const today = when(new Date().toISOString()).slice(0, 10);
  return full.startsWith(today) ? full.slice(11) : full.slice(5, 16);
}

/** How long ago iso was: "4 s", "3 min", "2 h 5 min", "3 d". */
export function age(iso, now = Date.now()) {
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 90) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d`;
}

/** A <time> whose text "N s ago" is kept current by tickAges(). */
export function ago(iso, prefix = "") {
  if (!iso) return h("span", {class: "never"}, `${prefix}never`);
  return h("time", {datetime: iso, "data-since": iso, "data-prefix": prefix, title: when(iso)},
    `${prefix}${age(iso)} ago`);
}

/** Every second, refresh the text of every ago() element on the page. */
export function tickAges() {
  setInterval(() => {
    const now = Date.now();
    for (const el of document.querySelectorAll("[data-since]")) {
      el.textContent = `${el.dataset.prefix || ""}${age(el.dataset.since, now)} ago`;
    }
  }, 1000);
}

/** A small coloured label: chip("online", "ok"). */
export function chip(text, tone = "", attrs = {}) {
  return h("span", {class: `state ${tone}`.trim(), ...attrs}, text);
}

/** "yes"/"no"/"unknown" for a boolean that may be missing. */
export function yesNo(value) {
  if (value === null || value === undefined) return "unknown";
  return value ? "yes" : "no";
}
