// Placeholders: an asset's `placeholder` (a ThumbHash, base64) painted into a <canvas> while its
// picture loads. The canvas has the asset's aspect ratio (its width × height, else the ThumbHash's
// own), so with the CSS that sizes the picture (object-fit) it covers exactly what the picture will.

import { thumbHashToRGBA } from "../vendor/thumbhash/thumbhash.js";
import { h } from "./dom.js";
import { base64Bytes } from "./format.js";

// The canvas's longer side: the decoded ThumbHash is at most 32 px, so more would only add blur.
const LONG_SIDE = 64;

/** The canvas's size for an aspect ratio (width / height). */
function sizeFor(aspect) {
  return aspect >= 1
    ? { width: LONG_SIDE, height: Math.max(1, Math.round(LONG_SIDE / aspect)) }
    : { width: Math.max(1, Math.round(LONG_SIDE * aspect)), height: LONG_SIDE };
}

/**
 * A <canvas class="placeholder"> showing the asset's ThumbHash, or null when it has none (or it does
 * not decode: a placeholder is never worth an error).
 */
export function placeholderCanvas(asset) {
  if (!asset.placeholder) return null;
  let decoded;
  try {
    decoded = thumbHashToRGBA(base64Bytes(asset.placeholder));
  } catch {
    return null;
  }
  const aspect = asset.width > 0 && asset.height > 0 ? asset.width / asset.height : decoded.w / decoded.h;
  const { width, height } = sizeFor(aspect);
  const canvas = h("canvas", { class: "placeholder", width, height, "aria-hidden": "true" });
  const source = h("canvas", { width: decoded.w, height: decoded.h });
  source.getContext("2d").putImageData(new ImageData(new Uint8ClampedArray(decoded.rgba.buffer), decoded.w, decoded.h), 0, 0);
  const context = canvas.getContext("2d");
  context.imageSmoothingQuality = "high";
  context.drawImage(source, 0, 0, width, height);
  return canvas;
}

/** Show `canvas` until `img` has loaded (or failed: then the type's glyph is a better sign). */
export function untilLoaded(img, canvas) {
  if (!canvas) return;
  const done = () => canvas.remove();
  if (img.complete && img.naturalWidth > 0) return done();
  img.addEventListener("load", done, { once: true });
  img.addEventListener("error", done, { once: true });
}
