"""Fonts, colours and sizes of the kiosk; the CJK font is loaded explicitly (same pixels anywhere).

Sizes are given for a 1920×1080 screen and scaled to the configured one; 长辈模式 scales the
text by ELDERLY (buttons are big enough already; they grow only as their text needs).
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtGui import QFont, QFontDatabase
from PyQt6.QtWidgets import QApplication

FONT_FILES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
    Path("C:/Windows/Fonts/msyh.ttc"),
)
FAMILY = "WenQuanYi Micro Hei"
ELDERLY = 1.3
BLUE, GREEN, RED, AMBER = "#1a4f9c", "#1b7a3a", "#b3261e", "#9a5b00"
PURPLE = "#6a2c91"  # 长辈模式: unlike every other entry, so it is found at a glance

_STYLE = """
QWidget {{ background: #eef2f7; color: #1d2733; font-size: {base}px; }}
QFrame#header {{ background: {blue}; }}
QFrame#header QLabel {{ background: transparent; color: white; }}
QLabel#hall {{ font-size: {h1}px; font-weight: bold; }}
QLabel#clock {{ font-size: {h2}px; }}
QLabel#banner {{ background: {red}; color: white; font-size: {h2}px; font-weight: bold;
  padding: {pad}px; border-radius: {radius}px; }}
QLabel#notice {{ background: #e6f4ea; color: {green}; font-size: {base}px; font-weight: bold;
  padding: {pad}px; border-radius: {radius}px; }}
QLabel#error {{ background: #fdeaea; color: {red}; font-size: {base}px; font-weight: bold;
  padding: {pad}px; border-radius: {radius}px; }}
QLabel#info {{ background: #e6f4ea; color: {green}; font-size: {base}px; font-weight: bold;
  padding: {pad}px; border-radius: {radius}px; }}
QLabel#title {{ font-size: {h1}px; font-weight: bold; color: {blue}; }}
QLabel#question {{ font-size: {h1}px; font-weight: bold; }}
QLabel#crumbs {{ font-size: {small}px; color: #5b6775; }}
QLabel#area {{ font-size: {h2}px; font-weight: bold; color: {blue}; }}
QLabel#caption {{ font-size: {small}px; color: #5b6775; }}
QLabel#number {{ font-size: {number}px; font-weight: bold; color: {blue}; }}
QLabel#big {{ font-size: {h1}px; font-weight: bold; }}
QLabel#field {{ background: white; border: 2px solid #b8c2cf; border-radius: {radius}px;
  font-size: {h2}px; padding: {pad}px; min-height: {field}px; }}
QLabel#field[focused="true"] {{ border: 3px solid {blue}; }}
QLabel#valid {{ color: {green}; font-size: {small}px; font-weight: bold; }}
QLabel#invalid {{ color: {red}; font-size: {small}px; font-weight: bold; }}
QFrame#card {{ background: white; border: 1px solid #d7dde5; border-radius: {radius}px; }}
QFrame#card QLabel {{ background: transparent; }}
QPushButton {{ font-size: {button}px; font-weight: bold; min-height: {touch}px;
  border-radius: {radius}px; border: 1px solid #b8c2cf; background: white;
  padding: 2px {pad}px; }}
QPushButton:disabled {{ color: #a7b0bb; background: #e3e7ed; border-color: #dde2e8; }}
QPushButton#queue {{ min-height: {queue}px; padding: 0px; }}
QPushButton#answer {{ min-height: {touch}px; max-height: {answer}px; }}
QPushButton#queue QLabel {{ background: transparent; font-size: {h2}px; font-weight: bold; }}
QPushButton#queue QLabel#count {{ color: {blue}; font-size: {small}px; }}
QPushButton#queue QLabel:disabled {{ color: #a7b0bb; }}
QScrollArea, QScrollArea > QWidget > QWidget {{ background: transparent; }}
QPushButton#primary {{ background: {blue}; color: white; border: none; }}
QPushButton#primary:disabled {{ background: #9fb3cf; color: #eef3fb; }}
QPushButton#green {{ background: {green}; color: white; border: none; }}
QPushButton#amber {{ background: {amber}; color: white; border: none; }}
QPushButton#elderly {{ background: {purple}; color: white; border: none; }}
QPushButton#green:disabled, QPushButton#amber:disabled {{ background: #c9d1da; }}
QPushButton#key {{ font-size: {key}px; min-height: {touch}px; min-width: {touch}px; }}
QPushButton#qkey {{ font-size: {h2}px; min-height: {touch}px; padding: 0px; }}
QPushButton#small {{ font-size: {small}px; min-height: {small_touch}px; font-weight: normal; }}
QFrame#header QPushButton {{ background: rgba(255,255,255,0.15); color: white;
  border: 1px solid rgba(255,255,255,0.5); font-size: {small}px; min-height: {small_touch}px; }}
"""


def install_font(app: QApplication) -> str:
    """Load the CJK font into the application and make it the default; return the family."""
    family = FAMILY
    for path in FONT_FILES:
        if path.is_file():
            font_id = QFontDatabase.addApplicationFont(str(path))
            families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
            if families:
                family = families[0]
                break
    app.setFont(QFont(family, 14))
    return family


def stylesheet(width: int, height: int, elderly: bool) -> str:
    """The stylesheet for this screen size; 长辈模式 enlarges the text, not the touch areas."""
    scale = min(width / 1920, height / 1080)
    text_scale = scale * (ELDERLY if elderly else 1.0)

    def px(value: float) -> int:
        return max(1, round(value * scale))

    def tx(value: float) -> int:
        return max(1, round(value * text_scale))

    return _STYLE.format(
        base=tx(28),
        small=tx(24),
        h1=tx(42),
        h2=tx(34),
        button=tx(34),
        key=tx(40),
        number=px(200),  # already the biggest text on screen; 长辈模式 keeps it
        touch=px(84),
        answer=px(120),
        # two lines at the font's own line height (1.2): 长辈模式 keeps the demo hall on a page
        queue=max(px(84), round(tx(34) * 1.2 + tx(24) * 1.2 + px(16))),
        small_touch=px(56),
        field=px(52),
        pad=px(10),
        pad2=px(24),
        radius=px(14),
        blue=BLUE,
        green=GREEN,
        red=RED,
        amber=AMBER,
        purple=PURPLE,
    )
