// Plain formatting of asset fields for people.

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined || Number.isNaN(Number(bytes))) return "—";
  const value = Number(bytes);
  if (value < 1024) return `${value} B`;
  const units = ["KB", "MB", "GB"];
  let scaled = value / 1024;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${scaled.toFixed(scaled < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatDate(iso) {
  if (!iso) return "—";
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? String(iso) : dateFormat.format(moment);
}

/** The day only, for the table; formatDate gives the full moment (shown as the cell's title). */
export function formatDay(iso) {
  if (!iso) return "—";
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? String(iso) : dayFormat.format(moment);
}

export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return null;
  const total = Math.round(Number(seconds));
  const minutes = Math.floor(total / 60);
  const rest = String(total % 60).padStart(2, "0");
  return `${minutes}:${rest}`;
}

export const TYPE_LABELS = {
  image: "Image",
  video: "Video",
  audio: "Audio",
  document: "PDF",
  link: "Link",
};

export const STATUS_LABELS = {
  pending: "Processing",
  ready: "Ready",
  rejected: "Rejected",
  failed: "Failed",
};

/** A one-line summary of what processing found: 640×480 · 0:02 · 3 pages. */
export function mediaSummary(asset) {
  const parts = [];
  if (asset.width && asset.height) parts.push(`${asset.width}×${asset.height}`);
  const duration = formatDuration(asset.duration);
  if (duration) parts.push(duration);
  if (asset.pageCount) parts.push(`${asset.pageCount} page${asset.pageCount === 1 ? "" : "s"}`);
  return parts.join(" · ");
}

/** Standard base64 -> bytes (throws on anything else). */
export function base64Bytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}
