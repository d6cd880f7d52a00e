"""API of business continuity beyond the registers: prioritized activities, an analysis's
impact grid, the exercise programme, the exercise steps (complete, cancel) and sending an
improvement to corrective action. Thin endpoints over `services` and `selectors`."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from pdca.continuity import pages, selectors, services
from pdca.continuity.method.api import ContinuityOrganizationQuery
from pdca.continuity.models import (
    BusinessImpactAnalysis,
    Exercise,
    ExerciseImprovement,
)
from pdca.core.api import Input, Text, organization_for, responses
from pdca.core.concurrency import announce
from pdca.core.permissions import scope

router = Router()
TAG = "continuity"


class PrioritizedOut(Schema):
    id: int
    activity: str
    priority: int | None
    mtpd_hours: int | None = Field(description="The MTPD chosen, or else the suggested one")
    mtpd_chosen: bool
    rto_hours: int | None
    rpo_hours: int | None
    mbco: str
    url: str


class ImpactsOut(Schema):
    id: int
    method: dict = Field(description="The BIA method the grid was assessed with (snapshot)")
    impacts: dict[str, list[int | None]] = Field(
        description="{category key: [level or null per time point of the snapshot]}"
    )
    suggested_mtpd_hours: int | None
    mtpd_hours: int | None
    rto_hours: int | None
    priority: int | None
    method_is_current: bool


class ImpactsIn(Input):
    impacts: dict[str, list[int | None]] = Field(
        description="{category key: [level or null per time point]} on the current method"
    )


class PlanExercisedOut(Schema):
    id: int
    title: str
    last_exercised: dt.date | None
    overdue: bool = Field(description="Not exercised in the last 12 months")


class ProgrammeExerciseOut(Schema):
    id: int
    title: str
    exercise_type: str
    planned_date: dt.date
    status: str
    actual_date: dt.date | None
    rto_achieved: bool | None


class ProgrammeOut(Schema):
    organization: str
    exercises: list[ProgrammeExerciseOut]
    plans: list[PlanExercisedOut]
    plans_not_exercised: list[int] = Field(description="Ids of plans not exercised in 12 months")


class CompleteIn(Input):
    actual_date: dt.date
    objectives_met: Exercise.Met
    measured_recovery_hours: int | None = Field(None, ge=0, le=services.MAX_RECOVERY_HOURS)
    observations: Text = Field("", max_length=5000)


class CancelIn(Input):
    reason: Text = Field(..., min_length=1, max_length=500)


class ExerciseResultOut(Schema):
    id: int
    status: str
    actual_date: dt.date | None
    objectives_met: str
    measured_recovery_hours: int | None
    rto_target_hours: int | None
    rto_achieved: bool | None
    observations: str


class RaisedOut(Schema):
    improvement: int
    nonconformity: int
    nonconformity_url: str


def _impacts_out(bia: BusinessImpactAnalysis) -> dict:
    from pdca.continuity.method.services import method_for, snapshot_of

    return {
        "id": bia.pk,
        "method": bia.method_snapshot,
        "impacts": bia.impacts,
        "suggested_mtpd_hours": bia.suggested_mtpd_hours,
        "mtpd_hours": bia.mtpd_hours,
        "rto_hours": bia.rto_hours,
        "priority": bia.priority,
        "method_is_current": bia.method_snapshot == snapshot_of(method_for(bia.organization)),
    }


def _bia(request, bia_id: int) -> BusinessImpactAnalysis:
    return get_object_or_404(
        scope(BusinessImpactAnalysis.objects.select_related("organization"), request.auth),
        pk=bia_id,
    )


def _exercise_out(exercise: Exercise) -> dict:
    return {
        f: getattr(exercise, f)
        for f in (
            "status",
            "actual_date",
            "objectives_met",
            "measured_recovery_hours",
            "rto_target_hours",
            "rto_achieved",
            "observations",
        )
    } | {"id": exercise.pk}


def _exercise(request, exercise_id: int) -> Exercise:
    return get_object_or_404(
        scope(Exercise.objects.select_related("organization"), request.auth), pk=exercise_id
    )


@router.get(
    "/business-impact-analyses/prioritized/",
    response=responses(list[PrioritizedOut]),
    tags=[TAG],
)
def list_prioritized_activities(request, filters: Query[ContinuityOrganizationQuery]):
    """The organization's analysed activities, shortest MTPD first (unranked ones last)."""
    organization = organization_for(
        request.auth, filters.organization, may_view=BusinessImpactAnalysis
    )
    return [
        {
            "id": bia.pk,
            "activity": bia.activity,
            "priority": bia.priority,
            "mtpd_hours": getattr(bia, "mtpd", None),
            "mtpd_chosen": bia.mtpd_hours is not None,
            "rto_hours": bia.rto_hours,
            "rpo_hours": bia.rpo_hours,
            "mbco": bia.mbco,
            "url": f"/business-impact-analyses/{bia.pk}/",
        }
        for bia in selectors.prioritized_activities(request.auth, organization)
    ]


