"""The hierarchy of controls (45001 8.1.2): eliminate the hazard first, then substitute,
then engineer, then organize (signage, procedures, training), and only last protect people
with PPE. These rules read a hazard's controls; they never query."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pdca.safety.models import HazardControl

Level = HazardControl.Level
Status = HazardControl.Status

#: The hierarchy, most effective first.
ORDER: tuple[str, ...] = (
    Level.ELIMINATION,
    Level.SUBSTITUTION,
    Level.ENGINEERING,
    Level.ADMINISTRATIVE,
    Level.PPE,
)
#: Levels that leave the hazard in place and rely on people doing the right thing.
LOWER_LEVELS = frozenset({Level.ADMINISTRATIVE, Level.PPE})


def rank(level: str) -> int:
    """1 for elimination … 5 for PPE (0 for an unknown level)."""
    return ORDER.index(level) + 1 if level in ORDER else 0


def in_hierarchy_order(controls: Iterable[HazardControl]) -> list[HazardControl]:
    """The controls with the most effective level first (then in the order they were added)."""
    return sorted(controls, key=lambda c: (rank(c.level) or len(ORDER) + 1, c.pk or 0))


def adopted(controls: Iterable[HazardControl]) -> list[HazardControl]:
    """Controls planned or in place (not those considered and turned down, nor archived)."""
    return [
        c
        for c in controls
        if c.status != Status.NOT_ADOPTED and getattr(c, "archived_at", None) is None
    ]


def best_level(controls: Iterable[HazardControl]) -> str | None:
    """The most effective level among the adopted controls (None without any)."""
    levels = [c.level for c in adopted(controls)]
    return min(levels, key=rank) if levels else None


def needs_justification(controls: Iterable[HazardControl]) -> bool:
    """True when the best adopted control is administrative or PPE: the plan skips the
    higher levels, and must say why."""
    return best_level(controls) in LOWER_LEVELS


@dataclass(frozen=True)
class Warning:
    code: str
    message: str


def warnings(
    controls: Sequence[HazardControl],
    *,
    residual: int | None,
    acceptable: int | None,
    justification: str,
) -> list[Warning]:
    """What a hazard's page warns about its control plan.

    - `lower_only`: the risk after the controls is above the acceptable level, the hazard
      relies only on administrative controls or PPE, and no higher-level control was even
      considered (none listed, adopted or not);
    - `justification_missing`: the best control is administrative or PPE and the hazard does
      not say why no higher level is used."""
    found: list[Warning] = []
    live = [c for c in controls if getattr(c, "archived_at", None) is None]
    if (
        residual is not None
        and acceptable is not None
        and residual > acceptable
        and needs_justification(live)
        and not any(c.level not in LOWER_LEVELS for c in live)
    ):
        found.append(
            Warning(
                "lower_only",
                f"The risk with the controls ({residual}) is above the acceptable level "
                f"({acceptable}) and rests on administrative controls and PPE alone: consider "
                "eliminating the hazard, substituting it, or an engineering control.",
            )
        )
    if needs_justification(live) and not justification.strip():
        found.append(
            Warning(
                "justification_missing",
                "The best control is administrative or PPE: record why no higher-level "
                "control (elimination, substitution, engineering) is used.",
            )
        )
    return found
