"""我的号码：the scanned waiting ticket, with 延后 / 暂离 buttons, or 我回来了 while away."""

from __future__ import annotations

from functools import partial

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.presenter import KioskPresenter
from kiosk.state import KioskState
from kiosk.texts import text, wait_text
from kiosk.views.common import button, label

# The choices offered (the hall's limits are the server's to enforce: it says why not).
PLACES = (1, 3)
MINUTES = (10, 30)


class MinePage(QWidget):
    """The number big, people ahead, and the four steps (or 我回来了) as large buttons."""

    def __init__(self, presenter: KioskPresenter) -> None:
        super().__init__()
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)  # the window's body has the margins
        col.setSpacing(10)
        card = QFrame()
        card.setObjectName("card")
        inner = QVBoxLayout(card)
        self.heading = label("", "title")
        self.number = label("", "number")
        self.matter = label("", "big")
        self.ahead = label("", "big")
        self.away_line = label("", "info")
        self.hint = label("", "caption")
        for widget in (
            self.heading,
            self.number,
            self.matter,
            self.ahead,
            self.away_line,
            self.hint,
        ):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            inner.addWidget(widget)
        col.addWidget(card, 1)
        self.steps = QWidget()
        grid = QGridLayout(self.steps)
        grid.setContentsMargins(0, 0, 0, 0)
        self.step_buttons = [
            button("", partial(presenter.mine_step_back, n), "amber") for n in PLACES
        ]
        self.away_buttons = [button("", partial(presenter.mine_away, m)) for m in MINUTES]
        for i, b in enumerate(self.step_buttons):
            grid.addWidget(b, 0, i)
        for i, b in enumerate(self.away_buttons):
            grid.addWidget(b, 1, i)
        # 首页 beside the steps, not in a row of its own：长辈模式 with the pause banner and
        # an error line leaves no room for one more row on a 720-pixel screen.
        self.home = button("", presenter.home, "small")
        grid.addWidget(self.home, 0, len(PLACES), 2, 1)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 1)
        col.addWidget(self.steps)
        self.away_nav = QWidget()  # while away：首页 and 我回来了
        nav = QHBoxLayout(self.away_nav)
        nav.setContentsMargins(0, 0, 0, 0)
        self.away_home = button("", presenter.home, "small")
        self.back = button("", presenter.mine_come_back, "green")
        nav.addWidget(self.away_home, 1)
        nav.addWidget(self.back, 2)
        col.addWidget(self.away_nav)

    def draw(self, s: KioskState) -> None:
        """Draw the ticket; blank once it is gone (nothing of the citizen left behind)."""
        t, lang = s.mine or {}, s.lang
        self.heading.setText(text("mine_title", lang))
        self.number.setText(str(t.get("number") or ""))
        self.matter.setText(str(t.get("matter_name") or t.get("queue_name") or ""))
        ahead = text("ahead", lang, n=t.get("waiting_ahead") or 0)
        if t.get("estimated_wait_min") is not None:
            ahead += " · " + text("estimate", lang, n=wait_text(t["estimated_wait_min"], lang))
        self.ahead.setText(ahead)
        until = t.get("away_until")
        away = t.get("away_till") if until and (s.clock is None or s.clock < until) else None
        self.away_line.setVisible(bool(away))
        self.away_line.setText(text("away_line", lang, t=away) if away else "")
        self.hint.setText(text("mine_hint", lang))
        self.hint.setVisible(not away)
        self.steps.setVisible(not away)  # while away the one thing to do is come back
        self.away_nav.setVisible(bool(away))
        for n, b in zip(PLACES, self.step_buttons, strict=True):
            b.setText(text("step_back", lang, n=n))
        for m, b in zip(MINUTES, self.away_buttons, strict=True):
            b.setText(text("away", lang, n=m))
        self.back.setText(text("come_back", lang))
        self.home.setText(text("home", lang))
        self.away_home.setText(text("home", lang))
