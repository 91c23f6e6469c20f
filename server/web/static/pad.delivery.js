/* 统一出件 on the web pad: find a case by its 办件编号，print the 办结通知书，record 领取 or 邮寄. */
"use strict";

(function () {
  const Y = window.YiChuang;
  const hall = new URLSearchParams(location.search).get("hall") || "demo";
  const api = new Y.PadApi(hall);
  const $ = (id) => document.getElementById(id);
  let found = null;

  function token() {
    const saved = JSON.parse(sessionStorage.getItem("yichuang.pad." + hall) || "null");
    return saved && saved.token;
  }

  function currentTicket() {
    const pad = window.__pad;
    return pad && pad.state.ctx && pad.state.ctx.current;
  }

  function say(text, level) {
    const msg = $("delivery-msg");
    msg.textContent = text;
    msg.className = "msg " + (level || "error");
    msg.hidden = !text;
  }

  function path(suffix) {
    return api.hallPath("/cases/" + encodeURIComponent(found ? found.case_no : $("delivery-case").value.trim()) + suffix);
  }

  function render(c) {
    found = c;
    const info = $("delivery-info");
    info.replaceChildren();
    const rows = [
      ["办件编号", c.case_no], ["办理事项", c.matter_name], ["承办部门", c.department_name || "—"],
      ["申请人", c.applicant_masked || "—"], ["状态", c.state_label], ["办结时间", c.decided_local || "—"],
    ];
    if (c.tracking_no) rows.push(["邮寄单号", c.tracking_no]);
    rows.forEach(([label, value]) => {
      const dt = document.createElement("dt");
      dt.textContent = label;
      const dd = document.createElement("dd");
      dd.textContent = value;
      info.append(dt, dd);
    });
    info.hidden = false;
    const ready = c.state === "approved" || c.state === "denied";
    $("delivery-actions").hidden = !(ready || c.state === "delivered");
    $("delivery-collect").disabled = $("delivery-mail").disabled = !ready;
  }

  async function find() {
    found = null;
    say("");
    $("delivery-info").hidden = true;
    $("delivery-actions").hidden = true;
    if (!$("delivery-case").value.trim()) return say("请扫描或输入办件编号", "warn");
    api.token = token();
    try {
      render(await api.request("GET", path("")));
    } catch (err) {
      say(err.message);
    }
  }

  // the citizen's ticket at the 出件 window: its own case, or their decided case (same ID)
  async function findCurrent() {
    const t = currentTicket();
    if (!t) return say("当前没有号码", "warn");
    found = null;
    say("");
    api.token = token();
    try {
      render(await api.request("GET", api.hallPath("/tickets/" + encodeURIComponent(t.id) + "/case")));
      $("delivery-case").value = found.case_no;
    } catch (err) {
      say(err.message);
    }
  }

  async function step(body, done) {
    api.token = token();
    try {
      render(await api.request("POST", path("/steps"), body));
      say(done, "ok");
    } catch (err) {
      say(err.message);
    }
  }

  async function print() {
    api.token = token();
    try {
      const blob = await api.request("GET", path("/documents/result?format=pdf"), undefined, true);
      window.open(URL.createObjectURL(blob), "_blank");
    } catch (err) {
      say(err.message);
    }
  }

  $("btn-delivery").addEventListener("click", () => {
    found = null;
    $("delivery-case").value = "";
    $("delivery-tracking").value = "";
    $("delivery-info").hidden = true;
    $("delivery-actions").hidden = true;
    say("");
    $("delivery-current").hidden = !currentTicket();
    $("dlg-delivery").showModal();
    $("delivery-case").focus();
  });
  $("delivery-find").addEventListener("click", find);
  $("delivery-current").addEventListener("click", findCurrent);
  $("delivery-case").addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); find(); } // a scanner ends with Enter
  });
  $("delivery-print").addEventListener("click", print);
  $("delivery-collect").addEventListener("click", () => step({ step: "collect" }, "已登记领取"));
  $("delivery-mail").addEventListener("click", () => {
    const tracking = $("delivery-tracking").value.trim();
    if (!tracking) return say("请填写邮寄单号", "warn");
    return step({ step: "mail", tracking_no: tracking }, "已登记邮寄，单号 " + tracking);
  });
})();
