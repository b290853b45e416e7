// Trove's web page: sign-in, the asset list (table or gallery) with filters and pages, uploads,
// and the dialogs. Everything the user or the API says reaches the DOM as text (see dom.js).

import { Api, ApiError, FILTER_NAMES } from "./api.js";
import { Auth, loadConfig } from "./auth.js";
import { $, busy, clear, fill, h, toast } from "./dom.js";
import { FlowsView } from "./lineage.js";
import { Media } from "./media.js";
import {
  LINK_FIELDS,
  assetForm,
  confirmAction,
  field,
  linkIdField,
  parseTags,
  setUpDialogs,
  showDetails,
} from "./modals.js";
import { UploadQueue } from "./upload.js";
import { renderGallery, renderTable } from "./views.js";

const VIEWS = ["table", "gallery", "flows"];
const PAGE_SIZES = ["12", "24", "50", "100"];
const PENDING_REFRESH_MS = 3000;
const PENDING_REFRESH_LIMIT = 40;

const state = {
  view: "table",
  flow: "", // the flow path the Flows view shows
  filters: {},
  limit: 24,
  cursors: [null], // cursors[n]: the cursor that opens page n (null: the first page)
  page: 0,
  nextCursor: null,
  assets: [],
  loading: 0, // a counter, so only the newest load renders
  pendingRefreshes: 0,
};

let config = null;
let auth = null;
let api = null;
let media = null;
let uploads = null;
let flows = null;
let pendingTimer = 0;

// ---- start ----

async function boot() {
  setUpDialogs();
  try {
    config = await loadConfig();
  } catch (error) {
    showSignIn();
    signInProblem(`The page could not read its configuration (config.json): ${error.message}`);
    $("#signin-submit").disabled = true;
    return;
  }
  auth = new Auth(config);
  readLocation();
  if (auth.signedIn) startApp();
  else showSignIn();
}

// ---- sign-in ----

function signInProblem(message) {
  const box = $("#signin-error");
  box.hidden = !message;
  box.textContent = message || "";
}

function showSignIn(message = "") {
  $("#app").hidden = true;
  $("#signin").hidden = false;
  const fields = clear($("#signin-fields"));
  const hint = $("#signin-hint");
  const mode = config?.auth;
  if (mode === "local" || !config) {
    hint.textContent =
      "Local development: any user name gets a token for that user. Each user sees only their own assets.";
    fields.append(
      field({
        label: "User name",
        name: "user",
        value: "",
        required: true,
        maxlength: "64",
        autocomplete: "username",
        placeholder: "alice",
      }),
    );
  } else if (mode === "cognito") {
    hint.textContent = "Sign in with the e-mail address and password your administrator gave you.";
    fields.append(
      field({ label: "E-mail", name: "email", type: "email", required: true, autocomplete: "username" }),
      field({ label: "Password", name: "password", type: "password", required: true, autocomplete: "current-password" }),
    );
  } else {
    hint.textContent = "";
    message = `This page does not know the sign-in mode "${mode}" named in config.json.`;
    $("#signin-submit").disabled = true;
  }
  signInProblem(message);
  $("#signin-fields input")?.focus();
}

let challenge = null;

// What the sign-in form asks for each Cognito challenge (web/js/auth.js answers it).
const CHALLENGE_FIELDS = {
  NEW_PASSWORD_REQUIRED: {
    hint: "Your password was temporary. Choose a new one to continue.",
    field: { label: "New password", name: "answer", type: "password", required: true, autocomplete: "new-password" },
    missing: "Choose a new password.",
  },
  SOFTWARE_TOKEN_MFA: {
    hint: "Enter the 6-digit code your authenticator app shows for Trove.",
    field: {
      label: "Authentication code",
      name: "answer",
      required: true,
      inputmode: "numeric",
      pattern: "[0-9]{6}",
      maxlength: "6",
      autocomplete: "one-time-code",
    },
    missing: "Enter the 6-digit code from your authenticator app.",
  },
};

