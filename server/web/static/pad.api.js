/* 一窗 clerk pad: the v1 API client and the live feed with resync (no dependencies). */
"use strict";

(function (global) {
  class ApiError extends Error {
    constructor(status, code, message, detail) {
      super(message);
      this.status = status;
      this.code = code;
      this.detail = detail;
    }
  }

  const UNREACHABLE = "无法连接服务器，请检查网络。";
  const TIMEOUT_MS = 8000; // a reply slower than this counts as lost
  const RETRIES = 2; // a write whose reply was lost is sent again, with the same key
  const ACTION_TEXT = { recall: "重呼", transfer: "转移", pause: "暂停", resume: "恢复服务", "call-next": "叫号", call: "选号" };
  const OUTCOME_TEXT = { accepted: "受理", consulted: "咨询", rejected: "不予受理", no_show: "过号" };
  // Taps replayed once when the server is back; a call is only checked (by key), never
  // replayed: calling a citizen minutes later, unasked, would call someone who left.
  const REPLAYED = ["outcome", "transfer", "pause", "resume"];
  const CHECKED = ["call-next", "call"];

  /* An Idempotency-Key: a v4 UUID (crypto.randomUUID needs https; getRandomValues does not). */
  function newKey() {
    if (global.crypto && global.crypto.randomUUID) return global.crypto.randomUUID();
    const b = global.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  /* What a tap was, for people: "受理 A012". */
  function intentLabel(action, body, ticket) {
    const what = action === "outcome" ? OUTCOME_TEXT[body.outcome] : ACTION_TEXT[action] || action;
    const number = action === "call" ? body.ticket : ticket && ticket.number;
    return number && action !== "pause" && action !== "resume" ? what + " " + number : what;
  }
  const BUSY = "系统繁忙，请稍后再试"; // a 502/503/504 without our JSON (a proxy answered)

  class PadApi {
    constructor(hall) {
      this.hall = hall;
      this.token = null;
    }

    hallPath(suffix) {
      return "/api/v1/halls/" + encodeURIComponent(this.hall) + suffix;
    }

    async request(method, path, body, raw, key) {
      const headers = {};
      if (this.token) headers.Authorization = "Bearer " + this.token;
      if (body !== undefined) headers["Content-Type"] = "application/json";
      if (key) headers["Idempotency-Key"] = key;
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
      let response;
      try {
        response = await fetch(path, {
          method: method,
          headers: headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          cache: "no-store",
          signal: abort.signal,
        });
      } catch (e) {
        throw new ApiError(0, "server_unreachable", UNREACHABLE);
      } finally {
        clearTimeout(timer);
      }
      if (!response.ok) {
        let err = {};
        try {
          err = (await response.json()).error || {};
        } catch (e) {
          err = {};
        }
        throw new ApiError(
          response.status,
          err.code || "http_error",
          err.message || ([502, 503, 504].indexOf(response.status) >= 0
            ? BUSY : "请求失败（" + response.status + "）"),
          err.detail
        );
      }
      try {
        return await (raw ? response.blob() : response.json());
      } catch (e) {
        throw new ApiError(0, "server_unreachable", UNREACHABLE); // the connection broke mid-reply
      }
    }

    login(username, password) {
      return this.request("POST", "/api/v1/auth/login", { username: username, password: password });
    }

    logout() {
      return this.request("POST", "/api/v1/auth/logout");
    }

    layout() {
      return this.request("GET", this.hallPath(""));
    }

    reasons() {
      return this.request("GET", this.hallPath("/rejection-reasons"));
    }

    context(win) {
      return this.request("GET", this.hallPath("/windows/" + encodeURIComponent(win) + "/context"));
    }

    /* A window button with its Idempotency-Key: a lost reply is retried with the same key. */
    async act(win, action, body, key) {
      const path = this.hallPath("/windows/" + encodeURIComponent(win) + "/" + action);
      key = key || newKey();
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.request("POST", path, body, false, key);
        } catch (err) {
          err.key = key;
          if (err.status !== 0 || attempt >= RETRIES) throw err;
        }
      }
    }

    /* What became of a write this pad sent with `key` (404: it was never carried out). */
    settle(key) {
      return this.request("GET", this.hallPath("/idempotency/" + encodeURIComponent(key)));
    }

    notice(ticketId, params) {
      const query = new URLSearchParams();
      Object.keys(params).forEach(function (key) {
        const value = params[key];
        if (Array.isArray(value)) value.forEach(function (v) { query.append(key, v); });
        else if (value) query.append(key, value);
      });
      const path = this.hallPath("/tickets/" + encodeURIComponent(ticketId) + "/notice?" + query);
      return this.request("GET", path, undefined, true);
    }

    /* A document of the case a ticket's 受理 opened (申请材料交接确认单 …) as PDF. */
    async caseDocument(ticketId, kind, materials) {
      const found = await this.request("GET", this.hallPath("/tickets/" + encodeURIComponent(ticketId) + "/case"));
      const query = new URLSearchParams({ format: "pdf" });
      (materials || []).forEach(function (m) { query.append("materials", m); });
      const path = this.hallPath("/cases/" + encodeURIComponent(found.case_no) + "/documents/" + kind + "?" + query);
      return this.request("GET", path, undefined, true);
    }
  }

  /* Taps made while the server was away, kept in the tab and sent once each when it is back. */
  class Outbox {
    constructor(name) {
      this.name = name;
      this.running = false;
    }

    items() {
      try {
        return JSON.parse(sessionStorage.getItem(this.name) || "[]");
      } catch (e) {
        return [];
      }
    }

    save(items) {
      sessionStorage.setItem(this.name, JSON.stringify(items));
    }

    /* Keep a tap that got no answer; false for taps that are not kept (see REPLAYED). */
    keep(win, action, body, key, ticket) {
      if (REPLAYED.indexOf(action) < 0 && CHECKED.indexOf(action) < 0) return false;
      const item = { key: key, win: win, action: action, body: body, label: intentLabel(action, body || {}, ticket) };
      if (CHECKED.indexOf(action) >= 0) item.check = true;
      this.save(this.items().concat([item]));
      return true;
    }

    pending() {
      return this.items().filter((i) => !i.check).map((i) => i.label);
    }

    /* Send each kept tap once, in order; `report(item, result, err)`; false while still away. */
    async replay(api, report) {
      if (this.running) return false;
      this.running = true;
      try {
        for (const item of this.items()) {
          try {
            const result = item.check
              ? (await api.settle(item.key)).response
              : await api.act(item.win, item.action, item.body, item.key);
            report(item, result, null);
          } catch (err) {
            if (err.status === 0) return false; // still away: the rest stays kept
            report(item, null, err);
          }
          this.save(this.items().filter((i) => i.key !== item.key));
        }
        return true;
      } finally {
        this.running = false;
      }
    }
  }

  /* What a replayed tap came to, for the message line. */
  function replayText(item, result, err) {
    if (item.check && err && err.status === 404) return item.label + (item.label === "叫号" ? "" : " ") + "未执行，请重新叫号";
    if (item.check && result) return "已核对：" + result.number + " 已叫号";
    if (err) return "未同步：" + item.label + "（" + err.message + "）";
    return "已同步：" + item.label;
  }

  /* The hall's live events in seq order; reconnects with `since` and never repeats a seq. */
  class LiveFeed {
    constructor(api, onMessage, onStatus) {
      this.api = api;
      this.onMessage = onMessage;
      this.onStatus = onStatus;
      this.lastSeq = null;
      this.delay = 200;
      this.stopped = false;
      this.everConnected = false;
      this.ws = null;
    }

    url() {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      let query = "token=" + encodeURIComponent(this.api.token);
      if (this.lastSeq !== null) query += "&since=" + this.lastSeq;
      return scheme + "//" + location.host + this.api.hallPath("/live") + "?" + query;
    }

    start() {
      this.stopped = false;
      this.connect();
      return this;
    }

    connect() {
      const ws = new WebSocket(this.url());
      this.ws = ws;
      ws.onopen = () => {
        this.onStatus(this.everConnected ? "resynced" : "connected");
        this.everConnected = true;
        this.delay = 200;
      };
      ws.onmessage = (event) => this.deliver(JSON.parse(event.data));
      ws.onclose = (event) => {
        if (this.stopped || this.ws !== ws) return;
        if (event.code === 4401) {
          this.onStatus("unauthorized");
          return;
        }
        this.onStatus("disconnected");
        setTimeout(() => { if (!this.stopped) this.connect(); }, this.delay);
        this.delay = Math.min(this.delay * 2, 4000);
      };
    }

    deliver(msg) {
      const seq = Number(msg.seq || 0);
      if (msg.type === "error") return;
      if (msg.type === "snapshot") this.lastSeq = seq;
      else if (this.lastSeq !== null && seq <= this.lastSeq) return; // resent after a reconnect
      else this.lastSeq = seq;
      this.onMessage(msg);
    }

    drop() {
      /* Close the socket as a network drop would; the feed reconnects by itself. */
      if (this.ws) this.ws.close();
    }

    stop() {
      this.stopped = true;
      if (this.ws) this.ws.close();
    }
  }

  global.YiChuang = {
    ApiError: ApiError,
    PadApi: PadApi,
    LiveFeed: LiveFeed,
    Outbox: Outbox,
    newKey: newKey,
    replayText: replayText,
  };
})(window);
