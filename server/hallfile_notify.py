"""The hall file's `[hall.notify]` table: citizen alerts and 暂离 / 延后 limits."""

from __future__ import annotations

from typing import Any

from drivers.strict_toml import Table
from server.domain.notify import DEFAULT_TEMPLATES, check_template


def notify_settings(hall: Table) -> dict[str, Any]:
    """Parse `[hall.notify]` (every key optional) into the layout's `notify` settings."""
    table = hall.table("notify", None)
    if table is None:
        return {}
    settings: dict[str, Any] = {
        "ahead": table.integer("ahead", 3, lo=0, hi=50),
        "phone_tickets": table.integer("phone_tickets", 3, lo=1, hi=20),
        "step_back_max": table.integer("step_back_max", 5, lo=1, hi=50),
        "step_back_times": table.integer("step_back_times", 2, lo=0, hi=10),
        "away_max_minutes": table.integer("away_max_minutes", 30, lo=1, hi=240),
    }
    templates = table.table("templates", None)
    if templates is not None:
        chosen = {}
        for stage in DEFAULT_TEMPLATES:
            if templates.has(stage):
                text = templates.text(stage, max_len=300)
                problem = check_template(text)
                if problem:
                    raise templates.error(stage, problem)
                chosen[stage] = text
        templates.done()
        settings["templates"] = chosen
    table.done()
    return settings
