"""A hall's configured layout: queues, matters, guide, areas (changes only with its hall file)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.domain.model import Queue


@dataclass(frozen=True)
class Matter:
    """A matter (事项) and the queue it routes to."""

    code: str
    name: str
    queue: str
    department: str | None
    catalog_code: str | None = None  # 事项编码 in the provincial catalogue
    department_code: str | None = None  # the department's 统一社会信用代码


@dataclass(frozen=True)
class Layout:
    """Everything about a hall that changes only when its hall file is loaded."""

    code: str
    name: str
    timezone: str
    settings: dict[str, Any]
    guide: list[dict[str, Any]]
    areas: tuple[tuple[str, str], ...]
    queues: dict[str, Queue]
    matters: dict[str, Matter]

    def queue_name(self, code: str) -> str:
        """Name of a queue, or the code when unknown."""
        queue = self.queues.get(code)
        return queue.name if queue else code
