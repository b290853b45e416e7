// Showing files that live behind a bearer token.
//
// `GET /api/v2/assets/{id}` (and `/thumbnail`) answers 302 to a short-lived presigned S3 URL. An
// <img src> can't send the token, so the page fetches the API route itself, with the token, and lets
// fetch follow the redirect (S3's CORS rule allows the page's origin; the browser drops the
// Authorization header when the redirect leaves the API's origin). Then:
//   - thumbnails: the bytes are small, so the answer becomes a blob: URL (one download, no expiry);
//   - files (image preview, <video>, <audio>, PDFs): the page reads `response.url`, the presigned URL
//     the redirect ended at, aborts the body, and hands that URL to the element, which streams it
//     with range requests. No copy of a video in memory.

import { ApiError } from "./api.js";

const THUMBNAIL_CONCURRENCY = 4;

export class Media {
  constructor(api) {
    this.api = api;
    this.thumbnails = new Map(); // asset id -> Promise<blob URL | null>
    this.active = 0;
    this.waiting = [];
  }

  /** Whether an asset can have a thumbnail at all. */
  static hasThumbnail(asset) {
    if (asset.status !== "ready") return false;
    if (asset.type === "image") return true;
    return (asset.type === "video" || asset.type === "document") && Boolean(asset.thumbnailUrl);
  }

  /** A blob: URL of the asset's thumbnail, or null when it has none. Cached for the session. */
  thumbnail(asset) {
    if (!Media.hasThumbnail(asset)) return Promise.resolve(null);
    let pending = this.thumbnails.get(asset.id);
    if (!pending) {
      pending = this.#limited(() => this.#loadThumbnail(asset.id)).catch((error) => {
        this.thumbnails.delete(asset.id); // a transient failure may succeed next time
        throw error;
      });
      this.thumbnails.set(asset.id, pending);
    }
    return pending;
  }

  async #loadThumbnail(id) {
    try {
      const answer = await this.api.fetch(`/api/v2/assets/${encodeURIComponent(id)}/thumbnail`);
      const blob = await answer.blob();
      return URL.createObjectURL(blob);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  async #limited(task) {
    if (this.active >= THUMBNAIL_CONCURRENCY) await new Promise((resolve) => this.waiting.push(resolve));
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }

  /** The short-lived URL of an asset's file: follow the API's redirect, keep the address, drop the body. */
  async fileUrl(asset) {
    const controller = new AbortController();
    const answer = await this.api.fetch(`/api/v2/assets/${encodeURIComponent(asset.id)}`, {
      signal: controller.signal,
    });
    if (!answer.redirected) {
      // Served directly (no redirect): the bytes need the token, so they become a blob.
      return URL.createObjectURL(await answer.blob());
    }
    controller.abort();
    return answer.url;
  }

  /** Drop what is cached for an asset (deleted, or its thumbnail may have changed). */
  forget(id) {
    const pending = this.thumbnails.get(id);
    this.thumbnails.delete(id);
    pending?.then((url) => url && URL.revokeObjectURL(url)).catch(() => {});
  }
}

/** Fill `img` with the asset's thumbnail once it scrolls near the viewport. */
const observed = new WeakMap();
let observer = null;

export function lazyThumbnail(media, asset, img, onMissing) {
  observed.set(img, { media, asset, onMissing });
  if (!observer) {
    observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          observer.unobserve(entry.target);
          const job = observed.get(entry.target);
          if (job) loadInto(job, entry.target);
        }
      },
      { rootMargin: "300px" },
    );
  }
  observer.observe(img);
}

function loadInto({ media, asset, onMissing }, img) {
  media
    .thumbnail(asset)
    .then((url) => {
      if (url) {
        img.src = url;
        img.dataset.loaded = "true";
      } else {
        onMissing?.();
      }
    })
    .catch(() => onMissing?.());
}
