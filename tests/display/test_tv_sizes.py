"""The Qt hall TV read from 10 m: window tiles and recent calls ≥ 48 px at 1080p, the widest
realistic content (26 windows, three-digit numbers and counts, the longest pause reason) fits
at 1920×1080 and at 1366×768 with nothing cut."""

from __future__ import annotations

import pytest

from display.viewmodel import CallLine, QueueCount, ScreenView, WindowTile
from display.views.tv import TvScreen
from tests.display.test_tv_view import cramped
from tests.helpers import SCREENS

QUEUES = (
    ("A", "无差别综合受理"),
    ("C", "统一出件"),
    ("Z", "综合咨询"),
    ("D", "帮办代办"),
    ("F", "“办不成事”反映"),
    ("B", "不动产登记"),
    ("G", "公积金"),
    ("J", "交警业务"),
    ("R", "人社业务"),
    ("Y", "医保业务"),
    ("T", "税务业务"),
    ("P", "邮政寄递"),
    ("Q", "其他事务"),
)


def busiest() -> ScreenView:
    """A hall at its fullest: every window busy or paused, 188 waiting in every queue."""
    windows = []
    for i in range(1, 27):
        code = f"S{i:02d}"
        if i % 5 == 0:
            windows.append(WindowTile(code, code, "paused", None, "暂停服务", "签退待处理"))
        elif i % 7 == 0:
            windows.append(WindowTile(code, code, "closed", None, "暂停服务"))
        else:
            windows.append(WindowTile(code, code, "serving", f"A{i + 180}", f"A{i + 180}"))
    recent = tuple(CallLine(f"A{188 - i}", f"S{26 - i}", seq=100 - i) for i in range(8))
    return ScreenView(
        title="示例市政务服务中心",
        layout="landscape",
        latest=CallLine("A188", "S26", seq=100, name="欧阳*"),
        flash_on=True,
        recent=recent,
        windows=tuple(windows),
        queues=tuple(QueueCount(code, name, 188) for code, name in QUEUES),
        notice="所有进厅事项取号后方可办理",
        date_text="2026年11月24日 星期二",
        time_text="09:30:00",
        online=True,
        status_text="",
    )


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)])
def test_the_fullest_hall_fits_with_big_rows_and_nothing_cut(qtbot, size):
    from PyQt6.QtWidgets import QApplication

    tv = TvScreen("landscape", 8, size=size)
    qtbot.addWidget(tv)
    tv.show_view(busiest())
    tv.show()
    qtbot.waitExposed(tv)
    QApplication.processEvents()
    assert (tv.width(), tv.height()) == size
    assert cramped(tv) == []
    least = 48 * size[1] / 1080  # 48 px on a 1080p TV, as much of the height on a smaller one
    for tile in tv.tiles:
        assert tile.code.font().pixelSize() >= least - 0.5, tile.code.text()
    serving = [t.text for t in tv.tiles if t.text.text().startswith("A")]
    assert serving and all(t.font().pixelSize() >= least - 0.5 for t in serving)
    assert all(lab.font().pixelSize() >= least - 0.5 for lab in tv.recent_labels)
    assert any(c.count.text() == "188 人" for c in tv.chips if "办不成事" in c.name.text())
    SCREENS.mkdir(parents=True, exist_ok=True)
    assert tv.grab().save(str(SCREENS / f"display-busiest-{size[0]}x{size[1]}.png"))
