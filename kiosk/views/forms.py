"""Keypad forms: 过号取号, 预约签到, 绿色通道 and the guide's sign-in."""

from __future__ import annotations

from functools import partial

from PyQt6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.presenter import KioskPresenter
from kiosk.state import Field, KioskState
from kiosk.texts import text
from kiosk.views.common import FieldBox, Keypad, button, clear_layout, label, restyle
from kiosk.views.identify import id_status_line, shown_id

# Field -> its label's text key
FIELD_LABELS = {
    Field.NUMBER: "number_label",
    Field.ID: "id_label",
    Field.CODE: "appointment_code",
    Field.USERNAME: "username",
    Field.PASSWORD: "password",
}


class KeypadForm(QWidget):
    """Title and hint, a few fields on the left, the keypad on the right, buttons below."""

    title_key = ""
    hint_key = ""
    fields: tuple[Field, ...] = ()
    submit_key = "confirm"  # the main button: its text, style and intent
    submit_style = "primary"
    submit_intent = ""
    issues = True  # the main button leads to a ticket: off while issuing is paused

    def __init__(self, presenter: KioskPresenter) -> None:
        super().__init__()
        self.p = presenter
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)  # the window's body has the margins
        col.setSpacing(12)
        self.title = label("", "title", wrap=False)
        self.hint = label("", "caption")
        top = QHBoxLayout()  # the hint beside the title: a line less, for the pause banner
        top.setSpacing(28)
        top.addWidget(self.title)
        top.addWidget(self.hint, 1)
        col.addLayout(top)
        self.extra = QVBoxLayout()
        col.addLayout(self.extra)
        row = QHBoxLayout()
        row.setSpacing(28)
        left = QVBoxLayout()
        self.labels, self.boxes = {}, {}
        for which in self.fields:
            self.labels[which], self.boxes[which] = label(), FieldBox(which)
            self.boxes[which].tapped.connect(presenter.focus)
            left.addWidget(self.labels[which])
            left.addWidget(self.boxes[which])
        self.status = label("", "caption")
        left.addWidget(self.status)
        left.addStretch(1)
        row.addLayout(left, 3)
        self.keypad = Keypad()
        self.keypad.key.connect(presenter.press_key)
        self.keypad.delete.connect(presenter.delete_key)
        self.keypad.clear.connect(presenter.clear_field)
        row.addWidget(self.keypad, 3)
        col.addLayout(row, 1)
        self.nav = QHBoxLayout()
        self.back = button("", presenter.back)
        self.nav.addWidget(self.back, 1)
        col.addLayout(self.nav)
        self.submit = button("", getattr(presenter, self.submit_intent), self.submit_style)
        self.nav.addWidget(self.submit, 2)

    def draw(self, s: KioskState) -> None:
        """Draw the fields and the keypad for the focused one."""
        lang = s.lang
        self.title.setText(text(self.title_key, lang))
        self.hint.setText(text(self.hint_key, lang))
        for which in self.fields:
            self.labels[which].setText(text(FIELD_LABELS[which], lang))
            self.boxes[which].show_value(_shown(s, which), s.focus is which)
        self.status.setText(id_status_line(s)[0] if s.focus is Field.ID else "")
        self.keypad.set_keys(*_keys(s))
        self.back.setText(text("back", lang))
        self.submit.setText(text(self.submit_key, lang))
        self.submit.setEnabled(not s.busy and (s.paused is None or not self.issues))


def _shown(s: KioskState, which: Field) -> str:
    if which is Field.ID:
        return shown_id(s)
    if which is Field.PASSWORD:
        return "●" * len(s.entry(which))
    return s.entry(which)


def _keys(s: KioskState) -> tuple[str, tuple[str, ...]]:
    if s.focus is Field.ID:
        return "id", ()
    if s.focus is Field.NUMBER:
        return "letters", tuple(sorted({q.prefix[:1] for q in s.queues if q.prefix}))
    if s.focus is Field.CODE:
        return "QWERTY", ()
    return "qwerty", ()


class RequeuePage(KeypadForm):
    """过号取号: the number (or a scanned QR) and the ID."""

    title_key, hint_key = "requeue_title", "requeue_hint"
    fields = (Field.NUMBER, Field.ID)
    submit_key, submit_style, submit_intent = "requeue_submit", "amber", "requeue_submit"


class AppointmentPage(KeypadForm):
    """预约签到: the booked business and the booking code."""

    title_key, hint_key = "appointment_title", "appointment_pick"
    fields = (Field.CODE,)
    submit_key, submit_intent = "check_in", "check_in"

    def __init__(self, presenter: KioskPresenter) -> None:
        super().__init__(presenter)
        self.choices = QGridLayout()
        self.extra.addLayout(self.choices)
        self._shape: tuple[object, ...] = ()
        self._buttons: dict[str, QPushButton] = {}

    def draw(self, s: KioskState) -> None:
        """Draw the queues that take appointments; the picked one is highlighted."""
        super().draw(s)
        booked = tuple(q for q in s.queues if q.appointments)
        if booked != self._shape:
            self._shape = booked
            clear_layout(self.choices)
            self._buttons = {}
            for i, q in enumerate(booked):
                b = button(f"{q.prefix} {q.name}", partial(self.p.appointment_pick, q.code))
                self._buttons[q.code] = b
                self.choices.addWidget(b, 0, i)
        for code, b in self._buttons.items():
            name = "primary" if code == s.appointment_queue else ""
            if b.objectName() != name:
                b.setObjectName(name)
                restyle(b)


class GreenPage(KeypadForm):
    """绿色通道: an ID of someone aged 65+, or a guide confirms."""

    title_key, hint_key = "green_title", "green_hint"
    fields = (Field.ID,)
    submit_style, submit_intent = "green", "green_check_age"

    def __init__(self, presenter: KioskPresenter) -> None:
        super().__init__(presenter)
        self.guide = button("", partial(presenter.open_staff_login, "green"))
        self.nav.insertWidget(1, self.guide, 2)

    def draw(self, s: KioskState) -> None:
        """Draw the ID field and both ways to confirm."""
        super().draw(s)
        self.guide.setText(text("guide_login", s.lang))


class StaffLoginPage(KeypadForm):
    """A guide signs in on the kiosk (绿色通道 confirmation or 补打)."""

    title_key, hint_key = "guide_login", "guide_confirm_title"
    fields = (Field.USERNAME, Field.PASSWORD)
    submit_intent, issues = "staff_confirm", False

    def draw(self, s: KioskState) -> None:
        """Draw user name, dotted password and the letter keyboard."""
        super().draw(s)
        if s.staff_purpose == "reprint":
            self.title.setText(text("reprint", s.lang))
