"""Find a CJK font for the pictures we draw (receipt PNGs, raster fallback lines, sign screens)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

from PIL import ImageFont

# fonts-wqy-microhei is what scripts/system-deps installs; the others are common alternatives.
_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "/System/Library/Fonts/PingFang.ttc",
)


class FontNotFound(RuntimeError):
    """No font with Chinese glyphs is installed."""


@functools.cache
def cjk_font_path() -> Path:
    """$YICHUANG_CJK_FONT, a known CJK font file, or what fontconfig offers for zh."""
    env = os.environ.get("YICHUANG_CJK_FONT")
    if env and Path(env).is_file():
        return Path(env)
    for candidate in _CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    if shutil.which("fc-match"):
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", ":lang=zh"], capture_output=True, text=True, timeout=5
        ).stdout.strip()
        if out and Path(out).is_file() and "dejavu" not in out.lower():
            return Path(out)
    raise FontNotFound("没有中文字体：请安装 fonts-wqy-microhei 或设置 YICHUANG_CJK_FONT")


@functools.lru_cache(maxsize=32)
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    """The CJK font at `size` pixels."""
    return ImageFont.truetype(str(cjk_font_path()), size)
