/* 一窗 citizen-facing rating tablet at a window (/pad/rate?hall=…&window=S01&token=<evaluator>).

It follows the hall's live feed; when its window asks for a rating (evaluation.requested) it
shows who served (name and 工号), the five levels and, for a poor rating, the hall's reasons;
the choice is posted with the evaluator's device token only when 提交评价 is tapped.
*/
"use strict";

(function () {
  const Y = window.YiChuang;
  const params = new URLSearchParams(location.search);
  const win = (params.get("window") || "").toUpperCase();
  const api = new Y.PadApi(params.get("hall") || "demo");
  api.token = params.get("token") || "";
  const LEVELS = window.YiChuangRating.LEVELS;
  const IDLE_AFTER_MS = 90000;
  let pending = null;
  let idleTimer = null;
  const $ = (x) => document.getElementById(x);

  function show(section) {
    ["idle", "rating", "rated"].forEach((id) => { $(id).hidden = id !== section; });
    waitIdle(section);
  }

  // Back to idle when nobody touches the form for a while (each tap or keystroke restarts it).
  function waitIdle(section) {
    clearTimeout(idleTimer);
    if (section !== "idle") idleTimer = setTimeout(() => { pending = null; show("idle"); }, section === "rated" ? 6000 : IDLE_AFTER_MS);
  }

  function thank(level) {
    pending = null;
    $("rated").textContent = "感谢您的评价：" + LEVELS[level];
    show("rated");
  }

  async function rate(choice) {
    if (!pending) return;
    try {
      await api.request("POST", "/api/v1/tickets/" + encodeURIComponent(pending.id) + "/evaluation", choice);
      thank(choice.level);
    } catch (err) {
      $("error").textContent = err.message;
      $("error").hidden = false;
    }
  }

  function servedBy(who) {
    if (!who || !who.name) return "";
    return "为您服务：" + who.name + (who.staff_no ? "（工号 " + who.staff_no + "）" : "");
  }

  const form = window.YiChuangRating.form($("rating"), rate, () => waitIdle("rating"));

  function onLive(msg) {
    const ticket = msg.ticket || {};
    if (msg.type === "evaluation.requested" && (msg.window || {}).code === win) {
      pending = ticket;
      $("error").hidden = true;
      $("rate-number").textContent = ticket.number;
      $("served-by").textContent = servedBy(msg.served_by);
      $("served-by").hidden = !$("served-by").textContent;
      form.reset(msg.rating_reasons);
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
  show("idle");
  new Y.LiveFeed(api, onLive, status).start();
})();
