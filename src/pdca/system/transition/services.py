"""Moving a management system to a standard's next edition in one step, with a preview.

`preview_transition` lists what every carrier would move; `transition_system` adopts the new
edition, retires the old one and makes exactly those moves, in one transaction, recording a
`SystemTransition`. Nothing is deleted: the old edition's items stay readable with their
history (its adoption keeps its dates, closed assessments keep their items).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from pdca.core.activity import record_activity
from pdca.core.concurrency import lock_for_update
from pdca.core.exceptions import Conflict, NotFound, ValidationFailed
from pdca.core.permissions import require
from pdca.standards.editions.selectors import Diff, diff
from pdca.standards.models import Standard
from pdca.system import hooks
from pdca.system.models import AdoptedStandard, ManagementSystem, SystemTransition
from pdca.system.services import _adopt
from pdca.system.transition.carriers import OWN
from pdca.system.transition.types import Section, TransitionMap

if TYPE_CHECKING:
    from pdca.accounts.models import User


@dataclass
class Preview:
    """What a transition would do, register by register."""

    system: ManagementSystem
    tmap: TransitionMap
    sections: list[Section]

    @property
    def old(self) -> Standard:
        return self.tmap.old

    @property
    def new(self) -> Standard:
        return self.tmap.new

    @property
    def total(self) -> int:
        return sum(len(s.moves) for s in self.sections)


def next_editions(system: ManagementSystem) -> list[tuple[Standard, Standard]]:
    """(adopted edition, its successor) for each adopted standard the catalog has a newer
    edition of, with a transition mapping (two queries)."""
    adopted = {
        a.standard_id
        for a in AdoptedStandard.objects.filter(system=system, dropped_on__isnull=True)
    }
    return [
        (s.replaces, s)
        for s in Standard.objects.filter(replaces_id__in=adopted).select_related("replaces")
        if s.replaces is not None
    ]


def _check(system: ManagementSystem, new: Standard) -> TransitionMap:
    old = new.replaces
    if old is None:
        raise ValidationFailed.single(
            "to", f"{new} replaces no edition in the catalog: adopt it as a new standard."
        )
    adoptions = {
        a.standard_id: a
        for a in AdoptedStandard.objects.filter(system=system, standard__in=[old, new])
    }
    if new.pk in adoptions and adoptions[new.pk].dropped_on is None:
        raise Conflict(f"{system} already adopts {new}.", code="already_adopted")
    if old.pk not in adoptions or adoptions[old.pk].dropped_on is not None:
        raise ValidationFailed.single("to", f"{system} does not adopt {old}, which {new} replaces.")
    try:
        return TransitionMap(diff(old, new))
    except NotFound as exc:
        raise ValidationFailed.single("to", str(exc)) from exc


def _sections(system: ManagementSystem, tmap: TransitionMap) -> list[Section]:
    own = [carrier(system, tmap) for carrier in OWN]
    return own + list(hooks.transition_carriers.call(system, tmap))


def preview_transition(system: ManagementSystem, new: Standard, *, actor: User) -> Preview:
    """What `transition_system` would move, without moving anything."""
    require(actor, "change", system)
    tmap = _check(system, new)
    return Preview(system, tmap, _sections(system, tmap))


@transaction.atomic
def transition_system(system: ManagementSystem, new: Standard, *, actor: User) -> SystemTransition:
    """Adopt `new`, retire the edition it replaces, and carry every register across along the
    catalog's mapping."""
    require(actor, "change", system)
    # Serializes moves of one system: the second finds the new edition adopted and is refused.
    lock_for_update(system, check=False)
    tmap = _check(system, new)
    sections = _sections(system, tmap)
    today = timezone.localdate()
    _adopt(system, new, actor=actor)
    old_adoption = AdoptedStandard.objects.get(system=system, standard=tmap.old)
    old_adoption.dropped_on = today
    old_adoption.save(update_fields=["dropped_on", "updated_at"])
    record_activity(
        actor=actor,
        action="drop",
        obj=old_adoption,
        changes={"dropped_on": [None, today.isoformat()]},
        message=f"Replaced by {new.full_name}.",
    )
    for section in sections:
        section.apply(actor)
    done = SystemTransition.objects.create(
        organization=system.organization,
        system=system,
        old_standard=tmap.old,
        new_standard=new,
        done_on=today,
        done_by=actor,
        summary=[s.as_summary() for s in sections],
    )
    moved = sum(len(s.moves) for s in sections)
    record_activity(
        actor=actor,
        action="transition",
        obj=system,
        message=f"Moved from {tmap.old.full_name} to {new.full_name}: {moved} item(s) carried.",
    )
    return done


def transition_of(system: ManagementSystem, new: Standard) -> SystemTransition | None:
    return SystemTransition.objects.filter(system=system, new_standard=new).first()


#: Gap statuses that still need work (an empty status: no open item covers the requirement).
OPEN_GAP_STATUSES = frozenset({"not_started", "planned", "partial", ""})


@dataclass
class Plan:
    """After the move: the new and changed requirements with their gap items, readiness for
    the new edition, and who owns the open gaps."""

    done: SystemTransition
    diff: Diff
    gaps: list[dict[str, Any]]
    readiness_percent: float | None

    @property
    def open_gaps(self) -> list[dict[str, Any]]:
        return [g for g in self.gaps if g["status_code"] in OPEN_GAP_STATUSES]

    @property
    def owners(self) -> list[tuple[str, int]]:
        """Open gaps per owner, most first."""
        found = Counter(g["owner"] or "No owner" for g in self.open_gaps)
        return found.most_common()


def transition_plan(system: ManagementSystem, new: Standard) -> Plan:
    """The plan of a move done (NotFound before it), read in a fixed number of queries."""
    done = transition_of(system, new)
    if done is None or new.replaces is None:
        raise NotFound(f"{system} has not moved to {new}.")
    changes = diff(new.replaces, new)
    _assessment, readiness = hooks.readiness_summary.call(system, [new])
    return Plan(
        done,
        changes,
        hooks.transition_gaps.call(system, changes),
        readiness[0].get("percent") if readiness else None,
    )
