"""The food registers' own parts of their entry pages (`detail_context` of each spec): a
programme's verifications and due date, a flow's ordered steps, a hazard's rating against the
method it was judged on and its decision, a plan entry's hazards and deviations, an exercise's
targets and nonconformity."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from pdca.core.modelinfo import forward_field
from pdca.core.permissions import may, scope
from pdca.food import rules, services
from pdca.food.models import (
    FlowStep,
    HazardAnalysis,
    HazardControlPlan,
    MonitoringDeviation,
    PrerequisiteProgramme,
    ProcessFlow,
    PrpVerification,
    TraceabilityExercise,
)
from pdca.food.models.hazards import ControlCategory


def nonconformity_url(row: Any) -> str | None:
    return f"/nonconformities/{row.nonconformity_id}/" if row.nonconformity_id else None


def programme_context(request, programme: PrerequisiteProgramme) -> dict[str, Any]:
    # Rows given what the template shows.
    verifications: list[Any] = list(
        scope(PrpVerification.objects.filter(programme=programme), request.user).select_related(
            "verifier"
        )[:50]
    )
    for v in verifications:
        v.nc_url = nonconformity_url(v)
    can_record = not programme.is_archived and services.may_record(request.user, programme)
    return {
        "verifications": verifications,
        "overdue": programme.overdue,
        "record_url": (
            reverse("food:verification-create", args=[programme.pk]) if can_record else None
        ),
    }


def flow_context(request, flow: ProcessFlow) -> dict[str, Any]:
    steps: list[Any] = list(
        scope(FlowStep.objects.filter(flow=flow, archived_at__isnull=True), request.user)
        .order_by("number", "pk")
        .prefetch_related("hazards")
    )
    for step in steps:
        controls = [h for h in step.hazards.all() if h.archived_at is None]
        step.ccp = any(h.control_category == ControlCategory.CCP for h in controls)
        step.oprp = any(h.control_category == ControlCategory.OPRP for h in controls)
        step.hazard_count = len(controls)
    can_add = may(request.user, "add", FlowStep, organization=flow.organization)
    return {
        "steps": steps,
        "add_step_url": (
            f"{reverse('food:flow-steps-create')}?flow={flow.pk}&number={len(steps) + 1}"
            if can_add and not flow.is_archived
            else None
        ),
    }


def hazard_context(request, analysis: HazardAnalysis) -> dict[str, Any]:
    snapshot = analysis.method_snapshot or {}
    likelihood_labels = snapshot.get("likelihood_labels", [])
    severity_labels = snapshot.get("severity_labels", [])
    answers = [
        (
            forward_field(HazardAnalysis, name).verbose_name,
            getattr(analysis, f"get_{name}_display")(),
        )
        for name in (
            "designed_to_control",
            "later_step_controls",
            "measurable_limit",
            "monitored_in_time",
        )
        if getattr(analysis, name)
    ]
    plans = list(
        scope(HazardControlPlan.objects.filter(hazards=analysis), request.user).order_by("code")
    )
    return {
        "snapshot": snapshot,
        "likelihood": rules.level_label(likelihood_labels, analysis.likelihood),
        "severity": rules.level_label(severity_labels, analysis.severity),
        "answers": answers,
        "next_question": rules.decision_for(analysis, analysis.significant).next_question,
        "plans": plans,
    }


def plan_context(request, plan: HazardControlPlan) -> dict[str, Any]:
    deviations: list[Any] = list(
        scope(MonitoringDeviation.objects.filter(plan=plan), request.user).select_related(
            "recorded_by"
        )[:50]
    )
    for d in deviations:
        d.nc_url = nonconformity_url(d)
    can_record = not plan.is_archived and services.may_record(request.user, plan)
    return {
        "hazards": list(plan.hazards.select_related("step__flow")),
        "deviations": deviations,
        "record_url": reverse("food:deviation-create", args=[plan.pk]) if can_record else None,
    }


def exercise_context(request, exercise: TraceabilityExercise) -> dict[str, Any]:
    _, missed = (
        rules.judge_exercise(
            exercise.minutes_taken, exercise.reconciled_percent, exercise.targets_snapshot
        )
        if exercise.targets_snapshot
        else ("", [])
    )
    can_raise = (
        exercise.result == TraceabilityExercise.Result.FAILED
        and exercise.nonconformity_id is None
        and not exercise.is_archived
        and may(request.user, "change", exercise)
    )
    return {
        "targets": exercise.targets_snapshot,
        "missed": missed,
        "nc_url": nonconformity_url(exercise),
        "raise_url": reverse("food:exercise-raise", args=[exercise.pk]) if can_raise else None,
    }
