"""An objective's chart as inline SVG: its measurements over time against the plan.

The measured values are a solid line with a point per measurement (hover shows the date, value
and note), the target a dashed line, the planned trajectory (baseline at the start date to the
target at the due date) a dotted line. The same markup serves pages and PDF reports: no
JavaScript, and the same input always gives the same output.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

from pdca.system.models import Objective
from pdca.system.objectives.services import Reading, plan_start, with_unit

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FONT = 'font-family="sans-serif"'
INK = "#1f2d3d"
MUTED = "#607d8b"
LINE = "#1f6feb"
TARGET = "#2e7d32"
PLAN = "#8d6e63"


@dataclass(frozen=True)
class Frame:
    """The plot area inside the SVG, in SVG units."""

    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class Scale:
    """Maps dates to x and values to y inside `frame` (higher values are drawn higher)."""

    start: dt.date
    end: dt.date
    low: float
    high: float
    frame: Frame

    def x(self, on: dt.date) -> float:
        span = (self.end - self.start).days or 1
        f = self.frame
        return f.left + (f.right - f.left) * (on - self.start).days / span

    def y(self, value: Decimal | float) -> float:
        span = (self.high - self.low) or 1.0
        f = self.frame
        return f.bottom - (f.bottom - f.top) * (float(value) - self.low) / span


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (about `count` of them)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks: list[float] = []
    # Each tick from the first one, not by adding steps: no creeping rounding error.
    while not ticks or ticks[-1] < high:
        ticks.append(round(first + len(ticks) * step, 10))
    return ticks


def _values(objective: Objective, readings: Sequence[Reading]) -> list[float]:
    values = [float(r.value) for r in readings] + [float(objective.target)]
    if objective.baseline is not None:
        values.append(float(objective.baseline))
    return values


def scale_for(
    objective: Objective, readings: Sequence[Reading], frame: Frame, *, ticks: int = 5
) -> tuple[Scale, list[float]]:
    """The scale of the chart and its y ticks: every measurement, the baseline and the target
    fit, as do the start and due dates."""
    values = _values(objective, readings)
    low, high = min(values), max(values)
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    y_ticks = nice_ticks(low, high, ticks)
    dates = [r.measured_on for r in readings] + [objective.start_date, objective.due_date]
    start, end = min(dates), max(dates)
    if end == start:
        end = start + dt.timedelta(days=1)
    return Scale(start, end, y_ticks[0], y_ticks[-1], frame), y_ticks


def month_ticks(start: dt.date, end: dt.date, most: int = 7) -> list[dt.date]:
    """First days of months between start and end, thinned to at most `most`."""
    months = []
    year, month = (start.year, start.month) if start.day == 1 else _next(start.year, start.month)
    while dt.date(year, month, 1) <= end:
        months.append(dt.date(year, month, 1))
        year, month = _next(year, month)
    if not months:
        return [start, end]
    step = math.ceil(len(months) / most)
    return months[::step]


def _next(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _sorted(readings: Sequence[Reading]) -> list[Reading]:
    return sorted(readings, key=lambda r: r.measured_on)


def objective_chart(
    objective: Objective,
    readings: Sequence[Reading],
    *,
    width: int = 640,
    height: int = 260,
) -> SafeString:
    """The full chart of one objective, with axes, the target, the plan and every point."""
    rows = _sorted(readings)
    unit = objective.unit or ""
    frame = Frame(left=64, top=14, right=width - 16, bottom=height - 40)
    scale, y_ticks = scale_for(objective, rows, frame)
    title = f"{objective.kpi or objective.title}: measurements against the plan"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="objective-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in y_ticks:
        y = scale.y(tick)
        parts.append(
            f'<line x1="{frame.left}" y1="{y:.1f}" x2="{frame.right}" y2="{y:.1f}" '
            f'stroke="#eceff1"/>'
            f'<text class="y-tick" x="{frame.left - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'font-size="11" {FONT} fill="{MUTED}">{escape(with_unit(tick, unit))}</text>'
        )
    for month in month_ticks(scale.start, scale.end):
        x = scale.x(month)
        parts.append(
            f'<line x1="{x:.1f}" y1="{frame.bottom}" x2="{x:.1f}" y2="{frame.bottom + 4}" '
            f'stroke="{MUTED}"/>'
            f'<text class="x-tick" x="{x:.1f}" y="{frame.bottom + 16}" text-anchor="middle" '
            f'font-size="11" {FONT} fill="{MUTED}">{MONTHS[month.month - 1]} {month:%Y}</text>'
        )
    parts.append(
        f'<line x1="{frame.left}" y1="{frame.bottom}" x2="{frame.right}" y2="{frame.bottom}" '
        f'stroke="{MUTED}"/>'
        f'<line x1="{frame.left}" y1="{frame.top}" x2="{frame.left}" y2="{frame.bottom}" '
        f'stroke="{MUTED}"/>'
        f'<text class="axis-label" x="{(frame.left + frame.right) / 2:.1f}" '
        f'y="{height - 6}" text-anchor="middle" font-size="11" {FONT} fill="{INK}">Date</text>'
        f'<text class="axis-label" x="12" y="{(frame.top + frame.bottom) / 2:.1f}" '
        f'text-anchor="middle" font-size="11" {FONT} fill="{INK}" '
        f'transform="rotate(-90 12 {(frame.top + frame.bottom) / 2:.1f})">'
        f"{escape(objective.kpi or 'Value')}{f' ({escape(unit)})' if unit else ''}</text>"
    )
    target_y = scale.y(objective.target)
    target_text = f"Target: {with_unit(objective.target, unit)} by {objective.due_date:%Y-%m-%d}"
    parts.append(
        f'<line class="target" x1="{frame.left}" y1="{target_y:.1f}" x2="{frame.right}" '
        f'y2="{target_y:.1f}" stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="6 4">'
        f"<title>{escape(target_text)}</title></line>"
        f'<text x="{frame.right - 4}" y="{target_y - 4:.1f}" text-anchor="end" font-size="11" '
        f'{FONT} fill="{TARGET}">target {escape(with_unit(objective.target, unit))}</text>'
    )
    start = plan_start(objective, rows[0] if rows else None)
    if start is not None:
        start_on, baseline = start
        parts.append(
            f'<line class="plan" x1="{scale.x(start_on):.1f}" y1="{scale.y(baseline):.1f}" '
            f'x2="{scale.x(objective.due_date):.1f}" y2="{target_y:.1f}" stroke="{PLAN}" '
            f'stroke-width="1.5" stroke-dasharray="2 3"><title>Plan: '
            f"{escape(with_unit(baseline, unit))} on {start_on:%Y-%m-%d} to "
            f"{escape(with_unit(objective.target, unit))} on {objective.due_date:%Y-%m-%d}"
            "</title></line>"
        )
    if not rows:
        parts.append(
            f'<text class="empty" x="{(frame.left + frame.right) / 2:.1f}" '
            f'y="{(frame.top + frame.bottom) / 2:.1f}" text-anchor="middle" font-size="13" '
            f'{FONT} fill="{MUTED}">No measurements yet</text>'
        )
    else:
        points = " ".join(f"{scale.x(r.measured_on):.1f},{scale.y(r.value):.1f}" for r in rows)
        parts.append(
            f'<polyline class="measured" points="{points}" fill="none" stroke="{LINE}" '
            f'stroke-width="2"/>'
        )
        for r in rows:
            note = getattr(r, "note", "")
            tip = f"{r.measured_on:%Y-%m-%d}: {with_unit(r.value, unit)}" + (
                f" ({note})" if note else ""
            )
            parts.append(
                f'<circle class="point" cx="{scale.x(r.measured_on):.1f}" '
                f'cy="{scale.y(r.value):.1f}" r="4" fill="{LINE}"><title>{escape(tip)}</title>'
                "</circle>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text is escaped above)


def sparkline(
    objective: Objective, readings: Sequence[Reading], *, width: int = 140, height: int = 32
) -> SafeString:
    """A small line of the recent measurements with the target dashed, for dashboards."""
    rows = _sorted(readings)
    unit = objective.unit or ""
    frame = Frame(left=3, top=3, right=width - 3, bottom=height - 3)
    label = f"{objective.title}: " + (
        ", ".join(f"{r.measured_on:%Y-%m-%d} {with_unit(r.value, unit)}" for r in rows[-3:])
        if rows
        else "no measurements"
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
    ]
    if rows:
        # The sparkline's time axis runs over the measurements only: the shape matters here.
        values = [float(r.value) for r in rows] + [float(objective.target)]
        low, high = min(values), max(values)
        if low == high:
            low, high = low - 1, high + 1
        start, end = rows[0].measured_on, rows[-1].measured_on
        if start == end:
            end = start + dt.timedelta(days=1)
        scale = Scale(start, end, low, high, frame)
        target_y = scale.y(objective.target)
        points = " ".join(f"{scale.x(r.measured_on):.1f},{scale.y(r.value):.1f}" for r in rows)
        last = rows[-1]
        parts.append(
            f'<line class="target" x1="{frame.left}" y1="{target_y:.1f}" x2="{frame.right}" '
            f'y2="{target_y:.1f}" stroke="{TARGET}" stroke-dasharray="4 3"/>'
            f'<polyline class="measured" points="{points}" fill="none" stroke="{LINE}" '
            f'stroke-width="1.5"/>'
            f'<circle cx="{scale.x(last.measured_on):.1f}" cy="{scale.y(last.value):.1f}" r="2.5" '
            f'fill="{LINE}"/>'
        )
    else:
        parts.append(
            f'<text x="{width / 2:.1f}" y="{height / 2 + 4:.1f}" text-anchor="middle" '
            f'font-size="11" {FONT} fill="{MUTED}">no data</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text is escaped above)