function askFor(next, email) {
  challenge = { ...next, email };
  const asked = CHALLENGE_FIELDS[next.name];
  $("#signin-hint").textContent = asked.hint;
  fill($("#signin-fields"), field(asked.field));
  $("#signin-fields input").focus();
}

async function onSignIn(event) {
  event.preventDefault();
  signInProblem("");
  const form = event.currentTarget;
  const values = Object.fromEntries(new FormData(form).entries());
  const button = $("#signin-submit");
  try {
    await busy(button, async () => {
      if (config.auth === "local") {
        const user = String(values.user || "").trim();
        if (!user) throw new Error("Enter a user name.");
        await auth.signInLocal(user);
      } else if (challenge) {
        const answer = String(values.answer || "").trim();
        if (!answer) throw new Error(CHALLENGE_FIELDS[challenge.name].missing);
        const next = await auth.answerChallenge(challenge.email, challenge, answer);
        if (next) askFor(next, challenge.email);
        else challenge = null;
      } else {
        const email = String(values.email || "").trim();
        if (!email || !values.password) throw new Error("Enter your e-mail address and password.");
        const next = await auth.signInCognito(email, values.password);
        if (next) askFor(next, email);
      }
    });
  } catch (error) {
    // A challenge's session is single-use and short-lived: when Cognito refuses it, start over.
    if (challenge && String(error.type || "").includes("NotAuthorized")) {
      challenge = null;
      showSignIn(`${error.message} Sign in again.`);
      return;
    }
    signInProblem(error.message);
    return;
  }
  if (auth.signedIn) {
    challenge = null;
    startApp();
  }
}

function signOut(message = "") {
  if (!auth.signedIn && $("#app").hidden) return; // already out (several calls answered 401 at once)
  auth.signOut();
  window.clearTimeout(pendingTimer);
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  clear($("#upload-list"));
  clear($("#results"));
  state.assets = [];
  flows?.detach();
  flows = null;
  showSignIn(message);
}

// ---- the app ----

function startApp() {
  api = new Api(config, auth, () => signOut("Your session has ended. Sign in again."));
  media = new Media(api);
  uploads = new UploadQueue(api, media, $("#upload-list"), scheduleReload, (asset) => handlers.open(asset));
  flows = new FlowsView(api, {
    root: $("#flows"),
    openAsset: (asset) => handlers.open(asset),
    onPath: (path) => {
      state.flow = path;
      writeLocation();
    },
  });
  $("#signin").hidden = true;
  $("#app").hidden = false;
  $("#user-name").textContent = auth.userName;
  buildFilterFields();
  buildUploadLinkFields();
  applyView();
  reload();
}

let built = false;
function buildFilterFields() {
  if (built) return;
  built = true;
  const container = $("#filter-fields");
  for (const [name, label] of LINK_FIELDS) {
    const wrapper = linkIdField(name, label, state.filters[name], { placeholder: "any", list: `dl-${name}` });
    wrapper.append(h("datalist", { id: `dl-${name}` }));
    container.append(wrapper);
  }
  const typeId = "filter-type";
  const select = h(
    "select",
    { id: typeId, name: "asset_type" },
    h("option", { value: "" }, "All types"),
    h("option", { value: "image" }, "Images"),
    h("option", { value: "video" }, "Videos"),
    h("option", { value: "audio" }, "Audio"),
    h("option", { value: "document" }, "PDFs"),
  );
  select.value = state.filters.asset_type || "";
  select.addEventListener("change", () => $("#filters").requestSubmit());
  container.append(
    h("div", { class: "field" }, h("label", { for: typeId }, "Type"), select),
    field({ label: "Tag", name: "tag", value: state.filters.tag, placeholder: "any", maxlength: "64" }),
  );
  $("#page-size").value = PAGE_SIZES.includes(String(state.limit)) ? String(state.limit) : "24";
}

function buildUploadLinkFields() {
  const container = $("#upload-link-fields");
  if (container.childElementCount) return;
  for (const [name, label] of LINK_FIELDS) container.append(linkIdField(`upload-${name}`, label, ""));
  container.append(field({ label: "Tags", name: "upload-tags", hint: "Separated by commas." }));
}

