// 部门签收办结：department staff sign for a case's materials and record 办结 / 不予许可 / 补正.
// Everything the server sends is shown with textContent, never as markup.
"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const hall = params.get("hall") || "demo";
  const $ = (id) => document.getElementById(id);
  let token = sessionStorage.getItem("dept-token");
  let current = null;
  let pending = null; // the step waiting for its 审查意见 / 补正 text

  const OPINION = {
    deny: "审查意见（不予许可的理由）",
    correct: "需补正的材料",
  };
  // which steps each state offers to a department
  const OFFERS = {
    opened: ["sign"],
    handed_over: ["sign"],
    signed: ["approve", "correct", "deny"],
    correction: ["resubmit"],
  };

  async function api(method, path, body) {
    const headers = {};
    if (token) headers.Authorization = "Bearer " + token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
    } catch (e) {
      throw new Error("无法连接服务器，请检查网络");
    }
    let data = {};
    try {
      data = await response.json();
    } catch (e) {
      data = {};
    }
    if (!response.ok) {
      const err = new Error((data.error && data.error.message) || "请求失败（" + response.status + "）");
      err.status = response.status;
      throw err;
    }
    return data;
  }

  function show(id, on) {
    $(id).hidden = !on;
  }

  function say(text, ok) {
    const msg = $("msg");
    msg.textContent = text;
    msg.className = ok ? "msg ok" : "msg";
    msg.hidden = !text;
  }

  function casePath(no) {
    return "/api/v1/halls/" + encodeURIComponent(hall) + "/cases/" + encodeURIComponent(no);
  }

  function render(c) {
    current = c;
    $("case-title").textContent = c.case_no;
    $("case-state").textContent = c.state_label;
    const fields = $("case-fields");
    fields.replaceChildren();
    const rows = [
      ["办理事项", c.matter_name],
      ["承办部门", c.department_name],
      ["申请人", c.applicant_masked || "—"],
      ["办件类型", c.kind_label + (c.limit_days ? "（" + c.limit_days + " 个工作日）" : "")],
      ["承诺办结日", c.due_date],
      ["受理时间", c.opened_local],
      ["签收时间", c.signed_local || "—"],
    ];
    if (c.note) rows.push([c.state === "correction" ? "需补正材料" : "审查意见", c.note]);
    for (const [label, value] of rows) {
      const dt = document.createElement("dt");
      dt.textContent = label;
      const dd = document.createElement("dd");
      dd.textContent = value || "—";
      fields.append(dt, dd);
    }
    const offered = OFFERS[c.state] || [];
    for (const button of $("actions").querySelectorAll("button")) {
      button.hidden = offered.indexOf(button.dataset.step) < 0;
    }
    const steps = $("steps");
    steps.replaceChildren();
    for (const s of c.steps || []) {
      const li = document.createElement("li");
      li.textContent = s.at_local + " " + s.label;
      steps.append(li);
    }
    show("opinion-box", false);
    show("case", true);
  }

  async function find(no) {
    say("");
    try {
      render(await api("GET", casePath(no)));
    } catch (e) {
      show("case", false);
      say(e.message);
    }
  }

  async function record(step, opinion) {
    const body = { step: step };
    if (opinion) body.opinion = opinion;
    try {
      await api("POST", casePath(current.case_no) + "/steps", body);
      await find(current.case_no);
      say("已记录：" + current.case_no + " " + current.state_label, true);
    } catch (e) {
      say(e.message);
    }
  }

  function start(name) {
    $("who").textContent = name;
    show("login-page", false);
    show("main-page", true);
    $("case-no").focus();
  }

  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const r = await api("POST", "/api/v1/auth/login", {
        username: $("username").value.trim(),
        password: $("password").value,
      });
      if (r.role !== "department") {
        throw new Error("此页面仅供部门人员使用");
      }
      token = r.token;
      sessionStorage.setItem("dept-token", token);
      sessionStorage.setItem("dept-name", r.name);
      start(r.name);
    } catch (e) {
      $("login-msg").textContent = e.message;
      show("login-msg", true);
    }
  });

  $("logout").addEventListener("click", async () => {
    try {
      await api("POST", "/api/v1/auth/logout");
    } catch (e) {
      // signing out locally is enough when the server cannot be reached
    }
    sessionStorage.clear();
    location.reload();
  });

  $("find-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const no = $("case-no").value.trim();
    if (no) find(no);
  });

  $("actions").addEventListener("click", (event) => {
    const step = event.target.dataset && event.target.dataset.step;
    if (!step || !current) return;
    if (OPINION[step]) {
      pending = step;
      $("opinion-label").textContent = OPINION[step];
      $("opinion").value = "";
      show("opinion-box", true);
      $("opinion").focus();
      return;
    }
    record(step);
  });

  $("opinion-ok").addEventListener("click", () => {
    const text = $("opinion").value.trim();
    if (!text) {
      say("请填写" + OPINION[pending]);
      return;
    }
    record(pending, text);
  });

  $("opinion-cancel").addEventListener("click", () => show("opinion-box", false));

  if (token) start(sessionStorage.getItem("dept-name") || "");
})();
