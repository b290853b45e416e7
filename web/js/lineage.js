// Lineage on the page: an asset's usages (in the details drawer, with the mode a person sets when
// code could not tell), and the Flows view, which draws a flow's steps with the assets they read and
// write as an SVG graph. Every label reaches the drawing as a text node (svg() in dom.js).

import { ApiError } from "./api.js";
import { $, busy, fill, h, svg, toast } from "./dom.js";
import { formatDate } from "./format.js";

export const MODES = ["read", "write", "read-write"]; // what a person may choose (not "unknown")

const MODE_LABELS = { read: "read", write: "write", "read-write": "read-write", unknown: "unknown" };
const SOURCE_LABELS = { static: "found in code", runtime: "seen at run time", manual: "set by hand" };

function problem(error) {
  return error instanceof ApiError ? error.detail : error?.message || String(error);
}

/** The flow a consumer belongs to: a flow is its own; a step `f/etl/daily/extract` is in `f/etl/daily`. */
export function flowOf(usage) {
  if (usage.consumerKind === "flow") return usage.consumerPath;
  if (usage.consumerKind === "job") return null;
  const cut = usage.consumerPath.lastIndexOf("/");
  return cut > 0 ? usage.consumerPath.slice(0, cut) : null;
}

/** Paths people looked at in this tab, offered in the Flows view's path field. */
const RECENT_KEY = "trove.recentFlows";
const seenFlows = new Set();

function rememberFlow(path) {
  if (!path) return;
  seenFlows.delete(path);
  seenFlows.add(path);
  try {
    const recent = JSON.parse(sessionStorage.getItem(RECENT_KEY) || "[]").filter((item) => item !== path);
    sessionStorage.setItem(RECENT_KEY, JSON.stringify([path, ...recent].slice(0, 12)));
  } catch {
    /* storage full or disabled: suggestions are a convenience */
  }
}

function knownFlows() {
  let recent = [];
  try {
    recent = JSON.parse(sessionStorage.getItem(RECENT_KEY) || "[]");
  } catch {
    recent = [];
  }
  return [...new Set([...recent, ...[...seenFlows].reverse()])].filter((item) => typeof item === "string");
}

// ---- the usages panel of the details drawer ----

let controlCounter = 0;

/**
 * Fill the drawer's usages section: who reads and writes the asset, how it is known, when it was last
 * seen; unknown modes (and modes a person set) get a control to set them. `onShowFlow(path)` opens a
 * consumer's flow in the Flows view.
 */
export async function fillUsages(section, asset, { api, onShowFlow }) {
  const title = h("h3", { id: "usages-title", class: "h3" }, "Usages");
  const status = h("p", { class: "muted small" }, "Loading usages…");
  section.append(title, status);
  let list;
  try {
    const answer = await api.usages(asset.id);
    list = Array.isArray(answer) ? answer : answer?.usages || [];
  } catch (error) {
    status.textContent =
      error instanceof ApiError && error.status === 404 ? "Usages are not available." : `Usages could not be loaded: ${problem(error)}`;
    return;
  }
  for (const usage of list) {
    const flow = flowOf(usage);
    if (flow) seenFlows.add(flow);
  }
  if (list.length === 0) {
    status.textContent = "No script, flow or job is known to use this asset yet.";
    return;
  }
  const unknown = list.filter((usage) => usage.mode === "unknown").length;
  status.textContent = unknown
    ? `${unknown} of ${list.length} ${list.length === 1 ? "use is" : "uses are"} of unknown mode: the code names this asset but not whether it reads or writes it. Set the mode below.`
    : `${list.length} ${list.length === 1 ? "use" : "uses"}. Check them before you change or delete this asset.`;
  const items = h("ul", { class: "usage-list" });
  const current = new Map(); // usage id -> its <li>
  const render = (usage) =>
    usageItem(usage, {
      onShowFlow,
      save: async (mode) => {
        const saved = await api.setUsageMode(usage.id, mode);
        const replacement = render(saved);
        current.get(usage.id).replaceWith(replacement);
        current.set(usage.id, replacement);
        replacement.querySelector("select")?.focus();
        toast(`Mode of ${usage.consumerKind}:${usage.consumerPath} set to ${MODE_LABELS[saved.mode] || saved.mode}.`, "success");
      },
    });
  for (const usage of list) {
    const item = render(usage);
    current.set(usage.id, item);
    items.append(item);
  }
  section.append(items);
}

