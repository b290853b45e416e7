// Dialogs: the link/edit form, the delete confirmation and the details drawer. All are native
// <dialog> elements opened with showModal(): the page behind is inert, Escape cancels, and focus
// is kept inside (Tab wraps) and given back to whatever opened the dialog.

import { ApiError } from "./api.js";
import { $, busy, externalLink, fill, h, safeHttpUrl } from "./dom.js";
import { STATUS_LABELS, TYPE_LABELS, formatBytes, formatDate, formatDuration } from "./format.js";
import { fillUsages } from "./lineage.js";
import { displayedWidth, Media, showRenditions } from "./media.js";
import { placeholderCanvas } from "./placeholder.js";
import { fillProcessing } from "./processing.js";
import { statusBadge, typeBadge } from "./views.js";

const PREVIEW_MAX_HEIGHT = 400; // .preview-media's max-height in styles.css
const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), audio[controls], video[controls], [tabindex]:not([tabindex="-1"])';

// ---- opening and closing ----

const openers = new WeakMap();

export function setUpDialogs() {
  for (const dialog of document.querySelectorAll("dialog")) {
    dialog.addEventListener("click", (event) => {
      if (event.target.closest("[data-close]")) dialog.close("cancel");
      else if (event.target === dialog) dialog.close("cancel"); // a click on the backdrop
    });
    dialog.addEventListener("keydown", (event) => {
      if (event.key === "Tab") trapTab(dialog, event);
    });
    dialog.addEventListener("close", () => {
      const opener = openers.get(dialog);
      openers.delete(dialog);
      if (opener && opener.isConnected) opener.focus();
      else $("#content")?.focus();
    });
  }
}

function trapTab(dialog, event) {
  const focusable = [...dialog.querySelectorAll(FOCUSABLE)].filter((element) => element.offsetParent !== null);
  if (focusable.length === 0) return;
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

function open(dialog, focus) {
  if (!dialog.open) {
    openers.set(dialog, document.activeElement);
    dialog.showModal();
  }
  (focus || dialog.querySelector(FOCUSABLE))?.focus();
}

function showError(element, error) {
  if (!error) {
    element.hidden = true;
    element.textContent = "";
    return;
  }
  element.hidden = false;
  element.textContent = error instanceof ApiError ? error.detail : error.message || String(error);
}

// ---- form fields ----

let fieldCounter = 0;

/** A labelled input: {label, name, value, type, hint, ...attributes}. */
export function field({ label, name, value = "", type = "text", hint, multiline = false, ...attributes }) {
  fieldCounter += 1;
  const id = `f-${name}-${fieldCounter}`;
  const hintId = hint ? `${id}-hint` : null;
  const control = multiline
    ? h("textarea", { id, name, rows: "3", "aria-describedby": hintId, ...attributes })
    : h("input", { id, name, type, "aria-describedby": hintId, autocomplete: "off", ...attributes });
  control.value = value ?? "";
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    control,
    hint ? h("span", { id: hintId, class: "hint" }, hint) : null,
  );
}

const LINK_ID_PATTERN = "[A-Za-z0-9][A-Za-z0-9._:@\\-]*";
export const LINK_FIELDS = [
  ["clientId", "Client"],
  ["campaignId", "Campaign"],
  ["projectId", "Project"],
  ["todoId", "Task"],
];

export function linkIdField(name, label, value, extra = {}) {
  return field({
    label,
    name,
    value,
    pattern: LINK_ID_PATTERN,
    maxlength: "128",
    spellcheck: "false",
    placeholder: "id",
    ...extra,
  });
}

export function parseTags(text) {
  const tags = text
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);
  return [...new Set(tags)];
}

// ---- create a link / edit any asset ----

/**
 * Open the asset form. `asset` null: create a link asset. Resolves to the saved asset, or null if
 * the dialog was cancelled.
 */
export function assetForm(api, asset = null) {
  const dialog = $("#asset-dialog");
  const form = $("#asset-form");
  const fields = $("#asset-form-fields");
  const errorBox = $("#asset-form-error");
  const submit = $("#asset-form-submit");
  const isLink = !asset || asset.type === "link";

  const kind = asset?.type === "document" ? "PDF" : (TYPE_LABELS[asset?.type] || "asset").toLowerCase();
  $("#asset-dialog-title").textContent = asset ? `Edit ${kind}` : "Add a link";
  submit.textContent = asset ? "Save changes" : "Add link";
  showError(errorBox, null);
  fill(fields,
    field({ label: "Name", name: "name", value: asset?.name, required: true, maxlength: "255" }),
    isLink
      ? field({
          label: "URL",
          name: "url",
          type: "url",
          value: asset?.url,
          required: true,
          maxlength: "2048",
          placeholder: "https://…",
          hint: "An http:// or https:// address; it opens in a new tab.",
        })
      : null,
    field({ label: "Description", name: "description", value: asset?.description, multiline: true, maxlength: "2000" }),
    field({
      label: "Tags",
      name: "tags",
      value: (asset?.tags || []).join(", "),
      hint: "Separated by commas.",
    }),
    h(
      "fieldset",
      { class: "grid-fields" },
      h("legend", {}, "Linked to"),
      LINK_FIELDS.map(([name, label]) => linkIdField(name, label, asset?.[name])),
    ),
  );

  return whileOpen(dialog, form, fields.querySelector("input"), null, async (close) => {
    showError(errorBox, null);
    const data = new FormData(form);
    const values = Object.fromEntries([...data.entries()].map(([name, value]) => [name, String(value).trim()]));
    if (!values.name) return showError(errorBox, new Error("A name is required."));
    if (isLink && !safeHttpUrl(values.url)) {
      return showError(errorBox, new Error("The URL must be an http:// or https:// address."));
    }
    const body = asset ? changesOf(asset, values, isLink) : creation(values);
    if (asset && Object.keys(body).length === 0) return close(asset, "saved");
    try {
      close(await busy(submit, () => (asset ? api.patch(asset.id, body) : api.createLink(body))), "saved");
    } catch (error) {
      showError(errorBox, error);
    }
  });
}

