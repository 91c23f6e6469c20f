/* 一窗 web clerk pad (/pad?hall=…&window=…): sign in, call, outcomes, transfer, pause, notices. */
"use strict";

(function () {
  const Y = window.YiChuang;
  const params = new URLSearchParams(location.search);
  const hall = params.get("hall") || "demo";
  const presetWindow = (params.get("window") || "").toUpperCase() || null;
  const api = new Y.PadApi(hall);
  const store = "yichuang.pad." + hall;
  const outbox = new Y.Outbox(store + ".outbox");
  const OUTCOME_TEXT = { accepted: "受理", consulted: "咨询", rejected: "不予受理", no_show: "过号" };
  const NOTICE_TITLES = {
    accepted: "受理通知书", rejected: "不予受理凭证", missing: "一次性告知书", handover: "申请材料交接确认单",
  };
  const PRIORITY_TEXT = { green: "绿色通道", appointment: "预约" };
  const GONE = ["ticket.called", "ticket.cancelled", "ticket.expired", "ticket.transferred"];
  const KEYS = {
    F1: "call_next", F2: "recall", F3: "pick", F4: "transfer", F5: "accepted", F6: "consulted",
    F7: "rejected", F8: "no_show", F9: "pause", F10: "notice",
  };

  const s = { user: null, window: presetWindow, ctx: null, reasons: [], busy: false, feed: null };
  const pickers = { accept: null, reject: null };
  let refreshTimer = null;
  const refreshes = { asked: 0, shown: 0 }; // which context answer is on screen
  let bannerTimer = null;
  let syncTimer = null;

  const $ = (id) => document.getElementById(id);
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach((k) => node.setAttribute(k, attrs[k]));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function show(page) {
    ["login-page", "window-page", "pad-page"].forEach((id) => { $(id).hidden = id !== page; });
  }

  function say(id, text, level) {
    const node = $(id);
    node.textContent = text || "";
    node.className = "msg " + (level || "info");
    node.hidden = !text;
  }

  function message(text, level) {
    const page = !$("pad-page").hidden ? "message" : !$("window-page").hidden ? "window-msg" : "login-msg";
    say(page, text, level);
  }

  function fail(err) {
    if (err.status === 401 && s.user) return signedOut("登录已过期，请重新签到");
    // While taps wait to be sent, a later failure (a background refresh after the drop)
    // keeps saying what waits instead of hiding it behind the bare "cannot connect".
    const waiting = err.status === 0 && outbox.pending().length > 0;
    // 404/409 are the state of the hall, 503 a busy store: worth a retry, not an alarm.
    const level = [404, 409, 503].indexOf(err.status) >= 0 ? "warn" : "error";
    message(waiting ? offlineText() : err.message, level);
    if (err.status === 0) {
      s.offline = true; // cleared when the pad resyncs
      connection("offline");
    }
  }

  /* The red line of a tap the server did not answer: what happens to it, and what waits. */
  function offlineText(action) {
    const head = "无法连接服务器，请检查网络；";
    if (action === "call-next" || action === "call") return head + "叫号未确认，恢复后将自动核对，请勿重复叫号。";
    return head + "已记下，恢复后将自动同步。待同步：" + outbox.pending().join("、");
  }

  /* Back online: send the kept taps once each, clear the red line, then re-read the window. */
  async function syncOutbox() {
    clearTimeout(syncTimer);
    const done = [];
    const back = await outbox.replay(api, (item, result, err) => done.push(Y.replayText(item, result, err)));
    if (!back) {
      syncTimer = setTimeout(syncOutbox, 3000); // the live feed may not have noticed the drop
      return;
    }
    if (s.offline) {
      s.offline = false;
      message("", "info");
    }
    if (done.length) message(done.join("；"), done.some((t) => t.indexOf("已") !== 0) ? "warn" : "ok");
    if ($("conn").dataset.state === "offline" && s.feed && s.feed.ws && s.feed.ws.readyState === 1) {
      connection("resynced"); // only the buttons were cut off; the feed stayed up
    }
    scheduleRefresh();
  }

  /* -- sign in / out ---------------------------------------------------------------- */

  async function login(event) {
    event.preventDefault();
    const username = $("username").value.trim();
    const password = $("password").value;
    if (!username || !password) return message("请输入工号和密码", "warn");
    try {
      const session = await api.login(username, password);
      if (session.password_change_required) return changePassword(session.token);
      api.token = session.token;
      s.user = session;
      s.reasons = (await api.reasons()).reasons;
      if (s.window) return chooseWindow(s.window);
      const allowed = session.windows || [];
      const choices = (await api.request("GET", api.hallPath("/windows"))).windows;
      renderWindows(choices.filter((w) => !allowed.length || allowed.indexOf(w.code) >= 0));
      show("window-page");
      message(session.name + "，请选择窗口", "info");
    } catch (err) {
      fail(err);
    }
  }

  // issue 19: the initial password is changed first; then the clerk signs in with the new one.
  function changePassword(token) {
    const page = $("login-page");
    const form = $("login-form");
    window.ycPasswordForm(page, token, () => {
      page.replaceChildren(form);
      $("password").value = "";
      message("密码已修改，请用新密码签到", "info");
    });
  }

  function renderWindows(windows) {
    const list = $("window-list");
    list.textContent = "";
    windows.forEach((w) => {
      const [state, text] = Y.PadPick.windowChoice(w);
      const button = el("button", { class: "big " + state, "data-window": w.code, "data-state": state });
      button.append(el("b", {}, w.name), el("small", {}, text));
      button.disabled = state === "taken"; // someone else works there: 签到 would be refused
      button.addEventListener("click", () => chooseWindow(w.code));
      list.append(button);
    });
  }

  async function chooseWindow(code) {
    try {
      await api.act(code, "sign-in");
      s.window = code;
      s.ctx = null; // another window's context must not drive this one's buttons
      sessionStorage.setItem(store, JSON.stringify({ token: api.token, user: s.user, window: code, reasons: s.reasons }));
      renderButtons();
      show("pad-page");
      startFeed(); // first: should the network drop now, the feed says so and resyncs
      await refresh();
      message("已在 " + s.ctx.window.name + " 签到，开始服务", "ok");
    } catch (err) {
      fail(err);
    }
  }

  async function signOut() {
    try {
      const w = await api.act(s.window, "sign-out");
      if (w.status === "paused") {
        await refresh();
        return message("当前号码尚未登记结果，窗口已暂停；请登记结果后再签退", "warn");
      }
      await api.logout().catch(() => null);
      signedOut("已签退，窗口已关闭");
    } catch (err) {
      fail(err);
    }
  }

  function signedOut(text) {
    if (s.feed) s.feed.stop();
    s.feed = null;
    s.user = null;
    s.ctx = null;
    s.window = presetWindow;
    api.token = null;
    sessionStorage.removeItem(store);
    $("conn").hidden = true;
    show("login-page");
    message(text, "ok");
  }

  /* -- the buttons -------------------------------------------------------------------- */

  async function act(action, body, success) {
    if (s.busy) return; // a double tap runs one action
    s.busy = true;
    renderButtons();
    const current = s.ctx && s.ctx.current;
    if ((action === "outcome" || action === "transfer") && current) {
      body = Object.assign({}, body, { ticket: current.id }); // never lands on another citizen
    }
    const key = Y.newKey(); // one per tap: its retries and its replay reuse it
    try {
      const result = await api.act(s.window, action, body, key);
      await refresh();
      message(success(result), "ok");
    } catch (err) {
      if (err.status === 0 && outbox.keep(s.window, action, body, key, current)) {
        s.offline = true;
        connection("offline");
        message(offlineText(action), "error");
        syncTimer = setTimeout(syncOutbox, 3000);
        return;
      }
      await refresh().catch(() => null);
      fail(err);
    } finally {
      s.busy = false;
      renderButtons();
    }
  }

  const actions = {
    call_next: () => act("call-next", undefined, (t) => "请 " + t.number + " 号到 " + s.window + " 办理"),
    recall: () => act("recall", undefined, (t) => "重呼 " + t.number + "（第 " + t.recalls + " 次）"),
    accepted: () => openAccept(),
    consulted: () => outcome("consulted"),
    no_show: () => outcome("no_show"),
    rejected: () => openReject(),
    transfer: () => openTransfer(),
    pick: () => openDialog("dlg-pick", () => $("pick-number").focus()),
    pause: () => (s.ctx.window.status === "paused" ? act("resume", undefined, () => "窗口已恢复服务") : openPause()),
    notice: () => openNotice(),
    sign_out: () => signOut(),
  };

  function outcome(kind, reason, matter, caseNo) {
    const body = { outcome: kind, reason: reason || null };
    if (matter) body.matter = matter; // the matter actually served (extension)
    if (caseNo) body.case_no = caseNo; // the 办件编号 typed or scanned at 受理
    return act("outcome", body, (t) => t.number + " 已登记" + OUTCOME_TEXT[kind]);
  }

  function ticketLine(t) {
    return t ? t.number + " 号" + (t.applicant_masked ? "（" + t.applicant_masked + "）" : "") : "";
  }

  function openAccept() {
    const t = s.ctx.current;
    const matters = s.ctx.matters || [];
    // No matter anywhere: no case will open, so there is no 办件编号 to ask for.
    if (!t || (!t.matter && !matters.length)) return outcome("accepted");
    $("accept-ticket").textContent = ticketLine(t);
    // A matter named at the kiosk comes chosen; the clerk may still correct it.
    pickers.accept = Y.PadPick.matterPicker($("accept-matter"), matters, t.matter || null);
    $("accept-case").value = "";
    openDialog("dlg-accept", () => { if (t.matter) $("accept-case").focus(); });
  }

  function acceptNow() {
    closeDialogs();
    outcome("accepted", null, pickers.accept && pickers.accept.value(), $("accept-case").value.trim());
  }

  function callNumber(number) {
    if (!number) return message("请输入要呼叫的号码", "warn");
    return act("call", { ticket: number.trim().toUpperCase() }, (t) => "选号呼叫 " + t.number + "（已记录为不按顺序叫号）");
  }

  /* -- dialogs ---------------------------------------------------------------------------- */

  function openDialog(id, after) {
    const dialog = $(id);
    dialog.showModal();
    if (after) after();
  }

  function closeDialogs() {
    document.querySelectorAll("dialog[open]").forEach((d) => d.close());
  }

  function openReject() {
    const box = $("reject-reasons");
    box.textContent = "";
    // No reason is chosen for the clerk: a hurried tap must not record a legal reason.
    s.reasons.forEach((reason) => {
      const label = el("label", { class: "choice" });
      const radio = el("input", { type: "radio", name: "reject-reason", value: reason });
      radio.addEventListener("change", rejectReady);
      label.append(radio, document.createTextNode(" " + reason));
      box.append(label);
    });
    $("reject-detail").value = "";
    const t = s.ctx.current;
    $("reject-ticket").textContent = ticketLine(t);
    pickers.reject = Y.PadPick.matterPicker($("reject-matter"), s.ctx.matters || [], t && t.matter);
    rejectReady();
    openDialog("dlg-reject");
  }

  function rejectReady() {
    $("reject-ok").disabled = !rejectReason();
  }

  function rejectReason() {
    const picked = document.querySelector("input[name=reject-reason]:checked");
    return [picked ? picked.value : "", $("reject-detail").value.trim()].filter(Boolean).join("；");
  }

  function openTransfer() {
    const targets = s.ctx.transfer_targets;
    const own = s.ctx.current ? s.ctx.current.queue : null; // back into its own queue: refused
    fill($("transfer-queue"), targets.queues.filter((q) => q.code !== own).map((q) => [q.code, q.code + " " + q.name]));
    $("transfer-later").checked = false;
    transferWindows();
    $("transfer-note").value = "";
    openDialog("dlg-transfer");
  }

  function transferWindows() {
    const targets = s.ctx.transfer_targets;
    const later = $("transfer-later").checked;
    const options = Y.PadPick.transferWindows(targets, later);
    fill($("transfer-window"), options);
    if (!options.length) fill($("transfer-window"), [["", later ? "没有未开放的窗口" : "暂无有人办理的窗口"]]);
    const hint = $("transfer-later-hint");
    hint.textContent = later ? "号码将等候该窗口开放；超过 " + targets.fallback_minutes + " 分钟仍未开放，由本队列其他窗口办理。" : "";
    hint.hidden = !later;
    if (later) document.querySelector("input[name=transfer-to][value=window]").checked = true;
  }

  function fill(select, options) {
    select.textContent = "";
    options.forEach((o) => select.append(el("option", { value: o[0] }, o[1])));
  }

  function transfer() {
    const toWindow = document.querySelector("input[name=transfer-to]:checked").value === "window";
    const target = toWindow ? $("transfer-window").value : $("transfer-queue").value;
    if (!target) return message("请选择转移到的业务队列或窗口", "warn");
    const body = { queue: toWindow ? null : target, window: toWindow ? target : null, note: $("transfer-note").value.trim() || null };
    if (toWindow && $("transfer-later").checked) body.wait_for_window = true; // confirmed wait
    return act("transfer", body, (t) => t.number + " 已转移至" + (toWindow ? " " + target + " 号窗口" : "「" + t.queue_name + "」"));
  }

  function openPause() {
    const box = $("pause-reasons");
    box.textContent = "";
    (s.ctx.pause_reasons || []).forEach((reason) => {
      const button = el("button", { class: "big", "data-reason": reason }, reason);
      button.addEventListener("click", () => {
        closeDialogs();
        act("pause", { reason: reason }, (w) => "窗口暂停：" + w.paused_reason);
      });
      box.append(button);
    });
    openDialog("dlg-pause");
  }

  function noticeTicket() {
    return s.ctx && (s.ctx.current || s.ctx.last_service);
  }

  function noticeKinds() {
    if (!s.ctx) return [];
    if (s.ctx.current) return ["missing"];
    const last = s.ctx.last_service;
    if (!last) return [];
    // 受理 opens a case: its 申请材料交接确认单 travels with the papers to the department
    const accepted = last.case_no ? ["accepted", "handover", "missing"] : ["accepted", "missing"];
    return { accepted: accepted, rejected: ["rejected", "missing"] }[last.outcome] || ["missing"];
  }

  function openNotice() {
    fill($("notice-kind"), noticeKinds().map((k) => [k, NOTICE_TITLES[k]]));
    $("notice-ticket").textContent = "为 " + ticketLine(noticeTicket()) + "出具";
    $("notice-materials").value = "";
    $("notice-note").value = "";
    noticeKindChanged();
    openDialog("dlg-notice");
  }

  function noticeKindChanged() {
    const kind = $("notice-kind").value;
    // the 一次性告知书 lists what is missing, the 交接确认单 what is handed over
    $("notice-materials").hidden = kind !== "missing" && kind !== "handover";
    $("notice-materials").placeholder = kind === "handover"
      ? "交接确认单：每行填写一项移交的申请材料" : "一次性告知书：每行填写一项需要补正的材料";
  }

  async function noticePdf() {
    const ticket = noticeTicket();
    const kind = $("notice-kind").value;
    const lines = kind === "missing" || kind === "handover" ? $("notice-materials").value.split("\n") : [];
    const materials = lines.map((m) => m.trim()).filter(Boolean);
    try {
      const blob = kind === "handover"
        ? await api.caseDocument(ticket.id, "handover", materials)
        : await api.notice(ticket.id, { kind: kind, format: "pdf", materials: materials, note: $("notice-note").value.trim() });
      const link = el("a", { href: URL.createObjectURL(blob), download: ticket.number + "-" + kind + ".pdf" });
      document.body.append(link);
      link.click();
      link.remove();
      message(NOTICE_TITLES[kind] + " 已生成 PDF，请在浏览器下载中打印", "ok");
    } catch (err) {
      fail(err);
    }
  }

  /* -- context and rendering ----------------------------------------------------------- */

  async function refresh() {
    if (!s.window || !api.token) return;
    const asked = ++refreshes.asked;
    const ctx = await api.context(s.window);
    // Answers can cross: the sign-in's may land after the call's, and must not paint it over.
    if (asked < refreshes.shown) return;
    refreshes.shown = asked;
    s.ctx = ctx;
    render();
  }

  function scheduleRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      refresh().catch(fail);
    }, 150);
  }

  function render() {
    const ctx = s.ctx;
    if (!ctx) return;
    const w = ctx.window;
    const paused = w.status === "paused";
    $("win-title").textContent = w.name;
    $("win-status").textContent = paused ? "暂停服务：" + (w.paused_reason || "暂停") : w.status === "open" ? "服务中" : "未开启";
    $("win-status").className = "status " + (w.status === "open" ? "ok" : "warn");
    $("clerk-name").textContent = ctx.me.name + "（" + ctx.me.username + "）";
    renderCurrent(ctx.current);
    $("queues").textContent = "";
    ctx.queues.forEach((q) => $("queues").append(el("div", { class: "queue" }, q.code + " " + q.name + " · 等候 " + q.waiting + " 人")));
    renderNext(ctx.next);
    renderToday(ctx.today);
    renderEvaluation(ctx.last_service);
    $("btn-pause").textContent = paused ? "恢复服务" : "暂停";
    renderButtons();
  }

  function renderCurrent(t) {
    $("cur-number").textContent = t ? t.number : "—";
    const lines = $("cur-lines");
    lines.textContent = "";
    const texts = t ? currentLines(t) : ["当前无办理中的号码", "按 叫号 呼叫下一位"];
    texts.forEach((text) => lines.append(el("div", {}, text)));
    const note = t && t.transfer_note ? "转入备注：" + t.transfer_note : "";
    $("cur-note").textContent = note;
    $("cur-note").hidden = !note;
    let hint = "";
    if (t && t.recalls) hint = t.suggest_no_show ? "已重呼 " + t.recalls + " 次仍未到，建议登记过号" : "已重呼 " + t.recalls + " 次";
    $("recall-hint").textContent = hint;
    $("btn-no-show").classList.toggle("suggest", Boolean(t && t.suggest_no_show));
  }

  function currentLines(t) {
    const extra = [];
    if (PRIORITY_TEXT[t.priority]) extra.push(PRIORITY_TEXT[t.priority]);
    if (t.transferred) extra.push("转入");
    return [
      t.matter_name || t.queue_name || t.queue,
      ["申请人 " + (t.applicant_masked || "未登记")].concat(extra).join(" · "),
      "已等候 " + Math.floor((t.waited_seconds || 0) / 60) + " 分钟 · 叫号 " + t.call_count + " 次",
    ];
  }

  function renderNext(next) {
    const list = $("next-list");
    list.textContent = "";
    if (!next.length) list.append(el("div", { class: "caption" }, "暂无等候的号码"));
    next.forEach((t) => {
      const detail = [t.matter_name || t.queue_name, t.applicant_masked, PRIORITY_TEXT[t.priority], t.transferred ? "转入" : null, t.standing].filter(Boolean).join(" · ");
      const button = el("button", { class: "next", "data-number": t.number });
      button.append(el("b", {}, t.number), el("span", {}, detail));
      button.addEventListener("click", () => callNumber(t.number));
      list.append(button);
    });
  }

  function renderToday(day) {
    const cells = [["叫号", day.calls], ["受理", day.accepted], ["咨询", day.consulted], ["不予受理", day.rejected], ["过号", day.no_show], ["平均分钟", day.avg_service_min === null ? "—" : day.avg_service_min]];
    const box = $("today");
    box.textContent = "";
    cells.forEach((c) => {
      const cell = el("div", { class: "stat", "data-stat": c[0] });
      cell.append(el("b", {}, String(c[1])), el("span", {}, c[0]));
      box.append(cell);
    });
  }

  function renderEvaluation(last) {
    const box = $("evaluation");
    if (!last || !last.evaluation_requested) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const rated = Boolean(last.evaluation_level);
    box.textContent = rated ? last.number + " 已评价：" + (last.evaluation_label || last.evaluation_level) : last.number + " 好差评：等待评价…";
    box.className = "banner " + (rated ? (last.evaluation_level >= 3 ? "ok" : "warn") : "info");
    box.dataset.rated = rated ? "yes" : "no";
  }

  function renderButtons() {
    const ctx = s.ctx;
    if (!ctx) {
      // Until the window's context is in, no button knows whether it may act (a tap on
      // 通知书 before it would open an empty dialog).
      document.querySelectorAll("[data-action]").forEach((b) => { b.disabled = true; });
      return;
    }
    const open = ctx.window.status === "open";
    const has = Boolean(ctx.current);
    const enabled = {
      call_next: open && !has, recall: has, pick: open && !has, transfer: has, accepted: has, consulted: has,
      rejected: has, no_show: has, pause: ctx.window.status !== "closed", notice: noticeKinds().length > 0,
    };
    document.querySelectorAll("[data-action]").forEach((b) => { b.disabled = s.busy || !enabled[b.dataset.action]; });
    document.querySelectorAll("#next-list button").forEach((b) => { b.disabled = s.busy || !enabled.pick; });
  }

  /* -- live feed ------------------------------------------------------------------------ */

  function startFeed() {
    if (s.feed) s.feed.stop();
    s.feed = new Y.LiveFeed(api, onLive, connection).start();
  }

  function onLive(msg) {
    if (!s.ctx) return;
    if (msg.type === "snapshot") return scheduleRefresh();
    const t = msg.ticket || {};
    const win = (msg.window || {}).code;
    if (GONE.indexOf(msg.type) >= 0 && t.id) {
      s.ctx.next = s.ctx.next.filter((n) => n.id !== t.id); // gone from the list at once
      renderNext(s.ctx.next);
      renderButtons();
    }
    const last = s.ctx.last_service;
    if (msg.type === "evaluation.recorded" && last && last.id === t.id) {
      last.evaluation_level = msg.level;
      last.evaluation_label = msg.level_label;
      renderEvaluation(last);
    }
    const served = s.ctx.window.queues || [];
    if (win === s.window || served.indexOf(t.queue) >= 0 || t.target_window === s.window) scheduleRefresh();
  }

  function connection(status) {
    const box = $("conn");
    clearTimeout(bannerTimer);
    if (status === "unauthorized") return signedOut("登录已过期，请重新签到");
    if (status === "disconnected" || status === "offline") {
      box.textContent = "网络中断，正在重新连接…";
      box.className = "banner error";
      box.dataset.state = "offline";
      box.hidden = false;
    } else if (status === "resynced" || (status === "connected" && box.dataset.state === "offline")) {
      box.textContent = "已重新连接，数据已同步";
      box.className = "banner ok";
      box.dataset.state = "resynced";
      box.hidden = false;
      syncOutbox();
      bannerTimer = setTimeout(() => { box.hidden = true; }, 8000);
    } else {
      box.hidden = true;
      if (outbox.items().length) syncOutbox(); // taps kept before a reload
    }
  }

  /* -- start ------------------------------------------------------------------------------ */

  function wire() {
    $("login-form").addEventListener("submit", login);
    $("sign-out").addEventListener("click", () => actions.sign_out());
    document.querySelectorAll("[data-action]").forEach((b) => b.addEventListener("click", () => actions[b.dataset.action]()));
    document.querySelectorAll("dialog .cancel").forEach((b) => b.addEventListener("click", closeDialogs));
    $("reject-ok").addEventListener("click", () => {
      const reason = rejectReason();
      if (!reason) return;
      closeDialogs();
      outcome("rejected", reason, pickers.reject && pickers.reject.value());
    });
    $("reject-detail").addEventListener("input", rejectReady);
    $("accept-ok").addEventListener("click", acceptNow);
    // A barcode scanner types the 办件编号 and presses Enter: that records the 受理.
    $("accept-case").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); acceptNow(); } });
    $("transfer-later").addEventListener("change", transferWindows);
    $("notice-kind").addEventListener("change", noticeKindChanged);
    $("transfer-ok").addEventListener("click", () => { closeDialogs(); transfer(); });
    $("pick-ok").addEventListener("click", () => { closeDialogs(); callNumber($("pick-number").value); });
    $("notice-pdf").addEventListener("click", () => { closeDialogs(); noticePdf(); });
    document.addEventListener("keydown", (event) => {
      const action = KEYS[event.key];
      if (!action || $("pad-page").hidden || document.querySelector("dialog[open]")) return;
      event.preventDefault();
      const button = document.querySelector("[data-action=" + action + "]");
      if (button && !button.disabled) button.click();
    });
    window.__pad = { dropLive: () => s.feed && s.feed.drop(), state: s };
  }

  async function resume() {
    $("login-where").textContent = presetWindow ? "窗口 " + presetWindow : "";
    const saved = JSON.parse(sessionStorage.getItem(store) || "null");
    if (!saved || !saved.token) return show("login-page");
    api.token = saved.token;
    s.user = saved.user;
    s.window = saved.window;
    s.reasons = saved.reasons || [];
    try {
      await refresh();
      if (!s.ctx.me.signed_in_here) throw new Y.ApiError(409, "not_signed_in", "请重新签到");
      show("pad-page");
      startFeed();
    } catch (err) {
      if (err.status === 0) {
        // the server is away, not the session: keep it, the feed resyncs when it is back
        show("pad-page");
        startFeed();
        return fail(err);
      }
      sessionStorage.removeItem(store);
      api.token = null;
      s.user = null;
      show("login-page");
    }
  }

  wire();
  resume();
})();
