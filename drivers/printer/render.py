"""Layouts: the ticket stub, the outcome notices and the advice slip, for 58 and 80 mm alike."""

from __future__ import annotations

from drivers.printer.builder import JobBuilder
from drivers.printer.layout import label_value, rule, wrap
from drivers.printer.model import VARIANT_TITLES, AdviceSlip, NoticeDoc, TicketStub, format_time
from drivers.profiles import Profile


def ticket_fields(stub: TicketStub) -> list[tuple[str, str]]:
    """The labelled lines of a stub, in print order; empty optional ones are left out."""
    waiting = f"{stub.waiting_ahead} 人"
    if stub.estimated_wait_min is not None:
        hours, minutes = divmod(stub.estimated_wait_min, 60)  # 预计约 2 小时 5 分钟
        said = f"{hours} 小时 {minutes} 分钟" if hours and minutes else f"{hours} 小时"
        waiting += f"，预计约 {said if hours else f'{minutes} 分钟'}"
    fields = [("办理业务：", stub.matter), ("办理窗口：", "、".join(stub.windows))]
    if stub.applicant_masked:
        fields.append(("申 请 人：", stub.applicant_masked))
    if stub.id_masked:
        fields.append(("证件号码：", stub.id_masked))
    fields.append(("等待人数：", waiting))
    if stub.issued_at:
        fields.append(("取号时间：", format_time(stub.issued_at)))
    return fields


def render_ticket(stub: TicketStub, profile: Profile) -> bytes:
    """The 统一取号小票 as ESC/POS bytes for this printer."""
    job = _start(profile, stub.hall_name)
    cols = job.columns
    job.line(VARIANT_TITLES[stub.variant])
    job.big(stub.number, job.spec.number_width, job.spec.number_height)
    if stub.queue_name:
        job.lines(wrap(stub.queue_name, cols))
    job.align("left")
    job.line(rule(cols))
    for label, value in ticket_fields(stub):
        job.lines(label_value(label, value, cols))
    job.line(rule(cols))
    for note in stub.notes:
        job.lines(wrap(note, cols))
    _qr_block(job, stub.qr_url, stub.qr_caption)
    return job.finish()


def render_notice(doc: NoticeDoc, profile: Profile) -> bytes:
    """受理通知书 / 不予受理凭证 / 一次性告知书 as ESC/POS bytes."""
    job = _start(profile, doc.hall_name)
    cols = job.columns
    job.headline(doc.title, 2, 2)
    if doc.serial:
        job.line(f"编号：{doc.serial}")
    if doc.barcode:
        job.barcode128(doc.barcode)
    job.align("left")
    job.line(rule(cols))
    for label, value in doc.fields:
        job.lines(label_value(f"{label}：", value, cols))
    job.line(rule(cols))
    for paragraph in doc.body:
        job.lines(wrap(paragraph, cols))
    if doc.footer:
        job.line("")
        job.lines(line for text in doc.footer for line in wrap(text, cols))
    if doc.issued_at:
        job.line(f"打印时间：{format_time(doc.issued_at)}")
    _qr_block(job, doc.qr_url, "扫码查看办理进度")
    return job.finish()


def render_advice(slip: AdviceSlip, profile: Profile) -> bytes:
    """A slip for matters that need no number: the advice, where to go, a QR code."""
    job = _start(profile, slip.hall_name)
    cols = job.columns
    job.headline(slip.advice, 1, 2)
    job.align("left")
    job.line(rule(cols))
    job.lines(label_value("办理事项：", slip.matter, cols))
    for text in slip.where:
        job.lines(wrap(text, cols))
    if slip.issued_at:
        job.line(f"打印时间：{format_time(slip.issued_at)}")
    job.line(rule(cols))
    _qr_block(job, slip.qr_url, slip.qr_caption)
    return job.finish()


def _start(profile: Profile, hall_name: str) -> JobBuilder:
    """A new job with the hall name centred on top."""
    job = JobBuilder(profile)
    job.align("center")
    job.headline(hall_name)
    return job


def _qr_block(job: JobBuilder, url: str, caption: str) -> None:
    if not url:
        return
    job.align("center")
    job.qr(url)
    job.lines(wrap(caption, job.columns))
    job.align("left")
