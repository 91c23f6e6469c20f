// 一窗 统计后台：the 差评整改 tab (follow-up of ratings 不满意 and 非常不满意).
// Citizens' comments and staff notes are shown with textContent only.
"use strict";

const FOLLOWUP_STATUS = { open: "整改中", closed: "已办结" };
const followupState = { selected: null };

async function loadFollowups(event) {
  if (event) event.preventDefault();
  const current = ticket("followups");
  $("followups-error").textContent = "";
  try {
    const status = $("followups-status").value;
    const data = await (await api(hallPath(`/followups?${query({ status })}`))).json();
    if (!current()) return;
    $("followups-count").textContent = `共 ${data.items.length} 件，整改中 ${data.open} 件，逾期 ${data.overdue} 件`;
    fill($("followups-table"), ["号码", "日期", "窗口", "工作人员", "评价", "原因", "意见", "整改期限", "状态", ""],
      data.items.map((item) => {
        const open = el("button", "处理");
        open.type = "button";
        open.addEventListener("click", () => showFollowup(item));
        const cells = [item.number, item.business_date, item.window || "–", item.clerk_name || "–",
          item.level_label, item.reasons.join("、"), item.comment || "", item.deadline,
          item.overdue ? "已逾期" : FOLLOWUP_STATUS[item.status], open];
        if (item.overdue) cells.className = "over";
        return cells;
      }));
  } catch (error) {
    if (current()) $("followups-error").textContent = error.message;
  }
}

function showFollowup(item) {
  followupState.selected = item.id;
  const box = $("followup-detail");
  box.hidden = false;
  $("followup-title").textContent = `${item.number}（${item.window || "–"}，${item.level_label}），整改期限 ${item.deadline}`;
  const steps = [];
  if (item.callback) {
    steps.push(`回访：${item.callback.reached ? "已联系" : "未联系上"}，${item.callback.note}`);
  }
  if (item.rectification) steps.push(`整改：${item.rectification.note}`);
  if (item.status === "closed") steps.push(`已办结 ${item.closed_local || ""} ${item.close_note || ""}`);
  $("followup-steps").replaceChildren(...steps.map((s) => el("li", s)));
  $("followup-forms").hidden = item.status === "closed";
  $("followup-message").textContent = "";
}

async function followupStep(step, body) {
  $("followup-message").textContent = "";
  try {
    const path = hallPath(`/followups/${followupState.selected}/${step}`);
    const item = await (await api(path, { method: "POST", json: body })).json();
    showFollowup(item);
    $("followup-message").textContent = "已保存";
    loadFollowups();
  } catch (error) {
    $("followup-message").textContent = error.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelector('[data-tab="followups"]').addEventListener("click", () => loadFollowups());
  $("followups-form").addEventListener("submit", loadFollowups);
  $("followup-callback").addEventListener("click", () => followupStep("callback", {
    reached: $("followup-reached").checked, note: $("followup-callback-note").value }));
  $("followup-rectify").addEventListener("click", () => followupStep("rectification", {
    note: $("followup-rectify-note").value }));
  $("followup-close").addEventListener("click", () => followupStep("close", {
    note: $("followup-close-note").value || null }));
});
