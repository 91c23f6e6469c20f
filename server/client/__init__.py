"""The Python SDK the three apps share: REST client + live event feed with resync."""

from server.client.layout import HallLayout, QueueLayout
from server.client.live import LiveFeed
from server.client.rest import ApiError, HallClient, ServerUnreachable
from server.client.state import HallState

__all__ = [
    "ApiError",
    "HallClient",
    "HallLayout",
    "HallState",
    "LiveFeed",
    "QueueLayout",
    "ServerUnreachable",
]
