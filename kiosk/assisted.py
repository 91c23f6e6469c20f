"""Flows a guide (引导员) takes part in: 绿色通道 confirmation and the reprint of the last stub.

绿色通道 is granted by the citizen's ID (age ≥ `green_age` on the hall's date, 65 by default)
or by a guide signing in on the kiosk with a staff account; the guide's session then issues
the ticket (source "guide") and is signed out once it is printed or the kiosk goes home.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.core import STAFF_ROLES, PresenterCore, progress_secret
from kiosk.ports import StaffApi
from kiosk.state import Field, Message, Screen, id_check
from server.client import ApiError
from server.domain.identity import age_on, normalize_id_number

_STAFF_FIELDS = (Field.USERNAME, Field.PASSWORD)


class AssistedFlows:
    """绿色通道 and 补打 on top of the presenter core."""

    def __init__(self, core: PresenterCore, staff_api: Callable[[], StaffApi] | None) -> None:
        self._core = core
        self._staff_factory = staff_api  # None: no guide can sign in on this kiosk

    def open_green(self) -> None:
        """绿色通道: an ID showing age ≥ 65, or a guide confirms."""
        self._core.touch()
        if self._core.refuse_when_paused():
            return
        self._core.update(screen=Screen.GREEN, focus=Field.ID, entries={}, message=None)

    def green_check_age(self) -> None:
        """Confirm 绿色通道 by the ID's birth date (age on today's hall-local date)."""
        core = self._core
        core.touch()
        id_number = core.state.entry(Field.ID)
        status, reason = id_check(id_number)
        if status != "valid":
            core.update(message=Message(reason or core.text("id_required"), True))
            return
        age = age_on(normalize_id_number(id_number), core.local_now().date())
        if age < core.config.green_age:
            core.update(message=core.say("green_age_too_low", age=core.config.green_age))
            return
        core.update(screen=Screen.HOME, green="age", message=core.say("green_age_ok", error=False))

    def open_staff_login(self, purpose: str) -> None:
        """A guide signs in on the kiosk: `green` (confirm 绿色通道) or `reprint`."""
        core = self._core
        core.touch()
        if purpose == "reprint" and core.last_ticket is None:
            return
        entries = {k: v for k, v in core.state.entries.items() if k not in _STAFF_FIELDS}
        core.update(
            screen=Screen.STAFF_LOGIN,
            staff_purpose=purpose,
            entries=entries,
            focus=Field.USERNAME,
            message=None,
        )

    def staff_confirm(self) -> None:
        """Check the guide's user name and password with the server."""
        core = self._core
        core.touch()
        state = core.state
        username, password = state.entry(Field.USERNAME), state.entry(Field.PASSWORD)
        if not username or not password or state.busy or self._staff_factory is None:
            return
        entries = {k: v for k, v in state.entries.items() if k is not Field.PASSWORD}
        purpose = state.staff_purpose
        core.update(entries=entries)
        core.start_job("issuing", lambda: self._staff_job(username, password, purpose))

    def _staff_job(self, username: str, password: str, purpose: str | None) -> None:
        assert self._staff_factory is not None
        core, staff = self._core, self._staff_factory()
        try:
            session = staff.login(username, password)
        except ApiError as exc:
            staff.close()
            core.fail(exc)
            return
        if session.get("role") not in STAFF_ROLES:
            staff.close()
            core.update(busy=None, message=Message("该账号不能确认", True))
            return
        core.staff = staff
        if purpose == "reprint":
            self._reprint_job(staff)
            return
        entries = {k: v for k, v in core.state.entries.items() if k not in _STAFF_FIELDS}
        message = core.say("green_guide_ok", error=False)
        core.update(screen=Screen.HOME, green="guide", entries=entries, busy=None, message=message)

    def reprint(self) -> None:
        """补打: a guide reprints the last stub (re-read from the server, not from memory)."""
        self.open_staff_login("reprint")

    def _reprint_job(self, staff: StaffApi) -> None:
        last = self._core.last_ticket
        assert last is not None
        ticket_id, requeued, url = last
        secret = progress_secret(url)  # shown back, so the reprint keeps the stub's QR
        self._core.ticket_job(lambda: staff.ticket(ticket_id, secret), requeued=requeued)
