// The Vigil workbench: findings of the latest run with their evidence, and a rule editor with live
// checking. Everything it shows comes from `vigil serve`'s JSON API, which checks every input; text
// from the portfolio or the rules is only ever put in the page as text (textContent), never as HTML.
"use strict";

const SEVERITIES = ["critical", "high", "medium", "low", "info"];
const state = { findings: [], run: null, ruleFiles: [], checkTimer: null, checkSequence: 0, selected: null, entity: null };

// ---- talking to the server -------------------------------------------------------------------

// The session is a cookie set by the login form; X-Vigil-Request tells the server that this page,
// not another site, sent a write.
async function api(method, path, body) {
  const options = { method, headers: { "X-Vigil-Request": "1" }, credentials: "same-origin" };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  if (response.status === 401) {
    window.location.assign("/");  // the login form
    throw new Error("signed out");
  }
  const data = await response.json();
  return { status: response.status, data };
}

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

// ---- views -------------------------------------------------------------------------------------

const VIEWS = ["findings", "vendor", "runs", "waivers", "editor"];

// #findings, #runs, #waivers, #editor, #vendor/ID
function showView() {
  const [asked, ...rest] = window.location.hash.slice(1).split("/");
  const view = VIEWS.includes(asked) ? asked : "findings";
  for (const name of VIEWS) document.getElementById(name).hidden = name !== view;
  if (view === "waivers") loadWaivers();
  if (view === "runs") loadRuns();
  if (view === "vendor") loadEntity(decodeURIComponent(rest.join("/")));
  for (const name of VIEWS) {
    const link = document.getElementById("nav-" + name);
    if (!link) continue;
    if (name === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

// ---- findings ----------------------------------------------------------------------------------

async function loadFindings() {
  const { data } = await api("GET", "/v1/findings");
  state.run = data.run;
  state.findings = data.findings;
  const summary = document.getElementById("run-summary");
  if (!data.run) {
    summary.textContent = "No run is stored yet: run `vigil run --db ...` or POST /v1/run with \"store\": true.";
    return;
  }
  const open = data.findings.filter((f) => f.status === "open").length;
  summary.textContent = `Run ${data.run.id}, as of ${data.run.as_of}: ${open} open findings, ` +
    `${data.findings.length - open} accepted.`;
  fillFilter("filter-severity", SEVERITIES.filter((s) => data.findings.some((f) => f.severity === s)));
  fillFilter("filter-rule", unique(data.findings.map((f) => f.rule)));
  fillFilter("filter-tag", unique(data.findings.flatMap((f) => f.tags)));
  fillFilter("filter-owner", unique(data.findings.map((f) => f.owner).filter((o) => o)));
  renderFindings();
}

function unique(values) { return [...new Set(values)].sort(); }

function fillFilter(id, values) {
  const select = document.getElementById(id);
  for (const value of values) select.append(element("option", { value }, value));
}

function matchesFilters(f) {
  const value = (id) => document.getElementById(id).value;
  const search = value("filter-search").trim().toLowerCase();
  const name = entityName(f).toLowerCase();
  return (!value("filter-severity") || f.severity === value("filter-severity")) &&
    (!value("filter-rule") || f.rule === value("filter-rule")) &&
    (!value("filter-tag") || f.tags.includes(value("filter-tag"))) &&
    (!value("filter-owner") || f.owner === value("filter-owner")) &&
    (!value("filter-status") || f.status === value("filter-status")) &&
    (!search || (f.entity || "portfolio").toLowerCase().includes(search) || name.includes(search));
}

// The entity's name, when the rule read it.
function entityName(f) {
  const facts = (f.evidence.facts || {})[f.entity] || {};
  return typeof facts.name === "string" ? facts.name : "";
}

function renderFindings() {
  const body = document.querySelector("#finding-table tbody");
  body.replaceChildren();
  const shown = state.findings.filter(matchesFilters);
  document.getElementById("finding-count").textContent = `${shown.length} of ${state.findings.length} findings shown`;
  for (const f of shown) {
    const index = state.findings.indexOf(f);
    const label = f.entity === null ? "portfolio" : f.entity + (entityName(f) ? ` (${entityName(f)})` : "");
    body.append(element("tr", { "data-index": index },
      element("td", { class: "severity " + f.severity }, f.severity),
      element("td", {}, f.rule),
      element("td", {}, element("button", { type: "button", class: "link open-finding", onclick: () => openFinding(index) }, label)),
      element("td", {}, f.message),
      element("td", {}, f.owner || ""),
      element("td", { class: "status " + f.status }, f.status),
      element("td", {}, String(f.days_open))));
  }
}

function openFinding(index) {
  const f = state.findings[index];
  const detail = document.getElementById("detail");
  document.getElementById("detail-title").textContent = `${f.rule} ${f.entity === null ? "(portfolio)" : f.entity}: ${f.title || f.rule}`;
  const summary = document.getElementById("detail-facts-summary");
  summary.replaceChildren();
  const rows = [["Message", f.message], ["Severity", f.severity], ["Status", f.status], ["Owner", f.owner || "(none)"],
    ["First seen", f.first_seen], ["Days open", String(f.days_open)], ["Runs since then", String(f.runs)], ["Tags", f.tags.join(", ") || "(none)"]];
  if (f.waiver) rows.push(["Accepted", `until ${f.waiver.expires} by ${f.waiver.owner}: ${f.waiver.reason}`]);
  if (f.evidence.waiver_expired) rows.push(["Waiver expired", f.evidence.waiver_expired]);
  for (const [term, value] of rows) summary.append(element("dt", {}, term), element("dd", {}, value));
  renderPaths(f.evidence.paths || [], f.evidence.more_paths);
  renderFacts(f.evidence.facts || {});
  renderValues(f.evidence.values || {});
  document.getElementById("detail-rule").textContent = ruleSource(f.rule);
  state.selected = f;
  const link = document.getElementById("detail-entity-link");
  link.hidden = f.entity === null || f.kind === "value";
  link.href = "#vendor/" + encodeURIComponent(f.entity || "");
  document.getElementById("accept-owner").value = f.owner || "";
  document.getElementById("accept-status").textContent = "";
  detail.hidden = false;
  detail.focus();
}

// Each chain as nodes joined by arrows: who relies on whom, as the rule followed it.
function renderPaths(paths, more) {
  const box = document.getElementById("detail-paths");
  box.replaceChildren();
  if (paths.length === 0) box.append(element("p", {}, "The rule followed no edges."));
  for (const chain of paths) {
    const row = element("div", { class: "chain", role: "list", "aria-label": chain.join(" relies on ") });
    chain.forEach((id, i) => {
      if (i > 0) row.append(element("span", { class: "arrow", "aria-hidden": "true" }, "→"));
      row.append(element("span", { class: "node", role: "listitem" }, id));
    });
    box.append(row);
  }
  if (more) box.append(element("p", {}, `and ${more} more chains`));
}

function renderFacts(facts) {
  const box = document.getElementById("detail-facts");
  box.replaceChildren();
  const table = element("table", { class: "facts" },
    element("thead", {}, element("tr", {}, element("th", { scope: "col" }, "Entity"), element("th", { scope: "col" }, "Attribute"),
      element("th", { scope: "col" }, "Value"))));
  const body = element("tbody");
  for (const [entity, attributes] of Object.entries(facts))
    for (const [name, value] of Object.entries(attributes))
      body.append(element("tr", {}, element("td", {}, entity), element("td", {}, name), element("td", {}, JSON.stringify(value))));
  table.append(body);
  box.append(Object.keys(facts).length ? table : element("p", {}, "No facts were read."));
}

function renderValues(values) {
  const box = document.getElementById("detail-values");
  box.replaceChildren();
  const list = element("dl");
  for (const [name, value] of Object.entries(values)) list.append(element("dt", {}, name), element("dd", {}, JSON.stringify(value)));
  box.append(Object.keys(values).length ? list : element("p", {}, "No named values."));
}

// The rule's text from its file: from `rule ID` to the closing brace at the start of a line.
function ruleSource(id) {
  for (const file of state.ruleFiles) {
    const lines = file.source.split("\n");
    const start = lines.findIndex((line) => line.startsWith(`rule ${id} `) || line === `rule ${id} {`);
    if (start < 0) continue;
    const end = lines.findIndex((line, i) => i > start && line.startsWith("}"));
    return `${file.path}:${start + 1}\n\n` + lines.slice(start, end + 1).join("\n");
  }
  return "(the rule's file is not loaded)";
}

async function runNow() {
  const summary = document.getElementById("run-summary");
  summary.textContent = "Evaluating…";
  const response = await api("POST", "/v1/run", { store: true });
  if (response.status !== 200) {
    summary.textContent = response.data.error;
    return;
  }
  for (const id of ["filter-severity", "filter-rule", "filter-tag", "filter-owner"])
    document.getElementById(id).replaceChildren(element("option", { value: "" }, "any"));
  await loadFindings();
}

// ---- an entity's page ---------------------------------------------------------------------------

async function loadEntity(id) {
  const depth = document.getElementById("vendor-depth").value;
  const response = await api("GET", `/v1/entity?id=${encodeURIComponent(id)}&depth=${depth}`);
  const title = document.getElementById("vendor-title");
  if (response.status !== 200) {
    title.textContent = response.data.error;
    return;
  }
  const { entity, graph, findings, waivers } = response.data;
  const name = typeof entity.attributes.name === "string" ? ` ${entity.attributes.name}` : "";
  title.textContent = `${entity.kind} ${entity.id}${name}`;
  state.entity = entity.id;
  drawGraph(graph, entity.id);
  document.getElementById("vendor-truncated").textContent = graph.truncated ? "Only the first 60 neighbours are shown." : "";
  const linked = (node) => element("li", {}, element("a", { href: "#vendor/" + encodeURIComponent(node.id) },
    `${node.id}${node.name ? " " + node.name : ""}`), ` (${node.kind}, ${Math.abs(node.level)} ${Math.abs(node.level) === 1 ? "edge" : "edges"} away)`);
  const side = (sign) => graph.nodes.filter((n) => Math.sign(n.level) === sign).sort((a, b) => Math.abs(a.level) - Math.abs(b.level));
  const list = (id, items, empty) => document.getElementById(id).replaceChildren(...(items.length ? items : [element("li", {}, empty)]));
  list("vendor-suppliers", side(1).map(linked), "None.");
  list("vendor-dependents", side(-1).map(linked), "None.");
  const attributes = document.getElementById("vendor-attributes");
  attributes.replaceChildren();
  for (const [key, value] of Object.entries(entity.attributes))
    attributes.append(element("dt", {}, key), element("dd", {}, typeof value === "string" ? value : JSON.stringify(value)));
  list("vendor-findings", findings.map((f) => element("li", {}, element("span", { class: "severity " + f.severity }, f.severity),
    ` ${f.rule}: ${f.message}${f.status === "accepted" ? " (accepted)" : ""}`)), "None.");
  list("vendor-waivers", waivers.map((w) => element("li", {},
    `${w.rule} ${w.entity === "*" ? "(every entity)" : ""} until ${w.expires}, ${w.owner}: ${w.reason} (${w.origin})`)), "None.");
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attributes, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

// Columns by level: dependents left, the entity in the middle, suppliers right; each node links to its page.
function drawGraph(graph, centre) {
  const columnWidth = 170, rowHeight = 38, nodeWidth = 140, nodeHeight = 26;
  const levels = graph.nodes.map((n) => n.level);
  const low = Math.min(...levels), high = Math.max(...levels);
  const position = {};
  let tallest = 0;
  for (let level = low; level <= high; level++) {
    const column = graph.nodes.filter((n) => n.level === level);
    column.forEach((n, i) => { position[n.id] = { x: (level - low) * columnWidth + 10, y: i * rowHeight + 10 }; });
    tallest = Math.max(tallest, column.length);
  }
  const width = (high - low) * columnWidth + nodeWidth + 20, height = tallest * rowHeight + 20;
  const picture = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": `${graph.nodes.length - 1} entities within ${graph.depth} edges of ${centre}` });
  picture.append(svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "7",
    markerHeight: "7", orient: "auto-start-reverse" }, svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#5a6b7b" }))));
  for (const edge of graph.edges) {
    const a = position[edge.from], b = position[edge.to];
    picture.append(svg("line", { x1: a.x + nodeWidth, y1: a.y + nodeHeight / 2, x2: b.x, y2: b.y + nodeHeight / 2,
      stroke: "#5a6b7b", "marker-end": "url(#arrow)" }, svg("title", {}, `${edge.from} ${edge.kind} ${edge.to}`)));
  }
  for (const node of graph.nodes) {
    const { x, y } = position[node.id];
    const label = node.id + (node.name ? " " + node.name : "");
    const link = svg("a", { href: "#vendor/" + encodeURIComponent(node.id), class: "graph-node" },
      svg("title", {}, `${label} (${node.kind})`),
      svg("rect", { x, y, width: nodeWidth, height: nodeHeight, rx: 12, fill: node.id === centre ? "#102a43" : "#fff", stroke: "#5a6b7b" }),
      svg("text", { x: x + 8, y: y + 17, fill: node.id === centre ? "#fff" : "#1a1a1a", "font-size": "13" },
        label.length > 18 ? label.slice(0, 17) + "…" : label));
    picture.append(link);
  }
  document.getElementById("vendor-graph").replaceChildren(picture);
}

// ---- runs --------------------------------------------------------------------------------------

async function loadRuns() {
  const { data } = await api("GET", "/v1/runs");
  const runs = data.runs;
  document.querySelector("#run-table tbody").replaceChildren(...runs.map((r) => element("tr", {},
    element("td", {}, String(r.id)), element("td", {}, r.as_of), element("td", {}, String(r.findings)),
    element("td", {}, String(r.by_severity.critical || 0)), element("td", {}, String(r.by_severity.high || 0)),
    element("td", {}, String(r.accepted)), element("td", {}, String(r.errors)),
    element("td", {}, element("a", { href: `/v1/report?run=${r.id}`, target: "_blank", rel: "noopener" }, "board report")))));
  drawTrend([...runs].reverse());
  for (const [id, pick] of [["diff-from", 1], ["diff-to", 0]]) {
    const select = document.getElementById(id);
    select.replaceChildren(...runs.map((r) => element("option", { value: r.id }, `run ${r.id} (${r.as_of})`)));
    if (runs[pick]) select.value = String(runs[pick].id);
  }
}

function drawTrend(runs) {
  const barWidth = 28, gap = 10, height = 160;
  const most = Math.max(1, ...runs.map((r) => r.findings));
  const picture = svg("svg", { viewBox: `0 0 ${runs.length * (barWidth + gap) + 20} ${height + 30}`, width: runs.length * (barWidth + gap) + 20,
    height: height + 30, "aria-hidden": "true" });
  runs.forEach((run, i) => {
    let top = height;
    for (const severity of [...SEVERITIES].reverse()) {
      const count = run.by_severity[severity] || 0;
      const size = (count / most) * (height - 10);
      top -= size;
      if (count) picture.append(svg("rect", { x: i * (barWidth + gap) + 10, y: top, width: barWidth, height: size, class: "bar-" + severity },
        svg("title", {}, `run ${run.id}: ${count} ${severity}`)));
    }
    picture.append(svg("text", { x: i * (barWidth + gap) + 10, y: height + 20, "font-size": "12", fill: "#1a1a1a" }, String(run.id)));
  });
  document.getElementById("trend").replaceChildren(picture);
}

const DIFF_TITLES = { new: "New", resolved: "Resolved", changed: "Changed", accepted: "Newly accepted", reopened: "Reopened",
  still_open: "Still open", still_accepted: "Still accepted", not_compared: "Not compared (rule in one run only)" };

async function compareRuns() {
  const from = document.getElementById("diff-from").value, to = document.getElementById("diff-to").value;
  const response = await api("GET", `/v1/diff?from=${from}&to=${to}`);
  const box = document.getElementById("diff-result");
  if (response.status !== 200) {
    box.replaceChildren(element("p", { class: "error" }, response.data.error));
    return;
  }
  box.replaceChildren(element("p", {}, Object.keys(DIFF_TITLES).map((key) => `${response.data[key].length} ${key.replace("_", " ")}`).join(", ")));
  for (const [key, title] of Object.entries(DIFF_TITLES)) {
    const items = response.data[key];
    if (!items.length || key === "still_open" || key === "still_accepted") continue;
    box.append(element("h4", {}, `${title} (${items.length})`), element("ul", { class: "diff-" + key }, ...items.map((f) =>
      element("li", {}, element("span", { class: "severity " + f.severity }, f.severity),
        ` ${f.rule} ${f.entity === null ? "portfolio" : f.entity}: ${f.message}` + (f.before ? ` (was ${f.before.severity}: ${f.before.message})` : "")))));
  }
}

// ---- waivers -----------------------------------------------------------------------------------

async function acceptRisk(event) {
  event.preventDefault();
  const f = state.selected;
  const value = (id) => document.getElementById(id).value.trim();
  const response = await api("POST", "/v1/waivers", {
    rule: f.rule, entity: f.entity === null ? "*" : f.entity, owner: value("accept-owner"), reason: value("accept-reason"),
    expires: value("accept-expires"), ticket: value("accept-ticket"), approved_by: value("accept-approved-by"), by: value("accept-by"),
  });
  const note = document.getElementById("accept-status");
  note.className = response.status === 200 ? "" : "error";
  note.textContent = response.status === 200
    ? `Waiver ${response.data.action}: the finding is accepted from the next evaluation.` +
      response.data.warnings.map((w) => " Warning: " + w).join("")
    : response.data.error;
}

async function loadWaivers() {
  const [{ data: list }, { data: audit }] = await Promise.all([api("GET", "/v1/waivers"), api("GET", "/v1/waivers/audit")]);
  const soon = list.waivers.filter((w) => w.days_left >= 0 && w.days_left <= 30);
  document.getElementById("expiring").replaceChildren(...(soon.length ? soon.map((w) =>
    element("li", {}, `${w.rule} ${w.entity}: expires ${w.expires} (in ${w.days_left} days), owner ${w.owner}`))
    : [element("li", {}, "None.")]));
  document.querySelector("#waiver-table tbody").replaceChildren(...list.waivers.map((w) => element("tr", {},
    element("td", {}, w.rule), element("td", {}, w.entity), element("td", {}, w.owner), element("td", {}, w.reason),
    element("td", {}, w.expires), element("td", {}, String(w.days_left)),
    element("td", {}, w.origin === "workbench" ? `accepted here by ${w.created_by}` : "imported"),
    element("td", {}, w.origin === "workbench"
      ? element("button", { type: "button", class: "secondary revoke", onclick: () => revokeRisk(w) }, "Revoke") : ""))));
  document.querySelector("#audit-table tbody").replaceChildren(...audit.audit.map((e) => element("tr", {},
    element("td", {}, e.at), element("td", {}, e.actor), element("td", {}, e.action), element("td", {}, e.rule),
    element("td", {}, e.entity), element("td", {}, e.owner), element("td", {}, e.expires), element("td", {}, e.reason))));
}

async function revokeRisk(waiver) {
  const by = document.getElementById("revoke-by").value.trim();
  const response = await api("POST", "/v1/waivers/revoke", { rule: waiver.rule, entity: waiver.entity, by });
  const note = document.getElementById("waiver-status");
  note.className = response.status === 200 ? "" : "error";
  note.textContent = response.status === 200 ? `Revoked the waiver of ${waiver.rule} ${waiver.entity}.` : response.data.error;
  if (response.status === 200) await loadWaivers();
}

// ---- the rule editor ---------------------------------------------------------------------------

async function loadRuleFiles() {
  const { data } = await api("GET", "/v1/rule-files");
  state.ruleFiles = data.files;
  const select = document.getElementById("editor-file");
  select.replaceChildren(...data.files.map((f) => element("option", { value: f.path }, f.path)));
  if (data.files.length && !editorSource().value) chooseFile(data.files[0].path);
}

function editorSource() { return document.getElementById("editor-source"); }
function editorPath() { return document.getElementById("editor-new").value.trim() || document.getElementById("editor-file").value; }

function chooseFile(path) {
  const file = state.ruleFiles.find((f) => f.path === path);
  editorSource().value = file ? file.source : "";
  sourceChanged();
}

const KEYWORDS = new Set(["rule", "let", "severity", "for", "each", "in", "when", "message", "where", "and", "or", "not",
  "if", "then", "else", "true", "false", "portfolio", "title", "tags", "today", "missing", "all", "any", "count", "sum",
  "min", "max", "list", "entities"]);
const TOKENS = /(#[^\n]*)|("(?:[^"\\\n]|\\.)*"?)|(\b\d+(?:\.\d+)?(?:[dwmy]\b)?)|([A-Za-z_][A-Za-z0-9_*-]*)|(\s+|.)/g;

// The source as coloured spans behind the transparent text area; lines with errors marked.
function highlight(source, errorLines) {
  const pre = document.getElementById("editor-highlight");
  pre.replaceChildren();
  source.split("\n").forEach((line, index) => {
    const row = element("span", errorLines.has(index + 1) ? { class: "error-line" } : {});
    for (const match of line.matchAll(TOKENS)) {
      const [text, comment, string, number, word] = match;
      const kind = comment ? "comment" : string ? "string" : number ? "number"
        : word && SEVERITIES.includes(word) ? "severity" : word && KEYWORDS.has(word) ? "keyword" : "";
      row.append(kind ? element("span", { class: "tok-" + kind }, text) : document.createTextNode(text));
    }
    pre.append(row, "\n");
  });
}

function sourceChanged() {
  highlight(editorSource().value, new Set());
  clearTimeout(state.checkTimer);
  state.checkTimer = setTimeout(checkDraft, 300);  // as you type, not on every key
}

async function checkDraft() {
  const sequence = ++state.checkSequence;
  const { data } = await api("POST", "/v1/check", { source: editorSource().value, file: editorPath() });
  if (sequence !== state.checkSequence) return;  // a later check is on its way
  showDiagnostics(data.diagnostics);
  document.getElementById("editor-status").textContent = data.ok ? `No errors: ${data.rules} rules.` : "";
}

function showDiagnostics(diagnostics) {
  const list = document.getElementById("editor-diagnostics");
  list.replaceChildren();
  const errorLines = new Set();
  for (const d of diagnostics) {
    if (d.level === "error" && d.line) errorLines.add(d.line);
    const place = d.line ? `${d.line}:${d.column}` : "";
    const item = element("li", { class: d.level, "data-line": d.line || "", "data-column": d.column || "" },
      element("button", { type: "button", class: "link", onclick: () => moveCaret(d.line, d.column) }, place),
      ` ${d.level}: ${d.message}`);
    list.append(item);
  }
  highlight(editorSource().value, errorLines);
}

// Puts the caret at line:column (1-based, in characters), as the diagnostic names it.
function moveCaret(line, column) {
  const area = editorSource();
  const lines = area.value.split("\n");
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  offset += Math.max(0, column - 1);
  area.focus();
  area.setSelectionRange(offset, offset);
}

function status(text, isError) {
  const node = document.getElementById("editor-status");
  node.textContent = text;
  node.className = isError ? "error" : "";
}

function refusal(response) {
  if (response.data.locations) showDiagnostics(response.data.locations);
  status(response.data.error || "refused", true);
}

async function formatDraft() {
  const response = await api("POST", "/v1/fmt", { source: editorSource().value, file: editorPath() });
  if (response.status !== 200) return refusal(response);
  editorSource().value = response.data.source;
  sourceChanged();
  status("Formatted.", false);
}

async function tryDraft() {
  const body = { source: editorSource().value, file: editorPath() };
  const asOf = document.getElementById("editor-as-of").value;
  const entity = document.getElementById("editor-entity").value.trim();
  if (asOf) body.as_of = asOf;
  if (entity) body.entity = entity;
  const response = await api("POST", "/v1/try", body);
  const table = document.getElementById("try-table");
  if (response.status !== 200) {
    table.hidden = true;
    return refusal(response);
  }
  const rows = table.querySelector("tbody");
  rows.replaceChildren(...response.data.findings.map((f) => element("tr", {},
    element("td", { class: "severity " + f.severity }, f.severity), element("td", {}, f.rule),
    element("td", {}, f.entity === null ? "portfolio" : f.entity), element("td", {}, f.message))));
  table.hidden = false;
  const errors = response.data.errors.length ? `, ${response.data.errors.length} evaluation errors` : "";
  status(`The draft would give ${response.data.findings.length} findings${errors}.`, false);
}

// `vigil explain` of a draft rule for the entity given (the draft's first rule unless one is named).
async function explainDraft() {
  const source = editorSource().value;
  const first = /^rule\s+([A-Za-z0-9_.-]+)/m.exec(source);
  const rule = document.getElementById("editor-rule").value.trim() || (first ? first[1] : "");
  const body = { source, file: editorPath(), rule, entity: document.getElementById("editor-entity").value.trim() };
  const asOf = document.getElementById("editor-as-of").value;
  if (asOf) body.as_of = asOf;
  const response = await api("POST", "/v1/explain", body);
  const output = document.getElementById("explain-output");
  if (response.status !== 200) {
    output.hidden = true;
    return refusal(response);
  }
  output.textContent = response.data.text;
  output.hidden = false;
  status(`Explained ${rule} for ${body.entity}.`, false);
}

async function saveDraft() {
  const path = editorPath();
  const response = await api("PUT", "/v1/rule-files", { path, source: editorSource().value });
  if (response.status !== 200) return refusal(response);
  status(`Saved ${response.data.saved}; ${response.data.rules} rules loaded.`, false);
  state.ruleFiles = [];
  document.getElementById("editor-new").value = "";
  await loadRuleFiles();
  document.getElementById("editor-file").value = path;
}

// ---- start -------------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  window.addEventListener("hashchange", showView);
  document.getElementById("filters").addEventListener("input", renderFindings);
  document.getElementById("filters").addEventListener("change", renderFindings);  // selects, in every browser
  document.getElementById("filters").addEventListener("submit", (event) => event.preventDefault());
  document.getElementById("accept-form").addEventListener("submit", acceptRisk);
  document.getElementById("diff-compare").addEventListener("click", compareRuns);
  document.getElementById("vendor-depth").addEventListener("change", () => loadEntity(state.entity));
  document.getElementById("run-now").addEventListener("click", runNow);
  document.getElementById("detail-close").addEventListener("click", () => { document.getElementById("detail").hidden = true; });
  document.getElementById("editor-file").addEventListener("change", (event) => chooseFile(event.target.value));
  editorSource().addEventListener("input", sourceChanged);
  editorSource().addEventListener("scroll", () => { document.getElementById("editor-highlight").scrollTop = editorSource().scrollTop; });
  document.getElementById("editor-format").addEventListener("click", formatDraft);
  document.getElementById("editor-try").addEventListener("click", tryDraft);
  document.getElementById("editor-explain").addEventListener("click", explainDraft);
  document.getElementById("editor-save").addEventListener("click", saveDraft);
  showView();
  Promise.all([loadFindings(), loadRuleFiles()]).catch((error) => { document.getElementById("run-summary").textContent = String(error); });
});