function usageItem(usage, { onShowFlow, save }) {
  const consumer = `${usage.consumerKind}:${usage.consumerPath}`;
  const flow = flowOf(usage);
  const editable = usage.mode === "unknown" || usage.source === "manual";
  return h(
    "li",
    {
      class: "usage",
      dataset: { usageId: usage.id, consumer, mode: usage.mode, source: usage.source },
    },
    h(
      "div",
      { class: "usage-head" },
      h("span", { class: "usage-consumer mono break", title: consumer },
        h("span", { class: "usage-kind" }, `${usage.consumerKind}:`),
        usage.consumerPath,
      ),
      h(
        "span",
        {
          class: `badge mode mode-${usage.mode}`,
          title: usage.mode === "unknown" ? "The code names this asset, but not whether it reads or writes it" : null,
        },
        MODE_LABELS[usage.mode] || usage.mode,
      ),
    ),
    h(
      "div",
      { class: "usage-meta muted small" },
      h("span", { class: "usage-source" }, SOURCE_LABELS[usage.source] || usage.source || "—"),
      " · last seen ",
      h("time", { datetime: usage.lastSeen }, formatDate(usage.lastSeen)),
      usage.assetUri ? h("span", { class: "visually-hidden" }, ` as ${usage.assetUri}`) : null,
    ),
    editable || flow
      ? h(
          "div",
          { class: "usage-actions" },
          editable ? modeControl(usage, consumer, save) : null,
          flow
            ? h(
                "button",
                {
                  type: "button",
                  class: "btn btn-small btn-ghost usage-flow",
                  title: `The graph of ${flow}`,
                  "aria-label": `Show the graph of flow ${flow}`,
                  on: { click: () => onShowFlow?.(flow) },
                },
                "Flow graph →",
              )
            : null,
        )
      : null,
  );
}

function modeControl(usage, consumer, save) {
  controlCounter += 1;
  const id = `usage-mode-${controlCounter}`;
  const errorBox = h("p", { class: "form-error usage-error", role: "alert", hidden: true });
  const select = h(
    "select",
    { id, name: "mode", class: "mode-select" },
    usage.mode === "unknown" ? h("option", { value: "" }, "Choose…") : null,
    MODES.map((mode) => h("option", { value: mode }, MODE_LABELS[mode])),
  );
  select.value = usage.mode === "unknown" ? "" : usage.mode;
  const button = h("button", { type: "submit", class: "btn btn-small" }, usage.mode === "unknown" ? "Set mode" : "Change");
  const showError = (message) => {
    errorBox.hidden = !message;
    errorBox.textContent = message || "";
  };
  const form = h(
    "form",
    {
      class: "mode-form",
      novalidate: true,
      on: {
        submit: async (event) => {
          event.preventDefault();
          showError("");
          const mode = select.value;
          if (!MODES.includes(mode)) {
            showError("Choose read, write or read-write.");
            select.focus();
            return;
          }
          try {
            await busy(button, () => save(mode));
          } catch (error) {
            showError(problem(error));
          }
        },
      },
    },
    h(
      "label",
      { for: id, class: "small" },
      usage.mode === "unknown" ? "Mode" : "Your choice",
      h("span", { class: "visually-hidden" }, ` for ${consumer}`),
    ),
    select,
    button,
  );
  return h("div", { class: "mode-control" }, form, errorBox);
}

// ---- the Flows view ----

/**
 * The Flows view: a path field and the graph of that flow. `openAsset({id, name})` opens an asset's
 * details; `onPath(path)` is told which flow is shown (for the address bar).
 */
