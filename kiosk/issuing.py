"""Issuing with an Idempotency-Key, and settling issues whose answer never came.

A kiosk that timed out may have had its ticket stored (a ghost ticket nobody holds). Each
取号 therefore goes with one key, retried by the SDK; when the retries run out the kiosk
keeps the key and, once the server answers again, asks what became of it: a ticket still
wanted by the citizen at the screen is printed, any other is cancelled.
"""

from __future__ import annotations

import logging
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any

from kiosk.core import PresenterCore
from kiosk.ports import Api
from kiosk.state import Screen
from server.client import ApiError, ServerUnreachable
from server.client.rest import new_key

log = logging.getLogger("yichuang.kiosk")
# The pages a citizen waits on for the ticket they asked for.
_ASKING = frozenset({Screen.IDENTIFY, Screen.APPOINTMENT, Screen.GREEN})


@dataclass(frozen=True)
class Unsettled:
    """An issue sent with `key` whose answer never came."""

    key: str
    body: dict[str, Any]
    client: Api
    visit: int  # the citizen's visit it was for (home() starts the next one)


class IssueFlows:
    """取号 with one key per intent; unsettled keys are settled when the server is back."""

    def __init__(self, core: PresenterCore) -> None:
        self._core = core
        self._unsettled: list[Unsettled] = []
        self._unsettled_lock = threading.Lock()
        self._visit = 0

    def issue_job(self, client: Api, body: dict[str, Any]) -> None:
        """Check the printer, issue with this intent's key, print and show (or explain)."""
        if not self._core.printer_ready():
            return
        key = self._key_for(client, body)
        try:
            ticket = client.issue(idempotency_key=key, **body)
        except ServerUnreachable as exc:
            with self._unsettled_lock:
                self._unsettled.append(Unsettled(key, dict(body), client, self._visit))
            self._core.fail(exc)
            return
        except ApiError as exc:  # refused: nothing was stored under the key
            self._core.fail(exc)
            return
        self._core.print_and_show(ticket, requeued=False)

    def _key_for(self, client: Api, body: dict[str, Any]) -> str:
        """The key of this intent: a second tap on 取号 for the same request reuses it."""
        with self._unsettled_lock:
            for item in self._unsettled:
                if item.client is client and item.body == body and item.visit == self._visit:
                    self._unsettled.remove(item)
                    return item.key
        return new_key()

    def new_visit(self) -> None:
        """A new citizen: a key kept for the last one is not reused."""
        self._visit += 1

    def has_unsettled(self) -> bool:
        """True while some issue waits to be settled."""
        return bool(self._unsettled)

    def settle_job(self) -> None:
        """Ask the server what became of each unsettled issue; print or cancel its ticket."""
        with self._unsettled_lock:
            items, self._unsettled = self._unsettled, []
        for i, item in enumerate(items):
            try:
                found = item.client.settle(item.key)
            except ServerUnreachable:
                with self._unsettled_lock:  # still down: keep the rest for the next try
                    self._unsettled[:0] = items[i:]
                return
            except ApiError as exc:
                if exc.status != 404:
                    log.warning("settling issue %s: %s", item.key, exc)
                continue  # 404: it was never stored
            self._settled(item, found["response"])

    def _settled(self, item: Unsettled, ticket: dict[str, Any]) -> None:
        state = self._core.state
        waiting = item.visit == self._visit and state.screen in _ASKING and not state.busy
        if waiting and self._core.printer_ready():
            log.info("issue %s settled late: printing %s", item.key, ticket.get("number"))
            self._core.print_and_show(ticket, requeued=False)
            return
        log.info("issue %s settled after the citizen left: cancelling %s", item.key, ticket["id"])
        try:
            item.client.cancel(str(ticket["id"]), _secret(ticket))
        except ApiError as exc:
            log.warning("could not cancel the unheld ticket %s: %s", ticket.get("number"), exc)


def _secret(ticket: dict[str, Any]) -> str | None:
    """The owner secret in the 201's progress URL (`…/t/<id>?s=<secret>`)."""
    query = urllib.parse.urlsplit(str(ticket.get("progress_url") or "")).query
    return (urllib.parse.parse_qs(query).get("s") or [None])[0]