function creation(values) {
  const body = { name: values.name, url: values.url };
  if (values.description) body.description = values.description;
  const tags = parseTags(values.tags);
  if (tags.length) body.tags = tags;
  for (const [name] of LINK_FIELDS) if (values[name]) body[name] = values[name];
  return body;
}

/** PATCH sends only what changed; an emptied field is null (unlinks or clears). */
function changesOf(asset, values, isLink) {
  const changes = {};
  if (values.name !== asset.name) changes.name = values.name;
  if (isLink && values.url !== asset.url) changes.url = values.url;
  if ((values.description || null) !== (asset.description || null)) changes.description = values.description || null;
  const tags = parseTags(values.tags);
  const before = asset.tags || [];
  if (tags.length !== before.length || tags.some((tag, index) => tag !== before[index])) {
    changes.tags = tags.length ? tags : null;
  }
  for (const [name] of LINK_FIELDS) {
    if ((values[name] || null) !== (asset[name] || null)) changes[name] = values[name] || null;
  }
  return changes;
}

// ---- confirmation ----

/** Ask before doing `action`; errors from it stay in the dialog. Resolves true once it is done. */
export function confirmAction({ title, text, confirmLabel = "Delete", action }) {
  const dialog = $("#confirm-dialog");
  const form = $("#confirm-form");
  const ok = $("#confirm-ok");
  const errorBox = $("#confirm-error");
  $("#confirm-title").textContent = title;
  $("#confirm-text").textContent = text;
  ok.textContent = confirmLabel;
  showError(errorBox, null);
  // The safe choice has the focus.
  return whileOpen(dialog, form, $("#confirm-cancel"), false, async (close) => {
    try {
      await busy(ok, action);
      close(true, "confirmed");
    } catch (error) {
      showError(errorBox, error);
    }
  });
}

/**
 * Open `dialog` and hand each submit of `form` to `submit(close)` until it closes; resolves with
 * what `close(result, returnValue)` was given, or `fallback` when the dialog is dismissed.
 */
function whileOpen(dialog, form, focus, fallback, submit) {
  return new Promise((resolve) => {
    let result = fallback;
    const close = (value, returnValue) => {
      result = value;
      dialog.close(returnValue);
    };
    const onSubmit = (event) => {
      event.preventDefault();
      submit(close);
    };
    form.addEventListener("submit", onSubmit);
    dialog.addEventListener(
      "close",
      () => {
        form.removeEventListener("submit", onSubmit);
        resolve(result);
      },
      { once: true },
    );
    open(dialog, focus);
  });
}

// ---- details drawer ----

/**
 * The details of one asset: a preview or player, its fields, actions, and its usages (the
 * `[data-hook="lineage"]` section, filled by lineage.js: each consumer, its mode, and the way to its
 * flow's graph).
 */
export async function showDetails(asset, { api, media, handlers }) {
  const dialog = $("#details");
  const body = $("#details-body");
  $("#details-title").textContent = asset.name;
  fill(body, h("p", { class: "muted" }, "Loading…"));
  open(dialog, dialog.querySelector("[data-close]"));

  let current = asset;
  try {
    current = await api.record(asset.id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      fill(body, h("p", { class: "form-error" }, error.detail));
      return;
    }
  }
  $("#details-title").textContent = current.name;
  const preview = h("div", { class: "preview" });
  const usages = h("section", { class: "usages", "aria-labelledby": "usages-title", dataset: { hook: "lineage" } });
  const processing = h("section", { class: "processing", "aria-labelledby": "processing-title" });
  fill(body,
    preview,
    h("div", { class: "card-meta" }, typeBadge(current), statusBadge(current)),
    current.statusReason ? h("p", { class: "reason" }, current.statusReason) : null,
    detailsList(current),
    h(
      "div",
      { class: "drawer-actions" },
      current.type === "link"
        ? externalLink(current.url, "Open link ↗", { class: "btn" })
        : current.status === "ready"
          ? h("button", { type: "button", class: "btn", on: { click: () => handlers.openFile(current) } }, "Open file ↗")
          : null,
      h("button", { type: "button", class: "btn", on: { click: () => handlers.edit(current) } }, "Edit"),
      h("button", { type: "button", class: "btn btn-danger", on: { click: () => handlers.remove(current) } }, "Delete"),
    ),
    processing,
    usages,
  );
  fillPreview(preview, current, media);
  fillProcessing(processing, current, { api });
  fillUsages(usages, current, { api, onShowFlow: handlers.showFlow });
}

