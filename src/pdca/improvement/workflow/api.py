"""API of the corrective-action workflow: reporting a nonconformity, reading where it stands,
and taking each step (triage, dismiss, contain, analyse, plan, implement, verify, close).
Thin endpoints over `pdca.improvement.workflow.services`; the actions, tasks and policy
endpoints are in `capa_actions_api` and `capa_tasks_api`.

A step refused because of the state or a missing precondition answers 409 with the code
`cannot_<step>` and the reason; a role that may not take it, 403; a nonconformity the caller
may not read, 404.
"""

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal

from ninja import Router, Schema, Status
from pydantic import Field

from pdca.core.api import Id, Input, Text, organization_for, responses
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
from pdca.improvement.workflow.services import MAX_WHYS, transition_nonconformity

router = Router(tags=["corrective action"])
router.add_router("", capa_actions_api.router)
router.add_router("", capa_tasks_api.router)

LONG = 20_000
if TYPE_CHECKING:
    Source = str  # one of REPORTABLE_SOURCES, a Literal built at start-up
else:
    Source = Literal[tuple(str(s) for s in REPORTABLE_SOURCES)]


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
    whys: list[Annotated[Text, Field(max_length=LONG)]] = Field(
        [], max_length=MAX_WHYS, description="Each answer to 'why?'"
    )
    categories: list[Annotated[Text, Field(max_length=40)]] = Field(
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
    organization = organization_for(request.auth, payload.organization)
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


STEP_PATH = "/nonconformities/{int:nc_id}/steps/"
#: step: (its body, summary, description). One endpoint a step, so OpenAPI shows each body.
STEP_ENDPOINTS: dict[str, tuple[type[Input], str, str]] = {
    "triage": (
        TriageIn,
        "Triage a nonconformity",
        "Triage a report (implementers): severity, owner, process, requirements, and the due "
        "date (from the policy unless given). Fields left out keep their current value.",
    ),
    "dismiss": (
        DismissIn,
        "Dismiss a report",
        "Dismiss a report that is not a nonconformity, saying why (implementers; not for an "
        "audit finding's nonconformity).",
    ),
    "contain": (
        ContainIn,
        "Record the correction",
        "Record the correction (the immediate fix) with its evidence.",
    ),
    "analyse": (
        AnalyseIn,
        "Record the root cause",
        "Record the cause analysis: the method, its working (whys, categories) and the root cause.",
    ),
    "plan": (
        PlanIn,
        "Confirm the action plan",
        "Confirm the plan of corrective actions and say how their effect will be checked.",
    ),
    "implement": (
        ImplementIn,
        "Mark a nonconformity implemented",
        "Mark the nonconformity implemented once every action of the round is; the waiting "
        "period before the effectiveness check starts.",
    ),
    "verify": (
        VerifyIn,
        "Check effectiveness",
        "Check effectiveness after the waiting period (not by an action's owner). Not "
        'effective sends it back to "contained" for a new round of analysis.',
    ),
    "close": (CloseIn, "Close a nonconformity", "Close a nonconformity verified effective."),
}


#: Steps that need no data: their body may be left out altogether.
OPTIONAL_BODY = frozenset({"implement", "close"})


def _add_step_endpoint(step: str, body: type[Input], summary: str, description: str) -> None:
    # `body` is the step's schema, chosen at start-up: mypy cannot use it as a type.
    def take_step(request, nc_id: int, payload: body):  # type: ignore[valid-type]
        given: Any = payload
        # Triage keeps the current value of every field left out.
        data = given.model_dump(exclude_unset=step == "triage")
        nc = nonconformity_for(request, nc_id)
        data = resolve_ids(nc.organization_id, data)
        transition_nonconformity(nc, step, actor=request.auth, **data)
        return workflow_view(nc.pk, request.auth)

    if step in OPTIONAL_BODY:
        required = take_step

        def take_step(request, nc_id: int, payload: body | None = None):  # type: ignore[valid-type, misc]
            return required(request, nc_id, payload if payload is not None else body())

    take_step.__doc__ = description
    router.post(
        f"{STEP_PATH}{step}/",
        response=responses(NonconformityWorkflowOut),
        summary=summary,
        operation_id=f"{step}_nonconformity",
    )(take_step)


for _step, (_body, _summary, _description) in STEP_ENDPOINTS.items():
    _add_step_endpoint(_step, _body, _summary, _description)


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
