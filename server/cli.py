"""The `yichuang` command: serve, demo, db upgrade, and the apps and device tools."""

from __future__ import annotations

import argparse
import getpass
import importlib
import json
import os
import sys
from pathlib import Path

# Subcommands owned by other packages; they get the rest of the command line.
FORWARDED = {
    "kiosk": "kiosk.__main__",
    "caller": "caller.__main__",
    "display": "display.__main__",
    "devices": "drivers.cli",
    "voice": "drivers.cli",
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in FORWARDED:
        module = importlib.import_module(FORWARDED[args[0]])
        forwarded = args if FORWARDED[args[0]] == "drivers.cli" else args[1:]
        return int(module.main(forwarded) or 0)
    parser = _parser()
    ns = parser.parse_args(args)
    if not hasattr(ns, "run"):
        parser.print_help()
        return 2
    return int(ns.run(ns) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yichuang", description="YiChuang 一窗 排队叫号")
    sub = parser.add_subparsers(metavar="command")
    serve = sub.add_parser("serve", help="run the server for one or more hall files")
    serve.add_argument("--hall", action="append", type=Path, required=True, dest="halls")
    _server_options(serve)
    serve.set_defaults(run=_serve)
    demo = sub.add_parser("demo", help="run the demo hall (示例市政务服务中心) with demo users")
    _server_options(demo)
    demo.add_argument("--simulate", action="store_true", help="simulate citizens and clerks")
    demo.add_argument("--speed", type=float, default=30.0, help="simulated seconds per second")
    demo.add_argument(
        "--history",
        type=int,
        default=0,
        metavar="DAYS",
        help="first fill the dashboard with DAYS of simulated history",
    )
    demo.add_argument(
        "--no-apps",
        dest="apps",
        action="store_false",
        help="do not start the kiosk, pad and display apps next to the server",
    )
    demo.set_defaults(run=_demo)
    db = sub.add_parser("db", help="database maintenance")
    dbsub = db.add_subparsers(metavar="action")
    upgrade = dbsub.add_parser("upgrade", help="create or migrate the schema")
    upgrade.add_argument("--data-dir", type=Path, default=Path("var"))
    upgrade.set_defaults(run=_db_upgrade)
    audit = sub.add_parser("audit", help="the audit trail")
    auditsub = audit.add_subparsers(metavar="action")
    verify = auditsub.add_parser("verify", help="check the hash chain; exit 1 naming a bad record")
    verify.add_argument("--data-dir", type=Path, default=Path("var"))
    verify.set_defaults(run=_audit_verify)
    hashpw = sub.add_parser("hash-password", help="print a password hash for a hall file")
    hashpw.set_defaults(run=_hash_password)
    check = sub.add_parser("check-hall", help="validate a hall file")
    check.add_argument("file", type=Path)
    check.set_defaults(run=_check_hall)
    for name in FORWARDED:
        sub.add_parser(name, help=f"{name} (see `yichuang {name} --help`)")
    return parser


def _server_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--data-dir", type=Path, default=Path("var"))
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--log-level", default="info")


def _serve(ns: argparse.Namespace, *, demo: bool = False) -> int:
    import uvicorn

    os.environ["YICHUANG_DATA_DIR"] = str(ns.data_dir)
    os.environ["YICHUANG_HALL_FILES"] = json.dumps([str(p.resolve()) for p in ns.halls])
    os.environ["YICHUANG_DEMO"] = "true" if demo else "false"
    os.environ["YICHUANG_WORKERS"] = str(ns.workers)  # each worker sizes its pool by it
    os.environ.setdefault("YICHUANG_PUBLIC_BASE_URL", f"http://{ns.host}:{ns.port}")
    from sqlalchemy.exc import SQLAlchemyError

    from server.app import prepare_store
    from server.config import Settings
    from server.store.db import startup_failure
    from server.store.sync import check_secret_key
    from server.tomlreader import ConfigError

    try:
        settings = Settings()
        if ns.workers > 1 and settings.resolved_database_url().startswith("sqlite"):
            raise RuntimeError(
                "SQLite runs one worker; set YICHUANG_DATABASE_URL=postgresql+psycopg://… "
                "for --workers N"
            )
        crowded = crowded_workers(ns.workers, usable_cores())
        if crowded:
            print(f"yichuang: {crowded}", file=sys.stderr)
        db = prepare_store(settings)  # migrate and load halls once, not per worker
        check_secret_key(db, settings.resolved_secret_key())
        db.dispose()
    except (ConfigError, RuntimeError) as exc:
        print(f"yichuang: {exc}", file=sys.stderr)
        return 2
    except (SQLAlchemyError, OSError) as exc:  # a full disk, a locked or unreachable store
        url = Settings().resolved_database_url()
        print(f"yichuang: {startup_failure(exc, url)}", file=sys.stderr)
        return 2
    os.environ["YICHUANG_PREPARED"] = "true"
    uvicorn.run(
        "server.asgi:app_from_env",
        factory=True,
        host=ns.host,
        port=ns.port,
        workers=ns.workers,
        log_level=ns.log_level,
        ws_max_size=65536,
        # An event is a few hundred bytes, sent to every screen of its hall: compressing it
        # again for each socket cost CPU, and a zlib state per socket held 130 MB with
        # 3,000 screens (docs/performance.md, "The sixth pass"). Clients get plain frames.
        ws_per_message_deflate=False,
    )
    return 0


def usable_cores() -> int:
    """The cores this process may run on (its affinity where the system has one: Linux)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


def crowded_workers(workers: int, cores: int) -> str | None:
    """A warning when there are more workers than cores (None otherwise)."""
    # Measured on two cores with PostgreSQL beside them: 4 workers issued half the tickets a
    # second that one did, each request paying for idle workers' wake-ups and smaller batches.
    if workers <= cores:
        return None
    return (
        f"{workers} workers on {cores} cores: more workers than cores lowers throughput; "
        "give each worker a core of its own (docs/operations.md, Workers)"
    )


def _demo(ns: argparse.Namespace) -> int:
    from server.config import DEMO_HALL_FILE  # here: kiosk and display PCs lack the server extra
    from server.demo.companions import Companions

    ns.halls = [DEMO_HALL_FILE]
    base = f"http://{ns.host}:{ns.port}"
    if ns.history > 0:
        from server.app import prepare_store
        from server.config import Settings
        from server.demo import history

        settings = Settings(data_dir=ns.data_dir, hall_files=ns.halls, demo=True)
        prepare_store(settings).dispose()  # the hall must be in the store before its history
        history.main(["--data-dir", str(ns.data_dir), "--days", str(ns.history)])
    print(DEMO_BANNER.format(base=base), flush=True)
    companions = Companions(
        base, ns.data_dir / "logs", simulate=ns.simulate, speed=ns.speed, apps=ns.apps
    )
    companions.start()
    try:
        return _serve(ns, demo=True)
    finally:
        companions.stop()


def _db_upgrade(ns: argparse.Namespace) -> int:
    from server.config import Settings
    from server.store.db import Database

    settings = Settings(data_dir=ns.data_dir)
    Database(settings.resolved_database_url()).upgrade()
    print(f"schema is up to date: {settings.resolved_database_url()}")
    return 0


def _audit_verify(ns: argparse.Namespace) -> int:
    from server.config import Settings
    from server.store.audit_verify import verify
    from server.store.db import Database

    settings = Settings(data_dir=ns.data_dir)
    db = Database(settings.resolved_database_url())
    try:
        checked, breaks = verify(db)
    finally:
        db.dispose()
    for found in breaks:
        print(f"audit trail broken: {found}", file=sys.stderr)
    if breaks:
        return 1
    print(f"audit trail intact: {checked} records checked")
    return 0


def _hash_password(_: argparse.Namespace) -> int:
    from server.security import hash_password

    password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline()
    print(hash_password(password.rstrip("\n")))
    return 0


def _check_hall(ns: argparse.Namespace) -> int:
    from server.hallfile import load_hall_file
    from server.tomlreader import ConfigError

    try:
        spec = load_hall_file(ns.file)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(
        f"{spec.code} {spec.name}: {len(spec.queues)} queues, {len(spec.windows)} windows, "
        f"{len(spec.matters)} matters, {len(spec.users)} users, {len(spec.devices)} devices"
    )
    return 0


DEMO_BANNER = """
一窗 YiChuang — 示例市政务服务中心 (demo hall, hall code "demo")
  API docs        {base}/docs
  hall TV screen  {base}/screen?hall=demo&token=demo-display
  clerk pad       {base}/pad?hall=demo
  supervisor      {base}/admin?hall=demo
  ticket progress printed on each stub as a QR code ({base}/t/<id>?s=<secret>)
Demo users (password demo1234): clerk01 … clerk26, supervisor, admin, security, auditor
Device tokens: kiosk demo-kiosk, display demo-display, evaluator demo-evaluator, online demo-online
"""
