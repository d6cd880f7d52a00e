"""Nonconformities the standards' own registers raise (registered into their hooks when the app
starts): a compliance evaluation that finds an obligation not met (ISO 14001), an incident whose
investigation asks for corrective action (ISO 45001), a failed prerequisite-programme
verification or a critical limit exceeded (ISO 22000), an exercise that revealed a gap
(ISO 22301). Each opens one nonconformity in the organization's register, linked back from the
row that raised it, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pdca.continuity import hooks as continuity_hooks
from pdca.core.exceptions import Conflict
from pdca.core.registers.services import create_entry
from pdca.environment import hooks as environment_hooks
from pdca.food import hooks as food_hooks
from pdca.improvement.models import Nonconformity
from pdca.improvement.registers import NONCONFORMITIES
from pdca.safety import hooks as safety_hooks
from pdca.system.selectors import requirement_choices


def _opener(source: str):
    def open_nonconformity(
        origin: Any,
        *,
        actor,
        title: str,
        description: str,
        site=None,
        process=None,
        requirements: Iterable[Any] = (),
        severity: str = "",
    ) -> Nonconformity:
        if origin.nonconformity_id is not None:
            raise Conflict(
                "A nonconformity is already open for this; follow it up there.",
                code="nonconformity_exists",
            )
        wanted = [r.pk for r in requirements]
        # Only requirements of standards the organization adopted: the register accepts no
        # others.
        adopted = list(requirement_choices(origin.organization).filter(pk__in=wanted))
        nonconformity = create_entry(
            NONCONFORMITIES,
            origin.organization,
            actor=actor,
            title=title[:200],
            description=description,
            source=source,
            severity=severity,
            site=site,
            process=process,
            requirements=adopted,
        )
        nonconformity.reported_by = actor
        nonconformity.save(update_fields=["reported_by", "updated_at"])
        origin.nonconformity = nonconformity
        origin.save(update_fields=["nonconformity", "updated_at"])
        return nonconformity

    open_nonconformity.__qualname__ = f"open_nonconformity_{source}"
    return open_nonconformity


open_from_compliance = _opener(Nonconformity.Source.COMPLIANCE)
open_from_incident = _opener(Nonconformity.Source.INCIDENT)
open_from_food_control = _opener(Nonconformity.Source.DEVIATION)
open_from_exercise = _opener(Nonconformity.Source.EXERCISE)


def register() -> None:
    environment_hooks.compliance_failed.register(open_from_compliance)
    safety_hooks.incident_needs_action.register(open_from_incident)
    food_hooks.control_failed.register(open_from_food_control)
    continuity_hooks.exercise_gap_found.register(open_from_exercise)
