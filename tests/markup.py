"""Markup in every free-text field, and the checks that the Qt apps show it as plain text."""

from __future__ import annotations

from pathlib import Path

from server.config import DEMO_HALL_FILE

# What an attacker (or a careless admin) types: rendered as rich text it is a red heading,
# an image and a link; shown as it should be, it is these characters, literally.
MARKUP = '<h1 style="color:red">停止服务</h1><img src=x><a href=y>z</a>'
TAG = "<h1"

# demo.toml line -> its hostile replacement (TOML literal strings: the markup has quotes)
_HOSTILE = {
    'name = "示例市政务服务中心"': "name = '<b>示例市</b>政务服务中心'",
    'name = "综合窗口区"': "name = '<i>综合窗口区</i>'",
    'name = "无差别综合受理"': f"name = '{MARKUP}'",
    'name = "不动产登记"': "name = '<h2>不动产登记</h2>'",
    'name = "S01 1号窗口"': "name = '<u>S01</u> 1号窗口'",
}


def hostile_hall(folder: Path) -> Path:
    """The demo hall with markup in its hall, area, queue and window names."""
    text = DEMO_HALL_FILE.read_text(encoding="utf-8")
    for line, hostile in _HOSTILE.items():
        assert line in text, line
        text = text.replace(line, hostile, 1)
    path = folder / "hostile.toml"
    path.write_text(text, encoding="utf-8")
    return path


def rich_labels(root) -> list[str]:
    """The labels under `root` that would render their text as HTML (should be none)."""
    from PyQt6.QtCore import Qt
    from PyQt6.QtWidgets import QLabel

    return [
        f"{lab.objectName() or type(lab).__name__}: {lab.text()!r}"
        for lab in root.findChildren(QLabel)
        if lab.textFormat() != Qt.TextFormat.PlainText
    ]


def literal_texts(root) -> list[str]:
    """The texts of visible labels under `root` that show markup literally."""
    from PyQt6.QtWidgets import QLabel

    return [
        lab.text()
        for lab in root.findChildren(QLabel)
        if lab.isVisibleTo(root) and "<" in lab.text()
    ]


def renders_literally(label) -> bool:
    """The label is as wide as its characters: the tags are drawn, not interpreted."""
    from PyQt6.QtWidgets import QLabel

    probe = QLabel()  # unwrapped, so its width is the text's
    probe.setFont(label.font())
    probe.setTextFormat(label.textFormat())
    probe.setText(label.text())
    probe.ensurePolished()
    literal = probe.fontMetrics().horizontalAdvance(label.text().splitlines()[0])
    return probe.sizeHint().width() >= literal
