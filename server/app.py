"""create_app(settings) -> FastAPI; `yichuang serve` runs it under uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from server.api import audit as audit_routes
from server.api import auth as auth_routes
from server.api import cases as case_routes
from server.api import citizen as citizen_routes
from server.api import clerk, errors, halls, idempotency, leases, live, stats, tickets, windows
from server.api import followups as followup_routes
from server.api import person as person_routes
from server.api import subscribers as subscriber_routes
from server.api.audit_trail import AuditTrail
from server.api.deps import Services
from server.api.hot import Hot
from server.api.middleware import Edge
from server.config import Settings
from server.demo_secrets import refuse_demo_secrets
from server.hallcheck import check_together
from server.hallfile import load_hall_file
from server.outbox.deliverer import Deliverer
from server.realtime.hub import Hub
from server.realtime.pg import PgRelay
from server.services.auth import Authenticator
from server.services.context import Clock, Context, utc_now
from server.store.audit_repo import hall_file_loaded
from server.store.db import Database, pool_limits
from server.store.sync import check_secret_key, sync_hall

log = logging.getLogger("yichuang")
TICK_SECONDS = 30.0


def create_app(settings: Settings, *, clock: Clock = utc_now) -> FastAPI:
    """Build the app: migrate the store, load the hall files, wire services and routes."""
    services = build_services(settings, clock=clock)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services.hub.bind(asyncio.get_running_loop())
        if services.relay is not None:
            services.relay.start()
        ticker = asyncio.create_task(_tick(services))
        if settings.outbox_deliver:
            app.state.outbox.start()
        try:
            yield
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            await app.state.outbox.stop()
            if services.relay is not None:
                services.relay.stop()
            services.writer.shutdown()

    app = FastAPI(
        title="YiChuang 一窗 API",
        version="1.0",
        description="排队叫号 v1 contract: tickets, windows, live events, statistics.",
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.outbox = Deliverer(services.ctx, settings, write=services.write)
    errors.install(app)
    for module in (auth_routes, halls, idempotency, tickets, windows, clerk, stats, live, leases):
        app.include_router(module.router)
    app.include_router(followup_routes.router)  # 差评整改 (issue 15)
    app.include_router(audit_routes.router)
    app.include_router(person_routes.router)
    app.include_router(citizen_routes.router)  # progress page: SMS opt-in，延后、暂离，stream
    app.include_router(subscriber_routes.router)
    app.include_router(case_routes.router)  # 办件 (issue 18)
    _mount_web(app)
    if settings.hot_routes:
        app.add_middleware(Hot, fastapi=app)  # innermost: issue, call-next, outcome (hot.py)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    app.add_middleware(AuditTrail, ctx=services.ctx)
    app.add_middleware(Edge, max_bytes=settings.max_body_bytes, metrics=services.metrics)
    return app


def open_database(settings: Settings) -> Database:
    """The store, with a PostgreSQL pool sized so all workers fit under max_connections."""
    limits = pool_limits(settings.workers, settings.database_max_connections)
    return Database(
        settings.resolved_database_url(),
        pool=limits,
        busy_timeout=settings.store_busy_timeout_seconds,
    )


def prepare_store(settings: Settings, clock: Clock = utc_now) -> Database:
    """Migrate the store and load the hall files (once, before any worker starts)."""
    db = open_database(settings)
    specs = [load_hall_file(Path(p)) for p in settings.hall_files]
    check_together(specs)
    if not settings.demo:
        refuse_demo_secrets(specs)
    db.upgrade()
    if specs:
        with db.write() as conn:
            for spec in specs:
                sync_hall(conn, spec)
                hall_file_loaded(conn, spec.code, spec.source, clock())
    return db


def build_services(settings: Settings, *, clock: Clock = utc_now) -> Services:
    """Open the store (preparing it unless the parent process did) and build the services."""
    db = open_database(settings) if settings.prepared else prepare_store(settings, clock)
    check_secret_key(db, settings.resolved_secret_key())
    hub = Hub()
    relay = None if db.is_sqlite else PgRelay(db, hub)
    ctx = Context(
        db=db,
        secret=settings.resolved_secret_key(),
        publisher=relay or hub,
        clock=clock,
        public_base_url=settings.public_base_url.rstrip("/"),
    )
    auth = Authenticator(
        ctx,
        settings.session_hours,
        settings.login_free_failures,
        settings.login_attempts_per_client_per_minute,
    )
    services = Services(settings=settings, ctx=ctx, auth=auth, hub=hub, relay=relay)
    run_housekeeping(services)
    return services


def run_housekeeping(services: Services) -> None:
    """What is due in every hall (server/services/housekeeping.py), at start and each tick."""
    services.housekeeping.run()


async def _tick(services: Services) -> None:
    while True:
        await asyncio.sleep(TICK_SECONDS)
        try:
            await run_in_threadpool(run_housekeeping, services)
        except Exception:
            log.exception("housekeeping failed")


def _mount_web(app: FastAPI) -> None:
    from server.web import admin, pad, routes, screen

    for module in (routes, screen, pad, admin):
        app.include_router(module.router)
    from server.web import dept

    app.include_router(dept.router)  # 部门签收办结 (issue 18)
