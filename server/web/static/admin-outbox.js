// 一窗 统计后台：the 对接 tab (event outbox): each subscriber's lag, last success and error,
// dead letters; pause, resume, replay. Every text goes in through textContent (el/fill).
"use strict";

function openOutbox() {
  loadOutbox();
  state.timer = setInterval(loadOutbox, 10000);
}

async function loadOutbox() {
  const current = ticket("outbox");
  let subscribers;
  try {
    const list = await (await api(hallPath("/subscribers"))).json();
    subscribers = await Promise.all(list.subscribers.map(async (s) =>
      (await api(hallPath(`/subscribers/${encodeURIComponent(s.name)}/status`))).json()));
  } catch (error) {
    if (current()) $("outbox-message").textContent = error.message;
    return;
  }
  if (!current()) return;
  $("outbox-empty").hidden = subscribers.length > 0;
  fill($("outbox-table"),
    ["名称", "地址", "格式", "状态", "积压（条）", "积压（秒）", "最后成功", "最后错误", "死信", "操作"],
    subscribers.map((s) => {
      const cells = [s.name, s.url, s.format, s.state === "paused" ? "已暂停" : "运行中",
        s.lag_events, s.lag_seconds.toFixed(0), s.last_success_local || "–",
        s.last_error ? `${s.last_error_local} ${s.last_error}` : "–", s.dead_letters, actions(s)];
      cells.className = s.state === "paused" || s.lag_events > 0 && s.attempts > 0 ? "over" : "";
      return cells;
    }));
  const letters = subscribers.flatMap((s) => s.recent_dead_letters.map((d) => [
    s.name, d.seq, d.type, d.reason === "pruned" ? "已清理" : "重试超时", d.error || "", d.at_local]));
  $("outbox-dead").hidden = letters.length === 0;
  fill($("outbox-dead-table"), ["名称", "序号", "事件", "原因", "错误", "时间"], letters);
}

function actions(s) {
  const box = el("span", null, "actions");
  const toggle = el("button", s.state === "paused" ? "恢复" : "暂停");
  toggle.type = "button";
  toggle.dataset.action = s.state === "paused" ? "resume" : "pause";
  toggle.addEventListener("click", () => outboxAction(s.name, toggle.dataset.action));
  const seq = el("input");
  seq.type = "number";
  seq.min = "1";
  seq.placeholder = "序号";
  seq.className = "seq";
  seq.setAttribute("aria-label", `${s.name} 重发起始序号`);
  const replay = el("button", "重发");
  replay.type = "button";
  replay.dataset.action = "replay";
  replay.addEventListener("click", () => outboxAction(s.name, "replay", { from_seq: Number(seq.value) }));
  box.append(toggle, seq, replay);
  return box;
}

async function outboxAction(name, action, body) {
  const message = $("outbox-message");
  message.textContent = "";
  message.className = "message";
  let done = "";
  try {
    await api(hallPath(`/subscribers/${encodeURIComponent(name)}/${action}`), { method: "POST", json: body });
    done = { pause: "已暂停", resume: "已恢复", replay: "已安排重发" }[action];
  } catch (error) {
    message.textContent = error.message;
    message.className = "error";
  }
  await loadOutbox();
  // Said once the table shows it, so the line and the table never disagree.
  if (done) message.textContent = `${name}：${done}`;
}