function detailsList(asset) {
  const rows = [
    ["Description", asset.description || "—"],
    ["Type", `${TYPE_LABELS[asset.type] || asset.type}${asset.format && asset.type !== "link" ? ` (${asset.format})` : ""}`],
    ["Status", STATUS_LABELS[asset.status] || asset.status],
    ["Client", asset.clientId || "—"],
    ["Campaign", asset.campaignId || "—"],
    ["Project", asset.projectId || "—"],
    ["Task", asset.todoId || "—"],
    ["Tags", asset.tags?.length ? asset.tags.join(", ") : "—"],
    ["Size", formatBytes(asset.size)],
    asset.width && asset.height ? ["Dimensions", `${asset.width} × ${asset.height}`] : null,
    asset.duration !== undefined && asset.duration !== null ? ["Duration", formatDuration(asset.duration)] : null,
    asset.pageCount ? ["Pages", String(asset.pageCount)] : null,
    ["Created", formatDate(asset.uploadedAt)],
    asset.type === "link" ? ["URL", externalLink(asset.url)] : null,
    ["ID", h("span", { class: "mono break" }, asset.id)],
  ].filter(Boolean);
  return h(
    "dl",
    { class: "details-list" },
    rows.map(([term, value]) => [h("dt", {}, term), h("dd", { class: "break" }, value)]),
  );
}

async function fillPreview(box, asset, media) {
  if (asset.type === "link" || asset.status !== "ready") {
    box.append(h("div", { class: `thumb thumb-preview type-${asset.type}` }));
    return;
  }
  // The placeholder shows until a picture has loaded; each picture waits hidden in the box and takes
  // its place once loaded, unless a better one came first (renditions and the original outrank the
  // thumbnail).
  const placeholder = placeholderCanvas(asset);
  if (placeholder) box.append(h("div", { class: "preview-placeholder" }, placeholder));
  let shown = 0;
  const stage = (element, rank, img = element) => {
    element.hidden = true;
    box.append(element);
    img.addEventListener(
      "load",
      () => {
        if (rank <= shown) return element.remove();
        shown = rank;
        element.hidden = false;
        box.replaceChildren(element);
      },
      { once: true },
    );
  };
  // The width the picture shows at: the drawer's, within the preview's 400 px height (styles.css).
  const width = displayedWidth(box.clientWidth, PREVIEW_MAX_HEIGHT, asset, "contain");
  // A video's poster stays the thumbnail: a poster takes one URL, not a srcset.
  const links = ["image", "document"].includes(asset.type) ? await media.renditionLinks(asset).catch(() => null) : null;
  const picture = (alt, className) => {
    const img = h("img", { class: className, alt });
    const holder = h("div", {}, img);
    showRenditions(img, links, width);
    stage(holder, 2, img);
    img.addEventListener(
      "error",
      () => media.thumbnail(asset).then((url) => url && stage(h("img", { class: className, src: url, alt }), 1)),
      { once: true },
    );
  };
  const poster = !links && Media.hasThumbnail(asset) ? await media.thumbnail(asset).catch(() => null) : null;
  try {
    if (asset.type === "image") {
      if (links) {
        picture(asset.name, "preview-media");
      } else {
        if (poster) stage(h("img", { class: "preview-media", src: poster, alt: asset.name }), 1);
        stage(h("img", { class: "preview-media", src: await media.fileUrl(asset), alt: asset.name }), 2);
      }
    } else if (asset.type === "video") {
      const url = await media.fileUrl(asset);
      box.replaceChildren(
        h("video", {
          class: "preview-media",
          controls: true,
          preload: "metadata",
          playsinline: true,
          poster,
          src: url,
          "aria-label": `Video: ${asset.name}`,
        }),
      );
    } else if (asset.type === "audio") {
      const url = await media.fileUrl(asset);
      box.replaceChildren(
        h("audio", { class: "preview-audio", controls: true, preload: "metadata", src: url, "aria-label": `Audio: ${asset.name}` }),
      );
    } else if (asset.type === "document") {
      if (links) picture(`First page of ${asset.name}`, "preview-media preview-page");
      else if (poster) stage(h("img", { class: "preview-media preview-page", src: poster, alt: `First page of ${asset.name}` }), 1);
      else box.replaceChildren(h("div", { class: "thumb thumb-preview type-document" }));
    }
  } catch (error) {
    box.append(h("p", { class: "form-error" }, error instanceof ApiError ? error.detail : "The file could not be loaded."));
  }
}
