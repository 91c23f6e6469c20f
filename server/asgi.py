"""ASGI factory for uvicorn (`--factory`): settings come from YICHUANG_* variables."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from server.app import create_app
from server.config import Settings


def app_from_env() -> FastAPI:
    """Build the app from the environment (used by every uvicorn worker)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for noisy in ("alembic", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return create_app(Settings())
