"""Flows a guide (引导员) takes part in: 绿色通道 confirmation and the reprint of the last stub.

绿色通道 is granted by the citizen's ID (age ≥ `green_age` on the hall's date, 65 by default)
or by a guide signing in on the kiosk with a staff account; the guide's session then issues
the ticket (source "guide") and is signed out once it is printed or the kiosk goes home.
"""

from __future__ import annotations

from kiosk.core import STAFF_ROLES, PresenterCore, progress_secret
from kiosk.ports import StaffApi
from kiosk.state import Field, Message, Screen, id_check
from server.client import ApiError
from server.domain.identity import age_on, normalize_id_number

_STAFF_FIELDS = (Field.USERNAME, Field.PASSWORD)


class AssistedFlows(PresenterCore):
    """绿色通道 and 补打 on top of the presenter core."""

    def open_green(self) -> None:
        """绿色通道: an ID showing age ≥ 65, or a guide confirms."""
        self.touch()
        if self._refuse_when_paused():
            return
        self._update(screen=Screen.GREEN, focus=Field.ID, entries={}, message=None)

    def green_check_age(self) -> None:
        """Confirm 绿色通道 by the ID's birth date (age on today's hall-local date)."""
        self.touch()
        id_number = self._state.entry(Field.ID)
        status, reason = id_check(id_number)
        if status != "valid":
            self._update(message=Message(reason or self._text("id_required"), True))
            return
        age = age_on(normalize_id_number(id_number), self._local_now().date())
        if age < self.config.green_age:
            self._update(message=self._say("green_age_too_low", age=self.config.green_age))
            return
        self._update(
            screen=Screen.HOME, green="age", message=self._say("green_age_ok", error=False)
        )

    def open_staff_login(self, purpose: str) -> None:
        """A guide signs in on the kiosk: `green` (confirm 绿色通道) or `reprint`."""
        self.touch()
        if purpose == "reprint" and self._last_ticket is None:
            return
        entries = {k: v for k, v in self._state.entries.items() if k not in _STAFF_FIELDS}
        self._update(
            screen=Screen.STAFF_LOGIN,
            staff_purpose=purpose,
            entries=entries,
            focus=Field.USERNAME,
            message=None,
        )

    def staff_confirm(self) -> None:
        """Check the guide's user name and password with the server."""
        self.touch()
        state = self._state
        username, password = state.entry(Field.USERNAME), state.entry(Field.PASSWORD)
        if not username or not password or state.busy or self._staff_factory is None:
            return
        entries = {k: v for k, v in state.entries.items() if k is not Field.PASSWORD}
        purpose = state.staff_purpose
        self._update(entries=entries)
        self._start_job("issuing", lambda: self._staff_job(username, password, purpose))

    def _staff_job(self, username: str, password: str, purpose: str | None) -> None:
        assert self._staff_factory is not None
        staff = self._staff_factory()
        try:
            session = staff.login(username, password)
        except ApiError as exc:
            staff.close()
            self._fail(exc)
            return
        if session.get("role") not in STAFF_ROLES:
            staff.close()
            self._update(busy=None, message=Message("该账号不能确认", True))
            return
        self._staff = staff
        if purpose == "reprint":
            self._reprint_job(staff)
            return
        entries = {k: v for k, v in self._state.entries.items() if k not in _STAFF_FIELDS}
        message = self._say("green_guide_ok", error=False)
        self._update(screen=Screen.HOME, green="guide", entries=entries, busy=None, message=message)

    def reprint(self) -> None:
        """补打: a guide reprints the last stub (re-read from the server, not from memory)."""
        self.open_staff_login("reprint")

    def _reprint_job(self, staff: StaffApi) -> None:
        assert self._last_ticket is not None
        ticket_id, requeued, url = self._last_ticket
        secret = progress_secret(url)  # shown back, so the reprint keeps the stub's QR
        self._ticket_job(lambda: staff.ticket(ticket_id, secret), requeued=requeued)
