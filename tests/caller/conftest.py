"""Fixtures of the clerk-pad tests: pads whose SDK client talks to the in-process demo app."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from caller.presenter import CallerPresenter
from server.client import HallClient


@pytest.fixture
def hall_client(client: TestClient) -> Iterator[Callable[[], HallClient]]:
    """Build SDK clients (one per pad) that reach the TestClient's app without a socket."""
    made: list[HallClient] = []

    def build() -> HallClient:
        api = HallClient("http://testserver", "demo", transport=client._transport)
        made.append(api)
        return api

    yield build
    for api in made:
        api.close()


@pytest.fixture
def make_pad(hall_client: Callable[[], HallClient]) -> Callable[..., CallerPresenter]:
    """A presenter for a window; `signed_in=True` logs clerk01 in there already."""

    def build(
        window: str | None = "S01", user: str = "clerk01", signed_in: bool = True, **kw: object
    ) -> CallerPresenter:
        pad = CallerPresenter(hall_client(), preset_window=window, **kw)  # type: ignore[arg-type]
        if signed_in:
            assert pad.login(user, "demo1234"), pad.state.message
        return pad

    return build
