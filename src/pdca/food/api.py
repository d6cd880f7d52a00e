"""API of this app: its registers (built by `core.registers`), the food safety method, PRP
verifications, monitoring deviations and the exercise's nonconformity step. Thin endpoints
over `method_services` and `services`."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.accounts.models import User
from pdca.core.api import Id, Input, Page, Text, omitted, organization_for, responses
from pdca.core.concurrency import announce
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import scope, visible_organization_ids
from pdca.core.registers.api import add_register_routes
from pdca.food import method_services, services
from pdca.food.models import (
    FoodSafetyMethod,
    HazardControlPlan,
    MonitoringDeviation,
    PrerequisiteProgramme,
    PrpVerification,
    TraceabilityExercise,
)
from pdca.food.registers import EXERCISES, SPECS

router = Router()
TAG = "food safety"


# --- the food safety method -------------------------------------------------------------------


class FoodMethodOut(Schema):
    organization: str
    saved: bool = Field(description="False while the organization uses the default method")
    name: str
    likelihood_labels: list[str] = Field(description="Level 1 first")
    severity_labels: list[str] = Field(description="Level 1 first")
    significance_threshold: int = Field(description="Scores at or above it are significant")
    max_score: int
    trace_target_hours: float
    reconciliation_target_percent: float
    updated_at: dt.datetime | None


Label = Annotated[Text, Field(max_length=method_services.MAX_LABEL)]


class FoodMethodIn(Input):
    name: Text = omitted(min_length=1, max_length=100, description="Kept when left out")
    likelihood_labels: list[Label] = Field(max_length=50, description="2 to 10 labels")
    severity_labels: list[Label] = Field(max_length=50, description="2 to 10 labels")
    significance_threshold: int = Field(ge=1, le=10_000)
    trace_target_hours: Decimal = Field(
        ge=Decimal("0.1"), le=Decimal("720"), allow_inf_nan=False, decimal_places=1
    )
    reconciliation_target_percent: Decimal = Field(
        ge=Decimal("1"), le=Decimal("100"), allow_inf_nan=False, decimal_places=1
    )


class FoodOrganizationQuery(Schema):
    organization: Text | None = Field(
        None, max_length=60, description="Organization slug (needed if you belong to several)"
    )


def _method_out(method: FoodSafetyMethod) -> dict:
    return {
        "organization": method.organization.slug,
        "saved": method.pk is not None,
        "name": method.name,
        "likelihood_labels": method.likelihood_labels,
        "severity_labels": method.severity_labels,
        "significance_threshold": method.significance_threshold,
        "max_score": method.max_score,
        "trace_target_hours": float(method.trace_target_hours),
        "reconciliation_target_percent": float(method.reconciliation_target_percent),
        "updated_at": method.updated_at if method.pk else None,
    }


@router.get("/food-safety-method/", response=responses(FoodMethodOut), tags=[TAG])
def get_food_safety_method(request, filters: Query[FoodOrganizationQuery]):
    """The organization's food safety method (the default one until it saves its own)."""
    organization = organization_for(request.auth, filters.organization, may_view=FoodSafetyMethod)
    method = method_services.method_for(organization)
    if method.pk:
        announce(method)
    return _method_out(method)


@router.put("/food-safety-method/", response=responses(FoodMethodOut), tags=[TAG])
def put_food_safety_method(request, filters: Query[FoodOrganizationQuery], payload: FoodMethodIn):
    """Set the whole method. Earlier hazard analyses and exercises keep the copy they were
    judged on until they are next edited."""
    organization = organization_for(request.auth, filters.organization, may_view=FoodSafetyMethod)
    data = payload.model_dump(exclude_unset=True)
    if data.get("name") is None:
        data.pop("name", None)
    method = method_services.update_method(organization, actor=request.auth, **data)
    return _method_out(announce(method))


# --- PRP verifications ------------------------------------------------------------------------


class PrpVerificationOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    programme: int = Field(alias="programme_id")
    programme_title: str = Field(alias="programme.title")
    verified_on: dt.date
    verifier: int | None = Field(alias="verifier_id", description="User id of the verifier")
    result: PrpVerification.Result
    notes: str
    evidence: str
    nonconformity: int | None = Field(
        alias="nonconformity_id", description="The nonconformity it opened"
    )
    url: str
    created_at: dt.datetime

    @staticmethod
    def resolve_url(obj: PrpVerification) -> str:
        return f"/prp-verifications/{obj.pk}/"


class PrpVerificationIn(Input):
    organization: Text | None = Field(
        None, max_length=60, description="Organization slug; when given, it must be the row's"
    )
    programme: Id = Field(description="Id of the prerequisite programme verified")
    verified_on: dt.date
    result: PrpVerification.Result
    verifier: Id | None = Field(None, description="User id of the verifier (a member)")
    notes: Text = Field("", max_length=5000, description="Needed when not conforming")
    evidence: Text = Field("", max_length=5000)


class PrpVerificationFilter(Schema):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    programme: Id | None = Field(None, description="Only this programme's verifications")
    result: PrpVerification.Result | None = None


def _verifications(user) -> QuerySet[PrpVerification]:
    return scope(
        PrpVerification.objects.select_related("organization", "programme"), user
    ).order_by("-verified_on", "-pk")


def _same_organization(target, slug: str | None) -> None:
    if slug is not None and slug != target.organization.slug:
        raise ValidationFailed.single(
            "organization", f"“{target}” belongs to another organization."
        )


