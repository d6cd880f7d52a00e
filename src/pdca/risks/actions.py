"""Treatment actions: the steps of a risk's treatment plan, each with an owner, a due date and
a status. Whoever may change the risk manages its actions (so a process owner manages the
actions of the risks they own); the owner of an action may also mark it done."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pdca.core.activity import record_create, record_delete, record_update, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import may, require
from pdca.core.records.rules import ensure_deletable
from pdca.core.validation import apply_fields, validate_instance
from pdca.risks.models import Risk, TreatmentAction
from pdca.tenancy.models import Membership

#: What a caller may set on an action.
ACTION_FIELDS = ("description", "owner", "due_date", "status", "completed_on")

Status = TreatmentAction.Status


def today() -> dt.date:
    return timezone.localdate()


def is_overdue(action: TreatmentAction, on: dt.date | None = None) -> bool:
    """Open and past its due date."""
    return (
        action.status == Status.OPEN
        and action.due_date is not None
        and action.due_date < (on or today())
    )


def overdue_q(on: dt.date | None = None) -> Q:
    """The filter of overdue actions, for querysets."""
    return Q(status=Status.OPEN, due_date__lt=on or today())


def may_manage_actions(user, risk: Risk) -> bool:
    """Whether `user` may add, change and delete the actions of `risk`."""
    return may(user, "change", risk)


def _validate(action: TreatmentAction) -> None:
    validate_instance(action, exclude=["organization", "risk"])
    errors = []
    if (
        action.owner_id is not None
        and not Membership.objects.filter(
            organization_id=action.organization_id,
            user_id=action.owner_id,
            user__is_active=True,
        ).exists()
    ):
        errors.append(FieldError("owner", f"{action.owner} is not a member of this organization."))
    if action.status == Status.OPEN and action.due_date is None:
        errors.append(FieldError("due_date", "An open action needs a due date.", "required"))
    if action.status == Status.DONE:
        if action.completed_on is None:
            action.completed_on = today()
        elif action.completed_on > today():
            errors.append(
                FieldError("completed_on", "The completion date cannot be in the future.")
            )
    else:
        # Only a done action has a completion date; reopening one clears it.
        action.completed_on = None
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def add_treatment_action(risk: Risk, *, actor, **fields: Any) -> TreatmentAction:
    """Add an action to `risk`'s treatment plan."""
    require(actor, "change", risk)
    action = TreatmentAction(organization=risk.organization, risk=risk)
    apply_fields(action, fields, ACTION_FIELDS)
    _validate(action)
    action.save()
    record_create(actor=actor, obj=action)
    return action


@transaction.atomic
def update_treatment_action(action: TreatmentAction, *, actor, **fields: Any) -> TreatmentAction:
    """Change the given fields of an action; the others stay as they are."""
    lock_for_update(action)
    require(actor, "change", action.risk)
    before = snapshot(action)
    apply_fields(action, fields, ACTION_FIELDS)
    _validate(action)
    save_changed(action)
    record_update(actor=actor, obj=action, before=before)
    return action


@transaction.atomic
def complete_treatment_action(
    action: TreatmentAction, *, actor, on: dt.date | None = None
) -> TreatmentAction:
    """Mark an open action done (on `on`, today by default). Its owner may do this too."""
    if not may(actor, "change", action):
        require(actor, "change", action.risk)
    if action.status != Status.OPEN:
        raise Conflict(
            f"Only an open action can be completed; this one is {action.get_status_display()}.",
            code="not_open",
        )
    before = snapshot(action)
    action.status = Status.DONE
    action.completed_on = on or today()
    _validate(action)
    action.save()
    record_update(actor=actor, obj=action, before=before, action="complete")
    return action


@transaction.atomic
def delete_treatment_action(action: TreatmentAction, *, actor) -> None:
    """Remove an action from its risk's treatment plan."""
    require(actor, "change", action.risk)
    ensure_deletable(action)
    record_delete(actor=actor, obj=action)
    action.delete()