function uploadLinks() {
  const links = {};
  for (const [name] of LINK_FIELDS) {
    const value = $(`#upload-link-fields [name="upload-${name}"]`).value.trim();
    if (value) links[name] = value;
  }
  const tags = parseTags($('#upload-link-fields [name="upload-tags"]').value);
  if (tags.length) links.tags = tags;
  return links;
}

function readFilters() {
  const data = new FormData($("#filters"));
  const filters = {};
  for (const name of FILTER_NAMES) {
    const value = String(data.get(name) || "").trim();
    if (value) filters[name] = value;
  }
  return filters;
}

// ---- the address bar keeps the view, the filters and the page size ----

function readLocation() {
  const params = new URLSearchParams(location.search);
  state.view = VIEWS.includes(params.get("view")) ? params.get("view") : "table";
  state.filters = {};
  for (const name of FILTER_NAMES) if (params.get(name)) state.filters[name] = params.get(name);
  state.flow = params.get("flow") || "";
  const limit = params.get("limit");
  if (PAGE_SIZES.includes(limit)) state.limit = Number(limit);
}

function writeLocation() {
  const params = new URLSearchParams();
  if (state.view !== "table") params.set("view", state.view);
  if (state.view === "flows" && state.flow) params.set("flow", state.flow);
  for (const [name, value] of Object.entries(state.filters)) params.set(name, value);
  if (state.limit !== 24) params.set("limit", String(state.limit));
  const search = params.toString();
  history.replaceState(null, "", `${location.pathname}${search ? `?${search}` : ""}`);
}

// ---- loading and showing a page of assets ----

function showState(kind, children) {
  const region = clear($("#status-region"));
  region.dataset.state = kind;
  if (children) region.append(children);
}

async function reload() {
  const ticket = (state.loading += 1);
  const results = $("#results");
  results.setAttribute("aria-busy", "true");
  results.classList.add("is-loading");
  if (!state.assets.length) {
    clear(results);
    showState("loading", h("div", { class: "loading" }, h("span", { class: "spinner", "aria-hidden": "true" }), "Loading assets…"));
  }
  updatePager(true);
  try {
    const page = await api.listAssets(state.filters, { limit: state.limit, cursor: state.cursors[state.page] });
    if (ticket !== state.loading) return;
    if (page.items.length === 0 && state.page > 0) {
      // The page emptied (its assets were deleted): step back.
      state.page -= 1;
      state.cursors.length = state.page + 1;
      return reload();
    }
    state.assets = page.items;
    state.nextCursor = page.nextCursor;
    render();
  } catch (error) {
    if (ticket !== state.loading) return;
    if (error instanceof ApiError && error.status === 401) return;
    state.assets = [];
    clear(results);
    showState(
      "error",
      h(
        "div",
        { class: "state-card state-error", role: "alert" },
        h("strong", {}, "The assets could not be loaded."),
        h("p", { class: "error-detail" }, error instanceof ApiError ? error.detail : error.message),
        h("button", { type: "button", class: "btn", on: { click: reload } }, "Try again"),
      ),
    );
  } finally {
    if (ticket === state.loading) {
      results.removeAttribute("aria-busy");
      results.classList.remove("is-loading");
      updatePager(false);
    }
  }
}

let reloadTimer = 0;
function scheduleReload() {
  window.clearTimeout(reloadTimer);
  reloadTimer = window.setTimeout(reload, 250);
}

const handlers = {
  open: (asset) => showDetails(asset, { api, media, handlers }),
  edit: editAsset,
  remove: deleteAsset,
  openFile,
  showFlow,
};

