"""Server settings (environment prefix YICHUANG_) and where things live on disk."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
DEMO_HALL_FILE = PACKAGE_DIR / "halls" / "demo.toml"


class Settings(BaseSettings):
    """Runtime settings; every field can be set as YICHUANG_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="YICHUANG_", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str | None = None  # default: SQLite file under data_dir
    # issue, call-next and outcome without FastAPI's machinery (server/api/hot.py)
    hot_routes: bool = True
    hall_files: list[Path] = Field(default_factory=list)
    demo: bool = False
    secret_key: str | None = None  # default: generated once into data_dir/secret.key
    public_base_url: str = "http://127.0.0.1:8000"
    session_hours: float = 12.0
    max_body_bytes: int = 64 * 1024
    event_keep_days: int = 7
    device_stale_minutes: float = Field(default=10.0, ge=0)  # older "ok" is 未上报；0: never
    login_free_failures: int = Field(default=5, ge=1)  # per user name + address, then delays
    login_attempts_per_client_per_minute: int = 100  # per address: a NATed hall shares one
    # A write waits this long for the database's lock (SQLite busy timeout, PostgreSQL
    # lock_timeout) before it answers 503 store_unavailable.
    store_busy_timeout_seconds: float = Field(default=30.0, gt=0)
    cors_origins: list[str] = Field(default_factory=list)
    workers: int = 1
    live_sockets_per_token: int = Field(default=8, ge=1)  # per worker; a TV needs a handful
    live_session_check_seconds: float = Field(default=15.0, gt=0)  # staff sockets re-check
    # PostgreSQL connections all workers of this host may hold; keep under max_connections.
    database_max_connections: int = Field(default=90, ge=4)
    log_format: str = "text"  # "json" for one JSON object per line
    log_level: str = "INFO"
    # The event outbox (docs/integrations.md): webhooks and the other formats.
    outbox_deliver: bool = True  # false: this process never delivers (tests drive it by hand)
    outbox_poll_seconds: float = Field(default=0.25, gt=0)  # how often an idle subscriber looks
    outbox_backoff_base_s: float = Field(default=2.0, gt=0)  # the first retry's wait
    outbox_backoff_cap_s: float = Field(default=3600.0, gt=0)  # the longest wait between tries
    outbox_give_up_s: float = Field(default=86400.0, gt=0)  # then the event is a dead letter
    outbox_lease_seconds: float = Field(default=10.0, ge=3)  # a dead deliverer's is taken over
    outbox_timeout_s: float = Field(default=10.0, gt=0)  # one request to a subscriber
    outbox_batch: int = Field(default=200, ge=1)  # events read and delivered per step
    prepared: bool = False  # set for uvicorn workers once `yichuang serve` migrated the store

    def resolved_database_url(self) -> str:
        """Return the database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'yichuang.db').resolve()}"

    def resolved_secret_key(self) -> bytes:
        """Return the server's secret key, creating and keeping one under data_dir if unset."""
        if self.secret_key:
            return self.secret_key.encode()
        path = self.data_dir / "secret.key"
        if not path.exists():
            import os
            import secrets

            from server.store.db import private_dir

            private_dir(self.data_dir)
            try:  # 0600 from the first byte: never a moment when others could read it
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first
                return path.read_text().strip().encode()
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
        return path.read_text().strip().encode()
