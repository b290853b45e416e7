// Uploads: hash each file of a drop (SHA-256) and ask the API once which of them the user already has
// (those are skipped, naming the asset, unless the user uploads them anyway); then declare each file
// with its hash, send the bytes straight to S3 with the presigned POST (an XMLHttpRequest, for its
// upload progress events; S3 checks the bytes against the hash), and poll the record until processing
// settles.

import { ApiError } from "./api.js";
import { fill, h } from "./dom.js";
import { formatBytes, TYPE_LABELS } from "./format.js";
import { sha256Hex } from "./hashing.js";
import { Media } from "./media.js";
import { placeholderCanvas, untilLoaded } from "./placeholder.js";

// The allow-list of functions/core/media.py: extension -> what the API expects to be declared.
const FORMATS = {
  jpg: ["image", "jpg", "image/jpeg"],
  jpeg: ["image", "jpg", "image/jpeg"],
  png: ["image", "png", "image/png"],
  gif: ["image", "gif", "image/gif"],
  webp: ["image", "webp", "image/webp"],
  mp4: ["video", "mp4", "video/mp4"],
  m4v: ["video", "mp4", "video/mp4"],
  mov: ["video", "mov", "video/quicktime"],
  mp3: ["audio", "mp3", "audio/mpeg"],
  wav: ["audio", "wav", "audio/wav"],
  pdf: ["document", "pdf", "application/pdf"],
};
const CONCURRENCY = 3;
const POLL_FIRST_MS = 400;
const POLL_MAX_MS = 2000;
const POLL_GIVE_UP_MS = 10 * 60 * 1000;
const TERMINAL = new Set(["ready", "rejected", "failed"]);
const UNFINISHED = new Set(["queued", "hashing", "uploading", "processing"]);
const CHECK_BATCH = 100; // the most files POST /api/v2/uploads/check takes at once

/** What to declare for a file: by its extension; unknown ones go as the browser typed them, so the
 * API answers with its own "Invalid file type" message. */
export function declarationFor(file) {
  const extension = (file.name.split(".").pop() || "").toLowerCase();
  const known = FORMATS[extension];
  if (known) {
    const [type, format, contentType] = known;
    return { type, format, contentType };
  }
  const family = (file.type || "").split("/")[0];
  const type = ["image", "video", "audio"].includes(family) ? family : "document";
  return { type, format: extension || "unknown", contentType: file.type || `application/x-${extension || "unknown"}` };
}

let sequence = 0;

class UploadItem {
  constructor(queue, file, links) {
    this.queue = queue;
    this.file = file;
    this.links = links;
    this.key = `u${(sequence += 1)}`;
    this.state = "queued";
    this.sha256 = null;
    this.eligible = false; // screened for duplicates (or uploaded anyway): may start
    this.asset = null;
    this.xhr = null;
    this.cancelled = false;
    this.started = false;
    this.#render();
  }

