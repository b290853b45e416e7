// Building the DOM safely. Every piece of data reaches the page as a text node or through
// setAttribute on a known, harmless attribute: nothing is ever parsed as HTML.

const FORBIDDEN_ATTRIBUTE = /^(on|srcdoc$|style$)/i;
const URL_ATTRIBUTES = new Set(["href", "src", "poster", "action", "formaction", "xlink:href"]);

/**
 * h("a", {href, class: "x"}, "text", child, [more]) -> element.
 * Strings become text nodes; null/undefined/false children are skipped. Event handlers go through
 * `on: {click: fn}`; inline handler attributes and `style` are refused outright.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  setAttributes(element, attributes, (name, value) => {
    const safe = name === "href" ? safeHttpUrl(value) : safeMediaUrl(value);
    if (safe) element.setAttribute(name, safe);
  });
  append(element, children);
  return element;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * svg("path", {d, class: "edge"}, child) -> an SVG element, with h()'s rules: strings are text nodes,
 * events go through `on`, and `on*`, `style`, `srcdoc` and every link attribute (href, xlink:href…)
 * are refused — a drawing never needs to load or run anything.
 */
export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  setAttributes(element, attributes, (name) => {
    throw new Error(`svg(): refusing attribute ${name}`);
  });
  append(element, children);
  return element;
}

/** The rules h() and svg() share; what a URL attribute becomes is theirs to say (`onUrl`). */
function setAttributes(element, attributes, onUrl) {
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "on") {
      for (const [event, handler] of Object.entries(value)) element.addEventListener(event, handler);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (name === "text") {
      element.textContent = String(value);
    } else if (name === "srcset") {
      element.setAttribute("srcset", srcsetOf(value));
    } else if (FORBIDDEN_ATTRIBUTE.test(name)) {
      throw new Error(`${element.localName}: refusing attribute ${name}`);
    } else if (URL_ATTRIBUTES.has(name.toLowerCase())) {
      onUrl(name, value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function clear(element) {
  element.replaceChildren();
  return element;
}

/** Replace an element's children (null/false ones skipped, strings as text). */
export function fill(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

/** The URL when it is an absolute http(s) URL, else null: never a javascript:, data: or relative link. */
export function safeHttpUrl(value) {
  if (typeof value !== "string" || !value) return null;
  let parsed;
  try {
    parsed = new URL(value);
  } catch {
    return null;
  }
  return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
}

/** A srcset from candidates [{url, width}]: absolute http(s) URLs only, and none with the commas or
 * spaces that would split it into other candidates. */
export function srcsetOf(candidates) {
  return candidates
    .map(({ url, width }) => [safeHttpUrl(url), Number(width)])
    .filter(([url, width]) => url && !/[\s,]/.test(url) && Number.isInteger(width) && width > 0)
    .map(([url, width]) => `${url} ${width}w`)
    .join(", ");
}

/** Media sources: http(s), or a blob: URL this page made itself. */
export function safeMediaUrl(value) {
  if (typeof value === "string" && value.startsWith(`blob:${location.origin}/`)) return value;
  return safeHttpUrl(value);
}

/** A link to somewhere else, opened in a new tab without handing it this page; plain text if unsafe. */
export function externalLink(url, label = url, attributes = {}) {
  const safe = safeHttpUrl(url);
  // Not http(s): the address itself, as plain text (never the friendlier label, which could hide it).
  if (!safe) return h("span", { class: "unsafe-url", title: "Not an http(s) URL: not a link" }, String(url ?? ""));
  return h("a", { ...attributes, href: safe, target: "_blank", rel: "noopener noreferrer" }, label);
}

/** Run `action`, disabling `button` meanwhile; resolves to what the action returns. */
export async function busy(button, action) {
  const was = button.disabled;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await action();
  } finally {
    button.disabled = was;
    button.removeAttribute("aria-busy");
  }
}

/** A short message in the live region at the bottom of the page; errors stay longer. */
export function toast(message, kind = "info") {
  const item = h("div", { class: `toast toast-${kind}` }, message);
  document.getElementById("toasts").append(item);
  window.setTimeout(() => item.remove(), kind === "error" ? 8000 : 4000);
}
