/* 一窗 ticket progress (/t/{id}?s=secret): status, people ahead, minutes, and the 好差评 rating. */
"use strict";

(function () {
  const id = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
  const secret = new URLSearchParams(location.search).get("s") || "";
  const base = "/api/v1/tickets/" + encodeURIComponent(id);
  const query = "?s=" + encodeURIComponent(secret);
  const POLL_MS = 10000;
  const OUTCOMES = {
    accepted: "已受理 · 请留意办理进度",
    consulted: "咨询服务已完成",
    rejected: "不予受理 · 详见窗口出具的凭证",
  };
  const LEVELS = window.YiChuangRating.LEVELS;
  const time = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false,
  });
  let timer = null;
  let followingUp = false; // the form is open for a 追评 (a second rating) rather than the first
  let lastTicket = null;
  const rating = window.YiChuangRating.form(document.getElementById("rating"), rate);

  const $ = (x) => document.getElementById(x);

  async function call(method, path, body) {
    const init = { method: method, cache: "no-store", headers: {} };
    if (body) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(base + path + query, init);
    } catch (e) {
      throw new Error("网络不可用，稍后自动重试");
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((data.error && data.error.message) || "查询失败");
    return data;
  }

  function statusText(t) {
    switch (t.status) {
      case "waiting":
        // 转移 to a window: that window serves it (and says so), not every window of the queue
        if (t.transferred && t.target_window) return "已转至 " + t.target_window + " 号窗口，请等候该窗口叫号";
        if (t.transferred) return "已转办，等候中";
        return t.requeue_count ? "过号重排，等候中" : "等候中";
      case "called":
        return "请到 " + t.window + " 号窗口办理";
      case "finished":
        return OUTCOMES[t.outcome] || "办理完成";
      case "no_show":
        return "已过号 · 请于自助取号机选择【过号取号】";
      case "cancelled":
        return "已取消";
      default:
        return "已过期 (票号当天有效)";
    }
  }

  function render(t) {
    $("error").hidden = true;
    $("ticket").hidden = false;
    document.body.dataset.status = t.status;
    $("queue-name").textContent = t.queue_name;
    if (t.hall_name) {
      $("hall-name").textContent = t.hall_name;
      document.title = "办理进度 · " + t.hall_name;
    }
    $("number").textContent = t.number;
    $("status").textContent = statusText(t);
    $("status").className = "status " + t.status;
    const waiting = t.status === "waiting" && t.waiting_ahead !== null;
    $("ahead-block").hidden = !waiting;
    if (waiting) {
      $("ahead").textContent = t.waiting_ahead;
      $("minutes").textContent = t.estimated_wait_min;
    }
    $("matter").textContent = t.matter_name || t.queue_name;
    $("windows").textContent = (t.windows || []).join("、") || "—";
    $("applicant").textContent = t.applicant_masked || "—";
    $("issued").textContent = t.issued_at ? time.format(new Date(t.issued_at)) : "—";
    $("updated").textContent = "更新于 " + time.format(new Date()) + " · 每 10 秒自动刷新";
    lastTicket = t;
    const canRate = t.status === "finished" && t.evaluation_requested && !t.evaluation_level;
    const second = t.followup_rating || null;
    const canFollow = Boolean(t.evaluation_level && second && second.allowed);
    if (!canFollow) followingUp = false;
    // A poll while the citizen is choosing keeps the choice; a newly due rating starts afresh.
    if (canRate && $("rating").hidden) rating.reset(t.rating_reasons);
    else if (canRate) rating.offer(t.rating_reasons);
    else if (followingUp) rating.offer(second.reasons);
    $("rating").hidden = !(canRate || followingUp);
    $("rating-title").textContent = followingUp ? "追加评价（追评）" : "请为本次服务评价（好差评）";
    $("rated").hidden = !t.evaluation_level;
    if (t.evaluation_level) {
      let text = "感谢您的评价：" + LEVELS[t.evaluation_level];
      if (second && second.level) text += "；追评：" + LEVELS[second.level];
      $("rated").textContent = text;
    }
    $("followup-open").hidden = !canFollow || followingUp;
    if (canFollow) $("followup-open").textContent = "追加评价（" + second.until + " 前可追评一次）";
    $("cancel").hidden = t.status !== "waiting";
    return ["waiting", "called"].indexOf(t.status) >= 0 || canRate;
  }

  async function load() {
    clearTimeout(timer);
    let again = true;
    try {
      again = render(await call("GET", ""));
    } catch (err) {
      $("error").textContent = err.message;
      $("error").hidden = false;
    }
    if (again) timer = setTimeout(load, POLL_MS);
  }

  async function rate(choice) {
    try {
      const data = await call("POST", followingUp ? "/evaluation/followup" : "/evaluation", choice);
      followingUp = false;
      render(data);
    } catch (err) {
      $("error").textContent = err.message;
      $("error").hidden = false;
    }
  }

  async function cancel() {
    if (!window.confirm("确定不办了吗？取消后该号码作废。")) return;
    try {
      render(await call("POST", "/cancel"));
    } catch (err) {
      $("error").textContent = err.message;
      $("error").hidden = false;
    }
  }

  $("cancel").addEventListener("click", cancel);
  $("followup-open").addEventListener("click", () => {
    followingUp = true;
    rating.reset(lastTicket && lastTicket.followup_rating ? lastTicket.followup_rating.reasons : []);
    render(lastTicket);
  });
  if (!id || !secret) {
    $("error").textContent = "二维码无效，请扫描小票上的二维码";
    $("error").hidden = false;
  } else {
    load();
  }
})();
