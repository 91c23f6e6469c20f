/* 一窗 ticket progress (/t/{id}?s=secret): live status (server-sent events, polling as the
   fallback), people ahead, minutes, the call with sound and vibration, SMS opt-in, 延后 / 暂离,
   and the 好差评 rating. Everything the server sends is shown as plain text. */
"use strict";

(function () {
  // A waiting estimate as people say it: 18 分钟, 2 小时 5 分钟 (kiosk/texts.py wait_text).
  function waitText(minutes) {
    const hours = Math.floor(minutes / 60), rest = minutes % 60;
    if (!hours) return minutes + " 分钟";
    return rest ? hours + " 小时 " + rest + " 分钟" : hours + " 小时";
  }

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
  let source = null;
  let refusedAt = 0;
  let last = null;
  let audio = null;
  let alerts = 0;
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
        if (isAway(t)) return "暂离中 · 位置为您保留";
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
        return "已过期（票号当天有效）";
    }
  }

  function isAway(t) {
    return t.status === "waiting" && t.away_until && new Date(t.away_until) > new Date();
  }

  // The call: a beep (WebAudio, once the page was touched), a vibration, the tab's title.
  function alertCall(t) {
    alerts += 1;
    document.body.dataset.alerts = String(alerts);
    document.title = "请到 " + t.window + " 号窗口 · " + t.number;
    if (navigator.vibrate) navigator.vibrate([400, 150, 400, 150, 400]);
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
      [0, 0.5].forEach(function (at) {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.frequency.value = 880;
        gain.gain.value = 0.3;
        tone.connect(gain);
        gain.connect(audio.destination);
        tone.start(audio.currentTime + at);
        tone.stop(audio.currentTime + at + 0.35);
      });
    } catch (e) {
      /* no sound in this browser: the banner and the vibration still say it */
    }
  }

  function isNewCall(t) {
    if (t.status !== "called" || !last) return false;
    return last.status !== "called" || last.called_at !== t.called_at || last.recalls !== t.recalls;
  }

  // Once called (or served) the citizen goes to one window; while waiting, any of the queue's
  // (or the one a transfer named).
  function windowsText(t) {
    if (t.window && t.status !== "waiting") return t.window;
    if (t.target_window) return t.target_window;
    return (t.windows || []).join("、") || "—";
  }

  function render(t) {
    $("error").hidden = true;
    $("ticket").hidden = false;
    if (isNewCall(t)) alertCall(t);
    last = t;
    document.body.dataset.status = t.status;
    $("queue-name").textContent = t.queue_name;
    if (t.hall_name) {
      $("hall-name").textContent = t.hall_name;
      if (t.status !== "called") document.title = "办理进度 · " + t.hall_name;
    }
    $("notice").hidden = !t.notice;
    $("notice").textContent = t.notice || "";
    $("number").textContent = t.number;
    $("status").textContent = statusText(t);
    $("status").className = "status " + t.status;
    const waiting = t.status === "waiting" && t.waiting_ahead !== null && t.waiting_ahead !== undefined;
    $("ahead-block").hidden = !waiting;
    if (waiting) {
      $("ahead").textContent = t.waiting_ahead;
      $("minutes").textContent = waitText(t.estimated_wait_min);
    }
    const away = isAway(t);
    $("away-line").hidden = !away;
    if (away) $("away-line").textContent = "位置保留至 " + time.format(new Date(t.away_until)) + "，回来后请点「我回来了」";
    $("helpers").hidden = t.status !== "waiting";
    $("back").hidden = !away;
    $("steps").hidden = away; // while away the one thing to do is come back
    $("sms-on").hidden = !t.sms;
    $("sms-form").hidden = !!t.sms;
    $("matter").textContent = t.matter_name || t.queue_name;
    $("windows").textContent = windowsText(t);
    $("applicant").textContent = t.applicant_masked || "—";
    $("issued").textContent = t.issued_at ? time.format(new Date(t.issued_at)) : "—";
    const how = source ? "实时更新" : "每 10 秒自动刷新";
    $("updated").textContent = "更新于 " + time.format(new Date()) + " · " + how;
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
    return ["waiting", "called"].indexOf(t.status) >= 0 || canRate || !t.evaluation_level && t.status === "finished";
  }

  // Live: the server pushes the ticket's state; the browser reconnects by itself.
  function connect() {
    // A stream refused (not lost) is tried again only after a minute of polling.
    if (!window.EventSource || source || Date.now() - refusedAt < 60000) return;
    source = new EventSource(base + "/stream" + query);
    source.onopen = function () {
      $("offline").hidden = true;
      clearTimeout(timer);
    };
    source.onmessage = function (e) {
      $("offline").hidden = true;
      let t;
      try {
        t = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      if (!render(t)) stop();
    };
    source.onerror = function () {
      $("offline").hidden = false;
      if (source && source.readyState === 2) {
        // refused for good (not a lost connection): ask at once, so that the page says why
        // (a wrong QR code), then poll, and try the stream again later
        source = null;
        refusedAt = Date.now();
        load();
      }
    };
  }

  function stop() {
    if (source) source.close();
    source = null;
    clearTimeout(timer);
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(load, POLL_MS);
  }

  async function load() {
    clearTimeout(timer);
    let again = true;
    try {
      again = render(await call("GET", ""));
      $("offline").hidden = true;
    } catch (err) {
      $("error").textContent = err.message;
      $("error").hidden = false;
    }
    if (!again) return stop();
    connect();
    if (!source) schedule();
  }

  async function act(method, path, body, hint) {
    $(hint).textContent = "";
    try {
      const reply = await call(method, path, body);
      if (reply.number) render(Object.assign({}, last || {}, reply));
      return reply;
    } catch (err) {
      $(hint).textContent = err.message;
      return null;
    }
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

  $("sms-form").addEventListener("submit", async function (e) {
    e.preventDefault();
    const reply = await act("POST", "/phone", { phone: $("phone").value }, "sms-hint");
    if (reply) {
      $("phone").value = "";
      $("sms-on").textContent = "已开启短信提醒（" + reply.phone_masked + "）：前面还有几人时、叫号时会发短信给您。";
      if (last) render(Object.assign({}, last, { sms: true }));
    }
  });
  document.querySelectorAll(".step").forEach(function (button) {
    button.addEventListener("click", function () {
      const places = Number(button.dataset.places);
      if (!window.confirm("让后面 " + places + " 位先办吗？您的位置将后移。")) return;
      act("POST", "/step-back", { places: places }, "step-hint");
    });
  });
  document.querySelectorAll(".away-btn").forEach(function (button) {
    button.addEventListener("click", function () {
      act("POST", "/away", { minutes: Number(button.dataset.minutes) }, "step-hint");
    });
  });
  $("back").addEventListener("click", function () {
    act("POST", "/back", null, "step-hint");
  });
  $("cancel").addEventListener("click", cancel);
  $("followup-open").addEventListener("click", () => {
    followingUp = true;
    rating.reset(lastTicket && lastTicket.followup_rating ? lastTicket.followup_rating.reasons : []);
    render(lastTicket);
  });
  // Browsers play sound only after a touch: the first one readies the call's beep.
  document.addEventListener("click", function () {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch (e) {
      /* no WebAudio: the call still shows and vibrates */
    }
  }, { once: true });
  if (!id || !secret) {
    $("error").textContent = "二维码无效，请扫描小票上的二维码";
    $("error").hidden = false;
  } else if (window.EventSource) {
    connect();
  } else {
    load();
  }
})();
