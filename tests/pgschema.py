"""A throw-away PostgreSQL schema per test (or per module) for the PostgreSQL test pass."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

PG_URL = os.environ.get("YICHUANG_TEST_PG_URL")
BACKEND = os.environ.get("YICHUANG_TEST_BACKEND", "sqlite")


@contextmanager
def fresh_schema(base: str | None = None) -> Iterator[str]:
    """Create a schema, yield a database URL whose search_path is it, then drop it."""
    import sqlalchemy as sa

    base = base or PG_URL
    assert base, "YICHUANG_TEST_PG_URL is not set"
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@contextmanager
def store_for_test() -> Iterator[str | None]:
    """On the PostgreSQL pass export a fresh schema as YICHUANG_DATABASE_URL; else nothing."""
    if BACKEND != "pg":
        yield None
        return
    old = os.environ.get("YICHUANG_DATABASE_URL")
    with fresh_schema() as url:
        os.environ["YICHUANG_DATABASE_URL"] = url
        try:
            yield url
        finally:
            if old is None:
                os.environ.pop("YICHUANG_DATABASE_URL", None)
            else:
                os.environ["YICHUANG_DATABASE_URL"] = old