export class FlowsView {
  constructor(api, { root, openAsset, onPath }) {
    this.api = api;
    this.root = root;
    this.openAsset = openAsset;
    this.onPath = onPath;
    this.path = "";
    this.ticket = 0;
    this.form = $("#flow-form", root);
    this.input = $("#flow-path", root);
    this.status = $("#flow-status", root);
    this.output = $("#flow-graph", root);
    this.suggestions = $("#flow-suggestions", root);
    this.onSubmit = (event) => {
      event.preventDefault();
      this.load(this.input.value);
    };
    this.onFocus = () => this.suggest();
    this.form.addEventListener("submit", this.onSubmit);
    this.input.addEventListener("focus", this.onFocus);
  }

  /** Stop listening (a new sign-in builds a new view). */
  detach() {
    this.ticket += 1;
    this.form.removeEventListener("submit", this.onSubmit);
    this.input.removeEventListener("focus", this.onFocus);
    this.input.value = "";
    fill(this.status);
    fill(this.output);
  }

  suggest() {
    const options = knownFlows().map((path) => h("option", { value: path }));
    fill(this.suggestions, options);
  }

  /** Show the view: the flow in `path` (from the address), or what it showed last. */
  show(path = this.path) {
    this.suggest();
    if (path && (path !== this.path || !this.output.childElementCount)) this.load(path);
    else if (path) this.refresh(); // the same flow again: redraw what may have changed meanwhile
    else if (!this.output.childElementCount) this.prompt();
  }

  refresh() {
    if (this.path) this.load(this.path, { quiet: true });
  }

  prompt() {
    fill(
      this.status,
      h(
        "div",
        { class: "state-card state-empty flow-empty" },
        h("span", { class: "empty-mark", "aria-hidden": "true" }),
        h("strong", {}, "Pick a flow to draw."),
        h(
          "p",
          { class: "muted" },
          "Type the path of a flow, like f/etl/daily: its steps are the scripts and flows under that path, with the assets they read on the left and the assets they write on the right.",
        ),
      ),
    );
  }

  async load(raw, { quiet = false } = {}) {
    const path = String(raw || "").trim().replace(/^\/+|\/+$/g, "");
    this.input.value = path;
    if (!path) {
      this.path = "";
      this.onPath?.("");
      fill(this.output);
      fill(this.status, h("p", { class: "form-error", role: "alert" }, "Enter a flow path, like f/etl/daily."));
      this.input.focus();
      return;
    }
    const ticket = (this.ticket += 1);
    this.path = path;
    this.onPath?.(path);
    this.output.setAttribute("aria-busy", "true");
    if (!quiet) {
      fill(this.output);
      fill(this.status, h("div", { class: "loading" }, h("span", { class: "spinner", "aria-hidden": "true" }), `Loading the graph of ${path}…`));
    }
    let graph;
    try {
      graph = await this.api.flowGraph(path);
    } catch (error) {
      if (ticket !== this.ticket) return;
      this.output.removeAttribute("aria-busy");
      fill(this.output);
      fill(
        this.status,
        h(
          "div",
          { class: "state-card state-error", role: "alert" },
          h("strong", {}, `The graph of ${path} could not be loaded.`),
          h("p", { class: "error-detail" }, problem(error)),
          error instanceof ApiError && error.status === 400
            ? null
            : h("button", { type: "button", class: "btn", on: { click: () => this.load(path) } }, "Try again"),
        ),
      );
      return;
    }
    if (ticket !== this.ticket) return;
    this.output.removeAttribute("aria-busy");
    const nodes = graph?.nodes || [];
    if (nodes.length === 0) {
      fill(this.output);
      fill(
        this.status,
        h(
          "div",
          { class: "state-card state-empty flow-empty" },
          h("span", { class: "empty-mark", "aria-hidden": "true" }),
          h("strong", {}, `Nothing is known to run under ${path}.`),
          h(
            "p",
            { class: "muted" },
            "Scan the code of its steps (trove scan, or POST /api/v2/scans), or read assets with the header X-Trove-Consumer: flow:",
            path,
            ".",
          ),
        ),
      );
      return;
    }
    rememberFlow(path);
    const focused = this.output.contains(document.activeElement) ? document.activeElement.closest("[data-node-id]") : null;
    fill(this.status);
    fill(this.output, flowFigure(path, graph, { openAsset: this.openAsset }));
    fitLabels(this.output);
    if (focused) {
      const again = [...this.output.querySelectorAll("[data-node-id]")].find((node) => node.dataset.nodeId === focused.dataset.nodeId);
      if (again?.hasAttribute("tabindex")) again.focus();
    }
  }
}

