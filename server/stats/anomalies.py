"""The monthly 业务异常情况通报：calling, rating and completion anomalies per window.

Sections follow the centre's report：叫号异常 (system counts per window by outcome against
the department's reported volume → 数据量不符；work recorded without a call)，好差评异常
(should-rate against rated; unrated services older than 5 working days; poor ratings), and
有效办理率 / 过号率 outliers against the other windows of the hall.
"""

from __future__ import annotations

import datetime as dt
import statistics as pystats
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

from server.domain.lifecycle import EVALUATION_LEVELS
from server.protocol.views import iso
from server.services.context import Context
from server.stats import grouping, proxy_ratings, queries
from server.stats.case_report import case_findings, case_sections
from server.stats.detail import RESULT_LABELS
from server.stats.measures import Tally, rate
from server.stats.periods import Period, parse_month, work_calendar
from server.stats.reads import HallRead, hall_read

FOLLOW_UP_WORKING_DAYS = 5  # an unrated service must be followed up within 5 working days
MIN_CALLS = 20  # fewer ended calls say nothing about a window's rates
MIN_GAP = 0.05  # a rate must differ from the windows' median by at least 5 points
MAD_FACTOR = 3.0  # … and by three robust standard deviations (1.4826 × MAD)
LIST_LIMIT = 500  # listed services per section; the counts cover all of them


def anomaly_report(ctx: Context, hall: str, month: str | None) -> dict[str, Any]:
    """GET …/anomalies?month=YYYY-MM: the report as JSON."""
    with hall_read(ctx, hall) as read:
        text, period = parse_month(month, read.today)
        stats = grouping.collect(read.conn, read.layout, period, ["window"])
        tallies = stats.groups["window"]
        reported = {r.window: r for r in queries.reported(read.conn, hall, text)}
        codes = [
            w.code
            for w in read.windows.values()
            if w.active or w.code in tallies or w.code in reported
        ]
        calling = [_calling_row(read, code, tallies.get(code, Tally()), reported) for code in codes]
        walk_ins = _walk_ins(read, period)
        evaluation = _evaluation(read, period, codes, tallies)
        rates = _rates(read, codes, tallies, stats.total)
        cases = case_sections(read, period)
        report = {
            **read.header(period),
            "month": text,
            # A month still in progress is reported up to today, and says so.
            "as_of": read.today.isoformat() if period.start <= read.today <= period.end else None,
            "calling": {"rows": calling, "walk_ins": walk_ins},
            "evaluation": evaluation,
            "handover": cases["handover"],
            "completion": cases["completion"],
            "rates": rates,
            "notes": [
                "数据量不符：部门报送业务量与系统办理量（受理+咨询+不予受理）不一致",
                "材料转递与办结率按办件统计，口径见 docs/statistics.md",
                "有效办理率：窗口（受理+咨询+不予受理）÷ 已结束的叫号，不是办结率",
            ],
        }
        # 疑似代评 and 差评整改 (issue 15)
        report["proxy_ratings"] = proxy_ratings.proxy_section(read, period)
        report["followups"] = proxy_ratings.followup_section(read, period)
        report["summary"] = _summary(report, stats.total)
        report["findings"] = findings(report)
        return report


def _name(read: HallRead, code: str) -> str:
    info = read.windows.get(code)
    return info.name if info else code


def _calling_row(
    read: HallRead, code: str, tally: Tally, reported: dict[str, Any]
) -> dict[str, Any]:
    c = tally.counts
    services = c["accepted"] + c["consulted"] + c["rejected"]
    row = reported.get(code)
    volume = row.volume if row else None
    status = "not_reported" if volume is None else "match" if volume == services else "mismatch"
    detail = (row.detail or {}) if row else {}
    return {
        "window": code,
        "window_name": _name(read, code),
        "department": row.department if row else None,
        "called": c["called"],
        "accepted": c["accepted"],
        "consulted": c["consulted"],
        "rejected": c["rejected"],
        "no_show": c["no_show"],
        "transferred": c["transferred"],
        "no_outcome": c["no_outcome"],
        "out_of_order": c["out_of_order"],
        "walk_ins": c["walk_ins"],
        "services": services,
        "reported": volume,
        "difference": None if volume is None else volume - services,
        "status": status,
        "detail_mismatches": {
            k: {"reported": n, "system": c[k]} for k, n in detail.items() if n != c[k]
        },
    }


def _walk_ins(read: HallRead, period: Period) -> list[dict[str, Any]]:
    counts: dict[str, Counter[str]] = {}
    for row in queries.walk_in_rows(read.conn, read.layout.code, period):
        counts.setdefault(row.window, Counter())[row.outcome] += 1
    return [
        {
            "window": code,
            "window_name": _name(read, code),
            "count": sum(c.values()),
            "by_outcome": dict(c),
        }
        for code, c in sorted(counts.items())
    ]


