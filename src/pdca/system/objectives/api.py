"""API of objective tracking: measurements (list, record, correct, delete, history) and where
an objective stands (`/objectives/{id}/tracking/`). Thin endpoints over
`pdca.system.objectives.services`; the objectives themselves are served by the register
framework."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.core.activity_api import ActivityOut
from pdca.core.api import Id, Input, Page, Text, omitted, responses
from pdca.core.concurrency import announce
from pdca.core.permissions import scope, visible_organization_ids
from pdca.core.selectors import history_of
from pdca.system.models import Measurement, Objective
from pdca.system.objectives import services as objectives

router = Router()

#: What a measurement's value column holds: 14 digits, 4 of them decimals, finite.
Value = Annotated[
    Decimal, Field(max_digits=14, decimal_places=4, allow_inf_nan=False, examples=["12.5"])
]


# --- schemas ------------------------------------------------------------------------------


class MeasurementOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    objective: int = Field(alias="objective_id")
    measured_on: dt.date
    value: float
    note: str
    recorded_by: str | None = Field(description="E-mail of who recorded it")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_recorded_by(obj: Measurement) -> str | None:
        return obj.recorded_by.email if obj.recorded_by else None


class MeasurementCreate(Input):
    objective: Id = Field(description="Objective id")
    measured_on: dt.date = Field(description="One measurement per objective and day")
    value: Value
    note: Text = Field("", max_length=300)


class MeasurementUpdate(Input):
    # Fields that cannot be empty default to None (left alone) but refuse an explicit null.
    measured_on: dt.date = omitted()
    value: Value = omitted()
    note: Text = omitted(max_length=300)


class MeasurementFilter(Schema):
    objective: Id | None = Field(None, description="Objective id")
    organization: Text | None = Field(None, max_length=60, description="Organization slug")


class TrackingOut(Schema):
    objective: int
    status: str = Field(
        description="no_data, achieved, on_track, at_risk, off_track; for closed objectives "
        "their status (achieved, not_achieved, cancelled)"
    )
    label: str
    closed: bool
    expected: float | None = Field(
        description="The value the plan expects on the latest measurement's date (on today's "
        "date without measurements)"
    )
    gap: float | None = Field(
        description="How far the latest value is ahead of the plan (negative: behind)"
    )
    latest: float | None = Field(description="The latest measured value")
    latest_on: dt.date | None
    stale: bool = Field(description="The latest measurement is older than 90 days")
    target: float
    due_date: dt.date
    unit: str


# --- lookups ------------------------------------------------------------------------------


def _measurements(user) -> QuerySet[Measurement]:
    return scope(
        Measurement.objects.select_related("organization", "recorded_by", "objective"), user
    ).order_by("objective_id", "-measured_on", "-id")


def _measurement(request, measurement_id: int) -> Measurement:
    return get_object_or_404(_measurements(request.auth), pk=measurement_id)


def _objective_of_member(request, objective_id: int) -> Objective:
    """An objective of one of the user's organizations, for writes: a member without the
    right gets 403 from the service, someone of another organization 404."""
    return get_object_or_404(
        Objective.objects.filter(organization_id__in=visible_organization_ids(request.auth)),
        pk=objective_id,
    )


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# --- measurements -------------------------------------------------------------------------


@router.get("/measurements/", response=responses(list[MeasurementOut]), tags=["objectives"])
@paginate(Page)
def list_measurements(request, filters: Query[MeasurementFilter]):
    """Measurements of the objectives you may see, newest first per objective."""
    qs = _measurements(request.auth)
    if filters.objective is not None:
        qs = qs.filter(objective_id=filters.objective)
    if filters.organization:
        qs = qs.filter(organization__slug=filters.organization)
    return qs


@router.post("/measurements/", response=responses(MeasurementOut, 201), tags=["objectives"])
def create_measurement(request, payload: MeasurementCreate):
    """Record the objective's indicator on a date (whoever may change the objective may)."""
    objective = _objective_of_member(request, payload.objective)
    measurement = objectives.record_measurement(
        objective,
        measured_on=payload.measured_on,
        value=payload.value,
        note=payload.note,
        actor=request.auth,
    )
    return Status(201, _measurement(request, measurement.pk))


@router.get(
    "/measurements/{measurement_id}/", response=responses(MeasurementOut), tags=["objectives"]
)
def get_measurement(request, measurement_id: int):
    return announce(_measurement(request, measurement_id))


@router.patch(
    "/measurements/{measurement_id}/", response=responses(MeasurementOut), tags=["objectives"]
)
def update_measurement(request, measurement_id: int, payload: MeasurementUpdate):
    """Correct a measurement's date, value or note."""
    measurement = _measurement(request, measurement_id)
    objectives.update_measurement(
        measurement, actor=request.auth, **payload.model_dump(exclude_unset=True)
    )
    return _measurement(request, measurement.pk)


@router.delete(
    "/measurements/{measurement_id}/", response=responses(None, 204), tags=["objectives"]
)
def delete_measurement(request, measurement_id: int):
    objectives.delete_measurement(_measurement(request, measurement_id), actor=request.auth)
    return Status(204, None)


@router.get(
    "/measurements/{measurement_id}/history/",
    response=responses(list[ActivityOut]),
    tags=["objectives"],
)
@paginate(Page)
def measurement_history(request, measurement_id: int):
    return history_of(_measurement(request, measurement_id), request.auth)


# --- tracking -----------------------------------------------------------------------------


@router.get(
    "/objectives/{objective_id}/tracking/", response=responses(TrackingOut), tags=["objectives"]
)
def objective_tracking(request, objective_id: int):
    """Where the objective stands: on track, at risk, off track, achieved or no data, with the
    value its plan expects and the gap to it."""
    objective = get_object_or_404(
        objectives.with_latest(scope(Objective.objects.all(), request.auth)), pk=objective_id
    )
    status = objective.tracking
    return {
        "objective": objective.pk,
        "status": status.status,
        "label": status.label,
        "closed": status.closed,
        "expected": _float(status.expected),
        "gap": _float(status.gap),
        "latest": _float(status.latest),
        "latest_on": status.latest_on,
        "stale": status.stale,
        "target": float(objective.target),
        "due_date": objective.due_date,
        "unit": objective.unit,
    }