@router.get(
    "/business-impact-analyses/{int:bia_id}/impacts/",
    response=responses(ImpactsOut),
    tags=[TAG],
)
def get_bia_impacts(request, bia_id: int):
    """The analysis's impact grid with the method it was assessed with."""
    return _impacts_out(announce(_bia(request, bia_id)))


@router.put(
    "/business-impact-analyses/{int:bia_id}/impacts/",
    response=responses(ImpactsOut),
    tags=[TAG],
)
def put_bia_impacts(request, bia_id: int, payload: ImpactsIn):
    """Assess the grid on the current method (the analysis keeps it as its snapshot); the
    suggested MTPD and the priority follow. Refused (422 `rto_hours`) when the RTO would no
    longer be within the MTPD."""
    bia = services.assess_impacts(
        _bia(request, bia_id), actor=request.auth, impacts=payload.impacts
    )
    return _impacts_out(bia)


@router.get("/exercises/programme/", response=responses(ProgrammeOut), tags=[TAG])
def get_exercise_programme(request, filters: Query[ContinuityOrganizationQuery]):
    """Every current exercise, and each plan with its last exercise date; plans not exercised
    in the last 12 months are flagged."""
    organization = organization_for(request.auth, filters.organization, may_view=Exercise)
    plans = selectors.plans_exercised(request.auth, organization)
    return {
        "organization": organization.slug,
        "exercises": list(selectors.exercise_programme(request.auth, organization)),
        "plans": [
            {
                "id": row.plan.pk,
                "title": row.plan.title,
                "last_exercised": row.last_exercised,
                "overdue": row.overdue,
            }
            for row in plans
        ],
        "plans_not_exercised": [row.plan.pk for row in plans if row.overdue],
    }


@router.post(
    "/exercises/{int:exercise_id}/complete/",
    response=responses(ExerciseResultOut),
    tags=[TAG],
)
def complete_exercise(request, exercise_id: int, payload: CompleteIn):
    """Record that a planned exercise took place, with its results; the measured recovery time
    is compared with the shortest RTO of the activities exercised. 409 `not_planned` when it is
    done or cancelled already."""
    exercise = services.complete_exercise(
        _exercise(request, exercise_id), actor=request.auth, **payload.model_dump()
    )
    return _exercise_out(exercise)


@router.post(
    "/exercises/{int:exercise_id}/cancel/",
    response=responses(ExerciseResultOut),
    tags=[TAG],
)
def cancel_exercise(request, exercise_id: int, payload: CancelIn):
    """Cancel a planned exercise, with the reason."""
    exercise = services.cancel_exercise(
        _exercise(request, exercise_id), actor=request.auth, reason=payload.reason
    )
    return _exercise_out(exercise)


@router.post(
    "/exercise-improvements/{int:improvement_id}/raise-nonconformity/",
    response=responses(RaisedOut, 201),
    tags=[TAG],
)
def raise_improvement_nonconformity(request, improvement_id: int):
    """The improvement needs corrective action: open one nonconformity linked to it. 409
    `nonconformity_exists` when it opened one already."""
    improvement = get_object_or_404(
        scope(ExerciseImprovement.objects.select_related("organization"), request.auth),
        pk=improvement_id,
    )
    nonconformity = services.raise_nonconformity(improvement, actor=request.auth)
    return Status(
        201,
        {
            "improvement": improvement.pk,
            "nonconformity": nonconformity.pk,
            "nonconformity_url": pages.nonconformity_url(nonconformity.pk),
        },
    )
