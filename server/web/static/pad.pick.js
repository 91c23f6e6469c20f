/* 一窗 web clerk pad: the pickers (matter search, transfer targets, window choice); no state. */
"use strict";

(function (global) {
  const Y = global.YiChuang || (global.YiChuang = {});

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach((k) => node.setAttribute(k, attrs[k]));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* A searchable list of matters (by name or code), recent ones first; one may be chosen. */
  function matterPicker(box, matters, preselected, onChange) {
    box.textContent = "";
    let chosen = null;
    const search = el("input", { class: "matter-search", placeholder: "搜索事项名称或编码（可选）", autocomplete: "off" });
    const list = el("div", { class: "matter-list" });
    const options = matters.map((m) => {
      const option = el("button", { type: "button", class: "matter-option", "data-matter": m.code });
      option.append(el("b", {}, m.name), el("small", {}, m.code + (m.department ? " · " + m.department : "")));
      if (m.recent) option.append(el("span", { class: "tag" }, "最近"));
      option.addEventListener("click", () => choose(chosen === m.code ? null : m.code));
      list.append(option);
      return option;
    });
    function choose(code) {
      chosen = code;
      options.forEach((o) => o.classList.toggle("selected", o.dataset.matter === code));
      if (onChange) onChange(code);
    }
    search.addEventListener("input", () => {
      const q = search.value.trim().toLowerCase();
      matters.forEach((m, i) => {
        options[i].hidden = Boolean(q) && m.name.toLowerCase().indexOf(q) < 0 && m.code.toLowerCase().indexOf(q) < 0;
      });
    });
    box.append(el("div", { class: "section" }, "办理事项"), search, list);
    if (!matters.length) list.append(el("div", { class: "caption" }, "本窗口业务未配置事项"));
    choose(preselected && matters.some((m) => m.code === preselected) ? preselected : null);
    return { value: () => chosen };
  }

  /* Windows a ticket may go to: open ones (with their clerk), or, for a later opening, the rest. */
  function transferWindows(targets, later) {
    return (targets.windows || [])
      .filter((w) => (w.queues || []).length && (later ? !w.open : w.open))
      .map((w) => [w.code, w.name + (w.clerk_name ? " · " + w.clerk_name : "") + (later ? "（" + (w.status === "paused" ? "暂停" : "未开启") + "）" : "")]);
  }

  /* The window picker's state of one window: mine, taken (by whom), free, or paused. */
  function windowChoice(w) {
    if (w.mine) return ["mine", "您当前的窗口"];
    if (w.clerk) return ["taken", "已由 " + (w.clerk.name || w.clerk.username) + " 签到" + (w.status === "paused" ? "（暂停）" : "")];
    return ["free", "空闲，可签到"];
  }

  Y.PadPick = { matterPicker: matterPicker, transferWindows: transferWindows, windowChoice: windowChoice };
})(window);