// ---- drawing a graph ----

const NODE_WIDTH = 236;
const NODE_HEIGHT = 54;
const COLUMN_GAP = 132;
const ROW_GAP = 20;
const PAD = 18;
const HEAD = 34; // the column headings
const COLUMNS = [
  ["input", "Inputs"],
  ["step", "Steps"],
  ["output", "Outputs"],
];

let graphCounter = 0;

/** Cut a label to `max` characters in the middle, keeping more of the end (a file name, a step's name). */
function shorten(text, max) {
  const value = String(text ?? "");
  if (value.length <= max) return value;
  const tail = Math.ceil((max - 1) * 0.6);
  return `${value.slice(0, max - 1 - tail)}…${value.slice(value.length - tail)}`;
}

/**
 * Labels that do not fit in their box are cut in the middle, measured once the drawing is on the
 * page (the full text stays in the node's <title> and in data-full).
 */
function fitLabels(root) {
  const room = NODE_WIDTH - 16 - 12;
  for (const text of root.querySelectorAll("text[data-full]")) {
    const full = text.dataset.full;
    let max = full.length;
    while (max > 8 && text.getComputedTextLength() > room) {
      max -= 1;
      text.textContent = shorten(full, max);
    }
  }
}

function stepName(node, flowPath) {
  const path = node.label || node.id.slice(node.id.indexOf(":") + 1);
  return path.startsWith(`${flowPath}/`) ? path.slice(flowPath.length + 1) : path;
}

/**
 * Lay the graph out in three columns: assets only read (or of unknown use) on the left, the steps in
 * the middle, assets written (read-write ones included) on the right; rows ordered by the steps they
 * touch so that edges cross little.
 */
export function layout(graph) {
  const nodes = new Map(graph.nodes.map((node) => [node.id, { ...node, column: node.kind === "step" ? "step" : "input" }]));
  const edges = graph.edges.filter((edge) => nodes.has(edge.from) && nodes.has(edge.to));
  for (const edge of edges) {
    const target = nodes.get(edge.to);
    if (target.kind === "asset") target.column = "output"; // something writes it
  }
  const steps = [...nodes.values()].filter((node) => node.column === "step");
  steps.forEach((node, index) => {
    node.row = index;
  });
  const neighbours = (node) =>
    edges
      .filter((edge) => edge.from === node.id || edge.to === node.id)
      .map((edge) => nodes.get(edge.from === node.id ? edge.to : edge.from))
      .filter((other) => other.column === "step");
  for (const column of ["input", "output"]) {
    const members = [...nodes.values()].filter((node) => node.column === column);
    const centre = (node) => {
      const rows = neighbours(node).map((step) => step.row);
      return rows.length ? rows.reduce((sum, row) => sum + row, 0) / rows.length : 0;
    };
    members
      .map((node) => [centre(node), node])
      .sort((a, b) => a[0] - b[0] || String(a[1].label).localeCompare(String(b[1].label)))
      .forEach(([, node], index) => {
        node.row = index;
      });
  }
  const counts = Object.fromEntries(COLUMNS.map(([column]) => [column, 0]));
  for (const node of nodes.values()) counts[node.column] += 1;
  const rows = Math.max(1, ...Object.values(counts));
  const height = HEAD + rows * NODE_HEIGHT + (rows - 1) * ROW_GAP + PAD * 2;
  const width = PAD * 2 + NODE_WIDTH * 3 + COLUMN_GAP * 2;
  COLUMNS.forEach(([column], index) => {
    const count = counts[column];
    const block = count * NODE_HEIGHT + Math.max(0, count - 1) * ROW_GAP;
    const top = PAD + HEAD + (rows * NODE_HEIGHT + (rows - 1) * ROW_GAP - block) / 2;
    for (const node of nodes.values()) {
      if (node.column !== column) continue;
      node.x = PAD + index * (NODE_WIDTH + COLUMN_GAP);
      node.y = top + node.row * (NODE_HEIGHT + ROW_GAP);
    }
  });
  return { nodes, edges, width, height, counts };
}

