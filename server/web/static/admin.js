// 一窗 统计后台：the supervisor dashboard. Plain script (CSP: script-src 'self').
// Charts and the anomaly report come from the server already rendered and escaped.
"use strict";

const state = { token: sessionStorage.getItem("yc-admin-token"), hall: null, timer: null, asked: {}, dated: false };
const $ = (id) => document.getElementById(id);
const SUMMARY_COLUMNS = [
  "issued", "called", "accepted", "consulted", "rejected", "no_show", "transferred",
  "walk_ins", "waiting_mean_min", "waiting_p90_min", "service_mean_min",
  "rated", "satisfaction_rate", "completion_rate", "no_show_rate",
];

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || `请求失败（${status}）`);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(options.json);
  }
  const response = await fetch(path, { method: options.method || "GET", headers, body: options.body });
  if (response.status === 401 && path !== "/api/v1/auth/login") {
    signOut();
  }
  if (!response.ok) {
    let body = null;
    try { body = await response.json(); } catch (_) { body = null; }
    throw new ApiError(response.status, body);
  }
  return response;
}

// Only the newest request of a kind may render: a slow answer to an older query is dropped.
function ticket(kind) {
  state.asked[kind] = (state.asked[kind] || 0) + 1;
  const mine = state.asked[kind];
  return () => state.asked[kind] === mine;
}

const hallPath = (tail) => `/api/v1/halls/${encodeURIComponent(state.hall)}${tail}`;
const query = (params) => new URLSearchParams(
  Object.entries(params).filter(([, v]) => v !== "" && v !== null && v !== undefined)).toString();

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function fill(table, headers, rows) {
  table.replaceChildren();
  const head = el("thead");
  const tr = el("tr");
  headers.forEach((h) => tr.appendChild(el("th", h)));
  head.appendChild(tr);
  const body = el("tbody");
  rows.forEach((cells) => {
    const row = el("tr");
    if (cells.className) row.className = cells.className;
    cells.forEach((c) => row.appendChild(c instanceof Node ? wrap(c) : el("td", c)));
    body.appendChild(row);
  });
  table.append(head, body);
}

function wrap(node) {
  const td = el("td");
  td.appendChild(node);
  return td;
}

function show(value, kind) {
  if (value === null || value === undefined) return "–";
  if (kind === "rate") return `${(value * 100).toFixed(1)}%`;
  if (kind === "minutes") return value.toFixed(1);
  return String(value);
}

async function download(path, fallbackName) {
  const response = await api(path);
  const blob = await response.blob();
  const match = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") || "");
  const link = el("a");
  link.href = URL.createObjectURL(blob);
  link.download = match ? match[1] : fallbackName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

// A chart of the request `current` belongs to (see ticket): a reply to an older query is
// dropped, so the charts always show the range the table shows.
async function svgInto(figure, path, current) {
  try {
    const response = await api(path);
    const svg = await response.text();
    if (current()) figure.innerHTML = svg;
  } catch (error) {
    if (current()) figure.replaceChildren(el("p", error.message, "error"));
  }
}

// ---- sign in / out -------------------------------------------------------------------

async function signIn(event) {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    const response = await api("/api/v1/auth/login", {
      method: "POST", json: { username: $("username").value, password: $("password").value },
    });
    const session = await response.json();
    if (session.role === "auditor" || session.role === "security") {
      $("login-error").textContent = "审计管理员、安全管理员请使用审计与安全页面（/audit）";
      return;
    }
    if (session.role !== "supervisor" && session.role !== "admin") {
      $("login-error").textContent = "统计后台仅限综合受理科人员或管理员账号登录";
      return;
    }
    state.token = session.token;
    sessionStorage.setItem("yc-admin-token", state.token);
    if (session.password_change_required) {  // issue 19: the initial password first
      $("login").hidden = true;
      $("change").hidden = false;
      window.ycPasswordForm($("change"), state.token, () => { $("change").hidden = true; start(); });
      return;
    }
    await start();
  } catch (error) {
    $("login-error").textContent = error.message;
  }
}

