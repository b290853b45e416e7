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
//
// Renditions (pictures at the width and in the format the page needs) need no token at all:
// `GET /api/v2/assets/{id}/rendition-links` answers signed URLs at every allowed width, which go
// straight into `srcset`. They stay the same for a validity window, so the browser (and CloudFront)
// cache them; an asset without renditions (audio, links, not ready) keeps the thumbnail above.

import { ApiError } from "./api.js";
import { h } from "./dom.js";
import { base64Bytes } from "./format.js";

const THUMBNAIL_CONCURRENCY = 4;
// Links are asked for again this long before they expire, so a srcset never names a dead URL.
const LINKS_MARGIN_MS = 60 * 1000;
// 1×1 pictures, each decoded once to learn whether this browser shows the format (what a <picture>
// <source type> decides too): the page then asks for renditions in the first one it shows.
const FORMAT_PROBES = {
  avif:
    "AAAAIGZ0eXBhdmlmAAAAAGF2aWZtaWYxbWlhZk1BMUIAAADrbWV0YQAAAAAAAAAhaGRscgAAAAAAAAAAcGljdAAAAAAAAAAAAAAAAAAAAAAOcGl0bQAAAAAAAQAAAB5pbG9jAAAAAEQAAAEAAQAAAAEAAAETAAAAKgAAAChpaW5mAAAAAAABAAAAGmluZmUCAAAAAAEAAGF2MDFDb2xvcgAAAABqaXBycAAAAEtpcGNvAAAAFGlzcGUAAAAAAAAAAQAAAAEAAAAQcGl4aQAAAAADCAgIAAAADGF2MUOBAAwAAAAAE2NvbHJuY2x4AAEADQAGgAAAABdpcG1hAAAAAAAAAAEAAQQBAoMEAAAAMm1kYXQSAAoIGAAGiAhoNCAyHBTHh4ZlAgggnlAAAABIWtlc1jBrdk5H94UQbIA=",
  webp: "UklGRjwAAABXRUJQVlA4IDAAAADQAQCdASoBAAEAAUAmJaACdLoB+AADsAD+9hNf/izkYjs83/4E78Cd+BO/8AAAAAA=",
};
const CONTENT_TYPES = { avif: "image/avif", webp: "image/webp", jpeg: "image/jpeg", png: "image/png" };

let preferredFormat = null;

/** avif, webp or jpeg: the first this browser decodes. */
export function renditionFormat() {
  preferredFormat ??= (async () => {
    for (const [format, probe] of Object.entries(FORMAT_PROBES)) {
      try {
        (await createImageBitmap(new Blob([base64Bytes(probe)], { type: CONTENT_TYPES[format] }))).close();
        return format;
      } catch {
        /* not this one */
      }
    }
    return "jpeg";
  })();
  return preferredFormat;
}

export class Media {
  constructor(api) {
    this.api = api;
    this.thumbnails = new Map(); // asset id -> Promise<blob URL | null>
    this.links = new Map(); // asset id -> Promise<rendition links | null>
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

  /** The asset's signed rendition links ({format, fit, expiresAt, sources: [{width, url}]}, narrowest
   * first), or null when it has none: then its thumbnail is what there is to show. */
  renditionLinks(asset) {
    if (!Media.hasThumbnail(asset)) return Promise.resolve(null);
    const cached = this.links.get(asset.id);
    if (cached && !cached.stale) return cached.pending;
    const entry = { stale: false, pending: null };
    entry.pending = this.#limited(() => this.#loadLinks(asset.id)).then(
      (links) => {
        if (links) {
          const life = Date.parse(links.expiresAt) - Date.now() - LINKS_MARGIN_MS;
          window.setTimeout(() => (entry.stale = true), Math.max(0, life));
        }
        return links;
      },
      (error) => {
        entry.stale = true; // a transient failure may succeed next time
        throw error;
      },
    );
    this.links.set(asset.id, entry);
    return entry.pending;
  }

  async #loadLinks(id) {
    try {
      const format = await renditionFormat();
      const links = await this.api.renditionLinks(id, format);
      return links.sources?.length ? links : null;
    } catch (error) {
      // 409: nothing to render (audio, a link, not ready); 404: gone; 503: not set up here.
      if (error instanceof ApiError && [404, 409, 503].includes(error.status)) return null;
      throw error;
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
    this.links.delete(id);
    pending?.then((url) => url && URL.revokeObjectURL(url)).catch(() => {});
  }
}

/** The CSS width a picture of `asset` shows at in a box of that size: `cover` fills the box (the
 * overflow cropped), `contain` fits in it. Unknown proportions: the box's width. */
export function displayedWidth(boxWidth, boxHeight, asset, fit) {
  const aspect = asset.width > 0 && asset.height > 0 ? asset.width / asset.height : 0;
  if (!aspect || !boxHeight) return boxWidth;
  return fit === "cover" ? Math.max(boxWidth, boxHeight * aspect) : Math.min(boxWidth, boxHeight * aspect);
}

/** The narrowest rendition at least `width` CSS px wide on this screen (else the widest). */
function renditionFor(links, width) {
  const needed = width * (window.devicePixelRatio || 1);
  return (links.sources.find((source) => source.width >= needed) || links.sources.at(-1)).url;
}

/**
 * Show `links` in `img`: it moves into a <picture> (in its place, when it has one) whose <source> is
 * typed, so a browser that cannot show the format skips it, and `sizes` says the width it shows at
 * (CSS px). Returns a function that undoes it, for falling back to the thumbnail.
 */
export function showRenditions(img, links, width) {
  const sizes = `${Math.max(1, Math.ceil(width))}px`;
  const source = h("source", { type: CONTENT_TYPES[links.format], srcset: links.sources, sizes });
  const picture = h("picture", {}, source);
  img.replaceWith(picture);
  picture.append(img); // in its <picture> before it names a URL, so it asks for one picture only
  img.sizes = sizes;
  img.srcset = source.srcset;
  img.src = renditionFor(links, width); // for a browser without srcset; ignored by the others
  img.dataset.rendition = links.format;
  return () => {
    picture.replaceWith(img);
    img.removeAttribute("src");
    img.removeAttribute("srcset");
    img.removeAttribute("sizes");
    delete img.dataset.rendition;
  };
}

/** Fill `img` with the asset's picture once it scrolls near the viewport: its renditions when it has
 * some, sized to how `img` shows them (`fit`: cover or contain in its box), else its thumbnail. */
const observed = new WeakMap();
let observer = null;

export function lazyPicture(media, asset, img, { fit = "cover", onMissing } = {}) {
  observed.set(img, { media, asset, fit, onMissing });
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

function loadInto({ media, asset, fit, onMissing }, img) {
  const thumbnail = () =>
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
  media.renditionLinks(asset).then(
    (links) => {
      if (!img.isConnected) return null; // the list was drawn again meanwhile: nothing to load here
      if (!links) return thumbnail();
      const box = img.getBoundingClientRect();
      const undo = showRenditions(img, links, displayedWidth(box.width, box.height, asset, fit));
      img.addEventListener(
        "error",
        () => {
          undo(); // e.g. over the render budget (503): the thumbnail is still something
          thumbnail();
        },
        { once: true },
      );
      img.dataset.loaded = "true";
      return null;
    },
    () => thumbnail(),
  );
}
