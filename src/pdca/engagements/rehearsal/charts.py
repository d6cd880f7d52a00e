"""The trend of a system's rehearsals as inline SVG drawn on the server (no JavaScript; the
same markup on the page and in the PDF): one stacked column per run, majors under minors,
oldest on the left."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from pdca.engagements.models import Rehearsal

MAJOR = "#b71c1c"
MINOR = "#f9a825"
INK = "#37474f"
SMALL = 'font-family="sans-serif" font-size="10"'


def trend_chart(runs: Sequence[Rehearsal], *, width: int = 520) -> SafeString | None:
    """Majors and minors of `runs` (latest first, as listed), oldest on the left; None with
    fewer than two runs (nothing to compare)."""
    if len(runs) < 2:
        return None
    ordered = list(reversed(runs))
    height, base, top_pad, left = 150, 112, 18, 8
    slot = (width - 2 * left) / len(ordered)
    column = min(slot * 0.7, 40)
    top = max([r.majors + r.minors for r in ordered] + [1])
    scale = (base - top_pad) / top
    body = [f'<line x1="{left}" y1="{base}" x2="{width - left}" y2="{base}" stroke="{INK}"/>']
    # Runs of one day are told apart by their time, runs of several days by their date.
    days = {timezone.localtime(r.run_at).date() for r in ordered}
    stamp = "%H:%M" if len(days) == 1 else "%d %b"
    for i, run in enumerate(ordered):
        x = left + i * slot + (slot - column) / 2
        day = timezone.localtime(run.run_at)
        label = f"{day:%Y-%m-%d %H:%M}: {run.majors} major, {run.minors} minor"
        y = float(base)
        for value, colour in ((run.majors, MAJOR), (run.minors, MINOR)):
            if value:
                h = value * scale
                y -= h
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{column:.1f}" height="{h:.1f}" '
                    f'fill="{colour}"><title>{escape(label)}</title></rect>'
                )
        body.append(
            f'<text x="{x + column / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" {SMALL} '
            f'fill="{INK}">{run.majors + run.minors}</text>'
        )
        body.append(
            f'<text x="{x + column / 2:.1f}" y="{base + 13}" text-anchor="middle" {SMALL} '
            f'fill="{INK}">{day.strftime(stamp)}</text>'
        )
    for j, (name, colour) in enumerate((("Major", MAJOR), ("Minor", MINOR))):
        lx = left + j * 70
        body.append(
            f'<rect x="{lx}" y="{height - 11}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{lx + 14}" y="{height - 2}" {SMALL} fill="{INK}">{name}</text>'
        )
    title = f"Predicted findings of the last {len(ordered)} runs"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rehearsal-trend" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308  (every text is escaped)
