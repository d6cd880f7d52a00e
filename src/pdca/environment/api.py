"""API of this app: its three registers (built by the framework) and, before them so that
fixed paths win, the significance method, assessing an aspect, the significant aspects, the
obligations due for evaluation and recording an evaluation. Thin endpoints over `method`,
`services` and `selectors`."""

import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from pdca.core.api import Id, Input, Page, Text, omitted, organization_for, responses
from pdca.core.concurrency import announce
from pdca.core.permissions import scope
from pdca.core.registers.api import add_register_routes
from pdca.core.registers.display import entry_url
from pdca.environment import method as method_services
from pdca.environment import selectors, services
from pdca.environment.models import (
    Aspect,
    ComplianceEvaluation,
    ComplianceObligation,
    SignificanceMethod,
)
from pdca.environment.pages import method_changed_since, nonconformity_url
from pdca.environment.registers import SPECS
from pdca.environment.significance import as_snapshot, score_lines, score_range

router = Router()
TAG = "environment"


# --- schemas ------------------------------------------------------------------------------


class CriterionOut(Schema):
    key: str = Field(description="Stable name of the criterion in `scores`")
    label: str
    min: int
    max: int
    legal: bool = Field(description="Measures legal concern")


class CriterionIn(Input):
    label: Text = Field(min_length=1, max_length=60)
    min: int = Field(description="Lowest score (0 to 99)")
    max: int = Field(description="Highest score (up to 100)")
    legal: bool = False


class SignificanceMethodOut(Schema):
    organization: str
    saved: bool = Field(description="False while the organization uses the default method")
    name: str
    criteria: list[CriterionOut]
    rule: SignificanceMethod.Rule
    threshold: int = Field(description="An aspect scoring this or more is significant")
    legal_max_significant: bool
    lowest_score: int
    highest_score: int
    updated_at: dt.datetime | None


class SignificanceMethodIn(Input):
    name: Text = omitted(min_length=1, max_length=100, description="Kept when left out")
    criteria: list[CriterionIn] = Field(max_length=10, description="1 to 10 criteria")
    rule: SignificanceMethod.Rule
    threshold: int
    legal_max_significant: bool = True


class EnvironmentOrganizationQuery(Schema):
    organization: Text | None = Field(
        None, max_length=60, description="Organization slug (needed if you belong to several)"
    )


class ScoreLineOut(CriterionOut):
    score: int | None


class SignificanceAssessmentOut(Schema):
    aspect: int
    assessed: bool
    assessed_on: dt.date | None
    assessed_by: int | None = Field(description="User id of the assessor")
    score: int | None
    significant: bool
    reason: str
    method_name: str = Field(description="The method the scores were given on")
    rule: str
    threshold: int | None
    method_changed: bool = Field(description="The organization's method differs since")
    lines: list[ScoreLineOut]


class AssessmentIn(Input):
    scores: dict[Text, int] = Field(
        description="One score per criterion key of the current method", max_length=10
    )


class SignificantQuery(EnvironmentOrganizationQuery):
    unaddressed: bool = Field(
        False, description="Only those without an objective or an operational control"
    )


class SignificantAspectOut(Schema):
    id: int
    code: str
    title: str
    url: str
    site: int | None
    process: int | None
    owner: int | None
    condition: str
    score: int | None
    reason: str
    has_objective: bool
    has_operational_control: bool


class DueQuery(EnvironmentOrganizationQuery):
    on: dt.date | None = Field(None, description="Due on or before this day (today)")


class DueObligationOut(Schema):
    id: int
    title: str
    url: str
    owner: int | None
    evaluation_frequency: int = Field(description="Months")
    last_evaluated_on: dt.date | None
    next_evaluation_due: dt.date
    days_overdue: int
    evaluations: int = Field(description="Recorded evaluations")


class RecordedOut(Schema):
    id: int
    obligation: int
    status: str
    result: str
    recorded_at: dt.datetime | None
    nonconformity: int | None = Field(description="Id of the nonconformity it opened")
    nonconformity_url: str | None
    next_evaluation_due: dt.date | None = Field(description="The obligation's, after this")


# --- the significance method --------------------------------------------------------------


def _method_out(method: SignificanceMethod) -> dict[str, Any]:
    low, high = score_range(as_snapshot(method))
    return {
        "organization": method.organization.slug,
        "saved": method.pk is not None,
        "name": method.name,
        "criteria": method.criteria,
        "rule": method.rule,
        "threshold": method.threshold,
        "legal_max_significant": method.legal_max_significant,
        "lowest_score": low,
        "highest_score": high,
        "updated_at": method.updated_at if method.pk else None,
    }


@router.get("/significance-method/", response=responses(SignificanceMethodOut), tags=[TAG])
def get_significance_method(request, filters: Query[EnvironmentOrganizationQuery]):
    """The organization's significance method for environmental aspects (the default one
    until it saves its own); once saved, its `ETag` is the version to send in `If-Match`."""
    organization = organization_for(request.auth, filters.organization, may_view=SignificanceMethod)
    method = method_services.method_for(organization)
    return _method_out(announce(method) if method.pk else method)


