"""On PostgreSQL, appends from several workers at once keep one linear chain per hall."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from server.store.audit_repo import AuditRepo
from server.store.audit_verify import verify
from server.store.db import Database
from tests.pgschema import PG_URL, fresh_schema

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="set YICHUANG_TEST_PG_URL=postgresql+psycopg://… to run on PostgreSQL"
)
WORKERS, EACH = 6, 15


def test_concurrent_appends_from_several_workers_stay_one_chain():
    with fresh_schema() as url:
        first = Database(url)
        first.upgrade()
        workers = [Database(url) for _ in range(WORKERS)]  # each its own pool, as processes
        start = threading.Barrier(WORKERS)
        failures: list[BaseException] = []

        def append(db: Database, n: int) -> None:
            try:
                start.wait()
                for i in range(EACH):
                    with db.write() as conn:
                        AuditRepo(conn).append(
                            {
                                "hall": "demo",
                                "at": dt.datetime.now(dt.UTC),
                                "who": f"w{n}",
                                "role": "clerk",
                                "address": "10.0.0.1",
                                "action": "call_next",
                                "object": f"code=S{i:02d}",
                                "result": "ok",
                                "code": "ok",
                                "details": {},
                            }
                        )
            except BaseException as exc:  # reported below
                failures.append(exc)

        threads = [threading.Thread(target=append, args=(db, n)) for n, db in enumerate(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failures, failures
        checked, breaks = verify(first)
        assert checked == WORKERS * EACH and breaks == []
        with first.read() as conn:
            seqs = [r["seq"] for r in AuditRepo(conn).walk("demo")]
        assert seqs == list(range(1, WORKERS * EACH + 1))
        for db in [first, *workers]:
            db.dispose()
