"""Browser tests: headless Chromium (Debian's, via Playwright) against a real demo server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.live_server import ServerProcess
from tests.pgschema import store_for_test

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """`yichuang demo` (no simulation) on a free port and a fresh data dir (and schema)."""
    with store_for_test():
        server = ServerProcess(tmp_path_factory.mktemp("demo")).start()
        yield server
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium; `make test` installs it (scripts/system-deps)."""
    if CHROMIUM is None:
        pytest.skip(
            "Chromium is not installed: run `make test` as root or apt-get install chromium"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