@router.put("/significance-method/", response=responses(SignificanceMethodOut), tags=[TAG])
def put_significance_method(
    request, filters: Query[EnvironmentOrganizationQuery], payload: SignificanceMethodIn
):
    """Set the whole method. Aspects assessed before keep their result and the method they
    were assessed with."""
    organization = organization_for(request.auth, filters.organization, may_view=SignificanceMethod)
    data = payload.model_dump(exclude_unset=True)
    data["criteria"] = [c.model_dump() for c in payload.criteria]
    data.setdefault("legal_max_significant", payload.legal_max_significant)
    if data.get("name") is None:
        data.pop("name", None)
    method = method_services.update_method(organization, actor=request.auth, **data)
    return _method_out(announce(method))


# --- aspects --------------------------------------------------------------------------------


def _aspect(request, aspect_id: int) -> Aspect:
    return get_object_or_404(
        scope(Aspect.objects.select_related("organization"), request.auth), pk=aspect_id
    )


def _assessment_out(aspect: Aspect) -> dict[str, Any]:
    kept = aspect.method_snapshot or {}
    current = as_snapshot(method_services.method_for(aspect.organization))
    return {
        "aspect": aspect.pk,
        "assessed": aspect.assessed,
        "assessed_on": aspect.assessed_on,
        "assessed_by": aspect.assessed_by_id,
        "score": aspect.score,
        "significant": aspect.significant,
        "reason": aspect.significance_reason,
        "method_name": kept.get("name", ""),
        "rule": kept.get("rule", ""),
        "threshold": kept.get("threshold"),
        "method_changed": aspect.assessed and method_changed_since(aspect, current),
        "lines": score_lines(kept, aspect.scores or {}),
    }


@router.get("/aspects/significant/", response=responses(list[SignificantAspectOut]), tags=[TAG])
@paginate(Page)
def list_significant_aspects(request, filters: Query[SignificantQuery]):
    """The current significant aspects, most significant first, each saying whether it has an
    objective and an operational control (a linked document)."""
    organization = organization_for(request.auth, filters.organization, may_view=Aspect)
    rows: Any = (
        selectors.unaddressed_aspects(organization)
        if filters.unaddressed
        else selectors.significant_aspects(organization)
    )
    return [
        {
            "id": a.pk,
            "code": a.code,
            "title": a.title,
            "url": entry_url(a) or "",
            "site": a.site_id,
            "process": a.process_id,
            "owner": a.owner_id,
            "condition": a.condition,
            "score": a.score,
            "reason": a.significance_reason,
            "has_objective": a.has_objective,
            "has_operational_control": a.has_control,
        }
        for a in rows
    ]


@router.get(
    "/aspects/{int:aspect_id}/assessment/",
    response=responses(SignificanceAssessmentOut),
    tags=[TAG],
)
def get_aspect_assessment(request, aspect_id: int):
    """An aspect's significance: its scores, read on the method it was assessed with."""
    return _assessment_out(announce(_aspect(request, aspect_id)))


@router.post(
    "/aspects/{int:aspect_id}/assessment/",
    response=responses(SignificanceAssessmentOut),
    tags=[TAG],
)
def assess_aspect(request, aspect_id: int, payload: AssessmentIn):
    """Assess (again) an aspect on the organization's current method: one score per
    criterion. With `If-Match`, an assessment based on an older version is refused (412)."""
    aspect = _aspect(request, aspect_id)
    services.assess_aspect(aspect, actor=request.auth, scores=dict(payload.scores))
    return _assessment_out(announce(_aspect(request, aspect_id)))


# --- compliance obligations and evaluations -------------------------------------------------


@router.get("/compliance-obligations/due/", response=responses(list[DueObligationOut]), tags=[TAG])
@paginate(Page)
def list_obligations_due(request, filters: Query[DueQuery]):
    """Obligations that apply and whose evaluation of compliance is due (today, or the day
    given) or overdue, the longest overdue first."""
    organization = organization_for(
        request.auth, filters.organization, may_view=ComplianceObligation
    )
    on = filters.on or dt.date.today()
    due: Any = selectors.due_obligations(organization, on)  # annotated with n_evaluations
    return [
        {
            "id": o.pk,
            "title": o.title,
            "url": entry_url(o) or "",
            "owner": o.owner_id,
            "evaluation_frequency": o.evaluation_frequency,
            "last_evaluated_on": o.last_evaluated_on,
            "next_evaluation_due": o.next_evaluation_due,
            "days_overdue": (on - o.next_evaluation_due).days if o.next_evaluation_due else 0,
            "evaluations": o.n_evaluations,
        }
        for o in due
    ]


@router.post(
    "/compliance-evaluations/{int:evaluation_id}/record/",
    response=responses(RecordedOut),
    tags=[TAG],
)
def record_compliance_evaluation(request, evaluation_id: Id):
    """Record a draft evaluation: it becomes a record, never changed or deleted; the
    obligation's next evaluation falls due from it; a result other than compliant opens a
    nonconformity (its id in `nonconformity`). Refused (409) when recorded already."""
    queryset = scope(ComplianceEvaluation.objects.select_related("obligation"), request.auth)
    evaluation = get_object_or_404(queryset, pk=evaluation_id)
    services.record_evaluation(evaluation, actor=request.auth)
    evaluation = get_object_or_404(queryset, pk=evaluation_id)
    return {
        "id": evaluation.pk,
        "obligation": evaluation.obligation_id,
        "status": evaluation.status,
        "result": evaluation.result,
        "recorded_at": evaluation.recorded_at,
        "nonconformity": evaluation.nonconformity_id,
        "nonconformity_url": nonconformity_url(evaluation.nonconformity_id),
        "next_evaluation_due": evaluation.obligation.next_evaluation_due,
    }


for spec in SPECS:
    add_register_routes(router, spec)
