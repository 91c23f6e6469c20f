// The hall TV in a browser (/screen?hall=…&area=…&token=…): the live feed, folded and drawn.
// It keeps the last seq it saw; after a drop it reconnects with `since` and gets exactly what
// it missed (or a fresh snapshot), so no call is lost, repeated or reordered.
"use strict";

(function () {
  const params = new URLSearchParams(location.search);
  const hall = params.get("hall") || "";
  const token = params.get("token") || "";
  const areas = (params.get("area") || "").split(",").map((a) => a.trim()).filter(Boolean);
  const recentLimit = Math.max(1, Math.min(20, parseInt(params.get("recent") || "8", 10) || 8));
  const flashMs = 10000;
  const RETRY_MAX_MS = 1000; // a restarted server is back on screen well within 2 s

  const state = {
    seq: null, layout: null, hallName: "", notice: "", timezone: "Asia/Shanghai",
    windows: new Map(), counts: {}, recent: [], latest: null, online: false,
  };
  const $ = (id) => document.getElementById(id);

  function chooseLayout() {
    const wanted = params.get("layout");
    const portrait = wanted ? wanted === "portrait" : innerHeight > innerWidth;
    document.body.classList.toggle("portrait", portrait);
    document.body.classList.toggle("landscape", !portrait);
  }

  function inArea(code) {
    if (!areas.length) return true;
    const w = state.windows.get(code);
    return !!w && areas.includes(w.area);
  }

  // --- folding messages -------------------------------------------------------------------
  function applySnapshot(snap) {
    state.seq = snap.seq;
    state.hallName = snap.hall_name || state.hallName;
    state.notice = snap.notice || "";
    state.windows = new Map(snap.windows.map((w) => [w.code, w]));
    state.counts = Object.assign({}, snap.queue_counts);
    state.recent = (snap.recent_calls || [])
      .map((c) => callOf(c.ticket, c.window || c.ticket.window, 0, false))
      .filter((c) => inArea(c.window))
      .slice(0, recentLimit);
    if (!state.latest && state.recent.length) state.latest = state.recent[0];
  }

  function callOf(ticket, window, seq, recall) {
    return { number: ticket.number, window: window, seq: seq, recall: recall,
             name: ticket.applicant_masked || "" };
  }

  function applyEvent(msg) {
    state.seq = msg.seq;
    if (msg.queue_counts) state.counts = Object.assign({}, msg.queue_counts);
    if (msg.window && msg.window.code) state.windows.set(msg.window.code, msg.window);
    if (msg.type === "ticket.transferred" && msg.to_window && msg.ticket) {
      // 转移 to a window: the citizen watching the TV learns where to go (no flash, no voice)
      if (!inArea(msg.to_window)) return false;
      const moved = callOf(msg.ticket, msg.to_window, msg.seq, false);
      moved.transfer = true;
      state.recent = [moved].concat(state.recent.filter((c) => c.number !== moved.number)).slice(0, recentLimit);
      return false;
    }
    const isCall = msg.type === "ticket.called" || msg.type === "ticket.recalled";
    if (!isCall || !msg.ticket) return false;
    const window = msg.ticket.window || (msg.window && msg.window.code) || "";
    if (!inArea(window)) return false;
    const call = callOf(msg.ticket, window, msg.seq, msg.type === "ticket.recalled");
    state.latest = call;
    if (!call.recall) state.recent = [call].concat(state.recent).slice(0, recentLimit);
    return true;
  }

  // --- drawing ----------------------------------------------------------------------------
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function drawLatest(flash) {
    const box = $("latest-call");
    const call = state.latest;
    box.dataset.number = call ? call.number : "";
    box.dataset.window = call ? call.window : "";
    box.classList.toggle("recall", !!(call && call.recall));
    $("latest-caption").textContent = call && call.recall ? "重呼 · 请再次留意" : "正在叫号";
    $("latest-name").textContent = call ? call.name : "";
    $("latest-number").textContent = call ? "请 " + call.number + " 号" : "请稍候";
    $("latest-window").textContent = call ? "到 " + call.window + " 号窗口" : "";
    box.setAttribute("aria-label", call ? "请 " + call.number + " 号 到 " + call.window + " 号窗口" : "");
    if (flash) {
      box.classList.remove("flash");
      void box.offsetWidth; // restart the blink animation for the new call
      box.classList.add("flash");
      clearTimeout(drawLatest.timer);
      drawLatest.timer = setTimeout(() => box.classList.remove("flash"), flashMs);
    }
  }

  function drawRecent() {
    const list = $("recent-calls");
    list.replaceChildren(...state.recent.map((c) => {
      const item = el("li", c.transfer ? "recent-call transfer" : "recent-call");
      item.dataset.number = c.number;
      item.dataset.window = c.window;
      item.append(el("span", "num", c.number), el("span", "arrow", "→"), el("span", "win", c.window));
      if (c.transfer) item.append(el("span", "tag", "转办"));
      return item;
    }));
  }

  function tileOf(w) {
    // A paused window shows why where its number goes; the tile's colour says it is paused.
    if (w.status === "paused") return ["paused", w.paused_reason || "暂停服务"];
    if (w.status !== "open") return ["closed", "暂停服务"];
    if (w.current_number) return ["serving", w.current_number];
    return ["idle", "等候叫号"];
  }

  function drawWindows() {
    const tiles = [];
    for (const w of state.windows.values()) {
      if (areas.length && !areas.includes(w.area)) continue;
      const [st, text] = tileOf(w);
      const tile = el("div", "window-tile");
      tile.dataset.window = w.code;
      tile.dataset.state = st;
      tile.append(el("div", "code", w.code), el("div", "text", text));
      tiles.push(tile);
    }
    $("windows").replaceChildren(...tiles);
    fitAll();
  }

  // What may shrink to fit: a tile's text line and a queue's name (never a code or a count).
  function fitAll() {
    document.querySelectorAll(".window-tile .text").forEach((node) => fitLine(node, 0.45));
    document.querySelectorAll(".queue-count .qname").forEach((node) => fitLine(node, 0.75));
  }

  // Shrink one line until it fits its box, to `least` of its style's size; never cut it.
  function fitLine(node, least) {
    node.style.fontSize = "";
    const base = parseFloat(getComputedStyle(node).fontSize);
    let px = base;
    while (node.scrollWidth > node.clientWidth && px > base * least) {
      px -= 1;
      node.style.fontSize = px + "px";
    }
  }

  function drawQueues() {
    const queues = state.layout ? state.layout.queues : [];
    const chips = queues
      .filter((q) => !areas.length || areas.includes(q.area))
      .map((q) => {
        const chip = el("div", "queue-count");
        chip.dataset.queue = q.code;
        chip.append(el("span", "qname", q.name), el("span", "waiting", (state.counts[q.code] || 0) + " 人"));
        return chip;
      });
    $("queues").replaceChildren(...chips);
    fitAll();
  }

  function drawTitle() {
    let title = state.hallName || hall;
    if (state.layout && areas.length === 1) {
      const area = state.layout.areas.find((a) => a.code === areas[0]);
      if (area) title += " · " + area.name;
    }
    $("title").textContent = title;
    document.title = title + " · 大厅综合屏";
  }

  function drawNotice() {
    const box = $("notice");
    if (box.dataset.text === state.notice) return;
    box.dataset.text = state.notice;
    box.replaceChildren(el("span", "", state.notice), el("span", "", state.notice));
  }

  function drawStatus(text) {
    $("status").textContent = text;
    $("status").hidden = !text;
  }

  function drawAll(flash) {
    drawTitle();
    drawLatest(flash);
    drawRecent();
    drawWindows();
    drawQueues();
    drawNotice();
  }

  function drawClock() {
    const now = new Date();
    const zone = state.timezone;
    // one way of writing the date on every screen: 2026年12月6日 星期日 (as the Qt TV does)
    const parts = {};
    new Intl.DateTimeFormat("zh-CN", { timeZone: zone, year: "numeric", month: "numeric", day: "numeric", weekday: "long" })
      .formatToParts(now).forEach((p) => { parts[p.type] = p.value; });
    const time = new Intl.DateTimeFormat("zh-CN", { timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
    $("date").textContent = parts.year + "年" + parts.month + "月" + parts.day + "日 " + parts.weekday;
    $("time").textContent = time.format(now);
  }

  // --- the feed ---------------------------------------------------------------------------
  async function loadLayout() {
    const r = await fetch("/api/v1/halls/" + encodeURIComponent(hall), { headers: { Authorization: "Bearer " + token } });
    if (r.status === 401 || r.status === 403) fatal("显示屏令牌无效或不属于该大厅");
    if (!r.ok) throw new Error("layout " + r.status);
    state.layout = await r.json();
    state.hallName = state.layout.name;
    state.timezone = state.layout.timezone || state.timezone;
    if (!state.notice) state.notice = (state.layout.settings || {}).notice || "";
  }

  let delay = 100;
  function connect() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const query = new URLSearchParams({ token: token });
    if (state.seq !== null) query.set("since", String(state.seq));
    const ws = new WebSocket(proto + "//" + location.host + "/api/v1/halls/" + encodeURIComponent(hall) + "/live?" + query);
    ws.onopen = () => { delay = 100; state.online = true; drawStatus(""); };
    ws.onmessage = (ev) => receive(JSON.parse(ev.data));
    ws.onclose = (ev) => {
      state.online = false;
      if (ev.code === 4401 || ev.code === 4403) { fatal("显示屏令牌无效或不属于该大厅"); return; }
      drawStatus("网络连接中断，正在重新连接…");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    };
  }

  function receive(msg) {
    if (msg.type === "error") { drawStatus(msg.message || "数据同步出错"); return; }
    if (msg.type === "snapshot") {
      applySnapshot(msg);
      drawAll(false);
      if (!state.layout) loadLayout().then(() => drawAll(false)).catch(() => {});
      return;
    }
    if (state.seq !== null && msg.seq <= state.seq) return; // already shown
    const flash = applyEvent(msg);
    drawAll(flash);
  }

  function fatal(text) {
    document.querySelector("main").replaceChildren(el("div", "error", text));
    drawStatus("");
  }

  function start() {
    chooseLayout();
    addEventListener("resize", () => {
      chooseLayout();
      fitAll();
    });
    if (!hall || !token) { fatal("请在地址中提供 hall 和 token，例如 /screen?hall=demo&token=…"); return; }
    drawClock();
    setInterval(drawClock, 1000);
    loadLayout().then(() => drawAll(false)).catch(() => {}).finally(connect);
  }

  document.addEventListener("DOMContentLoaded", start);
  window.yichuangScreen = state; // for people debugging a hall TV from the console
  window.yichuangScreenRedraw = () => drawAll(false); // and for tests that fill it to the brim
})();
