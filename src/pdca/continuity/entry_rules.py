"""The register rules of strategies, plans, their roles and contacts, exercises and their
improvements (the analyses' rules are in `bia_rules`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from pdca.continuity.bia_rules import stays_approved
from pdca.continuity.models import (
    ContinuityPlan,
    ContinuityStrategy,
    Exercise,
    ExerciseImprovement,
    PlanContact,
    PlanRole,
)
from pdca.core.exceptions import FieldError, ValidationFailed


def _unique(obj: Any, field: str, message: str) -> list[FieldError]:
    value = str(getattr(obj, field)).strip()
    clash = (
        type(obj)
        ._default_manager.filter(organization_id=obj.organization_id, **{f"{field}__iexact": value})
        .exclude(pk=obj.pk)
        .exists()
    )
    return [FieldError(field, message, "duplicate")] if clash else []


def _raise(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(errors)


def validate_strategy(strategy: ContinuityStrategy, related: dict[str, list[Any]]) -> None:
    _raise(_unique(strategy, "title", "A strategy of this title exists already."))


def validate_plan(plan: ContinuityPlan, related: dict[str, list[Any]]) -> None:
    errors = _unique(plan, "title", "A continuity plan of this title exists already.")
    errors += stays_approved(plan, ContinuityPlan.Status.APPROVED)
    if plan.status == ContinuityPlan.Status.APPROVED:
        if not related.get("activities"):
            errors.append(
                FieldError("activities", "Name the activities the plan covers before approving.")
            )
        if not plan.recovery_steps.strip():
            errors.append(
                FieldError("recovery_steps", "Write the recovery steps before approving.")
            )
    _raise(errors)


def stamp_plan(plan: ContinuityPlan) -> None:
    if plan.status == ContinuityPlan.Status.APPROVED and plan.approved_on is None:
        plan.approved_on = timezone.localdate()


def validate_role(role: PlanRole, related: dict[str, list[Any]]) -> None:
    errors = []
    if role.person_id is None and not role.name.strip():
        errors.append(FieldError("person", "Choose a member or write a name.", "required"))
    if role.person_id is not None and role.person_id == role.deputy_id:
        errors.append(FieldError("deputy", "The deputy must be someone else."))
    _raise(errors)


def validate_contact(contact: PlanContact, related: dict[str, list[Any]]) -> None:
    if not contact.phone.strip() and not contact.email.strip():
        raise ValidationFailed.single("phone", "Give a phone number or an e-mail.", "required")


def validate_exercise(exercise: Exercise, related: dict[str, list[Any]]) -> None:
    errors = _unique(exercise, "title", "An exercise of this title exists already.")
    if not related.get("plans") and not related.get("activities"):
        errors.append(
            FieldError("plans", "Name the plans or activities the exercise covers.", "required")
        )
    _raise(errors)


def validate_improvement(improvement: ExerciseImprovement, related: dict[str, list[Any]]) -> None:
    if improvement.status == ExerciseImprovement.Status.OPEN and improvement.due_date is None:
        raise ValidationFailed.single("due_date", "Give a due date while it is open.", "required")
