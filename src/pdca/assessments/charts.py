"""Readiness charts as inline SVG: the same markup on pages and in PDF reports, no JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

BAR_COLOURS = ((80, "#2e7d32"), (50, "#f9a825"), (0, "#c62828"))


def colour(percent: float | None) -> str:
    if percent is None:
        return "#9e9e9e"
    return next(c for threshold, c in BAR_COLOURS if percent >= threshold)


def bar_chart(
    rows: Sequence[tuple[str, float | None]], *, title: str = "Readiness", width: int = 640
) -> SafeString:
    """Horizontal bars, one per (label, percent); None draws 'n/a' (nothing applies)."""
    label_w, row_h, pad = 210, 22, 6
    bar_w = width - label_w - 60
    height = pad * 2 + row_h * len(rows) + 18
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="readiness-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, percent) in enumerate(rows):
        y = pad + i * row_h
        shown = "n/a" if percent is None else f"{percent:g}%"
        length = 0 if percent is None else bar_w * max(0.0, min(100.0, percent)) / 100
        text = label if len(label) <= 32 else label[:31] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12" '
            f'font-family="sans-serif" fill="#1f2d3d">{escape(text)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="{row_h - 8}" fill="#eceff1"/>'
            f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="{row_h - 8}" '
            f'fill="{colour(percent)}"><title>{escape(label)}: {shown}</title></rect>'
            f'<text x="{label_w + bar_w + 6}" y="{y + 15}" font-size="12" '
            f'font-family="sans-serif" fill="#1f2d3d">{shown}</text>'
        )
    axis_y = pad + row_h * len(rows) + 12
    for tick in (0, 50, 100):
        x = label_w + bar_w * tick / 100
        parts.append(
            f'<text x="{x:.0f}" y="{axis_y}" font-size="10" text-anchor="middle" '
            f'font-family="sans-serif" fill="#607d8b">{tick}%</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text is escaped above)