  #render() {
    const declared = declarationFor(this.file);
    this.thumb = h("div", { class: `upload-thumb type-${declared.type}`, "aria-hidden": "true" });
    this.progress = h("progress", { max: "100", value: "0", "aria-label": `Upload progress of ${this.file.name}` });
    this.percent = h("span", { class: "upload-percent" }, "0%");
    this.statusText = h("span", { class: "upload-status" }, "Waiting…");
    this.reason = h("p", { class: "upload-reason", hidden: true });
    this.duplicate = h("div", { class: "upload-duplicate", hidden: true });
    this.cancelButton = h(
      "button",
      { type: "button", class: "btn btn-ghost btn-small", on: { click: () => this.cancel() } },
      "Cancel",
    );
    this.dismissButton = h(
      "button",
      {
        type: "button",
        class: "icon-btn",
        "aria-label": `Dismiss ${this.file.name}`,
        hidden: true,
        on: { click: () => this.queue.dismiss(this) },
      },
      "×",
    );
    this.element = h(
      "li",
      { class: "upload-item", dataset: { state: this.state, file: this.file.name } },
      this.thumb,
      h(
        "div",
        { class: "upload-main" },
        h(
          "div",
          { class: "upload-line" },
          h("span", { class: "upload-name break", title: this.file.name }, this.file.name),
          h("span", { class: "muted small" }, `${TYPE_LABELS[declared.type] || declared.type} · ${formatBytes(this.file.size)}`),
        ),
        h("div", { class: "upload-bar" }, this.progress, this.percent),
        h("div", { class: "upload-line" }, this.statusText),
        this.reason,
        this.duplicate,
      ),
      h("div", { class: "upload-actions" }, this.cancelButton, this.dismissButton),
    );
  }

  #set(state, text, reason = null) {
    this.state = state;
    this.element.dataset.state = state;
    this.statusText.textContent = text;
    this.statusText.className = `upload-status status-text-${state}`;
    this.reason.hidden = !reason;
    this.reason.textContent = reason || "";
    const finished = !UNFINISHED.has(state);
    this.cancelButton.hidden = finished || state === "processing";
    if (state !== "duplicate") this.duplicate.hidden = true;
    this.dismissButton.hidden = !finished;
  }

  #setProgress(fraction) {
    const percent = Math.max(0, Math.min(100, Math.floor(fraction * 100)));
    this.progress.value = percent;
    this.percent.textContent = `${percent}%`;
    if (this.state === "uploading") this.statusText.textContent = `Uploading… ${percent}%`;
  }

  get finished() {
    return !UNFINISHED.has(this.state);
  }

  /** The file's SHA-256, with the reading's progress on the row (long only for big files). */
  async digest() {
    this.#set("hashing", "Checking for duplicates…");
    this.sha256 = await sha256Hex(this.file, {
      onProgress: (fraction) => {
        if (this.state !== "hashing") return;
        const percent = Math.floor(fraction * 100);
        this.statusText.textContent = `Checking for duplicates… (hashing ${percent}%)`;
      },
      isCancelled: () => this.cancelled,
    });
    if (!this.cancelled) this.#set("queued", "Waiting…");
  }

  /** Skipped: the user already has this content as `existing` ({id, name}). */
  markDuplicate(existing) {
    this.#set("duplicate", "Skipped: already uploaded");
    this.element.dataset.duplicateOf = existing.id;
    fill(
      this.duplicate,
      h("span", {}, "Same content as "),
      h(
        "button",
        {
          type: "button",
          class: "link-button duplicate-of break",
          title: "Show the existing asset",
          on: { click: () => this.queue.open(existing) },
        },
        existing.name,
      ),
      h(
        "button",
        {
          type: "button",
          class: "btn btn-small",
          "aria-label": `Upload ${this.file.name} anyway`,
          on: { click: () => this.queue.uploadAnyway(this) },
        },
        "Upload anyway",
      ),
    );
    this.duplicate.hidden = false;
  }

  /** Ready to go: queued for one of the upload slots. */
  release() {
    delete this.element.dataset.duplicateOf;
    this.eligible = true;
    this.#set("queued", "Waiting…");
  }

  async run() {
    if (this.cancelled) return;
    const declared = declarationFor(this.file);
    this.#set("uploading", "Starting…");
    try {
      const started = await this.queue.api.startUpload({
        name: this.file.name,
        type: declared.type,
        format: declared.format,
        contentType: declared.contentType,
        size: this.file.size,
        ...(this.sha256 ? { sha256: this.sha256 } : {}),
        ...this.links,
      });
      this.asset = started.asset;
      this.element.dataset.assetId = this.asset.id;
      if (this.cancelled) return this.#discard();
      await this.#send(started.upload);
      this.#setProgress(1);
      this.#set("processing", "Processing…");
      this.queue.changed();
      const settled = await this.#poll();
      this.#finish(settled);
    } catch (error) {
      if (this.cancelled) return;
      const detail = error instanceof ApiError ? error.detail : error.message || String(error);
      this.#set("error", "Upload failed", detail);
    }
  }

  #send(upload) {
    return new Promise((resolve, reject) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
      form.append("file", this.file); // last: S3 ignores every field after the file
      const xhr = new XMLHttpRequest();
      this.xhr = xhr;
      xhr.open("POST", upload.url);
      xhr.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) this.#setProgress(event.loaded / event.total);
      });
      xhr.addEventListener("load", () => {
        if (xhr.status >= 200 && xhr.status < 300) resolve();
        else reject(new Error(`Storage refused the upload (${xhr.status})${s3Message(xhr.responseText)}`));
      });
      xhr.addEventListener("error", () => reject(new Error("The upload to storage failed (network or CORS)")));
      xhr.addEventListener("abort", () => reject(new Error("Cancelled")));
      this.#set("uploading", "Uploading… 0%");
      xhr.send(form);
    });
  }

  async #poll() {
    const started = Date.now();
    let wait = POLL_FIRST_MS;
    for (;;) {
      const record = await this.queue.api.record(this.asset.id);
      if (TERMINAL.has(record.status)) return record;
      if (Date.now() - started > POLL_GIVE_UP_MS) return record;
      await new Promise((resolve) => window.setTimeout(resolve, wait));
      wait = Math.min(POLL_MAX_MS, wait * 1.5);
    }
  }

  #finish(asset) {
    this.asset = asset;
    if (asset.status === "ready") {
      this.#set("ready", "Ready");
      this.#showThumbnail(asset);
    } else if (asset.status === "rejected") {
      this.#set("rejected", "Rejected", asset.statusReason || "The file was refused.");
    } else if (asset.status === "failed") {
      this.#set("failed", "Failed", asset.statusReason || "Processing failed.");
    } else {
      this.#set("processing", "Still processing — it will show up in the list when done");
    }
    this.queue.changed(asset);
  }

  #showThumbnail(asset) {
    if (!Media.hasThumbnail(asset)) return;
    this.queue.media
      .thumbnail(asset)
      .then((url) => {
        if (!url) return;
        const img = h("img", { src: url, alt: `Thumbnail of ${asset.name}` });
        const placeholder = placeholderCanvas(asset);
        fill(this.thumb, placeholder, img);
        untilLoaded(img, placeholder);
        this.thumb.classList.add("has-image");
      })
      .catch(() => {});
  }

  cancel() {
    if (this.finished) return;
    this.cancelled = true;
    this.xhr?.abort();
    this.#set("cancelled", "Cancelled");
    if (this.asset) this.#discard();
  }

  #discard() {
    // The pending record would expire on its own; removing it keeps the list clean now.
    this.queue.api.remove(this.asset.id).catch(() => {}).finally(() => this.queue.changed());
  }
}

