"""Template filters that ask `core.records` whether a row is a record or closed, so a page
offers no Delete for a record and no Edit for a closed row."""

from __future__ import annotations

from django import template

from pdca.core.records import rules as records

register = template.Library()


@register.filter
def is_record(obj) -> bool:
    return obj is not None and records.record_reason(obj) is not None


@register.filter
def is_closed(obj) -> bool:
    return obj is not None and records.closed_reason(obj) is not None
