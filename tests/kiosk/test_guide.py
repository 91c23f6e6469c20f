"""Walking the demo hall's guide tree (pure)."""

from __future__ import annotations

import pytest

from kiosk.guide import find_path, leaves, step
from server.config import DEMO_HALL_FILE
from server.hallfile import load_hall_file


@pytest.fixture(scope="module")
def tree():
    return load_hall_file(DEMO_HALL_FILE).guide


def test_the_first_step_asks_for_the_category(tree):
    first = step(tree, ())
    assert first.question is None and first.labels == ()
    assert first.options[:2] == ("企业开办与变更", "不动产")


def test_every_leaf_is_a_matter_or_online_advice(tree):
    found = leaves(tree)
    assert len(found) >= 30
    for _path, leaf in found:
        assert bool(leaf.get("matter")) != bool(leaf.get("online"))


def test_the_path_to_second_hand_housing(tree):
    path = find_path(tree, ["不动产", "买卖过户", "二手房"])
    reached = step(tree, path)
    assert reached.is_leaf and reached.leaf["matter"] == "bdc-mmgh"
    assert reached.labels == ("不动产", "买卖过户", "二手房")


def test_an_answer_that_is_not_offered_is_an_error(tree):
    with pytest.raises(IndexError):
        step(tree, (99,))
    with pytest.raises(KeyError):
        find_path(tree, ["不动产", "租房"])
