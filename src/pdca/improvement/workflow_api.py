"""API of the corrective-action workflow: reporting a nonconformity, reading where it stands,
and taking each step (triage, dismiss, contain, analyse, plan, implement, verify, close).
Thin endpoints over `pdca.improvement.workflow`; the actions, tasks and policy endpoints are
in `capa_actions_api` and `capa_tasks_api`.

A step refused because of the state or a missing precondition answers 409 with the code
`cannot_<step>` and the reason; a role that may not take it, 403; a nonconformity the caller
may not read, 404.
"""

import datetime as dt
from typing import Any, Literal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from pdca.core.api import Id, Input, Text, responses
from pdca.core.permissions import scope
from pdca.improvement import capa_actions_api, capa_tasks_api
from pdca.improvement.capa_shared_api import (
    MAX_IDS,
    NonconformityWorkflowOut,
    nonconformity_for,
    resolve_ids,
    workflow_view,
)
from pdca.improvement.models import Nonconformity
from pdca.improvement.reporting import REPORTABLE_SOURCES, report_nonconformity
from pdca.improvement.workflow import MAX_WHYS, transition_nonconformity
from pdca.tenancy.models import Organization

router = Router(tags=["corrective action"])
router.add_router("", capa_actions_api.router)
router.add_router("", capa_tasks_api.router)

LONG = 20_000
Source = Literal[tuple(str(s) for s in REPORTABLE_SOURCES)]  # type: ignore[valid-type]


# --- request bodies -----------------------------------------------------------------------


class ReportNonconformityIn(Input):
    organization: Text = Field(max_length=60, description="Organization slug")
    title: Text = Field(max_length=200, description="A short title")
    description: Text = Field(max_length=LONG, description="What happened, where and when")
    source: Source = Field("employee", description="Audits raise findings instead")
    process: Id | None = Field(None, description="Process id")
    site: Id | None = Field(None, description="Site id")
    evidence: list[Id] = Field([], max_length=MAX_IDS, description="Evidence file ids")


class TriageIn(Input):
    """Fields left out keep what the nonconformity already has."""

    severity: Nonconformity.Severity | None = None
    owner: Id | None = Field(None, description="User id of the member who takes it through")
    process: Id | None = Field(None, description="Process id")
    requirements: list[Id] | None = Field(
        None, max_length=MAX_IDS, description="Ids of the requirements it fails to meet"
    )
    site: Id | None = Field(None, description="Site id")
    due_date: dt.date | None = Field(None, description="Closure due; from the policy if empty")


class DismissIn(Input):
    reason: Text = Field("", max_length=LONG, description="Why it is not a nonconformity")


class ContainIn(Input):
    correction: Text = Field("", max_length=LONG, description="The immediate fix")
    evidence: list[Id] = Field([], max_length=MAX_IDS, description="Evidence file ids")


class AnalyseIn(Input):
    method: Nonconformity.CauseMethod | None = None
    whys: list[Text] = Field([], max_length=MAX_WHYS, description="Each answer to 'why?'")
    categories: list[Text] = Field(
        [], max_length=20, description=", ".join(Nonconformity.CauseCategory.values)
    )
    root_cause: Text = Field("", max_length=LONG)


class PlanIn(Input):
    effectiveness_criteria: Text = Field(
        "", max_length=LONG, description="What will show that the actions worked"
    )


class ImplementIn(Input):
    pass


class VerifyIn(Input):
    effective: bool | None = Field(None, description="Whether the actions removed the cause")
    notes: Text = Field("", max_length=LONG, description="What was checked and what it showed")
    evidence: list[Id] = Field([], max_length=MAX_IDS, description="Evidence file ids")


class CloseIn(Input):
    note: Text = Field("", max_length=LONG)


# --- endpoints ----------------------------------------------------------------------------


@router.post(
    "/nonconformities/report/",
    response=responses(NonconformityWorkflowOut, 201),
    summary="Report a nonconformity",
    operation_id="report_nonconformity",
)
def report(request, payload: ReportNonconformityIn):
    """Report a nonconformity (any member): it waits for triage, and the reporter sees it."""
    organization = get_object_or_404(
        scope(Organization.objects.all(), request.auth), slug=payload.organization
    )
    data = resolve_ids(organization.pk, payload.model_dump(exclude={"organization"}))
    nc = report_nonconformity(organization, actor=request.auth, **data)
    return Status(201, workflow_view(nc.pk, request.auth))


