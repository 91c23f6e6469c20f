"""Alembic environment: runs against the connection the server hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from server.store.tables import metadata

config = context.config


def run() -> None:
    """Run migrations on the given connection (or a URL from -x url=... on the command line)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///var/yichuang.db")
    with create_engine(url).begin() as conn:
        _migrate(conn)


def _migrate(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite needs table rebuilds for most ALTERs
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
