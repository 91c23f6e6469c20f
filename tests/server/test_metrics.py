"""/metrics: well-formed Prometheus families, and each hall's gauges on its own business day."""

from __future__ import annotations

from server.config import DEMO_HALL_FILE
from tests.helpers import issue
from tests.server.other_hall import write_other_hall


def families(text: str) -> tuple[dict[str, str], set[str], set[str]]:
    """(TYPE per family, families with HELP, sample names) of an exposition."""
    types, helped, samples = {}, set(), set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            name, kind = line.split()[2:4]
            types[name] = kind
        elif line.startswith("# HELP "):
            helped.add(line.split()[2])
        elif line and not line.startswith("#"):
            samples.add(line.split("{")[0].split()[0])
    return types, helped, samples


def family_of(sample: str, types: dict[str, str]) -> str:
    for suffix in ("_sum", "_count"):
        base = sample.removesuffix(suffix)
        if base != sample and types.get(base) == "summary":
            return base
    return sample


def test_every_sample_belongs_to_a_family_with_help_and_type(client):
    issue(client, queue="A")
    types, helped, samples = families(client.get("/metrics").text)
    assert samples
    for sample in samples:
        family = family_of(sample, types)
        assert family in types and family in helped, sample
    assert "yichuang_process_start_time_seconds" in helped


def test_request_time_is_a_summary_with_a_sum_and_a_count(client):
    for _ in range(3):
        client.get("/healthz")
    text = client.get("/metrics").text
    assert "# TYPE yichuang_http_request_seconds summary" in text
    assert 'yichuang_http_request_seconds_count{method="GET",route="/healthz"} 3' in text
    assert 'yichuang_http_request_seconds_sum{method="GET",route="/healthz"} ' in text


def test_waiting_tickets_are_counted_on_each_halls_own_business_date(make_client, clock, tmp_path):
    # 09:00 in Beijing is 20:00 of the day before in New York: the two halls are on two dates.
    west = write_other_hall(tmp_path, "west", "America/New_York")
    client = make_client(clock, halls=[DEMO_HALL_FILE, west])
    issue(client, queue="A")
    issue(client, queue="A")
    r = client.post(
        "/api/v1/halls/west/tickets",
        json={"queue": "A"},
        headers={"Authorization": "Bearer west-kiosk"},
    )
    assert r.status_code == 201, r.text
    text = client.get("/metrics").text
    assert 'yichuang_waiting_tickets{hall="demo",queue="A"} 2' in text
    assert 'yichuang_waiting_tickets{hall="west",queue="A"} 1' in text
    clock.advance(hours=6)  # 15:00 in Beijing, 02:00 next day in New York; no day end yet
    text = client.get("/metrics").text
    assert 'yichuang_waiting_tickets{hall="demo",queue="A"} 2' in text
    assert 'hall="west"' not in text.split("# HELP yichuang_waiting_tickets")[1].split("# HELP")[0]
