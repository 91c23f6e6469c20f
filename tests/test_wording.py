"""Chinese text people read uses full-width ，？！：； never , ? ! : ; beside a hanzi.

Scans every user-facing string the project ships: Python string literals (docstrings and
comments excluded) in the apps, the server and the drivers (stubs, signs, voice), string
literals and markup text of the web pages, and the demo hall file.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON_DIRS = ("kiosk", "caller", "display", "server", "drivers")
WEB_DIR = ROOT / "server" / "web" / "static"
HALL_FILES = sorted((ROOT / "server" / "halls").glob("*.toml"))

HAN = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
HANZI = re.compile(r"[\u3400-\u9fff]")
# a half-width , ? ! : ; with a hanzi (or full-width mark) right before or after it
HALF_WIDTH = re.compile(rf"(?<={HAN}) ?[,?!:;]|[,?!:;] ?(?={HAN})")
# a JS string literal: '…', "…" or `…` (escapes kept)
JS_STRING = re.compile(r"'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"|`(?:\\.|[^`\\])*`")
JS_COMMENT = re.compile(r"/\*.*?\*/|^\s*//[^\n]*$", re.S | re.M)
HTML_SKIP = re.compile(r"<!--.*?-->|<script\b.*?</script>|<style\b.*?</style>", re.S)


def _docstring_nodes(tree: ast.AST) -> set[int]:
    """The ids of the constants that are docstrings (read by developers, not by people)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def python_strings() -> Iterator[tuple[str, int, str]]:
    """(file, line, text) of every non-docstring string literal in the shipped Python."""
    for top in PYTHON_DIRS:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docs = _docstring_nodes(tree)
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in docs
                ):
                    yield str(path.relative_to(ROOT)), node.lineno, node.value


def web_strings() -> Iterator[tuple[str, int, str]]:
    """(file, line, text) of JS string literals and page markup."""
    for path in sorted(WEB_DIR.iterdir()):
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        if path.suffix == ".js":
            code = JS_COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
            for match in JS_STRING.finditer(code):
                yield name, code.count("\n", 0, match.start()) + 1, match.group()[1:-1]
        elif path.suffix == ".html":
            page = HTML_SKIP.sub(lambda m: "\n" * m.group().count("\n"), text)
            for number, line in enumerate(page.splitlines(), 1):
                yield name, number, line


def _toml_values(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _toml_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _toml_values(item)


def hall_strings() -> Iterator[tuple[str, int, str]]:
    """(file, 0, text) of every string value in the shipped hall files."""
    for path in HALL_FILES:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for value in _toml_values(data):
            yield str(path.relative_to(ROOT)), 0, value


def offenders(
    strings: Iterator[tuple[str, int, str]], mark: re.Pattern[str] = HALF_WIDTH
) -> list[str]:
    """Each string with a half-width `mark` beside a hanzi, as 'file:line: text'."""
    return [
        f"{name}:{line}: {text!r}"
        for name, line, text in strings
        if HANZI.search(text) and mark.search(text)
    ]


def test_the_scanner_catches_what_the_hall_saw() -> None:
    bad_texts = ("您要办理哪类不动产业务?", "不办了, 取消排队", "凭此票办理业务, 票号当天有效")
    for bad in bad_texts:
        assert HALF_WIDTH.search(bad), bad
    good_texts = ("您要办理哪类不动产业务？", "不办了，取消排队", "08:36", "S01, S02", "{a}: {b}")
    for good in good_texts:
        assert not HALF_WIDTH.search(good), good


def test_python_user_text_uses_full_width_punctuation() -> None:
    assert offenders(python_strings()) == []


def test_web_pages_use_full_width_punctuation() -> None:
    assert offenders(web_strings()) == []


def test_hall_files_use_full_width_punctuation() -> None:
    assert HALL_FILES
    assert offenders(hall_strings()) == []


# Parentheses too, in what the hall's people read: the apps, the web pages and the messages of
# the server's domain, services, API and statistics. Column headers keep theirs (等候(分) …):
# supervisors' spreadsheets and the province's uploads read them by name.
HALF_PAREN = re.compile(rf"(?<={HAN}) ?[()]|[()] ?(?={HAN})")
COLUMN_HEADER = re.compile(r"[^\s()]*\((分|件)\)")
PAREN_DIRS = (
    "kiosk/",
    "caller/",
    "display/",
    "drivers/",
    "server/domain/",
    "server/services/",
    "server/api/",
    "server/stats/",
)


def test_the_parenthesis_scanner_catches_what_the_pad_showed() -> None:
    for bad in ("重呼 A001 (第 1 次)", "手机号(选填)", "服务评价 (好差评)"):
        assert HALF_PAREN.search(bad), bad
    for good in ("重呼 A001（第 1 次）", "工号（如 clerk01）", "f(x)", "S01 (A, B)"):
        assert not HALF_PAREN.search(good), good


def _not_headers(strings: Iterator[tuple[str, int, str]]) -> Iterator[tuple[str, int, str]]:
    return (s for s in strings if not COLUMN_HEADER.fullmatch(s[2]))


def test_people_read_full_width_parentheses() -> None:
    apps = (s for s in python_strings() if s[0].startswith(PAREN_DIRS))
    assert offenders(_not_headers(apps), HALF_PAREN) == []
    assert offenders(_not_headers(web_strings()), HALF_PAREN) == []
    assert offenders(hall_strings(), HALF_PAREN) == []  # the demo hall's matter names


def test_the_web_scanner_reads_a_script_whose_first_line_is_a_comment() -> None:
    """A `//` comment swallowed the rest of the file (DOTALL): no script was scanned at all."""
    scanned = {name for name, _, _ in web_strings()}
    assert "server/web/static/admin.js" in scanned
    assert "server/web/static/pad.js" in scanned
    assert any("请求失败" in text for name, _, text in web_strings() if name.endswith("admin.js"))
