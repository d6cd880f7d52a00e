"""How a serving process settles before its first request: warmed up, then its garbage
collector told that what it loaded at start-up lives as long as the process.

Python's cyclic garbage collector runs a full collection every so often, and a full collection
walks every tracked object: Django's settings, URL patterns, models, compiled templates and
the API schema are hundreds of thousands of them, none ever garbage. A page that builds a few
thousand model instances crossed the threshold every few requests, and that request then paid
for walking the whole process (measured: every sixth request of the items API took 2.6x the
median). `gc.freeze()` moves everything alive at the end of start-up out of the collector's
sight, and a larger first-generation threshold lets a request's short-lived objects die by
reference counting before any collection looks at them. Memory stays bounded: collections
still run, only less often and over less.
"""

from __future__ import annotations

import gc
import os

#: gen0, gen1, gen2 thresholds while serving (PDCA_GC_THRESHOLD="50000,20,100" overrides;
#: "default" leaves Python's own).
DEFAULT_THRESHOLD = (50_000, 20, 100)


def _threshold() -> tuple[int, ...] | None:
    value = os.environ.get("PDCA_GC_THRESHOLD", "").strip()
    if value == "default":
        return None
    if not value:
        return DEFAULT_THRESHOLD
    parts = tuple(int(p) for p in value.split(","))
    if not 1 <= len(parts) <= 3 or any(p < 0 for p in parts):
        raise ValueError(f"PDCA_GC_THRESHOLD must be up to three non-negative integers: {value!r}")
    return parts


def warm_up() -> None:
    """Load what the first request would otherwise load: every URL pattern (and so every view
    and API module) and the base templates."""
    from django.template.loader import get_template
    from django.urls import get_resolver

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018  (imports the URL modules and their views)
    resolver._populate()
    get_template("web/base.html")


def settle_process() -> None:
    """Warm up, then freeze start-up's objects out of the collector's sight and set the
    serving thresholds. Called once per serving process (pdca/wsgi.py, pdca/asgi.py)."""
    warm_up()
    gc.collect()
    gc.freeze()
    threshold = _threshold()
    if threshold is not None:
        gc.set_threshold(*threshold)