@router.get(
    "/nonconformities/{int:nc_id}/workflow/",
    response=responses(NonconformityWorkflowOut),
    summary="Where a nonconformity stands",
    operation_id="get_nonconformity_workflow",
)
def workflow(request, nc_id: int):
    """Where the nonconformity stands: each step's date and record, its deadlines, actions
    and checks, and the steps open now (allowed, or why not)."""
    return workflow_view(nc_id, request.auth)


def _take(request, nc_id: int, step: str, data: dict[str, Any]) -> dict[str, Any]:
    nc = nonconformity_for(request, nc_id)
    transition_nonconformity(nc, step, actor=request.auth, **resolve_ids(nc.organization_id, data))
    return workflow_view(nc.pk, request.auth)


STEP_PATH = "/nonconformities/{int:nc_id}/steps/"


@router.post(
    f"{STEP_PATH}triage/",
    response=responses(NonconformityWorkflowOut),
    summary="Triage a nonconformity",
    operation_id="triage_nonconformity",
)
def triage(request, nc_id: int, payload: TriageIn):
    """Triage a report (implementers): severity, owner, process, requirements, and the due
    date (from the policy unless given)."""
    return _take(request, nc_id, "triage", payload.model_dump(exclude_unset=True))


@router.post(
    f"{STEP_PATH}dismiss/",
    response=responses(NonconformityWorkflowOut),
    summary="Dismiss a report",
    operation_id="dismiss_nonconformity",
)
def dismiss(request, nc_id: int, payload: DismissIn):
    """Dismiss a report that is not a nonconformity, saying why (implementers; not for an
    audit finding's nonconformity)."""
    return _take(request, nc_id, "dismiss", payload.model_dump())


@router.post(
    f"{STEP_PATH}contain/",
    response=responses(NonconformityWorkflowOut),
    summary="Record the correction",
    operation_id="contain_nonconformity",
)
def contain(request, nc_id: int, payload: ContainIn):
    """Record the correction (the immediate fix) with its evidence."""
    return _take(request, nc_id, "contain", payload.model_dump())


@router.post(
    f"{STEP_PATH}analyse/",
    response=responses(NonconformityWorkflowOut),
    summary="Record the root cause",
    operation_id="analyse_nonconformity",
)
def analyse(request, nc_id: int, payload: AnalyseIn):
    """Record the cause analysis: the method, its working (whys, categories) and the root
    cause."""
    return _take(request, nc_id, "analyse", payload.model_dump())


@router.post(
    f"{STEP_PATH}plan/",
    response=responses(NonconformityWorkflowOut),
    summary="Confirm the action plan",
    operation_id="plan_nonconformity",
)
def plan(request, nc_id: int, payload: PlanIn):
    """Confirm the plan of corrective actions and say how their effect will be checked."""
    return _take(request, nc_id, "plan", payload.model_dump())


@router.post(
    f"{STEP_PATH}implement/",
    response=responses(NonconformityWorkflowOut),
    summary="Mark a nonconformity implemented",
    operation_id="implement_nonconformity",
)
def implement(request, nc_id: int, payload: ImplementIn | None = None):
    """Mark the nonconformity implemented once every action of the round is; the waiting
    period before the effectiveness check starts."""
    return _take(request, nc_id, "implement", {})


@router.post(
    f"{STEP_PATH}verify/",
    response=responses(NonconformityWorkflowOut),
    summary="Check effectiveness",
    operation_id="verify_nonconformity",
)
def verify(request, nc_id: int, payload: VerifyIn):
    """Check effectiveness after the waiting period (not by an action's owner). Not
    effective sends it back to "contained" for a new round of analysis."""
    return _take(request, nc_id, "verify", payload.model_dump())


@router.post(
    f"{STEP_PATH}close/",
    response=responses(NonconformityWorkflowOut),
    summary="Close a nonconformity",
    operation_id="close_nonconformity",
)
def close(request, nc_id: int, payload: CloseIn | None = None):
    """Close a nonconformity verified effective (implementers)."""
    return _take(request, nc_id, "close", (payload or CloseIn()).model_dump())


class RaisedRiskOut(Schema):
    id: int
    code: str
    title: str


@router.post(
    "/nonconformities/{int:nc_id}/raise-risk/",
    response=responses(RaisedRiskOut, 201),
    summary="Raise a risk from a nonconformity",
    operation_id="raise_risk_from_nonconformity",
)
def raise_risk_endpoint(request, nc_id: int):
    """Open a risk in the register from the nonconformity (title, process, requirements,
    owner) and link them; 409 `risk_linked` when it has a risk already."""
    from pdca.improvement.risk_link import raise_risk

    risk = raise_risk(nonconformity_for(request, nc_id), actor=request.auth)
    return Status(201, {"id": risk.pk, "code": risk.code, "title": risk.title})
