"""统一出件 at a desktop pad, Qt-free: find a case by its 办件编号，print the 办结通知书，hand out.

The dialog (caller/views/delivery.py) only renders `lines()` and the flags, and calls these
intents; a barcode scanner types the number and Enter into its field.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from server.client import ApiError, ServerUnreachable

log = logging.getLogger("yichuang.caller")
READY = ("approved", "denied")  # decided: the result may be handed out


class CaseApi(Protocol):
    """What the desk needs of `server.client.HallClient`."""

    def case(self, case_no: str) -> dict[str, Any]: ...
    def case_step(self, case_no: str, step: str, **body: Any) -> dict[str, Any]: ...
    def case_document(self, case_no: str, kind: str, **params: Any) -> Any: ...


class ReceiptPrinter(Protocol):
    """The window's thermal printer (caller.devices.WindowPrinter)."""

    def print_notice(self, notice: dict[str, Any]) -> None: ...


class DeliveryDesk:
    """The 出件 intents of one pad; `case` is the case found last, `message` what to say."""

    def __init__(self, api: CaseApi, printer: ReceiptPrinter | None = None) -> None:
        self.api, self.printer = api, printer
        self.case: dict[str, Any] | None = None
        self.message, self.level = "", "info"

    @property
    def ready(self) -> bool:
        """Whether the found case may be handed out now (办结 or 不予许可，not yet out)."""
        return self.case is not None and self.case["state"] in READY

    def lines(self) -> list[tuple[str, str]]:
        """The found case as label / value lines (names masked, as the server sends them)."""
        c = self.case
        if c is None:
            return []
        rows = [
            ("办件编号", c["case_no"]),
            ("办理事项", c["matter_name"] or "—"),
            ("承办部门", c["department_name"] or "—"),
            ("申请人", c["applicant_masked"] or "—"),
            ("状态", c["state_label"]),
            ("办结时间", c["decided_local"] or "—"),
        ]
        if c.get("tracking_no"):
            rows.append(("邮寄单号", c["tracking_no"]))
        return rows

    def find(self, case_no: str) -> bool:
        """Look the case up by the number scanned or typed."""
        number = case_no.strip()
        self.case = None
        if not number:
            return self._say("请扫描或输入办件编号", "warn")
        found = self._call(lambda: self.api.case(number))
        if found is None:
            return False
        self.case = found
        if not self.ready:
            state = found["state_label"]
            return self._say(f"办件 {found['case_no']} 当前为“{state}”，暂不能出件", "warn")
        return self._say(f"已找到办件 {found['case_no']}", "ok")

    def collect(self) -> bool:
        """领取：the citizen takes the result at the window."""
        return self._step({"step": "collect"}, "已登记领取")

    def mail(self, tracking_no: str) -> bool:
        """邮寄 with the parcel's tracking number."""
        number = tracking_no.strip()
        if not number:
            return self._say("请填写邮寄单号", "warn")
        return self._step({"step": "mail", "tracking_no": number}, f"已登记邮寄，单号 {number}")

    def print_result(self) -> bool:
        """The 办结通知书 on the window's thermal printer (the number as a CODE128 symbol)."""
        if self.case is None or self.printer is None:
            return self._say("本窗口未配置小票打印机，请生成 PDF 打印", "warn")
        number = self.case["case_no"]
        doc = self._call(lambda: self.api.case_document(number, "result"))
        if doc is None:
            return False
        try:
            self.printer.print_notice(doc)
        except Exception as exc:  # paper out, cover open, offline: say so, keep the case
            log.warning("result notice printing failed: %s", exc)
            return self._say("打印失败，请检查小票打印机", "error")
        return self._say("办结通知书已送打印机", "ok")

    def save_result_pdf(self, path: Path) -> bool:
        """The 办结通知书 as PDF for the office printer."""
        if self.case is None:
            return False
        number = self.case["case_no"]
        data = self._call(lambda: self.api.case_document(number, "result", format="pdf"))
        if data is None:
            return False
        path.write_bytes(data)
        return self._say(f"办结通知书已保存：{path.name}", "ok")

    def _step(self, body: dict[str, Any], done: str) -> bool:
        if self.case is None:
            return self._say("请先查找办件", "warn")
        number = self.case["case_no"]
        changed = self._call(lambda: self.api.case_step(number, **body))
        if changed is None:
            return False
        self.case = changed
        return self._say(done, "ok")

    def _call(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except ServerUnreachable:
            self._say("无法连接服务器，请检查网络", "error")
        except ApiError as exc:
            self._say(exc.message, "error")
        return None

    def _say(self, message: str, level: str) -> bool:
        self.message, self.level = message, level
        return level == "ok"