function s3Message(text) {
  const match = /<Message>([^<]*)<\/Message>/.exec(text || "");
  return match ? `: ${match[1]}` : "";
}

export class UploadQueue {
  /** `list`: the <ul> of upload rows; `onChange(asset?)`: called when the asset list may have changed;
   * `onOpen({id, name})`: shows an existing asset (the one a skipped file duplicates). */
  constructor(api, media, list, onChange, onOpen) {
    this.api = api;
    this.media = media;
    this.list = list;
    this.onChange = onChange;
    this.onOpen = onOpen;
    this.items = [];
    this.running = 0;
  }

  add(files, links = {}) {
    const drop = files.map((file) => new UploadItem(this, file, links));
    for (const item of drop) {
      this.items.push(item);
      this.list.append(item.element);
    }
    this.#announce();
    this.#screen(drop);
  }

  /** Hash the drop's files (one at a time: one file's bytes in memory), ask the API once which the
   * user already has, skip those and release the others. */
  async #screen(drop) {
    for (const item of drop) if (!item.cancelled) await item.digest();
    const checkable = drop.filter((item) => item.sha256 && item.file.size > 0 && !item.cancelled);
    const duplicates = await this.#duplicates(checkable);
    for (const item of drop) {
      if (item.cancelled) continue;
      const existing = duplicates.get(item);
      if (existing) item.markDuplicate(existing);
      else item.release();
    }
    this.#pump();
  }

  /** item -> {id, name} of the user's ready asset with the same content. A batch the API refuses (a
   * file over the size limit, a name it does not take) is asked again file by file, so that one file
   * costs the others nothing; a file it still refuses uploads and fails with the API's reason. */
  async #duplicates(items) {
    const found = new Map();
    for (let start = 0; start < items.length; start += CHECK_BATCH) {
      const batch = items.slice(start, start + CHECK_BATCH);
      if (!(await this.#check(batch, found)) && batch.length > 1) {
        for (const item of batch) await this.#check([item], found);
      }
    }
    return found;
  }

  /** Ask the API about `batch`, noting its duplicates in `found`; false when the API refused. */
  async #check(batch, found) {
    try {
      const answer = await this.api.checkUploads(
        batch.map(({ file, sha256 }) => ({ name: file.name, size: file.size, sha256 })),
      );
      answer.files.forEach((file, index) => {
        if (file.duplicateOf) found.set(batch[index], file.duplicateOf);
      });
      return true;
    } catch {
      return false;
    }
  }

  uploadAnyway(item) {
    item.release();
    this.#pump();
  }

  open(asset) {
    this.onOpen?.(asset);
  }

  #pump() {
    while (this.running < CONCURRENCY) {
      const next = this.items.find((item) => item.eligible && !item.started && !item.cancelled);
      if (!next) return;
      this.running += 1;
      next.started = true;
      next.run().finally(() => {
        this.running -= 1;
        this.#pump();
      });
    }
  }

  changed(asset) {
    this.onChange?.(asset);
  }

  dismiss(item) {
    item.element.remove();
    this.items = this.items.filter((other) => other !== item);
    this.#announce();
  }

  clearFinished() {
    for (const item of [...this.items]) if (item.finished) this.dismiss(item);
  }

  #announce() {
    document.getElementById("uploads-head").hidden = this.items.length === 0;
  }
}
