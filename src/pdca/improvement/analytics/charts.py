"""The analytics charts as inline SVG drawn on the server: no JavaScript, and the same figures
always give the same markup. Bars with a matching register filter link to the filtered list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

from pdca.audits.grades import GRADE_COLOURS
from pdca.improvement.analytics.figures import Analytics, Bucket, CycleTime, FirstTimeEffectiveness

FONT = 'font-family="sans-serif" font-size="12"'
INK = "#1f2d3d"
TRACK = "#eceff1"
COLOURS = {
    "source": "#1f3a5f",
    "severity": "#607d8b",  # not graded yet; major and minor take their grade's colour
    "process": "#00695c",
    "requirement": "#4a148c",
    "month": "#1f6feb",
}


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="analytics-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308  (every text is escaped)


def _short(text: str, most: int = 30) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def bar_chart(
    buckets: Sequence[Bucket],
    *,
    title: str,
    colour: str,
    width: int = 560,
    colours: Mapping[str, str] | None = None,
) -> SafeString:
    """Horizontal bars, one per bucket, scaled to the largest; linked when filterable. A bar
    takes its colour from `colours` by its bucket's key, else `colour`."""
    label_w, row_h, pad = 200, 22, 6
    bar_w = width - label_w - 50
    top = max([b.count for b in buckets] + [1])
    height = pad * 2 + row_h * max(len(buckets), 1)
    body = []
    if not buckets:
        body.append(f'<text x="{pad}" y="{pad + 15}" {FONT} fill="{INK}">None</text>')
    for i, b in enumerate(buckets):
        y = pad + i * row_h
        length = bar_w * b.count / top
        bar = (
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" {FONT} fill="{INK}">'
            f"{escape(_short(b.label))}</text>"
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="{row_h - 8}" fill="{TRACK}"/>'
            f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="{row_h - 8}" '
            f'fill="{escape((colours or {}).get(b.key, colour))}">'
            f"<title>{escape(b.label)}: {b.count}</title></rect>"
            f'<text x="{label_w + bar_w + 6}" y="{y + 15}" {FONT} fill="{INK}">{b.count}</text>'
        )
        if b.list_url:
            bar = f'<a href="{escape(b.list_url)}">{bar}</a>'
        body.append(bar)
    return _svg(width, height, title, body)


def column_chart(buckets: Sequence[Bucket], *, title: str, width: int = 720) -> SafeString:
    """Columns by month, oldest first, with the count above each column."""
    height, base, top_pad, left = 200, 170, 20, 10
    n = max(len(buckets), 1)
    slot = (width - 2 * left) / n
    top = max([b.count for b in buckets] + [1])
    body = [f'<line x1="{left}" y1="{base}" x2="{width - left}" y2="{base}" stroke="{INK}"/>']
    step = max(1, round(n / 12))
    for i, b in enumerate(buckets):
        x = left + i * slot
        h = (base - top_pad - 14) * b.count / top
        body.append(
            f'<rect x="{x + slot * 0.15:.1f}" y="{base - h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{h:.1f}" fill="{COLOURS["month"]}"><title>{escape(b.label)}: {b.count}'
            "</title></rect>"
        )
        if b.count:
            body.append(
                f'<text x="{x + slot / 2:.1f}" y="{base - h - 4:.1f}" text-anchor="middle" '
                f'{FONT} fill="{INK}">{b.count}</text>'
            )
        if i % step == 0:
            body.append(
                f'<text x="{x + slot / 2:.1f}" y="{base + 16}" text-anchor="middle" '
                f'font-family="sans-serif" font-size="10" fill="{INK}">{escape(b.label)}</text>'
            )
    return _svg(width, height, title, body)


def _days(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:g} day" + ("" if value == 1 else "s")


def cycle_figure(cycle: CycleTime, *, width: int = 560) -> SafeString:
    """Two bars: the median and the 90th percentile of days from report to closure."""
    rows = [("Median", cycle.median_days), ("90th percentile", cycle.p90_days)]
    label_w, bar_w = 130, width - 130 - 90
    top = max([v or 0 for _, v in rows] + [1])
    body = []
    for i, (label, value) in enumerate(rows):
        y = 6 + i * 26
        length = bar_w * (value or 0) / top
        body.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" {FONT} fill="{INK}">'
            f"{label}</text>"
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="16" fill="{TRACK}"/>'
            f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="16" fill="#6d4c41"/>'
            f'<text x="{label_w + bar_w + 6}" y="{y + 16}" {FONT} fill="{INK}">'
            f"{_days(value)}</text>"
        )
    title = f"Days from report to closure over {cycle.closed} closed nonconformities"
    return _svg(width, 64, title, body)


def effectiveness_figure(first: FirstTimeEffectiveness, *, width: int = 560) -> SafeString:
    """One bar split into effective and not effective at the first check."""
    bar_w = width - 20
    share = first.effective / first.checked if first.checked else 0
    good = bar_w * share
    percent = "–" if first.percent is None else f"{first.percent:g}%"
    rest = "#c62828" if first.checked else TRACK
    body = [
        f'<rect x="10" y="8" width="{bar_w}" height="22" fill="{rest}"/>',
        f'<rect x="10" y="8" width="{good:.1f}" height="22" fill="#2e7d32"/>',
        f'<text x="10" y="48" {FONT} fill="{INK}">{escape(percent)} effective at the first check '
        f"({first.effective} of {first.checked})</text>",
    ]
    return _svg(width, 56, "First-time effectiveness", body)


def charts(figures: Analytics) -> dict[str, SafeString]:
    """Every chart of the analytics page, by name."""
    return {
        "source_chart": bar_chart(figures.by_source, title="By source", colour=COLOURS["source"]),
        # Major and minor in the colours their audit grades have everywhere else.
        "severity_chart": bar_chart(
            figures.by_severity,
            title="By grade",
            colour=COLOURS["severity"],
            colours=GRADE_COLOURS,
        ),
        "process_chart": bar_chart(
            figures.by_process, title="By process", colour=COLOURS["process"]
        ),
        "requirement_chart": bar_chart(
            figures.by_requirement[:20], title="By requirement", colour=COLOURS["requirement"]
        ),
        "month_chart": column_chart(figures.by_month, title="Reported by month"),
        "cycle_chart": cycle_figure(figures.cycle),
        "effectiveness_chart": effectiveness_figure(figures.first_time),
    }
