/* 一窗 citizen-facing rating tablet at a window (/pad/rate?hall=…&window=S01&token=<evaluator>).

It follows the hall's live feed; when its window asks for a rating (evaluation.requested) it
shows the five levels and posts the choice with the evaluator's device token.
*/
"use strict";

(function () {
  const Y = window.YiChuang;
  const params = new URLSearchParams(location.search);
  const win = (params.get("window") || "").toUpperCase();
  const api = new Y.PadApi(params.get("hall") || "demo");
  api.token = params.get("token") || "";
  const LEVELS = { 5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意" };
  const IDLE_AFTER_MS = 90000;
  let pending = null;
  let idleTimer = null;
  const $ = (x) => document.getElementById(x);

  function show(section) {
    ["idle", "rating", "rated"].forEach((id) => { $(id).hidden = id !== section; });
    clearTimeout(idleTimer);
    if (section !== "idle") idleTimer = setTimeout(() => { pending = null; show("idle"); }, section === "rated" ? 6000 : IDLE_AFTER_MS);
  }

  function thank(level) {
    pending = null;
    $("rated").textContent = "感谢您的评价：" + LEVELS[level];
    show("rated");
  }

  async function rate(level) {
    if (!pending) return;
    document.querySelectorAll(".level").forEach((b) => { b.disabled = true; });
    try {
      await api.request("POST", "/api/v1/tickets/" + encodeURIComponent(pending.id) + "/evaluation", { level: level });
      thank(level);
    } catch (err) {
      $("error").textContent = err.message;
      $("error").hidden = false;
    } finally {
      document.querySelectorAll(".level").forEach((b) => { b.disabled = false; });
    }
  }

  function onLive(msg) {
    const ticket = msg.ticket || {};
    if (msg.type === "evaluation.requested" && (msg.window || {}).code === win) {
      pending = ticket;
      $("error").hidden = true;
      $("rate-number").textContent = ticket.number;
      show("rating");
    } else if (msg.type === "evaluation.recorded" && pending && ticket.id === pending.id) {
      thank(msg.level); // rated elsewhere (the QR code on the stub)
    }
  }

  function status(state) {
    const offline = state === "disconnected" || state === "unauthorized";
    $("error").textContent = state === "unauthorized" ? "评价器令牌无效，请联系管理员" : "网络中断，正在重新连接…";
    $("error").hidden = !offline;
  }

  $("rate-window").textContent = win ? win + " 窗口" : "窗口";
  document.querySelectorAll(".level").forEach((b) => b.addEventListener("click", () => rate(Number(b.dataset.level))));
  show("idle");
  new Y.LiveFeed(api, onLive, status).start();
})();
