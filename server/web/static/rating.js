/* 一窗 好差评 form, shared by the phone progress page and the window's rating tablet.

A tap only chooses a level. 不满意 and 非常不满意 then ask for one or more reasons from the
hall's list (required); a comment may be typed; nothing is sent until 提交评价 is tapped.
Reasons and comments are shown and sent as plain text.
*/
"use strict";

(function () {
  const POOR = [1, 2];
  const LEVELS = { 5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意" };

  // root holds .level buttons, #rate-reasons, #comment, #rate-hint and #rate-submit.
  // send({level, reasons, comment}) posts the rating and may throw; onChange runs on every edit.
  function ratingForm(root, send, onChange) {
    const $ = (sel) => root.querySelector(sel);
    const levels = Array.from(root.querySelectorAll(".level"));
    const box = $("#rate-reasons");
    const comment = $("#comment");
    const hint = $("#rate-hint");
    const submit = $("#rate-submit");
    let level = null;
    let offered = [];
    let busy = false;
    const picked = new Set();

    const poor = () => POOR.indexOf(level) >= 0;
    const needsReason = () => poor() && offered.length > 0 && picked.size === 0;

    function update() {
      levels.forEach((b) => b.setAttribute("aria-pressed", String(Number(b.dataset.level) === level)));
      box.hidden = !poor() || offered.length === 0;
      box.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(picked.has(b.textContent))));
      submit.disabled = busy || level === null || needsReason();
      hint.textContent = level === null ? "请先选择满意程度" : needsReason() ? "请至少选择一项不满意的原因" : "";
    }

    function edited() {
      update();
      if (onChange) onChange();
    }

    function offer(reasons) {
      const list = Array.isArray(reasons) ? reasons : [];
      if (list.join("\n") === offered.join("\n")) return;
      offered = list;
      box.querySelector(".reason-list").replaceChildren(...offered.map((text) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "reason";
        b.textContent = text;
        b.addEventListener("click", () => {
          if (picked.has(text)) picked.delete(text); else picked.add(text);
          edited();
        });
        return b;
      }));
      Array.from(picked).forEach((text) => { if (offered.indexOf(text) < 0) picked.delete(text); });
      update();
    }

    // A fresh form for a new service (the same service keeps what the citizen chose).
    function reset(reasons) {
      level = null;
      picked.clear();
      comment.value = "";
      offered = [];
      offer(reasons);
      update();
    }

    levels.forEach((b) => b.addEventListener("click", () => {
      level = Number(b.dataset.level);
      edited();
      if (poor()) box.scrollIntoView({ block: "nearest" });
    }));
    comment.addEventListener("input", () => { if (onChange) onChange(); });
    submit.addEventListener("click", async () => {
      if (submit.disabled) return;
      busy = true;
      update();
      try {
        await send({
          level: level,
          reasons: poor() ? offered.filter((text) => picked.has(text)) : [],
          comment: comment.value.trim() || null,
        });
      } finally {
        busy = false;
        update();
      }
    });
    update();
    return { reset: reset, offer: offer };
  }

  window.YiChuangRating = { form: ratingForm, LEVELS: LEVELS };
})();
