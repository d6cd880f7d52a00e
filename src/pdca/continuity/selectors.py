"""Read-side queries of business continuity, scoped to what the user may see: prioritized
activities (by MTPD) and the exercise programme (plans not exercised within twelve months)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from pdca.continuity.models import BusinessImpactAnalysis, ContinuityPlan, Exercise
from pdca.core.permissions import scope

#: A plan counts as exercised when an exercise of it was done within this many days.
EXERCISE_INTERVAL_DAYS = 365


def prioritized_activities(user: Any, organization: Any) -> QuerySet[BusinessImpactAnalysis]:
    """The organization's current analyses, shortest MTPD first (the chosen one, or the
    grid's suggestion); those without an MTPD come last."""
    return (
        scope(BusinessImpactAnalysis.objects.filter(organization=organization), user)
        .filter(archived_at__isnull=True)
        .select_related("owner", "site", "process")
        .annotate(mtpd=Coalesce("mtpd_hours", "suggested_mtpd_hours"))
        .order_by(F("mtpd").asc(nulls_last=True), "activity", "pk")
    )


@dataclass(frozen=True)
class PlanExercised:
    plan: ContinuityPlan
    last_exercised: dt.date | None
    #: True when the plan was not exercised within the interval (or never).
    overdue: bool


def plans_exercised(
    user: Any, organization: Any, *, today: dt.date | None = None
) -> list[PlanExercised]:
    """Each current plan with the date of its last completed exercise, those not exercised
    within twelve months first (one query)."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=EXERCISE_INTERVAL_DAYS)
    plans = (
        scope(ContinuityPlan.objects.filter(organization=organization), user)
        .filter(archived_at__isnull=True)
        .annotate(
            last_exercised=Max(
                "exercises__actual_date",
                filter=Q(
                    exercises__status=Exercise.Status.DONE,
                    exercises__archived_at__isnull=True,
                ),
            )
        )
        .order_by(F("last_exercised").asc(nulls_first=True), "title", "pk")
    )
    return [
        PlanExercised(
            plan, plan.last_exercised, plan.last_exercised is None or plan.last_exercised < since
        )
        for plan in plans
    ]


def plans_not_exercised(
    user: Any, organization: Any, *, today: dt.date | None = None
) -> list[ContinuityPlan]:
    """The current plans with no completed exercise in the last twelve months."""
    return [row.plan for row in plans_exercised(user, organization, today=today) if row.overdue]


def exercise_programme(user: Any, organization: Any) -> QuerySet[Exercise]:
    """The organization's exercises, the latest planned date first."""
    return (
        scope(Exercise.objects.filter(organization=organization), user)
        .filter(archived_at__isnull=True)
        .select_related("owner")
        .prefetch_related("plans")
        .order_by("-planned_date", "pk")
    )
