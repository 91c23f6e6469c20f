"""`serve --workers N` warns when the workers outnumber the machine's cores."""

import os

from server import cli
from server.cli import crowded_workers, usable_cores


def test_more_workers_than_cores_is_named_with_both_numbers():
    warning = crowded_workers(4, 2)
    assert warning is not None
    assert warning.startswith("4 workers on 2 cores")
    assert "docs/operations.md" in warning


def test_a_worker_per_core_or_fewer_says_nothing():
    assert crowded_workers(1, 2) is None
    assert crowded_workers(2, 2) is None
    assert crowded_workers(4, 8) is None


def test_the_cores_are_counted_where_the_system_has_no_affinity(monkeypatch):
    """macOS and Windows have no sched_getaffinity: `serve` must still start there."""
    assert usable_cores() >= 1
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert cli.usable_cores() == 6
