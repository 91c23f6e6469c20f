// 一窗 审计与安全：the auditor's view of the audit trail and the security administrator's
// settings (issue 19). Plain script (CSP: script-src 'self'); every value as textContent.
"use strict";

const state = { token: sessionStorage.getItem("yc-audit-token"), hall: null, role: null };
const $ = (id) => document.getElementById(id);
const COLUMNS = [
  ["at_local", "时间"], ["who", "操作人"], ["role", "角色"], ["address", "来源地址"],
  ["action", "操作"], ["object", "对象"], ["result", "结果"], ["code", "代码"], ["details", "详情"],
];
const RESULTS = { ok: "成功", refused: "拒绝", failed: "失败" };
const SETTINGS = [
  ["password_min_length", "密码最短长度", "number"],
  ["password_classes", "密码至少包含字符类别数", "number"],
  ["password_force_change", "首次登录须修改初始密码", "checkbox"],
  ["password_expiry_days", "密码有效期（天，0 为不过期）", "number"],
  ["idle_minutes", "管理人员空闲自动退出（分钟）", "number"],
  ["names_keep_days", "姓名、电话保存天数", "number"],
  ["id_hash_keep_days", "身份证号摘要保存天数", "number"],
  ["audit_keep_days", "审计记录保存天数（不少于 180）", "number"],
  ["login_free_failures", "登录失败几次后开始延迟（0 为服务器设置）", "number"],
];

async function api(path, options = {}) {
  const headers = {};
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (options.json !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method: options.method || "GET",
    headers,
    body: options.json !== undefined ? JSON.stringify(options.json) : undefined,
  });
  if (response.status === 401 && path !== "/api/v1/auth/login") signOut();
  if (!response.ok) {
    let body = null;
    try { body = await response.json(); } catch (_) { body = null; }
    throw new Error((body && body.error && body.error.message) || `请求失败（${response.status}）`);
  }
  return response;
}

const hallPath = (tail) => `/api/v1/halls/${encodeURIComponent(state.hall)}${tail}`;

function el(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

async function signIn(event) {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    const response = await api("/api/v1/auth/login", {
      method: "POST", json: { username: $("username").value, password: $("password").value },
    });
    const session = await response.json();
    if (session.role !== "auditor" && session.role !== "security") {
      $("login-error").textContent = "本页仅限审计管理员或安全管理员登录";
      return;
    }
    state.token = session.token;
    sessionStorage.setItem("yc-audit-token", state.token);
    if (session.password_change_required) {
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
  sessionStorage.removeItem("yc-audit-token");
  $("audit").hidden = $("security").hidden = $("who").hidden = true;
  $("login").hidden = false;
}

async function start() {
  const me = await (await api("/api/v1/auth/me")).json();
  state.hall = me.hall;
  state.role = me.role;
  $("user-name").textContent = me.display_name;
  $("login").hidden = true;
  $("who").hidden = false;
  if (me.role === "auditor") {
    $("audit").hidden = false;
    await search();
  } else if (me.role === "security") {
    $("security").hidden = false;
    await loadSettings();
  } else {
    signOut();
  }
}

function filters() {
  const params = {
    who: $("audit-who").value.trim(), action: $("audit-action").value.trim(),
    from: $("audit-from").value, to: $("audit-to").value,
  };
  return new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString();
}

async function search(event) {
  if (event) event.preventDefault();
  $("audit-error").textContent = "";
  try {
    const found = await (await api(hallPath(`/audit?${filters()}`))).json();
    const table = $("audit-table");
    table.replaceChildren();
    const head = el("tr");
    COLUMNS.forEach(([, label]) => head.appendChild(el("th", label)));
    const thead = el("thead");
    thead.appendChild(head);
    const body = el("tbody");
    found.records.forEach((record) => {
      const row = el("tr");
      COLUMNS.forEach(([key]) => {
        const value = key === "result" ? (RESULTS[record[key]] || record[key]) : record[key];
        row.appendChild(el("td", value));
      });
      body.appendChild(row);
    });
    table.append(thead, body);
    $("audit-count").textContent = `共 ${found.count} 条（最新的在前）`;
  } catch (error) {
    $("audit-error").textContent = error.message;
  }
}

async function download(format) {
  $("audit-error").textContent = "";
  try {
    const response = await api(hallPath(`/audit/export.${format}?${filters()}`));
    const link = el("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = `yichuang-${state.hall}-audit.${format}`;
    document.body.appendChild(link);
    link.click();
    link.remove();
  } catch (error) {
    $("audit-error").textContent = error.message;
  }
}

async function loadSettings() {
  const found = await (await api(hallPath("/security-settings"))).json();
  const form = $("security-form");
  form.replaceChildren();
  SETTINGS.forEach(([key, label, kind]) => {
    const wrap = el("label", `${label} `);
    const input = el("input");
    input.type = kind;
    input.id = `set-${key}`;
    if (kind === "checkbox") input.checked = Boolean(found.settings[key]);
    else input.value = found.settings[key];
    wrap.appendChild(input);
    form.appendChild(wrap);
  });
  const save = el("button", "保存");
  save.type = "submit";
  form.appendChild(save);
}

async function saveSettings(event) {
  event.preventDefault();
  $("security-message").textContent = "";
  const settings = {};
  SETTINGS.forEach(([key, , kind]) => {
    const input = $(`set-${key}`);
    settings[key] = kind === "checkbox" ? input.checked : Number(input.value);
  });
  try {
    await api(hallPath("/security-settings"), { method: "PUT", json: { settings } });
    $("security-message").textContent = "已保存";
  } catch (error) {
    $("security-message").textContent = error.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", signIn);
  $("logout").addEventListener("click", signOut);
  $("audit-form").addEventListener("submit", search);
  $("audit-xlsx").addEventListener("click", () => download("xlsx"));
  $("audit-csv").addEventListener("click", () => download("csv"));
  $("security-form").addEventListener("submit", saveSettings);
  if (state.token) start().catch(signOut);
});
