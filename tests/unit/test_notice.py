"""The PostgreSQL notice carries a write's events, so relays need not read them back."""

from __future__ import annotations

import json

from server.realtime.hub import Hub
from server.realtime.pg import NOTICE_BYTES, PgRelay, notice, parse_notice


def event(seq: int, text: str = "S01") -> tuple[int, str]:
    message = {"seq": seq, "type": "ticket.called", "window": text, "note": "第一行\n第二行\t制表"}
    return seq, json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def test_a_notice_round_trips_its_events_even_with_newlines_and_tabs_in_them():
    items = [event(7), event(8)]
    assert parse_notice(notice("demo", items)) == ("demo", items)


def test_a_notice_too_big_for_postgresql_names_only_the_hall():
    items = [event(n, "很长的窗口名" * 50) for n in range(1, 40)]
    payload = notice("demo", items)
    assert payload == "demo"
    assert parse_notice(payload) == ("demo", [])
    fitting = notice("demo", items[:2])
    assert len(fitting.encode()) <= NOTICE_BYTES


class Recorder(Hub):
    def __init__(self) -> None:
        super().__init__()
        self.got: list[tuple[str, list[tuple[int, str]]]] = []

    def publish(self, hall: str, items: list[tuple[int, str]]) -> None:
        self.got.append((hall, items))


class Relay(PgRelay):
    """The relay without its database: reads of the log are recorded, from a list."""

    def __init__(self, log: list[tuple[int, str]]) -> None:
        super().__init__(db=None, hub=Recorder())  # type: ignore[arg-type]
        self.log, self.reads = log, 0

    def _catch_up(self, hall: str) -> None:
        self.reads += 1
        fresh = [item for item in self.log if item[0] > self.last.get(hall, 0)]
        if fresh:
            self.last[hall] = fresh[-1][0]
            self.hub.publish(hall, fresh)


def test_events_that_follow_the_last_delivered_are_handed_on_without_a_read():
    log = [event(n) for n in (1, 2, 3)]
    relay = Relay(log)
    relay.last = {"demo": 0}
    relay._deliver(notice("demo", log[:2]))
    relay._deliver(notice("demo", log[2:]))
    assert relay.reads == 0
    assert relay.hub.got == [("demo", log[:2]), ("demo", log[2:])]  # type: ignore[attr-defined]


def test_a_gap_or_a_bare_notice_reads_the_log_and_an_old_notice_is_ignored():
    log = [event(n) for n in (1, 2, 3, 4)]
    relay = Relay(log)
    relay.last = {"demo": 1}
    relay._deliver(notice("demo", log[2:3]))  # seq 3 after 1: seq 2's notice was lost
    assert relay.reads == 1
    assert relay.hub.got == [("demo", log[1:])]  # type: ignore[attr-defined]
    relay._deliver(notice("demo", log[1:2]))  # late and already delivered
    relay._deliver("demo")  # the hall alone (too big): read, nothing new
    assert relay.reads == 2
    assert len(relay.hub.got) == 1  # type: ignore[attr-defined]


def test_the_poll_reads_the_log_only_for_watched_halls_and_moves_past_the_others():
    log = [event(n) for n in (1, 2, 3)]
    relay = Relay(log)
    relay.last = {"demo": 1, "quiet": 5}
    relay.watch("demo")
    relay._polled({"demo": 3, "quiet": 9})
    assert relay.reads == 1
    assert relay.hub.got == [("demo", log[1:])]  # type: ignore[attr-defined]
    assert relay.last == {"demo": 3, "quiet": 9}  # a later subscriber's snapshot has 6…9


def test_a_halls_first_subscriber_asks_the_relay_to_listen_to_it():
    relay = Relay([])
    hub = relay.hub
    first = hub.subscribe("demo")
    hub.subscribe("demo")
    hub.unsubscribe(first)
    hub.subscribe("other")
    assert relay.wanted == {"demo", "other"}
    relay.stop()
    relay.stop()  # a second stop closes nothing twice (the numbers may be another file's now)
    relay.watch("third")  # and a late subscriber writes to no pipe
    assert relay.wanted == {"demo", "other", "third"}
