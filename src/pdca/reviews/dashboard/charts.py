"""The dashboard's charts as inline SVG drawn on the server, as the analytics and readiness
charts are: no JavaScript, the same markup on the page and in the PDF. Readiness per standard
is the gap assessment's own bar chart and measurements per month the analytics' column chart;
the monthly trends of two series (reported and closed) and of a value that may be missing
(median days, none in a month without closures) are drawn here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

from pdca.assessments.charts import bar_chart
from pdca.improvement.analytics.charts import COLOURS, INK, column_chart
from pdca.improvement.analytics.figures import Bucket
from pdca.reviews.dashboard.figures import Dashboard

SMALL = 'font-family="sans-serif" font-size="10"'
REPORTED = COLOURS["month"]
CLOSED = "#2e7d32"
DAYS = "#6d4c41"


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    values: Sequence[float | None]


def _month_label(month_index: int, month: str, year: int) -> str:
    """ "Jan 26" for the first column and every January, the month's initials otherwise."""
    return f"{month} {year % 100:02d}" if month_index == 0 or month == "Jan" else month


def month_columns(
    months: Sequence[str],
    years: Sequence[int],
    series: Sequence[Series],
    *,
    title: str,
    width: int = 560,
    unit: str = "",
) -> SafeString:
    """Columns per month, one per series side by side, with the value above each and a
    legend; a missing value (None) draws no column and "–"."""
    height, base, top_pad, left = 170, 130, 26, 8
    n = max(len(months), 1)
    slot = (width - 2 * left) / n
    gap = slot * 0.12
    column = (slot - 2 * gap) / max(len(series), 1)
    top = max([v for s in series for v in s.values if v is not None] + [1])
    body = [f'<line x1="{left}" y1="{base}" x2="{width - left}" y2="{base}" stroke="{INK}"/>']
    for i, month in enumerate(months):
        x = left + i * slot
        for j, s in enumerate(series):
            value = s.values[i]
            cx = x + gap + j * column
            label = f"{month} {years[i]}: {s.label} " + ("–" if value is None else f"{value:g}")
            if value is None:
                continue
            h = (base - top_pad) * value / top
            body.append(
                f'<rect x="{cx:.1f}" y="{base - h:.1f}" width="{column * 0.92:.1f}" '
                f'height="{h:.1f}" fill="{s.colour}"><title>{escape(label + unit)}</title></rect>'
            )
            if value:
                body.append(
                    f'<text x="{cx + column / 2:.1f}" y="{base - h - 3:.1f}" text-anchor="middle" '
                    f'{SMALL} fill="{INK}">{value:g}</text>'
                )
        body.append(
            f'<text x="{x + slot / 2:.1f}" y="{base + 14}" text-anchor="middle" {SMALL} '
            f'fill="{INK}">{escape(_month_label(i, month, years[i]))}</text>'
        )
    legend_x = left
    for s in series:
        body.append(
            f'<rect x="{legend_x}" y="{height - 12}" width="10" height="10" fill="{s.colour}"/>'
            f'<text x="{legend_x + 14}" y="{height - 3}" {SMALL} fill="{INK}">'
            f"{escape(s.label)}</text>"
        )
        legend_x += 14 + 7 * len(s.label) + 16
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dashboard-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308  (every text is escaped)


def charts(dashboard: Dashboard) -> dict[str, SafeString | None]:
    """Every chart of the dashboard by name (None where the tile is not shown or has no
    data to draw)."""
    result: dict[str, SafeString | None] = {
        "readiness_chart": None,
        "nonconformity_chart": None,
        "cycle_chart": None,
        "measurement_chart": None,
    }
    readiness = dashboard.readiness
    if readiness.available and readiness.standards:
        result["readiness_chart"] = bar_chart(
            [(s.name, s.percent) for s in readiness.standards],
            title="Readiness per standard",
            width=560,
        )
    ncs = dashboard.nonconformities
    if ncs.available:
        months = [f"{m.month:%b}" for m in ncs.opened_by_month]
        years = [m.month.year for m in ncs.opened_by_month]
        result["nonconformity_chart"] = month_columns(
            months,
            years,
            [
                Series("Reported", REPORTED, [m.count for m in ncs.opened_by_month]),
                Series("Closed", CLOSED, [m.count for m in ncs.closed_by_month]),
            ],
            title="Nonconformities reported and closed per month",
        )
    cycle = dashboard.cycle_time
    if cycle.available and cycle.closed:
        result["cycle_chart"] = month_columns(
            [f"{m.month:%b}" for m in cycle.by_month],
            [m.month.year for m in cycle.by_month],
            [Series("Median days to close", DAYS, [m.median_days for m in cycle.by_month])],
            title="Median days from report to closure, by month of closure",
            unit=" days",
        )
    objectives = dashboard.objectives
    if objectives.available and any(m.count for m in objectives.measurements_by_month):
        result["measurement_chart"] = column_chart(
            [
                Bucket(f"{m.month:%Y-%m}", f"{m.month:%b}", m.count)
                for m in objectives.measurements_by_month
            ],
            title="Objective measurements recorded per month",
        )
    return result
