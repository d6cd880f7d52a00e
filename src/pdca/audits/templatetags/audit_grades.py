"""A finding grade in its own colours (pdca.audits.grades), the same on the pages and in the
report PDF: `{% grade_badge grade label %}` draws its badge, `{% grade_colour grade %}` gives
its colour (for a border, say)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from pdca.audits.grades import grade_look

register = template.Library()


@register.simple_tag
def grade_colour(grade: str) -> str:
    return grade_look(grade).colour


@register.simple_tag
def grade_badge(grade: str, label: str) -> SafeString:
    look = grade_look(grade)
    return format_html(
        '<span class="badge grade-badge grade-badge-{}" style="background-color: {}; color: {}">'
        "{}</span>",
        grade,
        look.colour,
        look.ink,
        label,
    )
