"""Menu items an app adds for itself (`add_item` in its AppConfig.ready), without importing
the web layer above it; `web.navigation` shows them after its own, to those whose role may
use them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    section: str
    model: str | None = None  # "app_label.model" whose `action` permission the item needs
    action: str = "view"
    #: Shown only to organizations that adopt a standard whose code starts with this
    #: ("iso14001"): a standard's own registers stay out of other organizations' menus.
    standard: str | None = None
    #: Shown only to organizations of these kinds ("consultancy"): empty for every kind.
    kinds: tuple[str, ...] = ()


_added: list[NavItem] = []


def add_item(item: NavItem) -> None:
    # ready() may run more than once (tests that reload apps): add each item once.
    if item not in _added:
        _added.append(item)


def added_items() -> tuple[NavItem, ...]:
    return tuple(_added)
