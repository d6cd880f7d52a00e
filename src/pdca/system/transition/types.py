"""What the carriers of a transition exchange: the map, the moves and a register's section."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pdca.standards.editions.selectors import Diff, Line
from pdca.standards.models import EditionMapping, Requirement, Standard

if TYPE_CHECKING:
    from pdca.accounts.models import User


#: The outcomes a move can have, in the order pages list them.
CARRIED = "carried"
REOPENED = "reopened"
OPENED = "opened"
KEPT = "kept"
OUTCOME_LABELS = {
    CARRIED: "Carried",
    REOPENED: "Carried, to review",
    OPENED: "Opened as not started",
    KEPT: "Kept on the old edition",
}


@dataclass(frozen=True)
class TransitionMap:
    """The catalog's transition from `old` to `new`, indexed for carriers."""

    diff: Diff

    @property
    def old(self) -> Standard:
        return self.diff.old

    @property
    def new(self) -> Standard:
        return self.diff.new

    def targets(self, requirement_id: int) -> list[Line]:
        """What became of an old requirement (empty when it is not of the old edition)."""
        return self._targets.get(requirement_id, [])

    def sources(self, requirement_id: int) -> list[Line]:
        """Where a new requirement came from."""
        return self._sources.get(requirement_id, [])

    def carried_targets(self, requirement_id: int) -> list[Requirement]:
        """The new requirements an old one's links move to (every line but removed)."""
        return [line.new for line in self.targets(requirement_id) if line.new is not None]

    @property
    def old_ids(self) -> set[int]:
        return set(self._targets)

    @property
    def _targets(self) -> dict[int, list[Line]]:
        return self._index()[0]

    @property
    def _sources(self) -> dict[int, list[Line]]:
        return self._index()[1]

    def _index(self) -> tuple[dict[int, list[Line]], dict[int, list[Line]]]:
        cached = self.__dict__.get("_cached")
        if cached is None:
            cached = (self.diff.targets_of(), self.diff.sources_of())
            object.__setattr__(self, "_cached", cached)
        return cached


def outcome_of(lines: list[Line]) -> str:
    """What happens to work on a requirement reached through these lines."""
    if not lines:
        return OPENED
    if any(line.change == EditionMapping.Change.NEW for line in lines):
        return OPENED
    if all(line.change in EditionMapping.CARRIED for line in lines):
        return CARRIED
    return REOPENED


def notes_of(lines: list[Line]) -> str:
    return " ".join(dict.fromkeys(line.note for line in lines if line.note))


@dataclass
class Move:
    """One thing a carrier moves (or keeps): the record, from which requirement to which, and
    what becomes of it."""

    subject: str
    old: str
    new: str
    change: str
    outcome: str
    note: str = ""
    url: str = ""
    owner: str = ""

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]


@dataclass
class Section:
    """One register's part of a transition: what it would move, and the function that moves
    exactly that."""

    key: str
    title: str
    moves: list[Move]
    apply: Callable[[User], None] = field(repr=False, default=lambda actor: None)
    explanation: str = ""

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(move.outcome for move in self.moves)
        return {outcome: found[outcome] for outcome in OUTCOME_LABELS if found[outcome]}

    @property
    def cells(self) -> list[int]:
        """The counts in `OUTCOME_LABELS` order, zeros included (a table's row)."""
        counts = self.counts
        return [counts.get(outcome, 0) for outcome in OUTCOME_LABELS]

    def as_summary(self) -> dict:
        return {"key": self.key, "title": self.title, "counts": self.counts}
