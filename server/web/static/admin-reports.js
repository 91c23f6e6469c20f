// 一窗 统计后台: the report tabs (统计报表, 异常通报, 业务量报送, 排班建议).
// Loaded after admin.js, whose helpers (api, hallPath, query, fill, show …) it uses.
"use strict";

// ---- 统计报表 -------------------------------------------------------------------------

function statsRange() {
  return { from: $("stats-from").value, to: $("stats-to").value };
}

async function loadStats(event) {
  if (event) event.preventDefault();
  $("stats-error").textContent = "";
  const range = statsRange();
  const current = ticket("stats");
  try {
    const data = await (await api(hallPath(`/stats?${query({ ...range, by: $("stats-by").value })}`))).json();
    if (!current()) return;
    renderStats(data);
  } catch (error) {
    if (current()) $("stats-error").textContent = error.message;
    return;
  }
  svgInto($("chart-arrivals"), hallPath(`/charts/arrivals.svg?${query(range)}`), current);
  svgInto($("chart-waiting"), hallPath(`/charts/waiting.svg?${query(range)}`), current);
  svgInto($("chart-outcomes"), hallPath(`/charts/outcomes.svg?${query(range)}`), current);
}

function renderStats(data) {
  const all = $("all-columns").checked;
  const columns = data.columns.filter((c) => all || SUMMARY_COLUMNS.includes(c.key));
  const line = (row) => [row.label, ...columns.map((c) => show(row[c.key], c.kind))];
  const total = line(data.total);
  total.className = "total";
  fill($("stats-table"), [data.by_label, ...columns.map((c) => c.label)], [...data.rows.map(line), total]);
}

// ---- 异常通报 -------------------------------------------------------------------------

async function loadAnomalies(event) {
  if (event) event.preventDefault();
  $("anomalies-error").textContent = "";
  try {
    const month = $("anomalies-month").value;
    const current = ticket("anomalies");
    const response = await api(hallPath(`/anomalies.html?${query({ month, fragment: "true" })}`));
    const html = await response.text();
    if (current()) $("anomalies-report").innerHTML = html;
  } catch (error) {
    $("anomalies-error").textContent = error.message;
  }
}

// ---- 业务量报送 -----------------------------------------------------------------------

async function loadVolumes(event) {
  if (event) event.preventDefault();
  const current = ticket("volumes");
  const table = $("volumes-table");
  table.dataset.loading = "true"; // typing now would be overwritten by the rows on their way
  try {
    const data = await (await api(hallPath(`/reported-volumes?${query({ month: $("volumes-month").value })}`))).json();
    if (current()) renderVolumes(data);
  } catch (error) {
    $("volumes-message").textContent = error.message;
  } finally {
    if (current()) delete table.dataset.loading;
  }
}

function input(value, className, type = "text") {
  const box = el("input", null, className);
  box.type = type;
  if (type === "number") box.min = "0";
  box.value = value ?? "";
  return box;
}

function renderVolumes(data) {
  const rows = data.items.map((item) => {
    const department = input(item.department, "department");
    department.placeholder = item.suggested_department;
    const cells = [item.window, item.window_name, department, input(item.volume, "volume", "number"),
      ...["accepted", "consulted", "rejected", "no_show"].map((k) => input(item.detail[k], `d-${k}`, "number")),
      item.updated_by ? `${item.updated_by} ${item.updated_local}` : ""];
    return cells;
  });
  fill($("volumes-table"), ["窗口", "名称", "报送部门", "报送业务量", "受理", "咨询", "不予受理", "过号", "最近更新"], rows);
  $("volumes-table").querySelectorAll("tbody tr").forEach((tr, i) => { tr.dataset.window = data.items[i].window; });
  $("volumes-table").dataset.month = data.month; // which month the rows are, for people and tests
}

function collectVolumes() {
  const items = [];
  $("volumes-table").querySelectorAll("tbody tr").forEach((tr) => {
    const volume = tr.querySelector(".volume").value;
    const department = tr.querySelector(".department");
    const detail = {};
    ["accepted", "consulted", "rejected", "no_show"].forEach((k) => {
      const v = tr.querySelector(`.d-${k}`).value;
      if (v !== "") detail[k] = Number(v);
    });
    items.push({
      window: tr.dataset.window,
      department: department.value || department.placeholder || null,
      volume: volume === "" ? null : Number(volume),
      detail,
    });
  });
  return items;
}

async function saveVolumes() {
  try {
    const response = await api(hallPath("/reported-volumes"), {
      method: "PUT", json: { month: $("volumes-month").value, items: collectVolumes() },
    });
    renderVolumes(await response.json());
    $("volumes-message").textContent = "已保存";
  } catch (error) {
    $("volumes-message").textContent = error.message;
  }
}

async function uploadVolumes() {
  const file = $("volumes-file").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  try {
    const response = await api(hallPath(`/reported-volumes/upload?${query({ month: $("volumes-month").value })}`), {
      method: "POST", body: form,
    });
    renderVolumes(await response.json());
    $("volumes-message").textContent = `已导入 ${file.name}`;
  } catch (error) {
    $("volumes-message").textContent = error.message;
  }
  $("volumes-file").value = "";
}

// ---- 排班建议 -------------------------------------------------------------------------

async function loadStaffing(event) {
  if (event) event.preventDefault();
  $("staffing-error").textContent = "";
  const params = { from: $("staffing-from").value, to: $("staffing-to").value, target: $("staffing-target").value };
  const current = ticket("staffing");
  let data;
  try {
    data = await (await api(hallPath(`/staffing?${query(params)}`))).json();
  } catch (error) {
    $("staffing-error").textContent = error.message;
    return;
  }
  if (!current()) return;
  const select = $("staffing-weekday");
  const chosen = select.value || (data.weekdays[0] && String(data.weekdays[0].weekday));
  select.replaceChildren(...data.weekdays.map((d) => {
    const option = el("option", `${d.label}（${d.days} 天）`);
    option.value = String(d.weekday);
    return option;
  }));
  if (chosen) select.value = chosen;
  $("staffing-from").value = data.from;
  $("staffing-to").value = data.to;
  $("staffing-note").textContent = `依据 ${data.from} 至 ${data.to} 的取号与实测办理时长，按 Erlang C 计算使平均等候不超过 ${data.target_wait_min} 分钟所需的窗口数，最多为能办理该业务的窗口数；实际开窗为该时段内有叫号的窗口数（日均）。`;
  const day = data.weekdays.find((d) => String(d.weekday) === select.value);
  // Every figure and sentence comes from the server (windows rounded half up); the page only pads decimals.
  fill($("staffing-table"), ["时段", "每小时到达（人）", "建议开窗（个）", "实际开窗（个，日均）", "还差窗口（个）", "说明"],
    (day ? day.hours : []).map((h) => {
      // One line per queue: those short of open windows (open more now) before capacity limits.
      const lines = [...h.queues.filter((q) => q.short), ...h.queues.filter((q) => !q.short && q.unmet)]
        .map((q) => el("div", q.advice, q.short ? "advice short" : "advice unmet"));
      const notes = el("div", null, "advice-list");
      notes.append(...lines);
      const cells = [h.label, h.arrivals.toFixed(2), h.needed, h.open.toFixed(2), h.short || "", notes];
      if (h.short || h.unmet) cells.className = "over";
      return cells;
    }));
  svgInto($("chart-staffing"), hallPath(`/charts/staffing.svg?${query({ ...params, from: data.from, to: data.to, weekday: select.value })}`), current);
}