function signOut() {
  if (state.token) {
    fetch("/api/v1/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${state.token}` } })
      .catch(() => undefined);
  }
  state.token = null;
  sessionStorage.removeItem("yc-admin-token");
  clearInterval(state.timer);
  $("app").hidden = $("tabs").hidden = $("who").hidden = true;
  $("login").hidden = false;
}

async function start() {
  const me = await (await api("/api/v1/auth/me")).json();
  state.hall = me.hall;
  $("user-name").textContent = me.display_name;
  const hall = await (await api(hallPath(""))).json();
  $("hall-name").textContent = hall.name;
  $("login").hidden = true;
  $("app").hidden = $("tabs").hidden = $("who").hidden = false;
  openTab("overview");
}

// The hall's business date, from the server: the browser's clock and time zone may differ.
function defaults(today) {
  if (state.dated) return;
  state.dated = true;
  const month = today.slice(0, 7);
  if (!$("stats-from").value) $("stats-from").value = `${month}-01`;
  if (!$("stats-to").value) $("stats-to").value = today;
  if (!$("anomalies-month").value) $("anomalies-month").value = month;
  if (!$("volumes-month").value) $("volumes-month").value = month;
}

function openTab(name) {
  document.querySelectorAll(".tabs button").forEach((b) => {
    b.classList.toggle("active", b.dataset.tab === name);
  });
  document.querySelectorAll(".tab").forEach((t) => { t.hidden = t.id !== `tab-${name}`; });
  clearInterval(state.timer);
  if (name === "overview") {
    loadOverview();
    state.timer = setInterval(() => loadOverview(true), 10000);
  }
  const loaders = { stats: loadStats, anomalies: loadAnomalies, volumes: loadVolumes, staffing: loadStaffing, outbox: openOutbox };
  if (loaders[name]) loaders[name]();
}

// ---- 实时概览 -------------------------------------------------------------------------

// The timer's refresh says so: it must not keep an unattended session from going idle.
async function loadOverview(background) {
  let data;
  try {
    const headers = background ? { "X-Background-Refresh": "1" } : {};
    data = await (await api(hallPath("/overview"), { headers })).json();
  } catch (error) {
    $("alerts").replaceChildren(el("p", error.message, "alert error"));
    return;
  }
  defaults(data.business_date);
  $("overview-at").textContent = `更新于 ${data.at_local}`; // the hall's time, not the browser's
  $("alerts").replaceChildren(...data.alerts.map((a) => el("p", a.message, `alert ${a.level}`)));
  $("areas").replaceChildren(...data.areas.map(areaCard));
  const t = data.today;
  $("today").replaceChildren(
    stat("今日取号", t.issued), stat("今日叫号", t.called), stat("受理", t.accepted),
    stat("咨询", t.consulted), stat("过号", t.no_show),
    stat("平均等候(分)", show(t.waiting_mean_min, "minutes")),
    stat("满意率", show(t.satisfaction_rate, "rate")));
  fill($("queues"), ["队列", "等候", "最长等候(分)", "预警值", "开放窗口"], data.queues.map((q) => {
    const cells = [`${q.code} ${q.name}`, q.waiting, show(q.longest_wait_min, "minutes"),
      q.alert_waiting ?? "–", `${q.windows_open} / ${q.windows.length}`];
    if (q.over_threshold) cells.className = "over";
    return cells;
  }));
  fill($("devices"), ["设备", "窗口", "状态", "说明"], data.devices.map((d) => {
    const cells = [d.name, d.window || "–", d.status_label, d.detail || ""];
    cells.className = d.level;
    return cells;
  }));
  $("windows").replaceChildren(...data.windows.map(windowTile));
}

function stat(label, value) {
  const box = el("div", null, "stat");
  box.append(el("span", label, "label"), el("strong", value));
  return box;
}

function areaCard(area) {
  const card = el("div", null, "card");
  card.append(
    el("h3", area.name),
    el("p", `等候 ${area.waiting} 人`, "big"),
    el("p", `最长等候 ${show(area.longest_wait_min, "minutes")} 分钟`),
    el("p", `窗口：服务中 ${area.windows_open} · 暂停 ${area.windows_paused} · 未开启 ${area.windows_closed}`));
  return card;
}

function windowTile(w) {
  const tile = el("div", null, `tile ${w.status}`);
  tile.append(el("strong", w.code), el("span", w.status_label));
  tile.append(el("span", w.current_number || w.paused_reason || (w.clerk || ""), "detail"));
  tile.title = `${w.name} ${w.clerk || ""}`;
  return tile;
}

// ---- wiring --------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", signIn);
  $("logout").addEventListener("click", signOut);
  document.querySelectorAll(".tabs button").forEach((b) => b.addEventListener("click", () => openTab(b.dataset.tab)));
  $("stats-form").addEventListener("submit", loadStats);
  $("all-columns").addEventListener("change", () => loadStats());
  $("export-xlsx").addEventListener("click", () => download(hallPath(`/stats/export.xlsx?${query(statsRange())}`), "stats.xlsx"));
  $("export-xlsx-detail").addEventListener("click", () => download(hallPath(`/stats/export.xlsx?${query({ ...statsRange(), detail: "true" })}`), "stats.xlsx"));
  $("export-csv").addEventListener("click", () => download(hallPath(`/stats/export.csv?${query({ ...statsRange(), by: $("stats-by").value })}`), "stats.csv"));
  $("export-calls").addEventListener("click", () => download(hallPath(`/stats/export.csv?${query({ ...statsRange(), rows: "calls" })}`), "calls.csv"));
  $("anomalies-form").addEventListener("submit", loadAnomalies);
  $("anomalies-xlsx").addEventListener("click", () => download(hallPath(`/anomalies.xlsx?${query({ month: $("anomalies-month").value })}`), "anomalies.xlsx"));
  $("anomalies-print").addEventListener("click", () => window.print());
  $("volumes-form").addEventListener("submit", loadVolumes);
  $("volumes-save").addEventListener("click", saveVolumes);
  $("volumes-template").addEventListener("click", () => download(hallPath(`/reported-volumes/template.xlsx?${query({ month: $("volumes-month").value })}`), "volumes.xlsx"));
  $("volumes-file").addEventListener("change", uploadVolumes);
  $("staffing-form").addEventListener("submit", loadStaffing);
  $("staffing-weekday").addEventListener("change", () => loadStaffing());
  if (state.token) start().catch(signOut);
});