def _evaluation(
    read: HallRead, period: Period, codes: list[str], tallies: dict[str, Tally]
) -> dict[str, Any]:
    zone = ZoneInfo(read.layout.timezone)
    calendar = work_calendar(read.layout.settings)
    threshold = float(read.layout.settings.get("unrated_rate_threshold", 0.2))
    overdue, pending = [], Counter[str]()
    elapsed: dict[dt.date, int] = {}  # a month has few dates and many services
    for r in queries.unrated_services(read.conn, read.layout.code, period, read.now):
        day = r.finished_at.astimezone(zone).date()
        if day not in elapsed:
            elapsed[day] = calendar.working_days_after(day, read.today)
        if elapsed[day] > FOLLOW_UP_WORKING_DAYS:
            overdue.append((r, elapsed[day]))
        else:  # 待评价：a rating may still be made up within the working days left
            pending[r.window] += 1
    poor = queries.poor_ratings(read.conn, read.layout.code, period)
    late = Counter(r.window for r, _ in overdue)
    bad = Counter(r.window for r in poor)
    rows = []
    for code in codes:
        values = tallies.get(code, Tally()).row(per_ticket=False)
        # Services still inside their follow-up days are neither rated nor unrated yet.
        due = values["should_rate"] - pending[code]
        unrated_rate = rate(late[code], due)
        rows.append(
            {
                "window": code,
                "window_name": _name(read, code),
                "should_rate": values["should_rate"],
                "rated": values["rated"],
                "pending": pending[code],
                "not_rated": late[code],
                "unrated_rate": unrated_rate,
                "rating_rate": values["rating_rate"],
                "satisfaction_rate": values["satisfaction_rate"],
                "overdue": late[code],
                "poor": bad[code],
                "flagged": unrated_rate is not None and unrated_rate > threshold,
            }
        )
    # Most severe first: flagged windows by their unrated share, then the rest in hall order.
    rows.sort(key=lambda r: (not r["flagged"], -(r["unrated_rate"] or 0) if r["flagged"] else 0))
    return {
        "follow_up_working_days": FOLLOW_UP_WORKING_DAYS,
        "unrated_rate_threshold": threshold,
        "rows": rows,
        "not_rated_total": len(overdue),
        "pending_total": sum(pending.values()),
        "overdue_total": len(overdue),
        "overdue": [_service(read, r, zone, {"working_days": w}) for r, w in overdue][:LIST_LIMIT],
        "poor_total": len(poor),
        "poor": [
            _service(read, r, zone, {"level": EVALUATION_LEVELS[r.evaluation_level]})
            | {"reasons": list(r.evaluation_reasons or ()), "comment": r.evaluation_comment}
            for r in poor[:LIST_LIMIT]
        ],
    }


def _service(read: HallRead, r: Any, zone: ZoneInfo, extra: dict[str, Any]) -> dict[str, Any]:
    at = getattr(r, "finished_at", None) or getattr(r, "evaluated_at", None)
    return {
        "date": r.business_date.isoformat(),
        "number": r.number,
        "window": r.window,
        "clerk": read.clerks.get(r.clerk or "", r.clerk),
        "outcome": RESULT_LABELS.get(getattr(r, "outcome", None) or "", None),
        "at": iso(at),
        **extra,
    }


def _rates(
    read: HallRead, codes: list[str], tallies: dict[str, Tally], total: Tally
) -> dict[str, Any]:
    rows = []
    for code in codes:
        values = tallies.get(code, Tally()).row(per_ticket=False)
        ended = values["called"] - tallies.get(code, Tally()).counts["in_progress"]
        rows.append(
            {
                "window": code,
                "window_name": _name(read, code),
                "ended": ended,
                "completion_rate": values["completion_rate"],
                "no_show_rate": values["no_show_rate"],
                "flags": [],
            }
        )
    limits = flag_outliers([r for r in rows if r["ended"] >= MIN_CALLS])
    hall = total.row()
    return {
        "hall_completion_rate": hall["completion_rate"],
        "hall_no_show_rate": hall["no_show_rate"],
        "min_calls": MIN_CALLS,
        "limits": limits,
        "rows": rows,
    }


