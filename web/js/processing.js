// The "Processing" section of the details drawer: what the processor did with an asset, attempt by
// attempt (GET /api/v2/assets/{id}/processing) — so an owner can see why a file was rejected or
// failed, and how long it took. Everything from the record reaches the page as text (dom.js).

import { ApiError } from "./api.js";
import { h } from "./dom.js";
import { formatBytes, formatDate } from "./format.js";

const OUTCOME_LABELS = {
  ready: "Ready",
  rejected: "Rejected",
  failed: "Failed",
  kept: "Kept (bytes unchanged)",
  skipped: "Skipped",
  retried: "Will be retried",
  ok: "OK",
  error: "Error",
};

const STEP_LABELS = {
  sniff: "Sniff (what the bytes are)",
  inspect: "Inspect",
  thumbnail: "Thumbnail",
  hash: "SHA-256",
  settle: "Settle (save the record)",
};

/** 1234 -> "1.2 s", 87 -> "87 ms". */
export function formatMs(ms) {
  if (ms === null || ms === undefined) return "—";
  const value = Number(ms);
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(1)} s`;
  return `${Math.floor(value / 60_000)} min ${Math.round((value % 60_000) / 1000)} s`;
}

function count(value) {
  return value === null || value === undefined ? "—" : String(value);
}

function outcomeBadge(outcome) {
  return h("span", { class: `badge outcome outcome-${outcome}` }, OUTCOME_LABELS[outcome] || outcome);
}

/** The attempt's steps; a step's error is shown unless it is the attempt's own, shown above. */
function stepsTable(steps, attemptError) {
  return h(
    "table",
    { class: "steps-table" },
    h("caption", { class: "visually-hidden" }, "Steps of this attempt"),
    h(
      "thead",
      {},
      h("tr", {}, ["Step", "Took", "Read", "GETs", "Outcome"].map((name) => h("th", { scope: "col" }, name))),
    ),
    h(
      "tbody",
      {},
      steps.map((step) =>
        h(
          "tr",
          { dataset: { step: step.name, outcome: step.outcome } },
          h("th", { scope: "row", title: step.startedAt ? formatDate(step.startedAt) : null }, STEP_LABELS[step.name] || step.name),
          h("td", { class: "num" }, formatMs(step.durationMs)),
          h("td", { class: "num" }, step.bytesRead === null || step.bytesRead === undefined ? "—" : formatBytes(step.bytesRead)),
          h("td", { class: "num" }, count(step.gets)),
          h(
            "td",
            {},
            outcomeBadge(step.outcome),
            step.error && step.error !== attemptError ? h("div", { class: "reason small break" }, step.error) : null,
          ),
        ),
      ),
    ),
  );
}

function attemptCard(attempt) {
  const facts = [
    `took ${formatMs(attempt.durationMs)}`,
    attempt.startedAt ? `started ${formatDate(attempt.startedAt)}` : null,
    attempt.peakMemoryBytes ? `peak memory ${formatBytes(attempt.peakMemoryBytes)}` : null,
  ].filter(Boolean);
  return h(
    "li",
    { class: "attempt", dataset: { attempt: String(attempt.attempt), outcome: attempt.outcome } },
    h(
      "div",
      { class: "attempt-head" },
      h("strong", {}, `Attempt ${attempt.attempt}`),
      outcomeBadge(attempt.outcome),
      h("span", { class: "muted small" }, facts.join(" · ")),
    ),
    attempt.error ? h("p", { class: "reason attempt-error break" }, attempt.error) : null,
    attempt.steps?.length ? stepsTable(attempt.steps, attempt.error) : h("p", { class: "muted small" }, "No steps recorded."),
    h(
      "p",
      { class: "muted small" },
      "Correlation id ",
      h("span", { class: "mono break correlation-id", title: "The id the processing logs carry" }, attempt.correlationId || "—"),
    ),
  );
}

/** Fill the drawer's `section` with the asset's processing record, newest attempt first. */
export async function fillProcessing(section, asset, { api }) {
  const status = h("p", { class: "muted small" }, "Loading the processing record…");
  section.append(h("h3", { id: "processing-title", class: "h3" }, "Processing"), status);
  if (asset.type === "link") {
    status.textContent = "A link has no file to process.";
    return;
  }
  let record;
  try {
    record = await api.processing(asset.id);
  } catch (error) {
    status.textContent =
      error instanceof ApiError && error.status === 404
        ? "No processing record is available for this asset."
        : `The processing record could not be loaded: ${error instanceof ApiError ? error.detail : error.message}`;
    return;
  }
  const attempts = [...(record?.attempts || [])].sort((a, b) => b.attempt - a.attempt);
  if (attempts.length === 0) {
    status.textContent = asset.status === "pending" ? "Not processed yet." : "Nothing was recorded.";
    return;
  }
  const last = attempts[0];
  status.textContent = `${attempts.length} ${attempts.length === 1 ? "attempt" : "attempts"}; the last one: ${
    OUTCOME_LABELS[last.outcome] || last.outcome
  } in ${formatMs(last.durationMs)}.`;
  section.append(h("ol", { class: "attempt-list" }, attempts.map(attemptCard)));
}
