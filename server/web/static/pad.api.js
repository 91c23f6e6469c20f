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

  const UNREACHABLE = "无法连接服务器, 请检查网络; 恢复后将自动同步";
  const BUSY = "系统繁忙，请稍后再试"; // a 502/503/504 without our JSON (a proxy answered)

  class PadApi {
    constructor(hall) {
      this.hall = hall;
      this.token = null;
    }

    hallPath(suffix) {
      return "/api/v1/halls/" + encodeURIComponent(this.hall) + suffix;
    }

    async request(method, path, body, raw) {
      const headers = {};
      if (this.token) headers.Authorization = "Bearer " + this.token;
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
        throw new ApiError(0, "server_unreachable", UNREACHABLE);
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
            ? BUSY : "请求失败 (" + response.status + ")"),
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

    act(win, action, body) {
      const path = this.hallPath("/windows/" + encodeURIComponent(win) + "/" + action);
      return this.request("POST", path, body);
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

  global.YiChuang = { ApiError: ApiError, PadApi: PadApi, LiveFeed: LiveFeed };
})(window);
