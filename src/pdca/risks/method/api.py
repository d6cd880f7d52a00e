"""API of the risk method, the risk heat map and treatment actions. Thin endpoints over
`method_services`, `heatmap` and `actions`."""

import datetime as dt
from typing import Annotated, Literal

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.accounts.models import User
from pdca.core.activity_api import ActivityOut
from pdca.core.api import Id, Input, Page, Text, omitted, organization_for, responses
from pdca.core.concurrency import announce
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import scope, visible_organization_ids
from pdca.core.selectors import history_of
from pdca.risks import actions as action_services
from pdca.risks import scoring
from pdca.risks.heatmap import risk_heat_map
from pdca.risks.method import services as method_services
from pdca.risks.method.services import MAX_LABEL
from pdca.risks.models import Risk, RiskMethod, TreatmentAction
from pdca.tenancy.models import Organization

router = Router()


# --- schemas ------------------------------------------------------------------------------


class Band(Schema):
    up_to: int = Field(description="The highest score the band covers")
    label: str
    colour: str = Field(description="#rrggbb")


class BandIn(Input):
    up_to: int = Field(description="The highest score the band covers")
    label: Text = Field(max_length=200)
    colour: Text = Field(max_length=20, description="#rrggbb")


class MethodOut(Schema):
    organization: str
    saved: bool = Field(description="False while the organization uses the default method")
    name: str
    likelihood_labels: list[str] = Field(description="Level 1 first")
    impact_labels: list[str] = Field(description="Level 1 first")
    score_rule: RiskMethod.ScoreRule
    acceptance_threshold: int
    max_score: int
    bands: list[Band]
    updated_at: dt.datetime | None


class MethodIn(Input):
    name: Text = omitted(min_length=1, max_length=100, description="Kept when left out")
    likelihood_labels: list[Annotated[Text, Field(max_length=MAX_LABEL)]] = Field(
        max_length=50, description="2 to 10 labels"
    )
    impact_labels: list[Annotated[Text, Field(max_length=MAX_LABEL)]] = Field(
        max_length=50, description="2 to 10 labels"
    )
    score_rule: RiskMethod.ScoreRule
    acceptance_threshold: int = Field(description="Scores up to this value may be accepted")
    bands: list[BandIn] = Field(max_length=50, description="Lowest band first")


class OrganizationQuery(Schema):
    organization: Text | None = Field(
        None, max_length=60, description="Organization slug (needed if you belong to several)"
    )


class HeatmapQuery(OrganizationQuery):
    kind: Risk.Kind | None = Field(None, description="Only risks of this kind")
    basis: Literal["inherent", "residual"] = Field(
        "inherent", description="Ratings before (inherent) or after (residual) treatment"
    )


class HeatCellOut(Schema):
    likelihood: int
    impact: int
    count: int
    score: int
    band: str
    colour: str


class HeatRowOut(Schema):
    likelihood: int
    label: str
    cells: list[HeatCellOut]


class HeatmapOut(Schema):
    organization: str
    kind: Risk.Kind | None
    basis: str
    impact_labels: list[str] = Field(description="Column headers, impact level 1 first")
    rows: list[HeatRowOut] = Field(description="Likelihood levels, the highest first")
    total: int
    rated: int
    unrated: int = Field(description="Risks without this rating yet")
    off_scale: int = Field(description="Risks rated outside the current scales")


class ActionOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    risk: int = Field(alias="risk_id")
    risk_code: str = Field(alias="risk.code")
    description: str
    owner: str | None = Field(description="E-mail of the owner")
    due_date: dt.date | None
    status: TreatmentAction.Status
    completed_on: dt.date | None
    overdue: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(obj: TreatmentAction) -> str | None:
        return obj.owner.email if obj.owner else None

    @staticmethod
    def resolve_overdue(obj: TreatmentAction) -> bool:
        return action_services.is_overdue(obj)


class ActionCreate(Input):
    risk: Id = Field(description="Id of the risk whose treatment plan gets the action")
    description: Text = Field(max_length=300)
    owner: Text | None = Field(None, max_length=254, description="E-mail of a member")
    due_date: dt.date | None = Field(None, description="Required while open")
    status: TreatmentAction.Status = TreatmentAction.Status.OPEN
    completed_on: dt.date | None = Field(None, description="For a done action; today if empty")


class ActionUpdate(Input):
    # Fields that cannot be empty default to None (left alone) but refuse an explicit null.
    description: Text = omitted(max_length=300)
    owner: Text | None = Field(None, max_length=254, description="E-mail of a member, or null")
    due_date: dt.date | None = None
    status: TreatmentAction.Status = omitted()
    completed_on: dt.date | None = None


class ActionComplete(Input):
    on: dt.date | None = Field(None, description="Completion date; today when left out")


class ActionFilter(Schema):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    risk: Id | None = Field(None, description="Only the actions of this risk")
    status: TreatmentAction.Status | None = None
    overdue: bool | None = Field(None, description="Open and past the due date (or not)")


# --- lookups ------------------------------------------------------------------------------


def _organization(request, slug: str | None) -> Organization:
    """One of the user's organizations: the one named, or the only one."""
    return organization_for(request.auth, slug)


def _viewable(request, slug: str | None, model) -> Organization:
    """The organization, if the user's role there may see `model` (404 otherwise)."""
    return organization_for(request.auth, slug, may_view=model)


