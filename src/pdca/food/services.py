"""The food safety workflow steps beyond plain register edits:

- `record_prp_verification`: a verification of a prerequisite programme; the programme's next
  due date follows it, and a result that does not conform opens a nonconformity;
- `record_deviation`: a monitoring result outside a CCP's critical limits or an OPRP's action
  criteria, which opens a nonconformity;
- `raise_exercise_nonconformity`: a failed traceability exercise opens a nonconformity.

Each runs in one transaction with its activity-log entries; the nonconformity is opened through
`hooks.control_failed` (corrective action registers into it) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from pdca.core.activity import record_create, record_update, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import Conflict, FieldError, PermissionDenied, ValidationFailed
from pdca.core.permissions import may
from pdca.core.validation import validate_instance
from pdca.food import hooks, rules
from pdca.food.models import (
    HazardControlPlan,
    MonitoringDeviation,
    PrerequisiteProgramme,
    PrpVerification,
    TraceabilityExercise,
)
from pdca.standards.models import Requirement

if TYPE_CHECKING:
    from pdca.accounts.models import User

#: The standard whose clauses a food safety nonconformity names (a code prefix: a later
#: edition still counts).
STANDARD = "iso22000"


def requirements(*numbers: str) -> list[Requirement]:
    return list(Requirement.objects.filter(standard__code__startswith=STANDARD, number__in=numbers))


def _member(organization: Any, user: User | None, field: str) -> None:
    if user is not None and not user.memberships.filter(organization=organization).exists():
        raise ValidationFailed.single(field, f"{user} is not a member of {organization}.")


def may_record(actor: Any, target: PrerequisiteProgramme | HazardControlPlan) -> bool:
    """Whoever may add the row, or may change the programme or plan it is about (its owner)."""
    model = PrpVerification if isinstance(target, PrerequisiteProgramme) else MonitoringDeviation
    return may(actor, "add", model, organization=target.organization) or may(
        actor, "change", target
    )


def _require_recording(actor: Any, target: PrerequisiteProgramme | HazardControlPlan) -> None:
    if not may_record(actor, target):
        raise PermissionDenied(
            f"Only a system manager, a consultant or the owner of “{target}” may record this."
        )


def _open(
    target: Any,
    *,
    actor: Any,
    title: str,
    description: str,
    site: Any = None,
    numbers: tuple[str, ...] = (),
) -> None:
    hooks.control_failed.call(
        target,
        actor=actor,
        title=title,
        description=description,
        site=site,
        requirements=requirements(*numbers),
    )


@transaction.atomic
def record_prp_verification(
    programme: PrerequisiteProgramme,
    *,
    actor: User,
    verified_on: dt.date,
    result: str,
    verifier: User | None = None,
    notes: str = "",
    evidence: str = "",
) -> PrpVerification:
    """Record one verification of `programme`. The programme's last verification and next due
    date move on (a verification dated before the latest one leaves them); one that does not
    conform opens a nonconformity."""
    _require_recording(actor, programme)
    lock_for_update(programme, check=False)
    if programme.is_archived:
        raise Conflict(f"“{programme}” is archived: restore it first.", code="closed")
    _member(programme.organization, verifier, "verifier")
    verification = PrpVerification(
        organization=programme.organization,
        programme=programme,
        verified_on=verified_on,
        verifier=verifier,
        result=result,
        notes=(notes or "").strip(),
        evidence=(evidence or "").strip(),
    )
    validate_instance(verification, exclude=["organization", "nonconformity"])
    if verified_on > dt.date.today() + dt.timedelta(days=1):
        raise ValidationFailed.single("verified_on", "A verification cannot be in the future.")
    if result == PrpVerification.Result.NOT_CONFORMING and not verification.notes:
        raise ValidationFailed.single(
            "notes", "Say what did not conform: the nonconformity starts from it.", "required"
        )
    verification.save()
    record_create(actor=actor, obj=verification)
    if programme.last_verified_on is None or verified_on >= programme.last_verified_on:
        before = snapshot(programme)
        programme.last_verified_on = verified_on
        rules.apply_programme_rules(programme)
        save_changed(programme)
        record_update(
            actor=actor, obj=programme, before=before, message=f"Verified {verified_on:%Y-%m-%d}."
        )
    if not verification.conforming:
        _open(
            verification,
            actor=actor,
            title=f"PRP not conforming: {programme.title}",
            description=(
                f"The verification of the prerequisite programme “{programme.title}” on "
                f"{verified_on:%Y-%m-%d} found it not conforming.\n\n{verification.notes}"
            ),
            site=programme.site,
            numbers=("8.2", "8.8"),
        )
    return verification


def _deviation_errors(plan: HazardControlPlan, data: dict[str, Any]) -> list[FieldError]:
    errors = []
    value: Decimal | None = data.get("value")
    if plan.category == HazardControlPlan.Category.CCP and value is None:
        errors.append(
            FieldError("value", "Give the value measured outside the critical limit.", "required")
        )
    limited = plan.lower_limit is not None or plan.upper_limit is not None
    if value is not None and limited and rules.within_limits(plan, value):
        errors.append(
            FieldError(
                "value",
                f"{value.normalize():f} is within the limits ({plan.limits_text}): "
                "not a deviation.",
            )
        )
    if value is None and not (data.get("observation") or "").strip():
        errors.append(FieldError("observation", "Say what was seen.", "required"))
    return errors


@transaction.atomic
def record_deviation(
    plan: HazardControlPlan,
    *,
    actor: User,
    occurred_on: dt.date,
    product_action: str,
    correction: str,
    value: Decimal | None = None,
    observation: str = "",
    product_affected: str = "",
) -> MonitoringDeviation:
    """Record a monitoring result out of `plan`'s limits or criteria; it opens exactly one
    nonconformity. A CCP's deviation gives the value, which must lie outside the limits."""
    _require_recording(actor, plan)
    lock_for_update(plan, check=False)
    if plan.is_archived:
        raise Conflict(f"“{plan}” is archived: restore it first.", code="closed")
    deviation = MonitoringDeviation(
        organization=plan.organization,
        plan=plan,
        occurred_on=occurred_on,
        value=value,
        observation=(observation or "").strip(),
        product_affected=(product_affected or "").strip(),
        product_action=product_action,
        correction=(correction or "").strip(),
        recorded_by=actor,
    )
    validate_instance(deviation, exclude=["organization", "nonconformity"])
    errors = _deviation_errors(plan, {"value": value, "observation": observation})
    if occurred_on > dt.date.today() + dt.timedelta(days=1):
        errors.append(FieldError("occurred_on", "A deviation cannot be in the future."))
    if errors:
        raise ValidationFailed(errors)
    deviation.save()
    record_create(actor=actor, obj=deviation)
    kind = (
        "critical limit" if plan.category == HazardControlPlan.Category.CCP else "action criteria"
    )
    measured = (
        f" Value: {value.normalize():f} {plan.unit}".rstrip() + "." if value is not None else ""
    )
    _open(
        deviation,
        actor=actor,
        title=f"{plan.code}: {kind} not met on {occurred_on:%Y-%m-%d}",
        description=(
            f"Monitoring of {plan} found a result outside its {kind}"
            f"{' (' + plan.limits_text + ')' if plan.limits_text else ''}.{measured}\n"
            f"{deviation.observation}\nProduct: {deviation.product_affected or '—'} "
            f"({deviation.get_product_action_display().lower()}).\n"
            f"Correction: {deviation.correction}"
        ).strip(),
        numbers=("8.5.4", "8.9"),
    )
    return deviation


