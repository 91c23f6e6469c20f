"""The standard demo documents: used by `devices test-print`, the goldens, the bench and docs."""

from __future__ import annotations

import datetime as dt

from drivers.printer.model import (
    NOTICE_ACCEPTED,
    NOTICE_ONE_TIME,
    NOTICE_REJECTED,
    AdviceSlip,
    NoticeDoc,
    TicketStub,
)

ISSUED = dt.datetime(2024, 5, 6, 9, 12, 30)
HALL = "示例市政务服务中心"


def standard_ticket(variant: str = "normal") -> TicketStub:
    """The stub of DESIGN §1: A012, three windows, masked name and ID, six waiting."""
    return TicketStub(
        hall_name=HALL,
        number="A012" if variant != "requeued" else "A007",
        matter="不动产登记（二手房买卖过户）",
        windows=["S01", "S02", "S03"],
        applicant_masked="张*",
        id_masked="141002****029X",
        waiting_ahead=6,
        estimated_wait_min=18,
        issued_at=ISSUED,
        qr_url="https://demo.yichuang.local/t/Q7m2xk9PaL4v",
        variant=variant,
    )


def sample_notice(title: str = NOTICE_ACCEPTED) -> NoticeDoc:
    """A 受理通知书, 不予受理凭证 or 一次性告知书 with typical fields."""
    body = {
        NOTICE_ACCEPTED: [
            "您的申请材料齐全、符合法定形式，现予受理。请凭本通知书及票号查询办理进度。"
        ],
        NOTICE_REJECTED: [
            "经审查，您申请的事项不属于本中心受理范围，依法不予受理。",
            "如不服本决定，可依法申请行政复议或提起行政诉讼。",
        ],
        NOTICE_ONE_TIME: [
            "您提交的申请材料尚需补正以下内容，请一次性补齐后再次办理：",
            "1. 不动产权属证书原件；",
            "2. 买卖双方身份证明复印件（加盖手印）。",
        ],
    }[title]
    return NoticeDoc(
        title=title,
        hall_name=HALL,
        serial="SL-20240506-0012",
        fields=[
            ("申请人", "张*"),
            ("证件号码", "141002****029X"),
            ("办理事项", "不动产登记"),
            ("受理窗口", "S13"),
            ("票号", "B012"),
        ],
        body=body,
        issued_at=ISSUED,
        qr_url="https://demo.yichuang.local/t/Q7m2xk9PaL4v",
    )


def sample_advice() -> AdviceSlip:
    """可全程网办 advice for a matter that needs no number."""
    return AdviceSlip(
        hall_name=HALL,
        matter="个人社保缴费证明打印",
        where=[
            "请登录“示例市政务服务网”或使用“示例市民”App，在【社保服务】中在线办理。",
            "也可在大厅自助服务区的自助终端办理。",
        ],
        qr_url="https://zwfw.example.gov.cn/shebao",
        issued_at=ISSUED,
    )
