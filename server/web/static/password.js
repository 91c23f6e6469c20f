// 修改密码：the form every page shows when the sign-in answers password_change_required
// (issue 19). Plain script; user text only ever as textContent.
"use strict";

window.ycPasswordForm = function ycPasswordForm(container, token, onDone) {
  const make = (tag, text) => {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    return node;
  };
  const form = make("form");
  form.className = "password-form";
  const title = make("h2", "请先修改初始密码");
  const hint = make("p", "新密码至少 8 位，包含大写字母、小写字母、数字、符号中的至少 3 类，且不能包含用户名。");
  const field = (label, id, auto) => {
    const wrap = make("label", label + " ");
    const input = make("input");
    input.type = "password";
    input.id = id;
    input.required = true;
    input.autocomplete = auto;
    wrap.appendChild(input);
    return [wrap, input];
  };
  const [oldLabel, oldInput] = field("原密码", "pw-old", "current-password");
  const [newLabel, newInput] = field("新密码", "pw-new", "new-password");
  const [againLabel, againInput] = field("再次输入新密码", "pw-again", "new-password");
  const submit = make("button", "修改密码");
  submit.type = "submit";
  const error = make("p");
  error.className = "error";
  error.setAttribute("role", "alert");
  form.append(title, hint, oldLabel, newLabel, againLabel, submit, error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (newInput.value !== againInput.value) {
      error.textContent = "两次输入的新密码不一致";
      return;
    }
    const response = await fetch("/api/v1/auth/password", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ old_password: oldInput.value, new_password: newInput.value }),
    });
    if (response.ok) {
      form.remove();
      onDone();
      return;
    }
    let body = null;
    try { body = await response.json(); } catch (_) { body = null; }
    error.textContent = (body && body.error && body.error.message) || `修改失败（${response.status}）`;
  });
  container.replaceChildren(form);
  oldInput.focus();
};
