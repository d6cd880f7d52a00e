"""Corrective actions: planned by the nonconformity's owner after the cause analysis, each
with its owner and due date, and implemented by that owner with evidence (or the new version
of a document changed in response)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from pdca.core.activity import record_activity, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.improvement.models import CorrectiveAction, Nonconformity
from pdca.improvement.validation import check_evidence, check_member, check_text

#: While the plan may still change.
PLANNING = frozenset({Nonconformity.Status.CAUSE_ANALYSED, Nonconformity.Status.ACTION_PLANNED})
ACTION_FIELDS = ("title", "description", "owner", "due_date")


def _locked_nc(nonconformity: Nonconformity) -> Nonconformity:
    return Nonconformity.objects.select_for_update().get(pk=nonconformity.pk)


def _refuse_unless_planning(nc: Nonconformity) -> None:
    if nc.status not in PLANNING:
        raise Conflict(
            "Corrective actions are planned once the root cause is recorded and until they "
            f"are implemented; {nc.reference or nc.pk} is {nc.get_status_display().lower()}.",
            code="not_planning",
        )


def _clean(nc: Nonconformity, data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    unknown = sorted(set(data) - set(ACTION_FIELDS))
    errors += [FieldError(n, "This field does not exist or cannot be changed.") for n in unknown]
    for name, required, limit in (("title", True, 200), ("description", False, 20_000)):
        if name in data or (creating and required):
            try:
                clean[name] = check_text(
                    data, name, "Say what will be done.", required=required, limit=limit
                )
            except ValidationFailed as exc:
                errors += exc.errors
    if "owner" in data or creating:
        errors += check_member(
            nc.organization_id, data.get("owner"), "owner", required=True, owner=True
        )
        clean["owner"] = data.get("owner")
    if "due_date" in data or creating:
        due = data.get("due_date")
        if due is None:
            errors.append(FieldError("due_date", "Give the due date.", "required"))
        elif due < timezone.localdate():
            errors.append(FieldError("due_date", "The due date cannot be in the past."))
        clean["due_date"] = due
    if errors:
        raise ValidationFailed(errors)
    return clean


@transaction.atomic
def add_corrective_action(
    nonconformity: Nonconformity, *, actor, **fields: Any
) -> CorrectiveAction:
    """Plan one corrective action (title, owner, due date, description) in the current round.
    Whoever may change the nonconformity (its owner, implementers) plans its actions."""
    from pdca.improvement import notifications

    nc = _locked_nc(nonconformity)
    require(actor, "change", nc)
    _refuse_unless_planning(nc)
    data = _clean(nc, fields, creating=True)
    action = CorrectiveAction.objects.create(
        organization_id=nc.organization_id, nonconformity=nc, round=nc.round, **data
    )
    record_activity(
        actor=actor,
        action="create",
        obj=action,
        changes={k: [None, v] for k, v in snapshot(action).items() if v not in (None, "")},
    )
    notifications.action_assigned(action, actor=actor)
    return action


@transaction.atomic
def update_corrective_action(action: CorrectiveAction, *, actor, **fields: Any) -> CorrectiveAction:
    """Change a planned action while the plan may still change."""
    from pdca.improvement import notifications

    nc = _locked_nc(action.nonconformity)
    require(actor, "change", nc)
    _refuse_unless_planning(nc)
    action = CorrectiveAction.objects.select_related("owner").get(pk=action.pk)
    lock_for_update(action)  # after its nonconformity's lock, as every writer of actions
    if action.status != CorrectiveAction.Status.PLANNED:
        raise Conflict(
            f"The action is {action.get_status_display().lower()}: it is no longer changed.",
            code="action_done",
        )
    data = _clean(nc, fields, creating=False)
    before = snapshot(action)
    previous_owner = action.owner_id
    for name, value in data.items():
        setattr(action, name, value)
    save_changed(action)
    changes = {k: [before.get(k), v] for k, v in snapshot(action).items() if before.get(k) != v}
    if changes:
        record_activity(actor=actor, action="update", obj=action, changes=changes)
    if action.owner_id != previous_owner:
        notifications.action_assigned(action, actor=actor)
    return action


@transaction.atomic
def cancel_corrective_action(action: CorrectiveAction, *, actor, reason: str) -> CorrectiveAction:
    """Drop a planned action from the plan, saying why (it stays in the history)."""
    nc = _locked_nc(action.nonconformity)
    require(actor, "change", nc)
    _refuse_unless_planning(nc)
    action = CorrectiveAction.objects.get(pk=action.pk)
    if action.status != CorrectiveAction.Status.PLANNED:
        raise Conflict(
            f"The action is {action.get_status_display().lower()}: only a planned action is "
            "cancelled.",
            code="action_done",
        )
    reason = check_text({"reason": reason}, "reason", "Say why it is cancelled.", required=True)
    before = snapshot(action)
    action.status = CorrectiveAction.Status.CANCELLED
    action.implementation_note = reason
    action.save()
    record_activity(
        actor=actor,
        action="cancel",
        obj=action,
        changes={k: [before.get(k), v] for k, v in snapshot(action).items() if before.get(k) != v},
    )
    return action


@transaction.atomic
def implement_corrective_action(
    action: CorrectiveAction,
    *,
    actor,
    note: str,
    evidence: Iterable = (),
    document_version=None,
) -> CorrectiveAction:
    """The action's owner (or an implementer) records that it is done: what was done, and the
    evidence or the new version of the document changed in response. Refused until the plan
    is confirmed."""
    nc = _locked_nc(action.nonconformity)
    action = CorrectiveAction.objects.get(pk=action.pk)
    require(actor, "implement", action)
    if action.status != CorrectiveAction.Status.PLANNED:
        raise Conflict(
            f"The action is {action.get_status_display().lower()} already.", code="action_done"
        )
    if nc.status != Nonconformity.Status.ACTION_PLANNED or action.round != nc.round:
        raise Conflict(
            "Actions are implemented once the plan is confirmed (action planned); "
            f"{nc.reference or nc.pk} is {nc.get_status_display().lower()}.",
            code="plan_not_confirmed",
        )
    errors: list[FieldError] = []
    try:
        note = check_text({"note": note}, "note", "Say what was done.", required=True)
    except ValidationFailed as exc:
        errors += exc.errors
    try:
        files = check_evidence(nc.organization_id, evidence)
    except ValidationFailed as exc:
        errors += exc.errors
        files = []
    if document_version is not None and document_version.organization_id != nc.organization_id:
        errors.append(FieldError("document_version", "Choose a document of this organization."))
    elif not files and document_version is None and not any(e.field == "evidence" for e in errors):
        errors.append(
            FieldError(
                "evidence",
                "Attach evidence that it was done, or the new version of the document changed.",
                "required",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(action)
    action.status = CorrectiveAction.Status.IMPLEMENTED
    action.implemented_at = timezone.now()
    action.implemented_by = actor
    action.implementation_note = note
    action.document_version = document_version
    action.save()
    action.evidence.set(files)
    changes = {k: [before.get(k), v] for k, v in snapshot(action).items() if before.get(k) != v}
    changes["evidence"] = [[], sorted(f.pk for f in files)]
    record_activity(actor=actor, action="implement", obj=action, changes=changes)
    return action
