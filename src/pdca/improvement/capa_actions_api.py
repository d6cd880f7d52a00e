"""API of corrective actions: a nonconformity's actions, planning and changing them,
cancelling one, recording one implemented, and the actions across an organization. Thin
endpoints over `pdca.improvement.actions`."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.core.api import Id, Input, Page, Text, omitted, responses
from pdca.core.concurrency import announce
from pdca.improvement import actions as services
from pdca.improvement.capa_shared_api import (
    MAX_IDS,
    CorrectiveActionOut,
    actions_of,
    nonconformity_for,
    resolve_ids,
)
from pdca.improvement.models import CorrectiveAction

router = Router(tags=["corrective action"])
LONG = 20_000


class CorrectiveActionCreate(Input):
    title: Text = Field(max_length=200, description="What will be done")
    description: Text = Field("", max_length=LONG)
    owner: Id = Field(description="User id of the member who carries it out")
    due_date: dt.date


class CorrectiveActionUpdate(Input):
    title: Text = omitted(max_length=200)
    description: Text = omitted(max_length=LONG)
    owner: Id | None = Field(None, description="User id of a member")
    due_date: dt.date | None = None


class CancelActionIn(Input):
    reason: Text = Field("", max_length=LONG, description="Why it is dropped from the plan")


class ImplementActionIn(Input):
    note: Text = Field("", max_length=LONG, description="What was done")
    evidence: list[Id] = Field([], max_length=MAX_IDS, description="Evidence file ids")
    document_version: Id | None = Field(
        None, description="Id of the new version of a document changed in response"
    )


class CorrectiveActionFilter(Schema):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    mine: bool = Field(False, description="Only the actions you own")
    overdue: bool | None = Field(None, description="Planned and past the due date (or not)")


def _action(request, action_id: int) -> CorrectiveAction:
    return get_object_or_404(actions_of(request.auth), pk=action_id)


@router.get(
    "/nonconformities/{int:nc_id}/actions/",
    response=responses(list[CorrectiveActionOut]),
    summary="A nonconformity's corrective actions",
)
@paginate(Page)
def list_nonconformity_actions(request, nc_id: int):
    """The nonconformity's corrective actions of every round (cancelled ones included)."""
    nc = nonconformity_for(request, nc_id)
    return actions_of(request.auth).filter(nonconformity=nc).order_by("round", "due_date", "pk")


@router.post(
    "/nonconformities/{int:nc_id}/actions/",
    response=responses(CorrectiveActionOut, 201),
    summary="Plan a corrective action",
)
def add_nonconformity_action(request, nc_id: int, payload: CorrectiveActionCreate):
    """Plan a corrective action once the root cause is recorded (the nonconformity's owner or
    an implementer), with its owner and due date."""
    nc = nonconformity_for(request, nc_id)
    data = resolve_ids(nc.organization_id, payload.model_dump())
    action = services.add_corrective_action(nc, actor=request.auth, **data)
    return Status(201, _action(request, action.pk))


@router.get(
    "/corrective-actions/",
    response=responses(list[CorrectiveActionOut]),
    summary="Corrective actions",
)
@paginate(Page)
def list_corrective_actions(request, filters: Query[CorrectiveActionFilter]):
    """The corrective actions you may read (employees: their own), earliest due first."""
    qs = actions_of(request.auth)
    if filters.organization:
        qs = qs.filter(organization__slug=filters.organization)
    if filters.mine:
        qs = qs.filter(owner=request.auth)
    if filters.overdue is not None:
        late = {"status": CorrectiveAction.Status.PLANNED, "due_date__lt": timezone.localdate()}
        qs = qs.filter(**late) if filters.overdue else qs.exclude(**late)
    return qs


@router.get(
    "/corrective-actions/{int:action_id}/",
    response=responses(CorrectiveActionOut),
    summary="One corrective action",
)
def get_corrective_action(request, action_id: int):
    return announce(_action(request, action_id))


@router.patch(
    "/corrective-actions/{int:action_id}/",
    response=responses(CorrectiveActionOut),
    summary="Change a planned corrective action",
)
def update_corrective_action(request, action_id: int, payload: CorrectiveActionUpdate):
    """Change a planned action while the plan may still change (until it is implemented)."""
    action = _action(request, action_id)
    data = resolve_ids(action.organization_id, payload.model_dump(exclude_unset=True))
    services.update_corrective_action(action, actor=request.auth, **data)
    return _action(request, action_id)


@router.post(
    "/corrective-actions/{int:action_id}/cancel/",
    response=responses(CorrectiveActionOut),
    summary="Cancel a corrective action",
)
def cancel_corrective_action(request, action_id: int, payload: CancelActionIn):
    """Drop a planned action from the plan, saying why; it stays in the history."""
    action = _action(request, action_id)
    services.cancel_corrective_action(action, actor=request.auth, reason=payload.reason)
    return _action(request, action_id)


@router.post(
    "/corrective-actions/{int:action_id}/implement/",
    response=responses(CorrectiveActionOut),
    summary="Record a corrective action implemented",
)
def implement_corrective_action(request, action_id: int, payload: ImplementActionIn):
    """Record the action done (its owner or an implementer) once the plan is confirmed, with
    evidence or the new version of the document changed."""
    action = _action(request, action_id)
    data = resolve_ids(action.organization_id, payload.model_dump())
    services.implement_corrective_action(action, actor=request.auth, **data)
    return _action(request, action_id)
