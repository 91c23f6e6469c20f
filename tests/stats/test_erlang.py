"""Erlang C, checked against the textbook formula and by what it promises."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.stats.erlang import erlang_c, mean_wait, windows_needed


def textbook_erlang_c(servers: int, load: float) -> float:
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    bottom = sum(load**k / math.factorial(k) for k in range(servers)) + top
    return top / bottom


@pytest.mark.parametrize("servers, load", [(1, 0.5), (2, 1.5), (11, 10.0), (30, 25.0), (5, 0.1)])
def test_the_recursion_equals_the_textbook_formula(servers, load):
    assert erlang_c(servers, load) == pytest.approx(textbook_erlang_c(servers, load), rel=1e-9)


def test_one_window_is_the_m_m_1_queue():
    # M/M/1: Wq = ρ / (μ − λ); λ = 0.1/min, service 5 min → ρ = 0.5, Wq = 5 min
    assert mean_wait(1, 0.1, 5.0) == pytest.approx(5.0)


def test_overloaded_windows_never_catch_up():
    assert erlang_c(3, 3.0) == 1.0
    assert mean_wait(3, 1.0, 3.0) == math.inf
    assert windows_needed(0.0, 5.0, 10.0) == 0


@given(
    per_hour=st.floats(min_value=0.5, max_value=400),
    service=st.floats(min_value=0.5, max_value=30),
    target=st.floats(min_value=0.5, max_value=60),
)
def test_the_advice_is_the_fewest_windows_that_meet_the_target(per_hour, service, target):
    per_minute = per_hour / 60
    needed = windows_needed(per_minute, service, target)
    assert mean_wait(needed, per_minute, service) <= target
    assert needed == 1 or mean_wait(needed - 1, per_minute, service) > target
