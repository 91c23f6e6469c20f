"""REST client of the v1 API, shared by the kiosk, the clerk pad, the displays and tests."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import quote

import httpx

from server.client.layout import HallLayout

# A write whose reply was lost is sent again this many times, with the same key.
WRITE_RETRIES = 2


class ApiError(Exception):
    """The server refused a request: HTTP status, `error.code` and the Chinese message."""

    def __init__(self, status: int, code: str, message: str, detail: Any = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.detail = status, code, message, detail


class ServerUnreachable(ApiError):
    """No answer from the server (network down, server stopped).

    For a keyed write `idempotency_key` is the key it went with: the write may have been
    stored, and sending it again with that key (or asking by key) finds out.
    """

    idempotency_key: str | None = None


def new_key() -> str:
    """A fresh Idempotency-Key: one per user intent, reused by every retry of it."""
    return str(uuid.uuid4())


class HallClient:
    """Calls of one hall, authenticated with a device token or a staff session token."""

    def __init__(
        self,
        base_url: str,
        hall: str,
        token: str | None = None,
        *,
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.hall = hall
        self.token = token
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> HallClient:
        """Use as a context manager to close the pool at the end."""
        return self

    def __exit__(self, *_: object) -> None:
        """Close the pool."""
        self.close()

    def login(self, username: str, password: str) -> dict[str, Any]:
        """Sign in; the client keeps using the session token."""
        session = self._call(
            "POST", "/api/v1/auth/login", json={"username": username, "password": password}
        )
        self.token = session["token"]
        return session

    def change_password(self, old_password: str, new_password: str) -> dict[str, Any]:
        """Set the signed-in user's own password (the initial one must be changed first)."""
        body = {"old_password": old_password, "new_password": new_password}
        return self._call("POST", "/api/v1/auth/password", json=body)

    def logout(self) -> None:
        """End the session everywhere (its live sockets close with 4401)."""
        self._call("POST", "/api/v1/auth/logout")
        self.token = None

    def me(self) -> dict[str, Any]:
        """Who this token is (a device's or a user's name, role, hall)."""
        return self._call("GET", "/api/v1/auth/me")

    def hall_info(self) -> dict[str, Any]:
        """Layout, guide tree and waiting counts."""
        return self._call("GET", self._hall(""))

    def layout(self) -> HallLayout:
        """The hall layout, typed (the one parser the apps share)."""
        return HallLayout.from_hall_info(self.hall_info())

    def issue(self, *, idempotency_key: str | None = None, **body: Any) -> dict[str, Any]:
        """Take a number (queue or matter, applicant_name, id_number, phone, priority …)."""
        return self._write("POST", self._hall("/tickets"), idempotency_key, json=body)

    def settle(self, key: str) -> dict[str, Any]:
        """What happened to a write of this client sent with `key` (404 ApiError: nothing)."""
        return self._call("GET", self._hall(f"/idempotency/{key}"))

    def find(
        self, number: str, id_number: str | None = None, appointment_code: str | None = None
    ) -> dict[str, Any]:
        """Today's ticket by number (kiosks give the ID number or the appointment code too)."""
        body = {"number": number, "id_number": id_number}
        if appointment_code:
            body["appointment_code"] = appointment_code
        return self._call("POST", self._hall("/tickets/find"), json=body)

    def ticket(self, ticket_id: str, secret: str | None = None) -> dict[str, Any]:
        """A ticket with its waiting estimate."""
        return self._call("GET", f"/api/v1/tickets/{ticket_id}", params=_secret(secret))

    def requeue(
        self, ticket_id: str, secret: str | None = None, *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """过号取号；with the stub's secret the reply carries it back for the new stub."""
        path = f"/api/v1/tickets/{ticket_id}/requeue"
        return self._write("POST", path, idempotency_key, params=_secret(secret))

    def cancel(
        self, ticket_id: str, secret: str | None = None, *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Give up a ticket."""
        path = f"/api/v1/tickets/{ticket_id}/cancel"
        return self._write("POST", path, idempotency_key, params=_secret(secret))

    def opt_in_phone(self, ticket_id: str, phone: str, secret: str | None = None) -> dict[str, Any]:
        """短信提醒：SMS alerts to a mainland mobile number (kept by the notifier only)."""
        path = f"/api/v1/tickets/{ticket_id}/phone"
        return self._write("POST", path, None, json={"phone": phone}, params=_secret(secret))

    def step_back(
        self,
        ticket_id: str,
        places: int,
        secret: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """延后 N 位：let the next `places` citizens of the line go first."""
        path = f"/api/v1/tickets/{ticket_id}/step-back"
        body = {"places": places}
        return self._write("POST", path, idempotency_key, json=body, params=_secret(secret))

    def away(
        self,
        ticket_id: str,
        minutes: int,
        secret: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """暂离：keep the place `minutes`; not called until back."""
        path = f"/api/v1/tickets/{ticket_id}/away"
        body = {"minutes": minutes}
        return self._write("POST", path, idempotency_key, json=body, params=_secret(secret))

    def come_back(self, ticket_id: str, secret: str | None = None) -> dict[str, Any]:
        """我回来了：the ticket may be called again at the place it kept."""
        path = f"/api/v1/tickets/{ticket_id}/back"
        return self._write("POST", path, None, params=_secret(secret))

    def evaluate(
        self,
        ticket_id: str,
        level: int,
        comment: str | None = None,
        secret: str | None = None,
        reasons: list[str] | None = None,
    ) -> dict[str, Any]:
        """好差评 1..5; `reasons` from the hall's list (required for 1-2 when sent)."""
        body: dict[str, Any] = {"level": level, "comment": comment}
        if reasons is not None:  # omitted: a button-box evaluator that cannot pick any
            body["reasons"] = reasons
        return self._write(
            "POST",
            f"/api/v1/tickets/{ticket_id}/evaluation",
            None,
            json=body,
            params=_secret(secret),
        )

    def window(
        self, code: str, action: str, *, idempotency_key: str | None = None, **body: Any
    ) -> dict[str, Any]:
        """Run a window action: sign-in, sign-out, call-next, call, recall, outcome, transfer."""
        path = self._hall(f"/windows/{code}/{action}")
        return self._write("POST", path, idempotency_key, json=body or None)

    def sign_in(self, code: str) -> dict[str, Any]:
        """Open the window for the signed-in clerk."""
        return self.window(code, "sign-in")

    def call_next(self, code: str, *, idempotency_key: str | None = None) -> dict[str, Any]:
        """叫号."""
        return self.window(code, "call-next", idempotency_key=idempotency_key)

    def outcome(
        self,
        code: str,
        outcome: str,
        reason: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """过号 / 受理 / 咨询 / 不予受理 for the current ticket."""
        return self.window(
            code, "outcome", idempotency_key=idempotency_key, outcome=outcome, reason=reason
        )

    def set_queues(self, code: str, queues: list[str]) -> dict[str, Any]:
        """潮汐 change (supervisor)."""
        return self._call("PUT", self._hall(f"/windows/{code}/queues"), json={"queues": queues})

    def book(
        self,
        queue: str,
        slot: dt.datetime,
        applicant_name: str,
        id_number: str,
        phone: str | None = None,
    ) -> dict[str, Any]:
        """Book an appointment."""
        return self._call(
            "POST",
            self._hall("/appointments"),
            json={
                "queue": queue,
                "slot": slot.isoformat(),
                "applicant_name": applicant_name,
                "id_number": id_number,
                "phone": phone,
            },
        )

    def device_status(self, device: str, status: str, detail: str | None = None) -> dict[str, Any]:
        """Report a device's health."""
        return self._call(
            "POST",
            self._hall(f"/devices/{device}/status"),
            json={"status": status, "detail": detail},
        )

    def events(self, since: int | None = None, limit: int = 500) -> dict[str, Any]:
        """Polling fallback of the live feed."""
        params: dict[str, Any] = {"limit": limit}
        if since is not None:
            params["since"] = since
        return self._call("GET", self._hall("/events"), params=params)

    def windows(self) -> dict[str, Any]:
        """The hall's windows with who is signed in where (staff read)."""
        return self._call("GET", self._hall("/windows"))

    def rejection_reasons(self) -> dict[str, Any]:
        """The hall's list of 不予受理 reasons."""
        return self._call("GET", self._hall("/rejection-reasons"))

    def window_context(self, code: str) -> dict[str, Any]:
        """A window's working context: current ticket, next in line, last service."""
        return self._call("GET", self._hall(f"/windows/{code}/context"))

    def notice(self, ticket_id: str, **params: Any) -> Any:
        """A 告知书 of a ticket (kind, format, materials, note): JSON or the document's bytes."""
        return self._raw("GET", self._hall(f"/tickets/{ticket_id}/notice"), params=params or None)

    def case(self, case_no: str) -> dict[str, Any]:
        """A case (办件) and its steps, by its 办件编号."""
        return self._call("GET", self._hall(f"/cases/{quote(case_no, safe='')}"))

    def ticket_case(self, ticket_id: str) -> dict[str, Any]:
        """The case a ticket led to (for a 出件 ticket: the citizen's case ready to hand out)."""
        return self._call("GET", self._hall(f"/tickets/{ticket_id}/case"))

    def case_step(self, case_no: str, step: str, **body: Any) -> dict[str, Any]:
        """Record a step of a case (转递、签收、办结、补正、领取、邮寄 …); the case after it."""
        path = self._hall(f"/cases/{quote(case_no, safe='')}/steps")
        return self._call("POST", path, json={"step": step, **body})

    def case_document(self, case_no: str, kind: str, **params: Any) -> Any:
        """A case document (handover, opinion, result): JSON or the document's bytes."""
        path = self._hall(f"/cases/{quote(case_no, safe='')}/documents/{kind}")
        return self._raw("GET", path, params=params or None)

    def take_lease(self, name: str, holder: str, ttl_seconds: int) -> dict[str, Any]:
        """Take or renew a hall lease (ApiError `lease_held` while another holder has it)."""
        body = {"holder": holder, "ttl_seconds": ttl_seconds}
        return self._call("PUT", self._hall(f"/leases/{name}"), json=body)

    def release_lease(self, name: str, holder: str) -> None:
        """Give a hall lease up so a standby takes it at once."""
        self._raw("DELETE", self._hall(f"/leases/{name}"), params={"holder": holder})

    def get(self, path: str, **params: Any) -> Any:
        """GET any API path (for routes without a helper)."""
        return self._raw("GET", path, params=params or None)

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Any API call; returns the decoded JSON (or bytes) or raises ApiError."""
        return self._raw(method, path, **kwargs)

    def _hall(self, suffix: str) -> str:
        return f"/api/v1/halls/{self.hall}{suffix}"

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        result = self._raw(method, path, **kwargs)
        return result if isinstance(result, dict) else {"content": result}

    def _write(self, method: str, path: str, key: str | None, **kwargs: Any) -> dict[str, Any]:
        """A keyed write: a timeout or a lost reply is retried with the same key."""
        key = key or new_key()
        for attempt in range(WRITE_RETRIES + 1):
            try:
                return self._call(method, path, idempotency_key=key, **kwargs)
            except ServerUnreachable as exc:
                exc.idempotency_key = key
                # Refused connections never reached the server: no reply was lost.
                if attempt == WRITE_RETRIES or isinstance(exc.__cause__, httpx.ConnectError):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _raw(
        self, method: str, path: str, idempotency_key: str | None = None, **kwargs: Any
    ) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        try:
            response = self._http.request(method, path, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            raise ServerUnreachable(
                0, "server_unreachable", "无法连接服务器，请稍后重试。", str(exc)
            ) from exc
        if response.status_code >= 400:
            raise _error(response)
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.content


def _secret(secret: str | None) -> dict[str, str] | None:
    return {"s": secret} if secret else None


def _error(response: httpx.Response) -> ApiError:
    try:
        err = response.json()["error"]
        return ApiError(response.status_code, err["code"], err["message"], err.get("detail"))
    except (ValueError, KeyError, TypeError):
        return ApiError(response.status_code, "http_error", response.text[:200])