def _method_out(method: RiskMethod) -> dict:
    return {
        "organization": method.organization.slug,
        "saved": method.pk is not None,
        "name": method.name,
        "likelihood_labels": method.likelihood_labels,
        "impact_labels": method.impact_labels,
        "score_rule": method.score_rule,
        "acceptance_threshold": method.acceptance_threshold,
        "max_score": scoring.max_score(method),
        "bands": method.bands,
        "updated_at": method.updated_at if method.pk else None,
    }


def _member(organization, email: str | None) -> User | None:
    if email is None:
        return None
    user = User.objects.filter(
        email__iexact=email.strip(), is_active=True, memberships__organization=organization
    ).first()
    if user is None:
        raise ValidationFailed.single("owner", f"{email} is not a member of {organization}.")
    return user


def _actions(user) -> QuerySet[TreatmentAction]:
    return scope(
        TreatmentAction.objects.select_related("organization", "risk", "owner"), user
    ).order_by("due_date", "pk")


def _action(request, action_id: int) -> TreatmentAction:
    return get_object_or_404(_actions(request.auth), pk=action_id)


# --- the risk method ----------------------------------------------------------------------


@router.get("/risk-method/", response=responses(MethodOut), tags=["risks"])
def get_risk_method(request, filters: Query[OrganizationQuery]):
    """The organization's risk method (the default one until it saves its own)."""
    organization = _viewable(request, filters.organization, RiskMethod)
    return _method_out(method_services.method_for(organization))


@router.put("/risk-method/", response=responses(MethodOut), tags=["risks"])
def put_risk_method(request, filters: Query[OrganizationQuery], payload: MethodIn):
    """Set the whole method; every risk and AI impact assessment is re-scored on it. A scale
    may not lose a level some rating still uses."""
    organization = _viewable(request, filters.organization, RiskMethod)
    data = payload.model_dump(exclude_unset=True)
    if data.get("name") is None:
        data.pop("name", None)
    method = method_services.update_method(organization, actor=request.auth, **data)
    return _method_out(method)


# --- the heat map -------------------------------------------------------------------------


@router.get("/risks/heatmap/", response=responses(HeatmapOut), tags=["risks"])
def get_risk_heatmap(request, filters: Query[HeatmapQuery]):
    """How many risks sit in each cell of likelihood and impact."""
    organization = _viewable(request, filters.organization, Risk)
    grid = risk_heat_map(organization, request.auth, kind=filters.kind, basis=filters.basis)
    return {
        "organization": organization.slug,
        "kind": filters.kind,
        "basis": filters.basis,
        **grid.as_dict(),
    }


# --- treatment actions --------------------------------------------------------------------


@router.get("/risk-actions/", response=responses(list[ActionOut]), tags=["risks"])
@paginate(Page)
def list_risk_actions(request, filters: Query[ActionFilter]):
    """Treatment actions of the risks you may see."""
    qs = _actions(request.auth)
    if filters.organization:
        qs = qs.filter(organization__slug=filters.organization)
    if filters.risk is not None:
        qs = qs.filter(risk_id=filters.risk)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.overdue is not None:
        overdue = action_services.overdue_q()
        qs = qs.filter(overdue) if filters.overdue else qs.exclude(overdue)
    return qs


@router.post("/risk-actions/", response=responses(ActionOut, 201), tags=["risks"])
def create_risk_action(request, payload: ActionCreate):
    """Add an action to a risk's treatment plan (whoever may change the risk)."""
    risk = get_object_or_404(
        Risk.objects.filter(organization_id__in=visible_organization_ids(request.auth)),
        pk=payload.risk,
    )
    data = payload.model_dump(exclude={"risk"})
    data["owner"] = _member(risk.organization, data["owner"])
    action = action_services.add_treatment_action(risk, actor=request.auth, **data)
    return Status(201, _actions(request.auth).get(pk=action.pk))


@router.get("/risk-actions/{action_id}/", response=responses(ActionOut), tags=["risks"])
def get_risk_action(request, action_id: int):
    return announce(_action(request, action_id))


@router.patch("/risk-actions/{action_id}/", response=responses(ActionOut), tags=["risks"])
def update_risk_action(request, action_id: int, payload: ActionUpdate):
    action = _action(request, action_id)
    data = payload.model_dump(exclude_unset=True)
    for name in ("description", "status"):
        if name in data and data[name] is None:
            raise ValidationFailed.single(name, "This field cannot be empty.")
    if "owner" in data:
        data["owner"] = _member(action.organization, data["owner"])
    action_services.update_treatment_action(action, actor=request.auth, **data)
    return _action(request, action_id)


@router.post("/risk-actions/{action_id}/complete/", response=responses(ActionOut), tags=["risks"])
def complete_risk_action(request, action_id: int, payload: ActionComplete):
    """Mark an open action done; the action's owner may do this too."""
    action = _action(request, action_id)
    action_services.complete_treatment_action(action, actor=request.auth, on=payload.on)
    return _action(request, action_id)


@router.delete("/risk-actions/{action_id}/", response=responses(None, 204), tags=["risks"])
def delete_risk_action(request, action_id: int):
    action_services.delete_treatment_action(_action(request, action_id), actor=request.auth)
    return Status(204, None)


@router.get(
    "/risk-actions/{action_id}/history/",
    response=responses(list[ActivityOut]),
    tags=["risks"],
)
@paginate(Page)
def risk_action_history(request, action_id: int):
    return history_of(_action(request, action_id), request.auth)