function render() {
  const results = $("#results");
  const hadFocus = results.contains(document.activeElement) ? focusKey(document.activeElement) : null;
  clear(results);
  if (state.assets.length === 0) {
    const filtered = Object.keys(state.filters).length > 0;
    showState(
      "empty",
      h(
        "div",
        { class: "state-card state-empty" },
        h("span", { class: "empty-mark", "aria-hidden": "true" }),
        h("strong", {}, filtered ? "No assets match these filters." : "No assets yet."),
        h(
          "p",
          { class: "muted" },
          filtered ? "Try other filters, or clear them." : "Upload files — drop them anywhere on the page — or add a link.",
        ),
        filtered
          ? h("button", { type: "button", class: "btn", on: { click: clearFilters } }, "Clear filters")
          : h("button", { type: "button", class: "btn btn-primary", on: { click: () => $("#file-input").click() } }, "Upload files"),
      ),
    );
  } else {
    showState("ready", null);
    results.append(state.view === "gallery" ? renderGallery(state.assets, handlers, media) : renderTable(state.assets, handlers, media));
  }
  updateSuggestions();
  if (hadFocus) restoreFocus(hadFocus);
  schedulePendingRefresh();
}

function focusKey(element) {
  const holder = element.closest("[data-asset-id]");
  return holder ? { id: holder.dataset.assetId, label: element.getAttribute("aria-label") || element.textContent } : null;
}

function restoreFocus(key) {
  for (const element of document.querySelectorAll(`#results [data-asset-id="${CSS.escape(key.id)}"] button, #results [data-asset-id="${CSS.escape(key.id)}"] a`)) {
    if ((element.getAttribute("aria-label") || element.textContent) === key.label) return element.focus();
  }
  return null;
}

/** Assets still processing (uploaded elsewhere, or before a reload) update themselves for a while. */
function schedulePendingRefresh() {
  window.clearTimeout(pendingTimer);
  const pending = state.assets.some((asset) => asset.status === "pending");
  if (!pending) {
    state.pendingRefreshes = 0;
    return;
  }
  if (state.pendingRefreshes >= PENDING_REFRESH_LIMIT) return;
  pendingTimer = window.setTimeout(() => {
    state.pendingRefreshes += 1;
    if (!document.querySelector("dialog[open]")) reload();
    else schedulePendingRefresh();
  }, PENDING_REFRESH_MS);
}

function updateSuggestions() {
  for (const [name] of LINK_FIELDS) {
    const list = document.getElementById(`dl-${name}`);
    if (!list) continue;
    const known = new Set([...list.options].map((option) => option.value));
    for (const asset of state.assets) {
      if (asset[name] && !known.has(asset[name])) {
        known.add(asset[name]);
        list.append(h("option", { value: asset[name] }));
      }
    }
  }
}

function updatePager(loading) {
  $("#prev-page").disabled = loading || state.page === 0;
  $("#next-page").disabled = loading || !state.nextCursor;
  $("#page-label").textContent = `Page ${state.page + 1}`;
}

function applyView() {
  for (const button of document.querySelectorAll(".view-switch [data-view]")) {
    button.setAttribute("aria-pressed", String(button.dataset.view === state.view));
  }
  document.body.dataset.view = state.view;
  if (state.view === "flows") flows?.show(state.flow);
}

/** From a usage in the drawer to its flow's graph: the drawer closes, the Flows view draws the flow. */
async function showFlow(path) {
  state.view = "flows";
  state.flow = path;
  applyView();
  writeLocation();
  const drawer = $("#details");
  if (drawer.open) {
    // After the drawer's own close handler (which gives the focus back to a now hidden opener).
    drawer.addEventListener("close", () => $("#flow-path").focus(), { once: true });
    drawer.close();
  } else {
    $("#flow-path").focus();
  }
}

function resetPages() {
  state.page = 0;
  state.cursors = [null];
  state.nextCursor = null;
}

function clearFilters() {
  $("#filters").reset();
  for (const input of document.querySelectorAll("#filters input, #filters select")) input.value = "";
  state.filters = {};
  resetPages();
  writeLocation();
  reload();
}

// ---- actions ----

async function addLink() {
  const saved = await assetForm(api);
  if (saved) {
    toast(`Added “${saved.name}”.`, "success");
    resetPages();
    reload();
  }
}

