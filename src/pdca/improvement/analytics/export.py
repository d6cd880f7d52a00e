"""The nonconformity analytics as an XLSX workbook: a summary, one sheet per breakdown, the
recurrences, and every nonconformity with its corrective actions. The page, the API and
`pdca capa export` hand out the same file."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook

from pdca.core.permissions import scope
from pdca.core.xlsx import (
    WRAP,
    XLSX_CONTENT_TYPE,
    clean_text,
    first_sheet,
    style_header,
    workbook_bytes,
)
from pdca.improvement.analytics.figures import (
    Analytics,
    Bucket,
    cycle_days,
    filtered,
    nonconformity_analytics,
    visible,
)
from pdca.improvement.models import CorrectiveAction, Nonconformity

__all__ = ["XLSX_CONTENT_TYPE", "analytics_workbook", "filename"]

NC_COLUMNS = (
    ("Reference", 14),
    ("Title", 40),
    ("Status", 16),
    ("Severity", 10),
    ("Source", 22),
    ("Process", 28),
    ("Reported", 12),
    ("Due", 12),
    ("Closed", 12),
    ("Cycle days", 10),
    ("Recurrence of", 14),
    ("Action", 40),
    ("Action owner", 28),
    ("Action due", 12),
    ("Action status", 14),
)

#: Column positions (from 0) of the long texts and of the dates in NC_COLUMNS.
WRAPPED = (1, 5, 11)
DATES = (6, 7, 8, 13)


def filename(organization, today) -> str:
    return f"{slugify(organization.name)}-nonconformity-analytics-{today:%Y-%m-%d}.xlsx"


def _sheet(workbook, title: str, headers: list[str], rows: list[list], widths=None):
    sheet = workbook.create_sheet(title)
    sheet.append(headers)
    style_header(sheet)
    for row in rows:
        sheet.append([clean_text(v) if isinstance(v, str) else v for v in row])
    for index, width in enumerate(widths or [36] + [14] * (len(headers) - 1), start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    sheet.freeze_panes = "A2"
    return sheet


def _buckets(workbook, title: str, what: str, buckets: list[Bucket]) -> None:
    _sheet(workbook, title, [what, "Nonconformities"], [[b.label, b.count] for b in buckets])


def _summary(sheet, organization, figures: Analytics) -> None:
    period = figures.period
    rows = [
        ("Organization", organization.name),
        ("Reported from", period.date_from.isoformat() if period.date_from else "any date"),
        ("Reported to", period.date_to.isoformat() if period.date_to else "any date"),
        ("Standard", figures.standard.name if figures.standard else "all"),
        ("As of", figures.today.isoformat()),
        ("Nonconformities (not dismissed)", figures.total),
        ("Open", figures.open),
        ("Overdue", figures.overdue),
        ("Closed", figures.closed),
        ("Dismissed", figures.dismissed),
        ("Recurrences", len(figures.recurrences)),
        ("Median days to closure", figures.cycle.median_days),
        ("90th percentile days to closure (nearest rank)", figures.cycle.p90_days),
        ("Checked for effectiveness", figures.first_time.checked),
        ("Effective at the first check", figures.first_time.effective),
        ("First-time effectiveness %", figures.first_time.percent),
    ]
    sheet.append(["Figure", "Value"])
    style_header(sheet)
    for label, value in rows:
        sheet.append([label, clean_text(value) if isinstance(value, str) else value])
    sheet.column_dimensions["A"].width = 46
    sheet.column_dimensions["B"].width = 24


def _local_day(value):
    return timezone.localtime(value).date() if value else None


def _nonconformity_rows(organization, user, figures: Analytics) -> list[list]:
    actions = CorrectiveAction.objects.select_related("owner").order_by("round", "due_date", "pk")
    if user is not None:
        actions = scope(actions, user)
    ncs = (
        filtered(visible(organization, user), figures.period, figures.standard)
        .select_related("process", "recurrence_of")
        .prefetch_related(Prefetch("actions", queryset=actions))
        .order_by("created_at", "pk")
    )
    rows = []
    for nc in ncs:
        closed_at = nc.closed_at if nc.status == Nonconformity.Status.CLOSED else None
        base = [
            nc.reference,
            nc.title,
            nc.get_status_display(),
            nc.get_severity_display(),
            nc.get_source_display(),
            f"{nc.process.code} {nc.process.name}".strip() if nc.process else "",
            _local_day(nc.created_at),
            nc.due_date,
            _local_day(nc.closed_at),
            cycle_days(nc.created_at, closed_at) if closed_at else None,
            (nc.recurrence_of.reference or f"#{nc.recurrence_of_id}") if nc.recurrence_of else "",
        ]
        # One row per corrective action, so the sheet filters by owner or due date.
        for action in nc.actions.all() or [None]:
            if action is None:
                rows.append([*base, "", "", None, ""])
            else:
                rows.append(
                    [
                        *base,
                        action.title,
                        action.owner.email,
                        action.due_date,
                        action.get_status_display(),
                    ]
                )
    return rows


def analytics_workbook(organization, user, figures: Analytics | None = None, **filters) -> bytes:
    """The workbook of the figures (computed with `filters` unless given)."""
    if figures is None:
        figures = nonconformity_analytics(organization, user, **filters)
    workbook = Workbook()
    summary = first_sheet(workbook)
    summary.title = "Summary"
    _summary(summary, organization, figures)
    _buckets(workbook, "By requirement", "Requirement", figures.by_requirement)
    _buckets(workbook, "By process", "Process", figures.by_process)
    _buckets(workbook, "By source", "Source", figures.by_source)
    _buckets(workbook, "By grade", "Severity", figures.by_severity)
    _buckets(workbook, "By month", "Month reported", figures.by_month)
    _sheet(
        workbook,
        "Recurrences",
        ["Nonconformity", "Repeats", "Process", "Shared requirements", "Days apart"],
        [
            [
                p.later.label,
                p.earlier.label,
                p.process,
                "; ".join(p.shared_requirements),
                p.days_apart,
            ]
            for p in figures.recurrences
        ],
        widths=[40, 40, 28, 36, 12],
    )
    sheet = _sheet(
        workbook,
        "Nonconformities",
        [h for h, _ in NC_COLUMNS],
        _nonconformity_rows(organization, user, figures),
        widths=[w for _, w in NC_COLUMNS],
    )
    # Styling every cell costs a second per thousand rows: wrap only the long texts (title,
    # process, action) and format only the dates.
    for row in sheet.iter_rows(min_row=2):
        for index in WRAPPED:
            row[index].alignment = WRAP
        for index in DATES:
            if row[index].value is not None:
                row[index].number_format = "yyyy-mm-dd"
    sheet.auto_filter.ref = sheet.dimensions
    return workbook_bytes(workbook)