@transaction.atomic
def raise_exercise_nonconformity(exercise: TraceabilityExercise, *, actor: User) -> Any:
    """Open a nonconformity for a failed exercise (whoever may change the exercise)."""
    lock_for_update(exercise)
    if not may(actor, "change", exercise):
        raise PermissionDenied("Only a system manager or consultant may raise this.")
    if exercise.result != TraceabilityExercise.Result.FAILED:
        raise Conflict("Only a failed exercise opens a nonconformity.", code="exercise_not_failed")
    if exercise.nonconformity_id is not None:
        raise Conflict(
            "A nonconformity is already open for this; follow it up there.",
            code="nonconformity_exists",
        )
    _, missed = rules.judge_exercise(
        exercise.minutes_taken, exercise.reconciled_percent, exercise.targets_snapshot
    )
    _open(
        exercise,
        actor=actor,
        title=f"{exercise.get_kind_display()} failed: {exercise.title}",
        description=(
            f"The {exercise.get_kind_display().lower()} of lot {exercise.lot} "
            f"({exercise.product}) on {exercise.exercised_on:%Y-%m-%d} "
            + "; ".join(missed)
            + ".\n\n"
            + (exercise.lessons or "")
        ).strip(),
        site=exercise.site,
        numbers=("8.3", "8.9.5"),
    )
    return exercise.nonconformity
