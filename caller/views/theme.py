"""Fonts and colours of the desktop pad (loaded explicitly so screenshots are reproducible)."""

from __future__ import annotations

from PyQt6.QtGui import QFont, QFontDatabase
from PyQt6.QtWidgets import QApplication

from drivers.fonts import FontNotFound, cjk_font_path

FAMILY = "WenQuanYi Micro Hei"
LEVEL_COLOURS = {
    "ok": ("#e7f6ec", "#1b7a3a"),
    "info": ("#eef3fb", "#1f4e8c"),
    "warn": ("#fff4e0", "#9a5b00"),
    "error": ("#fdeaea", "#b3261e"),
}

STYLE = """
QWidget { background: #f5f7fa; color: #1d2733; font-size: 18px; }
QFrame#header { background: #1f4e8c; }
QFrame#header QLabel { background: transparent; color: white; }
QLabel#title { font-size: 26px; font-weight: bold; }
QLabel#number { font-size: 120px; font-weight: bold; color: #1f4e8c; background: transparent; }
QLabel#caption { font-size: 17px; color: #5b6775; background: transparent; }
QLabel#hint { font-size: 18px; color: #9a5b00; background: transparent; }
QFrame#card QLabel#note { font-size: 19px; color: #9a5b00; background: #fff4e0;
  border-radius: 6px; padding: 4px 10px; }
QFrame#card { background: white; border: 1px solid #d7dde5; border-radius: 10px; }
QFrame#card QLabel { background: transparent; }
QLabel#stat { font-size: 28px; font-weight: bold; color: #1f4e8c; }
QLabel#section { font-size: 17px; font-weight: bold; color: #5b6775; }
QPushButton { font-size: 22px; font-weight: bold; min-height: 72px; border-radius: 10px;
  border: 1px solid #b8c2cf; background: white; padding: 4px 10px; }
QPushButton:disabled { color: #a7b0bb; background: #eceff3; border-color: #dde2e8; }
QPushButton#primary { background: #1f4e8c; color: white; border: none; }
QPushButton#primary:disabled { background: #9fb3cf; color: #eef3fb; }
QPushButton#good { background: #1b7a3a; color: white; border: none; }
QPushButton#bad { background: #b3261e; color: white; border: none; }
QPushButton#good:disabled, QPushButton#bad:disabled { background: #c9d1da; color: #eef3fb; }
QPushButton#small { font-size: 17px; min-height: 44px; }
QPushButton#next { font-size: 18px; font-weight: normal; min-height: 40px; text-align: left; }
QLineEdit, QComboBox, QPlainTextEdit { font-size: 20px; min-height: 44px; background: white;
  border: 1px solid #b8c2cf; border-radius: 6px; padding: 2px 8px; }
QListWidget { font-size: 19px; background: white; border: 1px solid #b8c2cf; }
QListWidget::item { min-height: 44px; }
"""


def install(app: QApplication) -> str:
    """Load the CJK font and the stylesheet into the application; return the family used."""
    family = FAMILY
    try:
        # The same font file the drivers draw receipts with (fonts-wqy-microhei, or
        # $YICHUANG_CJK_FONT): screenshots then look alike on every machine.
        font_id = QFontDatabase.addApplicationFont(str(cjk_font_path()))
    except FontNotFound:
        font_id = -1
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    family = families[0] if families else family
    app.setFont(QFont(family, 13))
    app.setStyleSheet(STYLE)
    return family


def banner_style(level: str) -> str:
    """Stylesheet of a message or connection banner at `level`."""
    background, colour = LEVEL_COLOURS.get(level, LEVEL_COLOURS["info"])
    return (
        f"background: {background}; color: {colour}; border-radius: 6px;"
        " padding: 6px 12px; font-size: 19px;"
    )
