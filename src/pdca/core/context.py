"""Where the current write comes from (web, api, cli, task), for the activity log."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_channel: ContextVar[str] = ContextVar("pdca_channel", default="system")


def current_channel() -> str:
    return _channel.get()


@contextlib.contextmanager
def channel(name: str) -> Iterator[None]:
    """Run a block with writes recorded as coming from `name`."""
    token = _channel.set(name)
    try:
        yield
    finally:
        _channel.reset(token)
