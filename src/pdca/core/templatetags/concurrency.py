"""`{% version_field obj %}`: the hidden field that tells a write which version of `obj` the
page showed, so a change based on a stale page is refused (see `core.concurrency`)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from pdca.core.concurrency import VERSION_FIELD, page_version

register = template.Library()


@register.simple_tag
def version_field(obj) -> str:
    if obj is None or getattr(obj, "pk", None) is None:
        return ""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', VERSION_FIELD, page_version(obj)
    )


@register.filter
def version(obj) -> str:
    """The version token of `obj`, for htmx requests (`hx-vals`)."""
    if obj is None or getattr(obj, "pk", None) is None:
        return ""
    return page_version(obj)
