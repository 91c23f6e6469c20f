"""Identification: read the ID card or type the number (check digit checked as you type)."""

from __future__ import annotations

from PyQt6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.presenter import KioskPresenter
from kiosk.state import Field, KioskState, id_check
from kiosk.texts import text
from kiosk.views.common import FieldBox, Keypad, button, label, restyle
from server.domain.identity import mask_id_number, mask_name


def shown_id(s: KioskState) -> str:
    """The ID as the screen shows it: masked when read from a card, grouped when typed."""
    raw = s.entry(Field.ID)
    if s.id_from_card and len(raw) == 18:
        return mask_id_number(raw)
    return " ".join(part for part in (raw[:6], raw[6:14], raw[14:]) if part)


def id_status_line(s: KioskState) -> tuple[str, bool]:
    """(text, ok) under the ID field: progress, valid, or why not."""
    status, reason = id_check(s.entry(Field.ID))
    if status == "valid":
        return text("id_ok", s.lang), True
    if status == "invalid":
        return reason or text("id_invalid", s.lang), False
    if status == "partial":
        return text("id_partial", s.lang, n=len(s.entry(Field.ID))), True
    return text("card_hint", s.lang), True


class IdentifyPage(QWidget):
    """The chosen business, the ID and phone fields, the keypad, 取号."""

    def __init__(self, presenter: KioskPresenter) -> None:
        super().__init__()
        self.p = presenter
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)  # the window's body has the margins
        col.setSpacing(14)
        self.business = label("", "big")
        self.where = label("", "caption")
        col.addWidget(_card(self.business, self.where))
        row = QHBoxLayout()
        row.setSpacing(28)
        fields = QVBoxLayout()
        fields.setSpacing(10)
        self.title = label("", "caption")
        self.id_box, self.id_status = FieldBox(Field.ID), label()
        self.name = label("", "caption")
        self.phone_label, self.phone_box = label(), FieldBox(Field.PHONE)
        for w in (self.title, self.id_box, self.id_status, self.name):
            fields.addWidget(w)
        fields.addWidget(self.phone_label)
        fields.addWidget(self.phone_box)
        fields.addStretch(1)
        row.addLayout(fields, 3)
        self.keypad = Keypad()
        row.addWidget(self.keypad, 2)
        col.addLayout(row, 1)
        nav = QHBoxLayout()
        self.back = button("", presenter.back)
        self.home = button("", presenter.home)
        self.take = button("", presenter.take_number, "primary")
        nav.addWidget(self.back, 1)
        nav.addWidget(self.home, 1)
        nav.addWidget(self.take, 2)
        col.addLayout(nav)
        for box in (self.id_box, self.phone_box):
            box.tapped.connect(presenter.focus)
        self.keypad.key.connect(presenter.press_key)
        self.keypad.delete.connect(presenter.delete_key)
        self.keypad.clear.connect(presenter.clear_field)

    def draw(self, s: KioskState) -> None:
        """Draw the selection, the fields and the keypad for the focused field."""
        lang, sel = s.lang, s.selection
        self.business.setText(_business(s) if sel else "")
        queue = s.queue(sel.queue) if sel else None
        self.where.setText("")
        if queue is not None:
            windows = "、".join(queue.windows)
            waiting = text("waiting", lang, n=s.counts.get(queue.code, 0))
            where = f"{queue.prefix} {queue.name} · {text('windows', lang)} {windows} · {waiting}"
            self.where.setText(where)
        self.title.setText(text("identify_title", lang))
        self.id_box.show_value(shown_id(s), s.focus is Field.ID)
        status, ok = id_status_line(s)
        self.id_status.setText(status)
        if self.id_status.objectName() != ("valid" if ok else "invalid"):
            self.id_status.setObjectName("valid" if ok else "invalid")
            restyle(self.id_status)
        name = f"{text('name_label', lang)}{text('colon', lang)}{mask_name(s.name)}"
        self.name.setText(name if s.name else "")
        self.name.setVisible(bool(s.name))
        self.phone_label.setText(text("phone_label", lang))
        self.phone_box.show_value(s.entry(Field.PHONE), s.focus is Field.PHONE)
        self.keypad.set_keys("id" if s.focus is Field.ID else "digits")
        self.back.setText(text("back", lang))
        self.home.setText(text("home", lang))
        self.take.setText(text("take_number", lang))
        self.take.setEnabled(s.paused is None and not s.busy)


def _business(s: KioskState) -> str:
    assert s.selection is not None
    green = f"  [{text('green_active', s.lang)}]" if s.green else ""
    return f"{text('selected', s.lang)}{text('colon', s.lang)}{s.selection.label}{green}"


def _card(*widgets: QWidget) -> QFrame:
    """A white card holding the widgets one under the other."""
    card = QFrame()
    card.setObjectName("card")
    inner = QVBoxLayout(card)
    for widget in widgets:
        inner.addWidget(widget)
    return card
