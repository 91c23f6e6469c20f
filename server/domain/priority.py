"""Automatic priority (长辈优先): a hall's age rules, applied to the ID number at issue time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from server.domain import identity

ELDERLY_LABEL = "长辈优先"


@dataclass(frozen=True)
class PriorityRule:
    """Citizens aged `min_age` or more get priority in `queues` (all queues when empty)."""

    min_age: int
    queues: tuple[str, ...] = ()
    label: str = ELDERLY_LABEL

    def covers(self, queue: str) -> bool:
        """Whether the rule applies to tickets of this queue."""
        return not self.queues or queue in self.queues


def rules_from(settings: Sequence[Mapping[str, Any]] | None) -> tuple[PriorityRule, ...]:
    """The rules as the hall layout stores them (validated by the hall-file loader)."""
    return tuple(
        PriorityRule(int(r["min_age"]), tuple(r.get("queues") or ()), str(r.get("label") or ""))
        for r in settings or ()
    )


def automatic_priority(
    rules: Iterable[PriorityRule], queue: str, id_number: str, today: dt.date
) -> PriorityRule | None:
    """The first rule this citizen meets on the hall's `today`, or None.

    `id_number` is normalized (18 digits, or the legacy 15); the age counts whole years, so
    one turns 70 on the 70th birthday itself.
    """
    age = identity.age_on(id_number, today)
    for rule in rules:
        if rule.covers(queue) and age >= rule.min_age:
            return rule
    return None