def _user(organization, user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(
        pk=user_id, is_active=True, memberships__organization=organization
    ).first()
    if user is None:
        raise ValidationFailed.single(field, f"User {user_id} is not a member of {organization}.")
    return user


@router.get("/prp-verifications/", response=responses(list[PrpVerificationOut]), tags=[TAG])
@paginate(Page)
def list_prp_verifications(request, filters: Query[PrpVerificationFilter]):
    """Verifications of the prerequisite programmes you may see, newest first."""
    rows = _verifications(request.auth)
    if filters.organization:
        rows = rows.filter(organization__slug=filters.organization)
    if filters.programme is not None:
        rows = rows.filter(programme_id=filters.programme)
    if filters.result:
        rows = rows.filter(result=filters.result)
    return rows


@router.post("/prp-verifications/", response=responses(PrpVerificationOut, 201), tags=[TAG])
def create_prp_verification(request, payload: PrpVerificationIn):
    """Record a verification of a prerequisite programme (implementers, or the programme's
    owner). One that does not conform opens a nonconformity (its id in `nonconformity`)."""
    # Found among the user's organizations, so that a member who may not record gets 403.
    programme = get_object_or_404(
        PrerequisiteProgramme.objects.select_related("organization").filter(
            organization_id__in=visible_organization_ids(request.auth)
        ),
        pk=payload.programme,
    )
    _same_organization(programme, payload.organization)
    data = payload.model_dump(exclude={"programme", "organization"})
    data["verifier"] = _user(programme.organization, data["verifier"], "verifier")
    verification = services.record_prp_verification(programme, actor=request.auth, **data)
    return Status(201, _verifications(request.auth).get(pk=verification.pk))


@router.get(
    "/prp-verifications/{verification_id}/", response=responses(PrpVerificationOut), tags=[TAG]
)
def get_prp_verification(request, verification_id: int):
    return get_object_or_404(_verifications(request.auth), pk=verification_id)


# --- monitoring deviations --------------------------------------------------------------------


class MonitoringDeviationOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    plan: int = Field(alias="plan_id", description="Id of the hazard control plan entry")
    plan_code: str = Field(alias="plan.code")
    occurred_on: dt.date
    value: float | None
    observation: str
    product_affected: str
    product_action: MonitoringDeviation.ProductAction
    correction: str
    recorded_by: int | None = Field(alias="recorded_by_id")
    nonconformity: int | None = Field(
        alias="nonconformity_id", description="The nonconformity it opened"
    )
    url: str
    created_at: dt.datetime

    @staticmethod
    def resolve_url(obj: MonitoringDeviation) -> str:
        return f"/monitoring-deviations/{obj.pk}/"

    @staticmethod
    def resolve_value(obj: MonitoringDeviation) -> float | None:
        return float(obj.value) if obj.value is not None else None


class MonitoringDeviationIn(Input):
    organization: Text | None = Field(
        None, max_length=60, description="Organization slug; when given, it must be the row's"
    )
    plan: Id = Field(description="Id of the hazard control plan entry (CCP or OPRP)")
    occurred_on: dt.date
    value: Decimal | None = Field(
        None,
        allow_inf_nan=False,
        max_digits=12,
        decimal_places=3,
        description="The value measured; required for a CCP, and outside its limits",
    )
    observation: Text = Field("", max_length=5000)
    product_affected: Text = Field("", max_length=200)
    product_action: MonitoringDeviation.ProductAction
    correction: Text = Field(..., min_length=1, max_length=5000)


class MonitoringDeviationFilter(Schema):
    organization: Text | None = Field(None, max_length=60, description="Organization slug")
    plan: Id | None = Field(None, description="Only this plan entry's deviations")


def _deviations(user) -> QuerySet[MonitoringDeviation]:
    return scope(MonitoringDeviation.objects.select_related("organization", "plan"), user).order_by(
        "-occurred_on", "-pk"
    )


@router.get("/monitoring-deviations/", response=responses(list[MonitoringDeviationOut]), tags=[TAG])
@paginate(Page)
def list_monitoring_deviations(request, filters: Query[MonitoringDeviationFilter]):
    """Monitoring results outside a CCP's limits or an OPRP's criteria, newest first."""
    rows = _deviations(request.auth)
    if filters.organization:
        rows = rows.filter(organization__slug=filters.organization)
    if filters.plan is not None:
        rows = rows.filter(plan_id=filters.plan)
    return rows


@router.post("/monitoring-deviations/", response=responses(MonitoringDeviationOut, 201), tags=[TAG])
def create_monitoring_deviation(request, payload: MonitoringDeviationIn):
    """Record a deviation (implementers, or the plan entry's owner); it opens exactly one
    nonconformity (its id in `nonconformity`)."""
    plan = get_object_or_404(
        HazardControlPlan.objects.filter(
            organization_id__in=visible_organization_ids(request.auth)
        ),
        pk=payload.plan,
    )
    _same_organization(plan, payload.organization)
    data = payload.model_dump(exclude={"plan", "organization"})
    deviation = services.record_deviation(plan, actor=request.auth, **data)
    return Status(201, _deviations(request.auth).get(pk=deviation.pk))


@router.get(
    "/monitoring-deviations/{deviation_id}/", response=responses(MonitoringDeviationOut), tags=[TAG]
)
def get_monitoring_deviation(request, deviation_id: int):
    return get_object_or_404(_deviations(request.auth), pk=deviation_id)


# --- a failed exercise's nonconformity --------------------------------------------------------


class ExerciseNonconformityOut(Schema):
    exercise: int = Field(description="Id of the exercise")
    nonconformity: int = Field(description="Id of the nonconformity it opened")
    url: str = Field(description="The nonconformity's page")


@router.post(
    "/traceability-exercises/{entry_id}/raise-nonconformity/",
    response=responses(ExerciseNonconformityOut, 201),
    tags=[EXERCISES.title],
    operation_id="raise_traceability_exercise_nonconformity",
)
def raise_exercise_nonconformity(request, entry_id: int):
    """Open a nonconformity for a failed exercise (409 `exercise_not_failed` otherwise, 409
    `nonconformity_exists` when one is open already)."""
    rows = scope(TraceabilityExercise.objects.select_related("organization"), request.auth)
    exercise = get_object_or_404(rows, pk=entry_id)
    nonconformity = services.raise_exercise_nonconformity(exercise, actor=request.auth)
    return Status(
        201,
        {
            "exercise": exercise.pk,
            "nonconformity": nonconformity.pk,
            "url": f"/nonconformities/{nonconformity.pk}/",
        },
    )


for spec in SPECS:
    add_register_routes(router, spec)
