"""Hooks: how a lower app lets a higher one react, without importing it.

Layers only point down (docs/architecture.md). When something in a lower app must cause work
higher up (a finding is graded and its nonconformity must open; a scope exclusion must reach the
open gap assessments), the lower app declares a hook here or in its own module, and the higher
app registers its function into it when it starts (`AppConfig.ready`). The call then runs the
registered functions in order, in the caller's transaction, so the reaction commits or rolls
back with the change that caused it.

    finding_graded = Hook("audits.finding_graded")     # declared by the lower app

    @finding_graded.register                            # in the higher app's ready()
    def open_nonconformity(finding, *, actor): ...

    finding_graded.call(finding, actor=actor)            # fired by the lower app's service

A `Slot` is a hook that answers a question and takes exactly one function (the memberships of a
user); asking an empty slot is a programming error and says which app should have filled it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_declared: dict[str, Hook[Any, Any] | Slot[Any, Any]] = {}


class Hook(Generic[P, R]):
    """Any number of receivers, called in registration order; `call` returns their answers."""

    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.doc = doc
        self._receivers: list[Callable[P, R]] = []
        _declared[name] = self

    def register(self, receiver: Callable[P, R]) -> Callable[P, R]:
        # ready() may run more than once (tests that reload apps): register each function once.
        key = _key(receiver)
        if all(_key(existing) != key for existing in self._receivers):
            self._receivers.append(receiver)
        return receiver

    def call(self, *args: P.args, **kwargs: P.kwargs) -> list[R]:
        return [receiver(*args, **kwargs) for receiver in self._receivers]

    @property
    def receivers(self) -> tuple[Callable[P, R], ...]:
        return tuple(self._receivers)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receiver(s)>"


class Slot(Generic[P, R]):
    """Exactly one provider; `call` returns its answer."""

    def __init__(self, name: str, doc: str = "", *, filled_by: str = "") -> None:
        self.name = name
        self.doc = doc
        self.filled_by = filled_by
        self._provider: Callable[P, R] | None = None
        _declared[name] = self

    def register(self, provider: Callable[P, R]) -> Callable[P, R]:
        if self._provider is not None and _key(self._provider) != _key(provider):
            raise RuntimeError(f"{self.name} is already provided by {_key(self._provider)}")
        self._provider = provider
        return provider

    def call(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if self._provider is None:
            raise RuntimeError(
                f"Nothing provides {self.name}; {self.filled_by or 'an app'} registers it "
                "when it starts."
            )
        return self._provider(*args, **kwargs)

    @property
    def receivers(self) -> tuple[Callable[P, R], ...]:
        return () if self._provider is None else (self._provider,)

    def __repr__(self) -> str:
        return f"<Slot {self.name}>"


def declared_hooks() -> dict[str, Hook[Any, Any] | Slot[Any, Any]]:
    """Every hook and slot declared so far, by name (for docs and the architecture test)."""
    return dict(sorted(_declared.items()))


def _key(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"
