"""智能导办: one question with its answers as big buttons, or the "可全程网办" advice."""

from __future__ import annotations

from functools import partial

from PyQt6.QtWidgets import QGridLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.presenter import KioskPresenter
from kiosk.state import KioskState
from kiosk.texts import text
from kiosk.views.common import button, clear_layout, label

COLUMNS = 2


class GuidePage(QWidget):
    """The current question of the guide tree; a breadcrumb of the answers; back and home."""

    def __init__(self, presenter: KioskPresenter) -> None:
        super().__init__()
        self.p = presenter
        self._shape: tuple[object, ...] = ()
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)  # the window's body has the margins
        col.setSpacing(16)
        self.crumbs = label("", "crumbs")
        self.question = label("", "question")
        col.addWidget(self.crumbs)
        col.addWidget(self.question)
        self.grid = QGridLayout()
        self.grid.setSpacing(14)
        # The answers are as tall as the stylesheet's max-height when there is room and
        # shrink towards a touch-sized min-height when the pause banner takes some of it.
        col.addLayout(self.grid, 1)
        self.online = label("", "title")
        self.where = label("", "big")
        self.hint = label("", "caption")
        self.print_advice = button("", presenter.print_advice, "primary")
        for widget in (self.online, self.where, self.hint, self.print_advice):
            col.addWidget(widget)
        col.addStretch(0)  # what the answers leave (stretch 0: the answers grow first)
        nav = QHBoxLayout()
        self.back = button("", presenter.back)
        self.home = button("", presenter.home)
        nav.addWidget(self.back)
        nav.addWidget(self.home)
        col.addLayout(nav)

    def draw(self, s: KioskState) -> None:
        """Draw the question (or the online advice) of `s.guide`."""
        step, lang = s.guide, s.lang
        if step is None:
            return
        self.crumbs.setText(" › ".join((text("guide", lang), *step.labels)))
        leaf = step.leaf or {}
        self.question.setText(step.question or text("guide_first", lang))
        self.question.setVisible(not step.is_leaf)
        shape = (step.path, step.options)
        if shape != self._shape:
            self._shape = shape
            clear_layout(self.grid)
            for i, option in enumerate(step.options):
                b = button(option, partial(self.p.guide_choose, i), "answer")
                b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
                self.grid.addWidget(b, i // COLUMNS, i % COLUMNS)
        for widget in (self.online, self.where, self.print_advice):
            widget.setVisible(step.online)
        self.online.setText(f"{step.labels[-1] if step.labels else ''}：{leaf.get('online', '')}")
        self.where.setText(str(leaf.get("online_where") or ""))
        self.hint.setText(str(leaf.get("hint") or ""))
        self.hint.setVisible(bool(leaf.get("hint")))
        self.print_advice.setText(text("print_advice", lang))
        self.print_advice.setEnabled(not s.printer_blocks and not s.busy)
        self.back.setText(text("back", lang))
        self.home.setText(text("home", lang))
