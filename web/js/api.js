// The Trove API (/api/v2), with the bearer token on every call and the server's `detail` kept.

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
    this.detail = detail;
  }
}

/** `{"detail": "..."}` (Trove), `{"message": "..."}` (API Gateway), or a list of problems. */
export async function errorFrom(answer) {
  let detail = "";
  try {
    const body = await answer.clone().json();
    const raw = body?.detail ?? body?.message;
    if (Array.isArray(raw)) {
      detail = raw.map((item) => (typeof item === "string" ? item : item?.msg || JSON.stringify(item))).join("; ");
    } else if (raw !== undefined && raw !== null) {
      detail = typeof raw === "string" ? raw : JSON.stringify(raw);
    }
  } catch {
    /* not JSON */
  }
  if (!detail) detail = `${answer.status} ${answer.statusText || "error"}`.trim();
  return new ApiError(answer.status, detail);
}

export const FILTER_NAMES = ["clientId", "campaignId", "projectId", "todoId", "asset_type", "tag"];

export class Api {
  /** `auth` gives the token; `onUnauthorized` is told when the API refuses it (401). */
  constructor(config, auth, onUnauthorized) {
    this.base = config.apiBase;
    this.auth = auth;
    this.onUnauthorized = onUnauthorized;
  }

  url(path, query = {}) {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== "") search.set(name, String(value));
    }
    const qs = search.toString();
    return `${this.base}${path}${qs ? `?${qs}` : ""}`;
  }

  async #headers(extra = {}) {
    const token = await this.auth.token();
    if (!token) {
      this.onUnauthorized?.();
      throw new ApiError(401, "You are signed out. Sign in again.");
    }
    return { Authorization: `Bearer ${token}`, ...extra };
  }

  /** fetch() with the token; a non-2xx answer (other than a followed redirect) throws ApiError. */
  async fetch(path, { method = "GET", query, body, headers = {}, signal } = {}) {
    const init = { method, headers: await this.#headers(headers), signal };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
    const answer = await fetch(this.url(path, query), init);
    if (answer.status === 401) {
      this.onUnauthorized?.();
      throw await errorFrom(answer);
    }
    if (!answer.ok) throw await errorFrom(answer);
    return answer;
  }

  async json(path, options = {}) {
    const answer = await this.fetch(path, { ...options, headers: { Accept: "application/json", ...options.headers } });
    return answer.status === 204 ? null : answer.json();
  }

  /** One page of the caller's assets: {items, nextCursor}. */
  async listAssets(filters = {}, { limit = 24, cursor = null } = {}) {
    const query = { limit, cursor };
    for (const name of FILTER_NAMES) query[name] = filters[name];
    const answer = await this.fetch("/api/v2/assets", { query, headers: { Accept: "application/json" } });
    return { items: await answer.json(), nextCursor: answer.headers.get("X-Next-Cursor") };
  }

  record(id, options = {}) {
    return this.json(`/api/v2/assets/${encodeURIComponent(id)}`, options);
  }

  startUpload(declaration) {
    return this.json("/api/v2/uploads", { method: "POST", body: declaration });
  }

  /** Which of these files ({name, size, sha256}) the user already has: {files: [{..., duplicateOf}]}. */
  checkUploads(files) {
    return this.json("/api/v2/uploads/check", { method: "POST", body: { files } });
  }

  /** What processing did with an asset: {assetId, status, attempts: [{steps, ...}]}. */
  processing(id) {
    return this.json(`/api/v2/assets/${encodeURIComponent(id)}/processing`);
  }

  /** Signed, token-free URLs of an asset's renditions in `format`: {format, fit, expiresAt, sources}. */
  renditionLinks(id, format) {
    return this.json(`/api/v2/assets/${encodeURIComponent(id)}/rendition-links`, { query: { format } });
  }

  createLink(body) {
    return this.json("/api/v2/assets", { method: "POST", body });
  }

  patch(id, changes) {
    return this.json(`/api/v2/assets/${encodeURIComponent(id)}`, { method: "PATCH", body: changes });
  }

  remove(id) {
    return this.json(`/api/v2/assets/${encodeURIComponent(id)}`, { method: "DELETE" });
  }

  usages(id) {
    return this.json(`/api/v2/assets/${encodeURIComponent(id)}/usages`);
  }

  /** A person's choice for a usage whose mode code could not tell: read, write or read-write. */
  setUsageMode(usageId, mode) {
    return this.json(`/api/v2/usages/${encodeURIComponent(usageId)}`, { method: "PATCH", body: { mode } });
  }

  /** A flow's steps and the assets they read and write: {nodes, edges}. */
  flowGraph(path) {
    return this.json("/api/v2/flows/graph", { query: { path } });
  }
}
