"""Small SVG charts drawn on the server: no chart library, no CDN, no script in the page."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, sans-serif"
PALETTE = ("#2f5496", "#70ad47", "#ffc000", "#c00000", "#7f7f7f", "#5b9bd5")
WIDTH = 760


@dataclass(frozen=True)
class Series:
    """One named run of values, one per category."""

    name: str
    values: list[float]
    color: str = PALETTE[0]


def nice_max(value: float) -> float:
    """The axis top: the next 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ⁿ at or above the value.

    Each divides into five even grid steps; 1 when there is nothing to show.
    """
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _number(value: float) -> str:
    return f"{value:g}" if value < 10000 else f"{value:,.0f}"


def _open(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" font-family="{FONT}">',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="16" '
        f'font-weight="bold" fill="#222">{escape(title)}</text>',
    ]


def _legend(series: list[Series], width: int, y: float) -> list[str]:
    parts, x = [], width - 16.0
    for s in reversed(series):
        x -= 14 + 13 * len(s.name) + 12
        parts.append(f'<rect x="{x:.1f}" y="{y - 10}" width="12" height="12" fill="{s.color}"/>')
        parts.append(
            f'<text x="{x + 16:.1f}" y="{y}" font-size="12" fill="#333">{escape(s.name)}</text>'
        )
    return parts


def column_chart(
    title: str,
    categories: list[str],
    series: list[Series],
    *,
    stacked: bool = False,
    unit: str = "",
    height: int = 320,
) -> str:
    """Vertical columns per category: side by side, or stacked."""
    left, right, top, bottom = 56, 16, 48, 58
    plot = (left, top, WIDTH - left - right, height - top - bottom)
    totals = [
        sum(s.values[i] for s in series)
        if stacked
        else max((s.values[i] for s in series), default=0)
        for i in range(len(categories))
    ]
    top_value = nice_max(max(totals, default=0))
    parts = _open(WIDTH, height, title) + _legend(series, WIDTH, 40) + _grid(plot, top_value)
    if unit:
        parts.append(f'<text x="8" y="{top - 8}" font-size="11" fill="#555">{escape(unit)}</text>')
    parts += _columns(plot, top_value, categories, series, stacked)
    base = top + plot[3]
    parts.append(f'<line x1="{left}" x2="{left + plot[2]}" y1="{base}" y2="{base}" stroke="#888"/>')
    return "".join(parts) + "</svg>"


def _grid(plot: tuple[int, int, int, int], top_value: float) -> list[str]:
    left, top, width, height = plot
    parts = []
    for k in range(6):
        y = top + height - height * k / 5
        parts.append(
            f'<line x1="{left}" x2="{left + width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#555">{_number(top_value * k / 5)}</text>'
        )
    return parts


def _columns(
    plot: tuple[int, int, int, int],
    top_value: float,
    categories: list[str],
    series: list[Series],
    stacked: bool,
) -> list[str]:
    left, top, width, height = plot
    slot = width / max(len(categories), 1)
    group = slot * 0.7
    bar = group if stacked else group / max(len(series), 1)
    parts = []
    for i, label in enumerate(categories):
        x0 = left + slot * i + (slot - group) / 2
        base = 0.0
        for j, s in enumerate(series):
            h = height * s.values[i] / top_value
            x = x0 if stacked else x0 + bar * j
            y = top + height - h - height * base / top_value
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{s.color}"><title>{escape(label)} {escape(s.name)}: '
                f"{_number(s.values[i])}</title></rect>"
            )
            base += s.values[i] if stacked else 0
        parts.append(_category_label(left + slot * (i + 0.5), top + height + 16, label, slot))
    return parts


def _category_label(x: float, y: float, label: str, slot: float) -> str:
    if slot >= 13 * len(label) * 0.62:
        return (
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" text-anchor="middle" '
            f'fill="#333">{escape(label)}</text>'
        )
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" text-anchor="end" fill="#333" '
        f'transform="rotate(-40 {x:.1f} {y:.1f})">{escape(label)}</text>'
    )


def stacked_bars(title: str, categories: list[str], series: list[Series], unit: str = "") -> str:
    """Horizontal stacked bars, one row per category (e.g. outcomes per window)."""
    left, right, top, row_h = 120, 24, 56, 20
    height = top + row_h * len(categories) + 30
    plot_w = WIDTH - left - right
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top_value = nice_max(max(totals, default=0))
    parts = _open(WIDTH, height, title) + _legend(series, WIDTH, 42)
    for k in range(6):
        x = left + plot_w * k / 5
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - 26}" stroke="#ddd"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{height - 10}" font-size="11" text-anchor="middle" '
            f'fill="#555">{_number(top_value * k / 5)}{escape(unit) if k == 5 else ""}</text>'
        )
    for i, label in enumerate(categories):
        y = top + row_h * i
        parts.append(
            f'<text x="{left - 6}" y="{y + row_h * 0.7:.1f}" font-size="12" text-anchor="end" '
            f'fill="#333">{escape(label)}</text>'
        )
        x = float(left)
        for s in series:
            w = plot_w * s.values[i] / top_value
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
                f'fill="{s.color}"><title>{escape(label)} {escape(s.name)}: '
                f"{_number(s.values[i])}</title></rect>"
            )
            x += w
    return "".join(parts) + "</svg>"
