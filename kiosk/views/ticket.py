"""The ticket on screen: the same number as the stub, big, with windows and people ahead."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.presenter import KioskPresenter
from kiosk.state import KioskState
from kiosk.texts import text, wait_text
from kiosk.views.common import button, label


class TicketPage(QWidget):
    """您的号码 B001，办理窗口、前面还有 N 人；完成 and the guide's 补打."""

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
        self.windows = label("", "big")
        self.ahead = label("", "big")
        self.masked = label("", "caption")
        self.take = label("", "info")
        for widget in (
            self.heading,
            self.number,
            self.matter,
            self.windows,
            self.ahead,
            self.masked,
            self.take,
        ):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            inner.addWidget(widget)
        col.addWidget(card, 1)
        nav = QHBoxLayout()
        self.reprint = button("", presenter.reprint, "small")
        self.done = button("", presenter.home, "primary")
        nav.addWidget(self.reprint, 1)
        nav.addWidget(self.done, 2)
        col.addLayout(nav)

    def draw(self, s: KioskState) -> None:
        """Draw the issued (or re-queued) ticket; blank once it is gone (nothing left behind)."""
        t, lang = s.ticket or {}, s.lang
        heading = text("requeued", lang) if s.requeued else text("your_number", lang)
        if t.get("priority_reason"):
            heading += f"（{t['priority_reason']}）"  # 长辈优先：the hall's rule put it first
        self.heading.setText(heading)
        self.number.setText(str(t.get("number") or ""))
        self.matter.setText(str(t.get("matter_name") or t.get("queue_name") or ""))
        windows = "、".join(t.get("windows") or ())
        self.windows.setText(f"{text('windows', lang)}{text('colon', lang)}{windows}")
        ahead = text("ahead", lang, n=t.get("waiting_ahead") or 0)
        if t.get("estimated_wait_min") is not None:
            ahead += " · " + text("estimate", lang, n=wait_text(t["estimated_wait_min"], lang))
        if t.get("sms"):
            ahead += " · " + text("sms_on", lang)  # 短信提醒：the phone step took effect
        self.ahead.setText(ahead)
        masked = [str(v) for v in (t.get("applicant_masked"), t.get("id_masked")) if v]
        self.masked.setText("  ".join(masked))
        self.take.setText(text("take_stub", lang))
        self.take.setVisible(s.ticket_printed)
        self.reprint.setText(text("reprint", lang))
        self.reprint.setEnabled(s.paused is None)
        self.done.setText(text("done", lang))
