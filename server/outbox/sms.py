"""The `sms` outbox format: near-turn, call，过号 and 补正 messages to a hall's SMS gateway.

A hall connects its gateway as an outbox subscriber with format `sms`. On every event that
can move a line or end a ticket, the format looks at the hall's opted-in tickets (numbers
from the notifier's own table) and returns one request per message now due, keyed
`sms:{ticket}:{stage}`: the outbox sends a key once, so each ticket gets each stage once
however many events make it due, and a cancelled, served or expired ticket is due nothing.

Subscriber options (all strings): `method` (POST or PUT), `body` (`json` or `form`),
`template` (the body with `{phone}`, `{text}`, `{sign}` and `{signed_text}` placeholders),
`sign` (签名), `auth` (`none`, `bearer`, `header` or `hmac`) with `auth_header` naming the
header; the subscriber's secret is the token or the HMAC-SHA256 key.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import json
from collections import defaultdict
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from server.domain import notify
from server.domain.layout import Layout
from server.domain.model import Ticket, TicketStatus
from server.domain.numbering import business_date
from server.domain.policy import queue_order_key
from server.outbox.formats import LoggedEvent, Outgoing, Target, register
from server.protocol.events import TICKET_EVENTS, EventType

DEFAULT_JSON = '{"phone": "{phone}", "text": "{text}", "sign": "{sign}"}'
DEFAULT_FORM = "phone={phone}&text={text}&sign={sign}"


OPTIONS = frozenset({"method", "body", "template", "sign", "auth", "auth_header"})


def check_options(options: Mapping[str, str]) -> str | None:
    """The problem with a subscriber's `sms` options (for the subscribers API), or None."""
    unknown = set(options) - OPTIONS
    if unknown:
        return f"unknown options {sorted(unknown)}; known: {sorted(OPTIONS)}"
    if options.get("method", "POST").upper() not in ("POST", "PUT"):
        return "method must be POST or PUT"
    if options.get("body", "json") not in ("json", "form"):
        return "body must be json or form"
    if options.get("auth", "none") not in ("none", "bearer", "header", "hmac"):
        return "auth must be none, bearer, header or hmac"
    try:  # render a sample: a template that does not fill in is refused now, not at 09:00
        sample = Target("check", "http://gateway.invalid", "k", "sms", options)
        build_request("sms:check:near", "13800000000", "文本", sample)
    except (ValueError, KeyError, IndexError) as exc:
        return f"template does not render: {exc!r}"
    return None


def due_messages(event: LoggedEvent, repos: Any, layout: Layout) -> list[tuple[str, str, str, str]]:
    """(key, ticket id, phone, text) of every message the hall's opted-in tickets are due now."""
    if event.type == EventType.CASE_STEP:
        return _correction(event, repos, layout)
    if event.type not in TICKET_EVENTS:
        return []
    rule = notify.rule_from(layout.settings)
    day = business_date(event.at, layout.timezone)
    opted = repos.notify.live_opted_in(event.hall, day)
    tickets = [(repos.tickets.get(ticket_id), phone) for ticket_id, phone in opted]
    lines = _lines(repos, event.hall, day, [t for t, _ in tickets if t is not None])
    due = []
    for ticket, phone in tickets:
        if ticket is None:
            continue
        ahead = None
        if ticket.status is TicketStatus.WAITING:
            ahead = bisect.bisect_left(lines[ticket.queue], queue_order_key(ticket))
        stage = notify.due_stage(ticket, ahead, rule)
        if stage is not None:
            text = notify.render(ticket, stage, ahead, layout, rule)
            due.append((f"sms:{ticket.id}:{stage}", ticket.id, phone, text))
    return due


def _correction(event: LoggedEvent, repos: Any, layout: Layout) -> list[tuple[str, str, str, str]]:
    """补正：the citizen whose ticket opened the case is told, once per 补正 step (its seq)."""
    case = event.payload.get("case") or {}
    if case.get("step") != "correct" or not case.get("ticket"):
        return []
    phone = repos.notify.phone_of(case["ticket"])
    if phone is None:
        return []
    matter = layout.matters.get(case.get("matter") or "")
    name = matter.name if matter is not None else str(case.get("matter") or "")
    text = notify.render_correction(
        case["case_no"], name, layout, notify.rule_from(layout.settings)
    )
    return [(f"sms:{case['ticket']}:correct:{event.seq}", case["ticket"], phone, text)]


def _lines(
    repos: Any, hall: str, day: Any, tickets: list[Ticket]
) -> dict[str, list[tuple[int, int]]]:
    """Each needed queue's waiting line as sort keys: one read per queue, not per ticket."""
    queues = {t.queue for t in tickets if t.status is TicketStatus.WAITING}
    lines: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for queue in queues:
        waiting = repos.tickets.waiting_for(hall, day, [queue], None)
        lines[queue] = sorted(queue_order_key(t) for t in waiting if t.queue == queue)
    return lines


def build_request(key: str, phone: str, text: str, target: Target) -> Outgoing:
    """The gateway request of one message, as the subscriber's options describe it."""
    options = target.options
    sign = options.get("sign", "")
    values = {
        "phone": phone,
        "text": text,
        "sign": sign,
        "signed_text": f"【{sign}】{text}" if sign else text,
    }
    headers = {"X-Message-Id": key}
    if options.get("body", "json") == "form":
        pairs = parse_qsl(options.get("template", DEFAULT_FORM), keep_blank_values=True)
        body = urlencode([(name, value.format_map(values)) for name, value in pairs]).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    else:
        shape = json.loads(options.get("template", DEFAULT_JSON))
        body = json.dumps(_fill(shape, values), ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json; charset=utf-8"
    headers.update(_auth(options, target.secret, body))
    method = options.get("method", "POST").upper()
    return Outgoing(key=key, method=method, url=target.url, headers=headers, body=body)


def _fill(shape: Any, values: Mapping[str, str]) -> Any:
    """The JSON template with placeholders filled in its strings (values stay JSON-escaped)."""
    if isinstance(shape, str):
        return shape.format_map(values)
    if isinstance(shape, dict):
        return {k: _fill(v, values) for k, v in shape.items()}
    if isinstance(shape, list):
        return [_fill(v, values) for v in shape]
    return shape


def _auth(options: Mapping[str, str], secret: str, body: bytes) -> dict[str, str]:
    kind = options.get("auth", "none")
    if kind == "bearer":
        return {"Authorization": f"Bearer {secret}"}
    if kind == "header":
        return {options.get("auth_header", "X-Api-Key"): secret}
    if kind == "hmac":
        digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return {options.get("auth_header", "X-Signature"): f"sha256={digest}"}
    return {}


@register("sms")
def render_sms(event: LoggedEvent, target: Target, repos: Any) -> list[Outgoing]:
    """The outbox format: one request per message the event made due."""
    layout = repos.halls.layout(event.hall)
    if layout is None:
        return []
    return [
        build_request(key, phone, text, target)
        for key, _, phone, text in due_messages(event, repos, layout)
    ]