async function editAsset(asset) {
  const saved = await assetForm(api, asset);
  if (saved && saved !== asset) {
    toast(`Saved “${saved.name}”.`, "success");
    media.forget(saved.id);
    reload();
    if (state.view === "flows") flows?.refresh();
    if ($("#details").open) showDetails(saved, { api, media, handlers });
  }
}

async function deleteAsset(asset) {
  const done = await confirmAction({
    title: `Delete “${asset.name}”?`,
    text:
      asset.type === "link"
        ? "The link is removed from Trove. This cannot be undone."
        : "The file, its thumbnail and its record are deleted. This cannot be undone.",
    action: () => api.remove(asset.id),
  });
  if (!done) return;
  media.forget(asset.id);
  if ($("#details").open) $("#details").close();
  toast(`Deleted “${asset.name}”.`, "success");
  reload();
  if (state.view === "flows") flows?.refresh();
}

async function openFile(asset) {
  try {
    const url = await media.fileUrl(asset);
    const link = h("a", { href: url, target: "_blank", rel: "noopener noreferrer" });
    link.click();
  } catch (error) {
    toast(error instanceof ApiError ? error.detail : error.message, "error");
  }
}

// ---- drag and drop ----

let dragDepth = 0;

function carriesFiles(event) {
  return [...(event.dataTransfer?.types || [])].includes("Files");
}

function setUpDrop() {
  const overlay = $("#drop-overlay");
  const canDrop = () => !$("#app").hidden && !document.querySelector("dialog[open]");
  window.addEventListener("dragenter", (event) => {
    if (!carriesFiles(event) || !canDrop()) return;
    dragDepth += 1;
    overlay.hidden = false;
  });
  window.addEventListener("dragleave", (event) => {
    if (!carriesFiles(event)) return;
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) overlay.hidden = true;
  });
  window.addEventListener("dragover", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault(); // allows the drop
    event.dataTransfer.dropEffect = canDrop() ? "copy" : "none";
  });
  window.addEventListener("drop", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault(); // never navigate to the dropped file
    dragDepth = 0;
    overlay.hidden = true;
    if (!canDrop()) return;
    const files = [...event.dataTransfer.files];
    if (files.length) uploads.add(files, uploadLinks());
  });
}

// ---- wiring ----

function wire() {
  $("#signin-form").addEventListener("submit", onSignIn);
  $("#sign-out").addEventListener("click", () => signOut());
  $("#add-link").addEventListener("click", addLink);
  const input = $("#file-input");
  $("#choose-files").addEventListener("click", () => input.click());
  const dropzone = $("#dropzone");
  dropzone.addEventListener("click", () => input.click());
  dropzone.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      input.click();
    }
  });
  input.addEventListener("change", () => {
    const files = [...input.files];
    input.value = "";
    if (files.length) uploads.add(files, uploadLinks());
  });
  $("#clear-uploads").addEventListener("click", () => uploads.clearFinished());
  for (const button of document.querySelectorAll(".view-switch [data-view]")) {
    button.addEventListener("click", () => {
      state.view = button.dataset.view;
      applyView();
      writeLocation();
      if (state.view !== "flows") render();
    });
  }
  $("#filters").addEventListener("submit", (event) => {
    event.preventDefault();
    state.filters = readFilters();
    resetPages();
    writeLocation();
    reload();
  });
  $("#clear-filters").addEventListener("click", clearFilters);
  $("#prev-page").addEventListener("click", () => {
    if (state.page === 0) return;
    state.page -= 1;
    reload();
  });
  $("#next-page").addEventListener("click", () => {
    if (!state.nextCursor) return;
    state.cursors[state.page + 1] = state.nextCursor;
    state.page += 1;
    reload();
  });
  $("#page-size").addEventListener("change", (event) => {
    state.limit = Number(event.target.value);
    resetPages();
    writeLocation();
    reload();
  });
  setUpDrop();
}

wire();
boot();
