"""The outbox's pure rules: the retry schedule and which addresses a subscriber may have."""

from __future__ import annotations

import random

import pytest

from server.domain.outbox import Subscriber, backoff, url_problem


class Fixed:
    def __init__(self, value: float) -> None:
        self.value = value

    def random(self) -> float:
        return self.value


def test_backoff_doubles_from_the_base_up_to_the_cap_with_jitter_in_the_upper_half():
    top = [backoff(n, 2.0, 3600.0, Fixed(1.0)).total_seconds() for n in range(1, 15)]
    assert top[:5] == [2.0, 4.0, 8.0, 16.0, 32.0]
    assert max(top) == 3600.0 and top[-1] == 3600.0
    assert backoff(3, 2.0, 3600.0, Fixed(0.0)).total_seconds() == 4.0  # half of 8 s
    rng = random.Random(1)
    waits = [backoff(4, 2.0, 3600.0, rng).total_seconds() for _ in range(200)]
    assert min(waits) >= 8.0 and max(waits) <= 16.0 and len(set(waits)) > 100


@pytest.mark.parametrize(
    "url",
    ["http://10.1.2.3:8080/hook", "https://yw.example.gov.cn/api/events?x=1", "http://[::1]/h"],
)
def test_http_and_https_addresses_with_a_host_are_taken(url):
    assert url_problem(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://x.cn/",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://",
        "x.cn/hook",
        "http://x.cn:99999/",
        "http://x.cn/a b",
    ],
)
def test_other_addresses_are_refused_with_a_reason(url):
    assert url_problem(url)


def test_a_subscriber_wants_its_types_or_all():
    every = Subscriber("demo", "a", "http://x/", "s" * 16, ("*",), "cloudevents")
    some = Subscriber("demo", "b", "http://x/", "s" * 16, ("ticket.called",), "cloudevents")
    assert every.wants("device.status") and some.wants("ticket.called")
    assert not some.wants("ticket.issued")
