"""The business-continuity parts of register pages: what an analysis, a plan, an exercise and
an improvement show beyond their fields (the impact grid on its method snapshot, the children
with links to add more, the results and the steps the user may take)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from pdca.continuity.durations import duration_label
from pdca.continuity.method.services import method_for, snapshot_of
from pdca.continuity.models import (
    BiaDependency,
    BusinessImpactAnalysis,
    ContinuityPlan,
    Exercise,
    ExerciseImprovement,
    PlanContact,
    PlanRole,
)
from pdca.core.permissions import may
from pdca.core.records.rules import closed_reason


def _add_url(
    request: Any, model: type, slug: str, parent: str, obj: Any, *, closed_too: bool = False
) -> str | None:
    if (closed_reason(obj) and not closed_too) or not may(
        request.user, "add", model, organization=obj.organization
    ):
        return None
    return f"{reverse(f'continuity:{slug}-create')}?{parent}={obj.pk}"


def impact_rows(bia: BusinessImpactAnalysis) -> dict[str, Any]:
    """The grid as its snapshot reads it: one row per category, a cell per time point with
    the level, its label, and whether it is intolerable."""
    snap = bia.method_snapshot or {}
    points = snap.get("time_points") or []
    intolerable = snap.get("intolerable_level") or 0
    rows = []
    for category in snap.get("categories") or []:
        levels = (bia.impacts or {}).get(category["key"]) or [None] * len(points)
        cells = []
        for index, _point in enumerate(points):
            level: Any = levels[index] if index < len(levels) else None
            label = category["levels"][level - 1] if level else ""
            cells.append(
                {
                    "level": level,
                    "label": label,
                    "intolerable": bool(level) and level >= intolerable,
                }
            )
        rows.append({"name": category["name"], "cells": cells})
    return {
        "points": points,
        "rows": rows,
        "intolerable_level": intolerable,
        "method_name": snap.get("name", ""),
    }


def bia_context(request: Any, bia: BusinessImpactAnalysis) -> dict[str, Any]:
    current = snapshot_of(method_for(bia.organization))
    can_change = may(request.user, "change", bia) and not closed_reason(bia)
    return {
        **impact_rows(bia),
        "suggested": duration_label(bia.suggested_mtpd_hours),
        "mtpd": duration_label(bia.mtpd_effective_hours),
        "rto": duration_label(bia.rto_hours),
        "rpo": duration_label(bia.rpo_hours),
        "method_changed": bool(bia.method_snapshot) and bia.method_snapshot != current,
        "assess_url": reverse("continuity:bia-impacts", args=[bia.pk]) if can_change else None,
        "dependencies": [
            {"object": d, "rto": duration_label(d.rto_hours)}
            for d in bia.dependencies.filter(archived_at__isnull=True).order_by("kind", "name")
        ],
        "add_dependency_url": _add_url(request, BiaDependency, "bia-dependencies", "bia", bia),
        "strategies": list(bia.strategies.filter(archived_at__isnull=True).order_by("title")),
        "plans": list(bia.plans.filter(archived_at__isnull=True).order_by("title")),
    }


def plan_context(request: Any, plan: ContinuityPlan) -> dict[str, Any]:
    last = (
        plan.exercises.filter(status=Exercise.Status.DONE, archived_at__isnull=True)
        .order_by("-actual_date")
        .first()
    )
    return {
        "roles": list(
            plan.roles.filter(archived_at__isnull=True).select_related("person", "deputy")
        ),
        "contacts": list(plan.contacts.filter(archived_at__isnull=True)),
        "add_role_url": _add_url(request, PlanRole, "plan-roles", "plan", plan),
        "add_contact_url": _add_url(request, PlanContact, "plan-contacts", "plan", plan),
        "last_exercise": last,
        "exercises": list(
            plan.exercises.filter(archived_at__isnull=True).order_by("-planned_date")
        ),
    }


def exercise_context(request: Any, exercise: Exercise) -> dict[str, Any]:
    planned = exercise.status == Exercise.Status.PLANNED and exercise.archived_at is None
    can_step = planned and may(request.user, "change", exercise)
    activities = [
        {
            "object": a,
            "rto": duration_label(a.rto_hours),
            "achieved": None
            if exercise.measured_recovery_hours is None or a.rto_hours is None
            else exercise.measured_recovery_hours <= a.rto_hours,
        }
        for a in exercise.activities.all()
    ]
    return {
        "activities": activities,
        "measured": duration_label(exercise.measured_recovery_hours),
        "target": duration_label(exercise.rto_target_hours),
        "complete_url": reverse("continuity:exercise-complete", args=[exercise.pk])
        if can_step
        else None,
        "cancel_url": reverse("continuity:exercise-cancel", args=[exercise.pk])
        if can_step
        else None,
        "improvements": [
            improvement_row(request, i)
            for i in exercise.improvements.filter(archived_at__isnull=True).select_related(
                "owner", "nonconformity"
            )
        ],
        # A debrief finds improvements after the exercise: a done exercise still takes them.
        "add_improvement_url": _add_url(
            request,
            ExerciseImprovement,
            "exercise-improvements",
            "exercise",
            exercise,
            closed_too=exercise.status == Exercise.Status.DONE,
        ),
    }


def nonconformity_url(nonconformity_id: int) -> str:
    return f"/nonconformities/{nonconformity_id}/"


def improvement_row(request: Any, improvement: ExerciseImprovement) -> dict[str, Any]:
    can_raise = (
        improvement.nonconformity_id is None
        and improvement.archived_at is None
        and may(request.user, "raise_nonconformity", improvement)
    )
    return {
        "object": improvement,
        "nonconformity_url": nonconformity_url(improvement.nonconformity_id)
        if improvement.nonconformity_id
        else None,
        "raise_url": reverse("continuity:improvement-raise", args=[improvement.pk])
        if can_raise
        else None,
    }


def improvement_context(request: Any, improvement: ExerciseImprovement) -> dict[str, Any]:
    return improvement_row(request, improvement)
