"""`serve --workers N` warns when the workers outnumber the machine's cores."""

from server.cli import crowded_workers


def test_more_workers_than_cores_is_named_with_both_numbers():
    warning = crowded_workers(4, 2)
    assert warning is not None
    assert warning.startswith("4 workers on 2 cores")
    assert "docs/operations.md" in warning


def test_a_worker_per_core_or_fewer_says_nothing():
    assert crowded_workers(1, 2) is None
    assert crowded_workers(2, 2) is None
    assert crowded_workers(4, 8) is None
