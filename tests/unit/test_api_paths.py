"""The apps reach the server only through the SDK's typed methods: no raw API path in them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("kiosk", "caller", "display")


def raw_paths(path: Path) -> list[tuple[int, str]]:
    """String constants (plain or parts of an f-string) that spell an API path."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "/api/" in node.value
    ]


@pytest.mark.parametrize(
    "path",
    [p for folder in APPS for p in sorted((ROOT / folder).rglob("*.py"))],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_app_builds_an_api_path_of_its_own(path):
    assert raw_paths(path) == []


def test_the_check_sees_a_path_inside_an_f_string(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('x = f"/api/v1/halls/{hall}/windows"\n', encoding="utf-8")
    assert raw_paths(module) == [(1, "/api/v1/halls/")]