/** Where each edge leaves and enters: on the facing sides, spread along the side so edges don't overlap. */
function routes(nodes, edges) {
  const ends = edges.map((edge) => {
    const from = nodes.get(edge.from);
    const to = nodes.get(edge.to);
    const rightward = from.x < to.x;
    return {
      edge,
      from,
      to,
      rightward,
      fromSide: rightward ? "right" : "left",
      toSide: rightward ? "left" : "right",
    };
  });
  const ports = new Map();
  const claim = (node, side, route, otherY) => {
    const key = `${node.id}\n${side}`;
    if (!ports.has(key)) ports.set(key, []);
    ports.get(key).push({ route, otherY, end: node === route.from ? "from" : "to" });
  };
  for (const route of ends) {
    claim(route.from, route.fromSide, route, route.to.y);
    claim(route.to, route.toSide, route, route.from.y);
  }
  for (const [key, list] of ports) {
    const node = nodes.get(key.split("\n")[0]);
    // Rightward before leftward at the same height, on both nodes, so a read-write pair never crosses.
    list.sort((a, b) => a.otherY - b.otherY || Number(b.route.rightward) - Number(a.route.rightward));
    list.forEach((port, index) => {
      const y = node.y + (NODE_HEIGHT * (index + 1)) / (list.length + 1);
      const x = key.endsWith("right") ? node.x + NODE_WIDTH : node.x;
      port.route[port.end] = { ...port.route[port.end], px: x, py: y };
    });
  }
  return ends.map((route) => {
    const { px: x1, py: y1 } = route.from;
    const { px: x2, py: y2 } = route.to;
    const bend = Math.max(40, Math.abs(x2 - x1) / 2);
    const sign = x2 >= x1 ? 1 : -1;
    const d = `M${x1},${y1} C${x1 + sign * bend},${y1} ${x2 - sign * bend},${y2} ${x2},${y2}`;
    return { edge: route.edge, d };
  });
}

function flowFigure(flowPath, graph, { openAsset }) {
  graphCounter += 1;
  const prefix = `flow-${graphCounter}`;
  const { nodes, edges, width, height, counts } = layout(graph);
  const labelOf = (id) => {
    const node = nodes.get(id);
    return node.kind === "step" ? stepName(node, flowPath) : node.label;
  };

  const markers = svg(
    "defs",
    {},
    ["read", "write", "read-write", "unknown"].map((mode) =>
      svg(
        "marker",
        {
          id: `${prefix}-arrow-${mode}`,
          viewBox: "0 0 10 10",
          refX: "9",
          refY: "5",
          markerWidth: "7",
          markerHeight: "7",
          orient: "auto",
          markerUnits: "strokeWidth",
        },
        svg("path", { d: "M0,0 L10,5 L0,10 z", class: `arrow arrow-${mode}` }),
      ),
    ),
  );

  const headings = COLUMNS.map(([column, title], index) =>
    svg(
      "text",
      { class: "column-title", x: PAD + index * (NODE_WIDTH + COLUMN_GAP) + NODE_WIDTH / 2, y: PAD + 12, "text-anchor": "middle" },
      `${title} (${counts[column]})`,
    ),
  );

  const edgeElements = routes(nodes, edges).map(({ edge, d }) =>
    svg(
      "path",
      {
        class: `edge edge-${edge.mode}`,
        d,
        "marker-end": `url(#${prefix}-arrow-${edge.mode})`,
        dataset: { from: edge.from, to: edge.to, mode: edge.mode },
      },
      svg("title", {}, `${labelOf(edge.from)} → ${labelOf(edge.to)} (${edge.mode})`),
    ),
  );

  const picture = svg(
    "svg",
    {
      class: "flow-svg",
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "group",
      "aria-label": `Graph of flow ${flowPath}`,
      dataset: { flow: flowPath },
    },
    markers,
    headings,
    svg("g", { class: "edges", "aria-hidden": "true" }, edgeElements),
    svg("g", { class: "nodes" }, [...nodes.values()].map((node) => nodeElement(node, flowPath, { openAsset, picture: () => picture }))),
  );

  const steps = counts.step;
  const summary = `${steps} step${steps === 1 ? "" : "s"} · ${counts.input} input${counts.input === 1 ? "" : "s"} · ${counts.output} output${counts.output === 1 ? "" : "s"}`;
  return h(
    "figure",
    { class: "flow-figure card" },
    h(
      "figcaption",
      { class: "flow-caption" },
      h("h2", { class: "h2 mono break", id: `${prefix}-title`, tabindex: "-1" }, flowPath),
      h("span", { class: "muted small" }, summary),
      legend(),
    ),
    h("div", { class: "flow-scroll" }, picture),
    edgeTable(graph.edges, labelOf),
  );
}

