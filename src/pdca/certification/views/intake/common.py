"""Links from the intake pages to pages that another part of the product may or may not
provide yet."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.urls import NoReverseMatch, reverse

__all__ = ["has_url", "url_or_none"]


@cache
def has_url(name: str) -> bool:
    """Whether the page `name` exists (`certification:cycle-detail` is another part's)."""
    try:
        reverse(name, args=[1])
    except NoReverseMatch:
        try:
            reverse(name)
        except NoReverseMatch:
            return False
    return True


def url_or_none(name: str, *args: Any) -> str | None:
    """The URL of page `name`, or None while no part of the product provides it."""
    if not has_url(name):
        return None
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None
