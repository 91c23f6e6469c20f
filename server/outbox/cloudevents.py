"""The `cloudevents` format: each event as one CloudEvents 1.0 structured-mode JSON request.

Written here in a few lines rather than with the `cloudevents` SDK: structured mode is one
JSON object with six required attributes, and the SDK would be one more dependency for
halls installed offline.
"""

from __future__ import annotations

import json
from typing import Any

from server.outbox import signing
from server.outbox.formats import LoggedEvent, Outgoing, Target, register

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
TYPE_PREFIX = "cn.yichuang."


def envelope(event: LoggedEvent) -> dict[str, Any]:
    """The CloudEvent of a logged event."""
    return {
        "specversion": "1.0",
        "id": f"{event.hall}:{event.seq}",
        "source": f"/halls/{event.hall}",
        "type": TYPE_PREFIX + event.type,
        "time": event.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "datacontenttype": "application/json",
        "sequence": str(event.seq),  # the CloudEvents sequence extension: order within the hall
        "data": dict(event.payload),
    }


@register("cloudevents")
def render(event: LoggedEvent, target: Target, repos: Any) -> list[Outgoing]:
    """One signed POST of the event to the subscriber's URL."""
    ident = f"{event.hall}:{event.seq}"
    body = json.dumps(envelope(event), ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": CONTENT_TYPE,
        "Idempotency-Key": ident,
        signing.HEADER: signing.header(target.secret, body),
    }
    return [Outgoing(key=ident, method="POST", url=target.url, headers=headers, body=body)]
