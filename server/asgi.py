"""ASGI factory for uvicorn (`--factory`): settings come from YICHUANG_* variables."""

from __future__ import annotations

from fastapi import FastAPI

from server.app import create_app
from server.config import Settings
from server.observability import configure_logging


def app_from_env() -> FastAPI:
    """Build the app from the environment (used by every uvicorn worker)."""
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    return create_app(settings)
