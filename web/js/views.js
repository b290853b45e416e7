// The two views of a page of assets: seed 000's table, and a gallery of thumbnails.

import { append, externalLink, h } from "./dom.js";
import { STATUS_LABELS, TYPE_LABELS, formatBytes, formatDate, formatDay, mediaSummary } from "./format.js";
import { lazyPicture, Media } from "./media.js";
import { placeholderCanvas, untilLoaded } from "./placeholder.js";

export function typeBadge(asset) {
  return h("span", { class: `badge type-badge type-${asset.type}` }, TYPE_LABELS[asset.type] || asset.type);
}

export function statusBadge(asset) {
  return h(
    "span",
    { class: `badge status status-${asset.status}`, title: asset.statusReason || null },
    STATUS_LABELS[asset.status] || asset.status,
  );
}

function shortUrl(url) {
  try {
    const parsed = new URL(url);
    const rest = `${parsed.pathname}${parsed.search}`.replace(/\/$/, "");
    return `${parsed.host}${rest.length > 28 ? `${rest.slice(0, 27)}…` : rest}`;
  } catch {
    return url;
  }
}

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return "";
  }
}

/** Where an asset points: its reference URL (a link), or a button that opens its file. */
export function urlCell(asset, handlers) {
  if (asset.type === "link") return externalLink(asset.url, shortUrl(asset.url), { class: "ref-link", title: asset.url });
  if (asset.status !== "ready") return h("span", { class: "muted" }, "—");
  return h(
    "button",
    { type: "button", class: "link-button", on: { click: () => handlers.openFile(asset) } },
    "Open file",
  );
}

function thumbBox(asset, media, size) {
  const box = h("div", { class: `thumb thumb-${size} type-${asset.type}` });
  if (Media.hasThumbnail(asset)) {
    const placeholder = placeholderCanvas(asset);
    const img = h("img", { alt: "", loading: "lazy", decoding: "async" });
    img.addEventListener("load", () => box.classList.add("has-image"));
    if (placeholder) box.classList.add("has-placeholder");
    append(box, [placeholder, img]);
    untilLoaded(img, placeholder);
    lazyPicture(media, asset, img, {
      fit: asset.type === "document" ? "contain" : "cover", // as the CSS shows it
      onMissing: () => {
        img.remove();
        placeholder?.remove();
        box.classList.remove("has-placeholder");
      },
    });
  }
  if (asset.type === "video") box.append(h("span", { class: "play-mark", "aria-hidden": "true" }));
  if (asset.type === "link" && size === "large") box.append(h("span", { class: "thumb-host" }, hostOf(asset.url)));
  return box;
}

function actionButtons(asset, handlers) {
  return h(
    "div",
    { class: "row-actions" },
    h(
      "button",
      {
        type: "button",
        class: "btn btn-small btn-ghost",
        "aria-label": `Edit ${asset.name}`,
        on: { click: () => handlers.edit(asset) },
      },
      "Edit",
    ),
    h(
      "button",
      {
        type: "button",
        class: "btn btn-small btn-ghost btn-danger-text",
        "aria-label": `Delete ${asset.name}`,
        on: { click: () => handlers.remove(asset) },
      },
      "Delete",
    ),
  );
}

const COLUMNS = [
  "Name",
  "Description",
  "Type",
  "Status",
  "Client",
  "Campaign",
  "Project",
  "Task",
  "Size",
  "URL",
  "Created",
  "Actions",
];

function idCell(value) {
  return value ? h("span", { class: "mono" }, value) : h("span", { class: "muted" }, "—");
}

export function renderTable(assets, handlers, media) {
  const rows = assets.map((asset) =>
    h(
      "tr",
      { dataset: { assetId: asset.id, type: asset.type, status: asset.status } },
      h(
        "td",
        { class: "cell-name" },
        h(
          "div",
          { class: "name-wrap" },
          thumbBox(asset, media, "small"),
          h(
            "button",
            { type: "button", class: "link-button asset-name break", on: { click: () => handlers.open(asset) } },
            asset.name,
          ),
        ),
      ),
      h("td", { class: "cell-description" }, asset.description || h("span", { class: "muted" }, "—")),
      h("td", {}, typeBadge(asset)),
      h(
        "td",
        { class: "cell-status" },
        statusBadge(asset),
        asset.statusReason ? h("div", { class: "reason small" }, asset.statusReason) : null,
      ),
      h("td", {}, idCell(asset.clientId)),
      h("td", {}, idCell(asset.campaignId)),
      h("td", {}, idCell(asset.projectId)),
      h("td", {}, idCell(asset.todoId)),
      h("td", { class: "num" }, formatBytes(asset.size)),
      h("td", { class: "cell-url" }, urlCell(asset, handlers)),
      h(
        "td",
        { class: "nowrap" },
        h("time", { datetime: asset.uploadedAt, title: formatDate(asset.uploadedAt) }, formatDay(asset.uploadedAt)),
      ),
      h("td", {}, actionButtons(asset, handlers)),
    ),
  );
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "assets-table" },
      h("caption", { class: "visually-hidden" }, "Your assets, newest first"),
      h("thead", {}, h("tr", {}, COLUMNS.map((name) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, rows),
    ),
  );
}

export function renderGallery(assets, handlers, media) {
  const cards = assets.map((asset) => {
    const summary =
      asset.type === "link" ? asset.description || shortUrl(asset.url) : mediaSummary(asset) || formatBytes(asset.size);
    return h(
      "li",
      { class: "card asset-card", dataset: { assetId: asset.id, type: asset.type, status: asset.status } },
      h(
        "button",
        {
          type: "button",
          class: "card-open",
          "aria-label": `Open ${asset.name}`,
          on: { click: () => handlers.open(asset) },
        },
        thumbBox(asset, media, "large"),
      ),
      h(
        "div",
        { class: "card-body" },
        h("div", { class: "card-title break", title: asset.name }, asset.name),
        h("div", { class: "card-meta" }, typeBadge(asset), statusBadge(asset)),
        h("div", { class: "muted small break" }, summary),
        asset.statusReason ? h("div", { class: "reason small" }, asset.statusReason) : null,
      ),
      h(
        "div",
        { class: "card-foot" },
        asset.type === "link" ? externalLink(asset.url, "Open link ↗", { class: "ref-link", title: asset.url }) : null,
        actionButtons(asset, handlers),
      ),
    );
  });
  return h("ul", { class: "gallery", "aria-label": "Your assets, newest first" }, cards);
}
