"""The demo hall's published credentials must never run outside demo mode."""

from __future__ import annotations

from server.hallfile import HallSpec
from server.security import token_hash, verify_password

DEMO_PASSWORD = "demo1234"
DEMO_TOKENS = ("demo-kiosk", "demo-display", "demo-evaluator", "demo-online", "demo-integration")


class DemoSecretsError(RuntimeError):
    """A hall file still carries a demo password or device token."""


def refuse_demo_secrets(specs: list[HallSpec]) -> None:
    """Raise when any user has the demo password or any device a demo token."""
    demo_hashes = {token_hash(t) for t in DEMO_TOKENS}
    for spec in specs:
        for device in spec.devices:
            if device.token in DEMO_TOKENS or device.token_hash in demo_hashes:
                raise DemoSecretsError(
                    f"{spec.source}: device {device.id} uses the public demo token; "
                    "set a secret token (or run `yichuang demo`)"
                )
        checked: dict[str, bool] = {}
        for user in spec.users:
            if user.password_hash not in checked:
                checked[user.password_hash] = verify_password(DEMO_PASSWORD, user.password_hash)
            if checked[user.password_hash]:
                raise DemoSecretsError(
                    f"{spec.source}: user {user.username} has the demo password; "
                    "set a real one with `yichuang hash-password`"
                )