function nodeElement(node, flowPath, { openAsset, picture }) {
  const isStep = node.kind === "step";
  const label = isStep ? stepName(node, flowPath) : node.label;
  const sub = isStep
    ? `${node.id.slice(0, node.id.indexOf(":"))} step`
    : node.assetId
      ? `trove://asset/${node.assetId.slice(0, 8)}…`
      : "not in your library";
  const openable = !isStep && Boolean(node.assetId);
  const highlight = (on) => {
    const root = picture();
    root.classList.toggle("is-focused", on);
    for (const edge of root.querySelectorAll(".edge")) {
      edge.classList.toggle("is-related", on && (edge.dataset.from === node.id || edge.dataset.to === node.id));
    }
  };
  const open = () => openAsset({ id: node.assetId, name: node.label });
  return svg(
    "g",
    {
      class: `node node-${node.kind} node-${node.column}${openable ? " is-openable" : ""}`,
      transform: `translate(${node.x},${node.y})`,
      tabindex: openable ? "0" : null,
      role: openable ? "button" : null,
      "aria-label": openable ? `${label}: open its details` : `${isStep ? "Step" : "Asset"} ${isStep ? node.label : label}`,
      dataset: { nodeId: node.id, kind: node.kind, column: node.column, ...(node.assetId ? { assetId: node.assetId } : {}) },
      on: {
        mouseenter: () => highlight(true),
        mouseleave: () => highlight(false),
        focus: () => highlight(true),
        blur: () => highlight(false),
        ...(openable
          ? {
              click: open,
              keydown: (event) => {
                if (event.key === "Enter" || event.key === " ") {
                  event.preventDefault();
                  open();
                }
              },
            }
          : {}),
      },
    },
    svg("title", {}, isStep ? node.id : node.assetId ? `${node.label}\n${node.id}` : node.id),
    svg("rect", { class: "node-box", width: NODE_WIDTH, height: NODE_HEIGHT, rx: "10" }),
    svg("rect", { class: "node-tab", width: "5", height: NODE_HEIGHT - 16, x: "0", y: "8", rx: "2" }),
    svg("text", { class: "node-label", x: "16", y: "23", dataset: { full: label } }, label),
    svg("text", { class: "node-sub", x: "16", y: "41", dataset: { full: sub } }, sub),
  );
}

function legend() {
  return h(
    "ul",
    { class: "flow-legend", "aria-label": "Edges" },
    ["read", "write", "read-write", "unknown"].map((mode) =>
      h("li", {}, h("span", { class: `legend-line legend-${mode}`, "aria-hidden": "true" }), MODE_LABELS[mode]),
    ),
  );
}

/** The same graph as a table, for screen readers and for copying. */
function edgeTable(edges, labelOf) {
  return h(
    "details",
    { class: "flow-table" },
    h("summary", {}, "The graph as a table"),
    h(
      "table",
      { class: "assets-table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "From"), h("th", { scope: "col" }, "To"), h("th", { scope: "col" }, "Mode"))),
      h(
        "tbody",
        {},
        edges.map((edge) =>
          h(
            "tr",
            {},
            h("td", { class: "break", title: edge.from }, labelOf(edge.from)),
            h("td", { class: "break", title: edge.to }, labelOf(edge.to)),
            h("td", {}, h("span", { class: `badge mode mode-${edge.mode}` }, edge.mode)),
          ),
        ),
      ),
    ),
  );
}
