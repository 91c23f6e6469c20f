"""The server's own files: private from the first byte; PostgreSQL pools sized to the workers."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from server.app import open_database, prepare_store
from server.config import DEMO_HALL_FILE, Settings
from server.store.db import pool_limits

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """The loosest umask, so only the modes the server asks for protect its files."""
    old = os.umask(0)
    yield
    os.umask(old)


def test_the_data_dir_database_and_key_are_private_from_the_first_byte(
    tmp_path, open_umask, monkeypatch
):
    # A chmod after the write would leave the key readable for a moment: refuse any.
    monkeypatch.setattr(Path, "chmod", lambda *a, **k: pytest.fail("chmod after creating"))
    data = tmp_path / "var"
    settings = Settings(data_dir=data, database_url=None, hall_files=[DEMO_HALL_FILE], demo=True)
    settings.resolved_secret_key()
    db = prepare_store(settings)
    db.dispose()
    assert mode(data) == 0o700
    assert mode(data / "secret.key") == 0o600
    files = sorted(data.glob("yichuang.db*"))
    assert files and all(mode(f) == 0o600 for f in files), [(f.name, oct(mode(f))) for f in files]


def test_an_existing_data_dir_and_database_are_tightened(tmp_path):
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    (data / "yichuang.db").touch()
    os.chmod(data / "yichuang.db", 0o644)
    settings = Settings(data_dir=data, database_url=None, hall_files=[DEMO_HALL_FILE], demo=True)
    prepare_store(settings).dispose()
    assert mode(data) == 0o700 and mode(data / "yichuang.db") == 0o600


@pytest.mark.parametrize("workers", [1, 2, 4, 8, 16])
def test_every_worker_s_pool_and_listener_fit_under_max_connections(workers):
    pool, overflow = pool_limits(workers, max_connections=90)
    assert pool >= 1 and overflow >= 0
    assert workers * (pool + overflow + 1) <= 90  # +1: each worker's LISTEN connection


def test_a_worker_opens_its_pool_from_the_worker_count(tmp_path):
    settings = Settings(data_dir=tmp_path, database_url=PG, workers=4)
    db = open_database(settings)  # the engine connects lazily: no server needed
    try:
        pool = db.engine.pool
        assert 4 * (pool.size() + pool._max_overflow + 1) <= 90  # type: ignore[attr-defined]
    finally:
        db.dispose()


def test_the_engine_never_logs_sql_parameters(tmp_path):
    settings = Settings(data_dir=tmp_path, database_url=None)
    db = open_database(settings)
    try:
        assert db.engine.hide_parameters
    finally:
        db.dispose()


def test_serve_tells_each_worker_how_many_workers_share_the_budget(tmp_path, monkeypatch):
    import re

    import uvicorn

    from server.cli import main
    from server.security import hash_password
    from tests.server.other_hall import write_other_hall

    hall = write_other_hall(tmp_path, "east")
    hashed = hash_password("not-the-demo-password")
    hall.write_text(
        re.sub(r'password_hash = "[^"]+"', f'password_hash = "{hashed}"', hall.read_text())
    )
    seen: dict[str, str | None] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: seen.update(w=os.environ.get(WORKERS)))
    for key in ("DATA_DIR", "HALL_FILES", "DEMO", "PUBLIC_BASE_URL", "PREPARED", "WORKERS"):
        # `serve` writes these into os.environ for its workers: setenv first so that the
        # test's end removes what `serve` wrote (delenv alone records nothing for a missing
        # key, and a leftover YICHUANG_PREPARED=1 made every later app skip its migrations)
        monkeypatch.setenv(f"YICHUANG_{key}", "")
        monkeypatch.delenv(f"YICHUANG_{key}")
    monkeypatch.setenv("YICHUANG_DATABASE_URL", f"sqlite:///{tmp_path / 'v' / 'y.db'}")
    assert main(["serve", "--hall", str(hall), "--data-dir", str(tmp_path / "v")]) == 0
    assert seen == {"w": "1"}


WORKERS = "YICHUANG_WORKERS"