def flag_outliers(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Flag rows whose 有效办理率 is low or 过号率 high against the others (median ± robust spread).

    Returns the median and the limit used per rate; needs at least three rows to compare.
    """
    limits = {}
    for key, sign, flag in (
        ("completion_rate", -1, "有效办理率偏低"),
        ("no_show_rate", +1, "过号率偏高"),
    ):
        seen: list[float] = [r[key] for r in rows]
        if len(seen) < 3:
            continue
        middle = pystats.median(seen)
        spread = pystats.median(abs(v - middle) for v in seen) * 1.4826
        limit = middle + sign * max(MIN_GAP, MAD_FACTOR * spread)
        limits[key] = {"median": round(middle, 4), "limit": round(limit, 4)}
        for r in rows:
            if sign * (r[key] - limit) > 0:
                r["flags"].append(flag)
    return limits


def _summary(report: dict[str, Any], total: Tally) -> dict[str, Any]:
    calling = report["calling"]["rows"]
    values = total.row()
    return {
        "called": values["called"],
        "services": sum(r["services"] for r in calling),
        "no_show": values["no_show"],
        "walk_ins": values["walk_ins"],
        "reported": sum(r["reported"] or 0 for r in calling),
        "mismatched_windows": sum(r["status"] == "mismatch" for r in calling),
        "unreported_windows": sum(r["status"] == "not_reported" for r in calling),
        "should_rate": values["should_rate"],
        "not_rated": report["evaluation"]["not_rated_total"],
        "pending_rating": report["evaluation"]["pending_total"],
        "unrated_windows": sum(r["flagged"] for r in report["evaluation"]["rows"]),
        "overdue_unrated": report["evaluation"]["overdue_total"],
        "poor_ratings": report["evaluation"]["poor_total"],
        "rate_outliers": sum(bool(r["flags"]) for r in report["rates"]["rows"]),
        "proxy_windows": len(report["proxy_ratings"]["rows"]),
        "followups_overdue": report["followups"]["overdue_total"],
    }


def findings(report: dict[str, Any]) -> list[dict[str, str]]:
    """The report's anomalies as sentences, section by section."""
    found = [
        *(("叫号异常", text) for text in _calling_findings(report["calling"])),
        *(("好差评异常", text) for text in _rating_findings(report["evaluation"])),
        *case_findings(report),
        *(("有效办理率/过号率异常", text) for text in _rate_findings(report["rates"])),
        *(("疑似代评", t) for t in proxy_ratings.proxy_findings(report["proxy_ratings"])),
        *(("差评整改逾期", t) for t in proxy_ratings.followup_findings(report["followups"])),
    ]
    return [{"section": section, "text": text} for section, text in found]


def _calling_findings(calling: dict[str, Any]) -> list[str]:
    # Worst first: the largest differences, then the most calls left open, then walk-ins.
    mismatched = sorted(
        (r for r in calling["rows"] if r["status"] == "mismatch"),
        key=lambda r: -abs(r["difference"]),
    )
    out = [
        f"{r['window_name']}：部门报送 {r['reported']} 件，"
        f"系统办理 {r['services']} 件（叫号 {r['called']} 次，受理 {r['accepted']}"
        f"、咨询 {r['consulted']}、不予受理 {r['rejected']}、过号 {r['no_show']}），"
        f"数据量不符，相差 {r['difference']:+d} 件"
        for r in mismatched
    ]
    open_calls = sorted(
        (r for r in calling["rows"] if r["no_outcome"]), key=lambda r: -r["no_outcome"]
    )
    out += [f"{r['window_name']}：叫号后未登记办理结果 {r['no_outcome']} 次" for r in open_calls]
    walk_ins = sorted(calling["walk_ins"], key=lambda w: -w["count"])
    out += [f"{w['window_name']}：未叫号即办理 {w['count']} 件" for w in walk_ins]
    return out


def _rating_findings(evaluation: dict[str, Any]) -> list[str]:
    days = evaluation["follow_up_working_days"]
    limit = evaluation["unrated_rate_threshold"]
    out = [
        f"{r['window_name']}：应评价 {r['should_rate']} 件，{days} 个工作日内未评价 "
        f"{r['not_rated']} 件，未评价率 {r['unrated_rate']:.1%}（超过 {limit:.0%}）"
        + (f"，差评 {r['poor']} 件" if r["poor"] else "")
        for r in evaluation["rows"]
        if r["flagged"]
    ]
    # Poor ratings are followed up one by one from their list: one line, not one per window.
    poor = sorted((r for r in evaluation["rows"] if r["poor"]), key=lambda r: -r["poor"])
    if poor:
        most = "、".join(f"{r['window_name']} {r['poor']} 件" for r in poor[:3])
        out.append(
            f"差评 {evaluation['poor_total']} 件，涉及 {len(poor)} 个窗口，需逐件回访整改"
            f"（最多：{most}）"
        )
    return out


def _rate_findings(rates: dict[str, Any]) -> list[str]:
    out = []
    for r in rates["rows"]:
        for flag in r["flags"]:
            key = "completion_rate" if flag.startswith("有效办理") else "no_show_rate"
            mine, whole = r[key], rates[f"hall_{key}"]
            name, verdict = flag[:-2], flag[-2:]
            out.append(f"{r['window_name']}：{name} {mine:.1%}（全厅 {whole:.1%}），{verdict}")
    return out
