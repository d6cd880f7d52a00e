"""The steps of business continuity beyond plain register edits: assessing an analysis's
impact grid, completing or cancelling an exercise, and sending an exercise improvement to
corrective action. Each runs in one transaction, reads its row under a lock (refusing a stale
version), and records its activity entry."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from pdca.continuity import bia_rules, hooks
from pdca.continuity.durations import duration_label
from pdca.continuity.method.services import method_for, snapshot_of
from pdca.continuity.models import BusinessImpactAnalysis, Exercise, ExerciseImprovement
from pdca.core.activity import record_update, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.records.rules import ensure_open

if TYPE_CHECKING:
    from pdca.accounts.models import User

#: The requirements an exercise's nonconformity cites (ISO 22301 exercise programme, and
#: nonconformity and corrective action).
EXERCISE_CLAUSES = ("8.5", "10.1")
CONTINUITY_STANDARD = "iso22301"
MAX_RECOVERY_HOURS = 24 * 366


@transaction.atomic
def assess_impacts(
    bia: BusinessImpactAnalysis, *, actor: User, impacts: Any
) -> BusinessImpactAnalysis:
    """Set the analysis's impact grid on the organization's current BIA method (which the
    analysis then keeps as its snapshot), and derive the suggested MTPD and the priority.
    The RTO must still be within the MTPD: an assessment that breaks it is refused."""
    lock_for_update(bia)
    require(actor, "change", bia)
    ensure_open(bia)
    before = snapshot(bia)
    method = snapshot_of(method_for(bia.organization))
    grid = bia_rules.clean_grid(impacts, method)
    bia.method_snapshot = method
    bia.impacts = grid
    bia_rules.validate_bia(bia, {})
    bia_rules.apply_derived(bia)
    save_changed(bia, touch=True)
    record_update(
        actor=actor,
        obj=bia,
        before=before,
        action="assess",
        message=f"Impacts assessed on “{method['name']}”; suggested MTPD: "
        f"{duration_label(bia.suggested_mtpd_hours) or 'none'}.",
    )
    return bia


def _target_rto(exercise: Exercise) -> int | None:
    """The shortest RTO among the activities exercised: the one the recovery had to beat."""
    rtos = [a.rto_hours for a in exercise.activities.all() if a.rto_hours is not None]
    return min(rtos) if rtos else None


def _check_open(exercise: Exercise) -> None:
    if exercise.status != Exercise.Status.PLANNED:
        raise Conflict(
            f"Only a planned exercise can be completed or cancelled; this one is "
            f"{exercise.get_status_display().lower()}.",
            code="not_planned",
        )
    ensure_open(exercise)


@transaction.atomic
def complete_exercise(
    exercise: Exercise,
    *,
    actor: User,
    actual_date: dt.date,
    objectives_met: str,
    measured_recovery_hours: int | None = None,
    observations: str = "",
) -> Exercise:
    """Record that the exercise took place and its results; the measured recovery time is
    compared with the shortest RTO of the activities exercised. The exercise becomes a record."""
    lock_for_update(exercise)
    require(actor, "change", exercise)
    _check_open(exercise)
    errors: list[FieldError] = []
    if actual_date is None:
        errors.append(FieldError("actual_date", "Give the date it took place.", "required"))
    elif actual_date > timezone.localdate():
        errors.append(FieldError("actual_date", "An exercise cannot be done in the future."))
    if objectives_met not in Exercise.Met.values:
        errors.append(
            FieldError(
                "objectives_met",
                "Say whether the objectives were met: " + ", ".join(Exercise.Met.values) + ".",
                "required",
            )
        )
    if measured_recovery_hours is not None and not 0 <= measured_recovery_hours <= (
        MAX_RECOVERY_HOURS
    ):
        errors.append(
            FieldError("measured_recovery_hours", f"Give 0 to {MAX_RECOVERY_HOURS} hours.")
        )
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(exercise)
    target = _target_rto(exercise)
    exercise.status = Exercise.Status.DONE
    exercise.actual_date = actual_date
    exercise.objectives_met = objectives_met
    exercise.measured_recovery_hours = measured_recovery_hours
    exercise.rto_target_hours = target
    exercise.rto_achieved = (
        None
        if measured_recovery_hours is None or target is None
        else measured_recovery_hours <= target
    )
    exercise.observations = observations.strip()
    save_changed(exercise)
    record_update(actor=actor, obj=exercise, before=before, action="complete")
    return exercise


@transaction.atomic
def cancel_exercise(exercise: Exercise, *, actor: User, reason: str) -> Exercise:
    """Cancel a planned exercise, saying why (kept in its observations)."""
    lock_for_update(exercise)
    require(actor, "change", exercise)
    _check_open(exercise)
    if not reason.strip():
        raise ValidationFailed.single("reason", "Say why the exercise is cancelled.", "required")
    before = snapshot(exercise)
    exercise.status = Exercise.Status.CANCELLED
    exercise.observations = reason.strip()
    save_changed(exercise)
    record_update(actor=actor, obj=exercise, before=before, action="cancel", message=reason)
    return exercise


def _requirements(organization: Any) -> list[Any]:
    from pdca.standards.models import Requirement

    return list(
        Requirement.objects.filter(
            standard__code__startswith=CONTINUITY_STANDARD, number__in=EXERCISE_CLAUSES
        )
    )


@transaction.atomic
def raise_nonconformity(improvement: ExerciseImprovement, *, actor: User) -> Any:
    """The improvement needs corrective action: open one nonconformity for it (through the
    `exercise_gap_found` hook) and link it. Refused when it already has one."""
    lock_for_update(improvement)
    require(actor, "raise_nonconformity", improvement)
    if improvement.nonconformity_id is not None:
        raise Conflict(
            "This improvement already opened a nonconformity; follow it up there.",
            code="nonconformity_exists",
        )
    exercise = improvement.exercise
    plans = ", ".join(str(p) for p in exercise.plans.all()) or "no plan named"
    when = exercise.actual_date or exercise.planned_date
    description = (
        f"The {exercise.get_exercise_type_display().lower()} exercise “{exercise}” "
        f"({when:%Y-%m-%d}; plans: {plans}) showed a gap: {improvement.description}."
    )
    if exercise.observations:
        description += f"\n\nObservations: {exercise.observations}"
    site = next((a.site for a in exercise.activities.all() if a.site_id), None)
    process = next((a.process for a in exercise.activities.all() if a.process_id), None)
    results = hooks.exercise_gap_found.call(
        improvement,
        actor=actor,
        title=f"Exercise gap: {improvement.description}",
        description=description,
        site=site,
        process=process,
        requirements=_requirements(improvement.organization),
    )
    improvement.refresh_from_db(fields=["nonconformity", "updated_at"])
    if improvement.nonconformity_id is None:
        raise Conflict(
            "No corrective-action register answered; the nonconformity could not be opened.",
            code="no_receiver",
        )
    nonconformity = next((r for r in results if r is not None), improvement.nonconformity)
    record_update(
        actor=actor,
        obj=improvement,
        before={**snapshot(improvement), "nonconformity": None},
        action="raise_nonconformity",
        message=f"Nonconformity {nonconformity} opened.",
    )
    return nonconformity
