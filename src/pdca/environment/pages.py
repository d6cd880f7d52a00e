"""What the register pages of this app add to the framework's detail page: an aspect's
significance read on the method it was assessed with, an obligation's evaluations and aspects,
an evaluation's record state and nonconformity."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from pdca.core.permissions import may
from pdca.core.registers.display import person
from pdca.environment.method import method_for
from pdca.environment.models import Aspect, ComplianceEvaluation, ComplianceObligation
from pdca.environment.significance import as_snapshot, score_lines, score_range

#: What must match for an assessment to count as made on the current method.
METHOD_KEYS = ("criteria", "rule", "threshold", "legal_max_significant")


def nonconformity_url(nonconformity_id: int | None) -> str | None:
    """The nonconformity's page (corrective action's register)."""
    return f"/nonconformities/{nonconformity_id}/" if nonconformity_id else None


def method_changed_since(aspect: Aspect, current: dict[str, Any]) -> bool:
    """Whether the organization's method differs from the copy the aspect was assessed on."""
    kept = aspect.method_snapshot or {}
    return any(kept.get(k) != current.get(k) for k in METHOD_KEYS)


def aspect_context(request, aspect: Aspect) -> dict[str, Any]:
    current = as_snapshot(method_for(aspect.organization))
    kept = aspect.method_snapshot or {}
    low, high = score_range(kept) if kept.get("criteria") else (None, None)
    return {
        "assessed": aspect.assessed,
        "assessed_by": person(aspect.assessed_by),
        "lines": score_lines(kept, aspect.scores or {}),
        "kept": kept,
        "low": low,
        "high": high,
        "method_changed": aspect.assessed and method_changed_since(aspect, current),
        "n_objectives": aspect.objectives.count(),
        "n_controls": aspect.documents.count(),
        "assess_url": (
            reverse("environment:aspect-assess", args=[aspect.pk])
            if may(request.user, "change", aspect) and not aspect.is_archived
            else None
        ),
    }


def obligation_context(request, obligation: ComplianceObligation) -> dict[str, Any]:
    evaluations = list(
        obligation.evaluations.select_related("evaluator").order_by("-evaluated_on", "-pk")[:50]
    )
    for evaluation in evaluations:
        row: Any = evaluation  # what the template shows
        row.url = reverse("environment:compliance-evaluations-detail", args=[evaluation.pk])
        row.nonconformity_url = nonconformity_url(evaluation.nonconformity_id)
        row.evaluator_name = person(evaluation.evaluator)
    aspects = list(obligation.aspects.filter(archived_at__isnull=True).order_by("code"))
    for aspect in aspects:
        item: Any = aspect
        item.url = reverse("environment:aspects-detail", args=[aspect.pk])
    can_evaluate = may(
        request.user, "add", ComplianceEvaluation, organization=obligation.organization_id
    )
    return {
        "evaluations": evaluations,
        "aspects": aspects,
        "evaluate_url": (
            reverse("environment:compliance-evaluations-create") + f"?obligation={obligation.pk}"
            if can_evaluate and not obligation.is_archived
            else None
        ),
    }


def evaluation_context(request, evaluation: ComplianceEvaluation) -> dict[str, Any]:
    can_record = (
        not evaluation.is_recorded
        and not evaluation.is_archived
        and may(request.user, "record", evaluation)
    )
    return {
        "obligation_url": reverse(
            "environment:compliance-obligations-detail", args=[evaluation.obligation_id]
        ),
        "nonconformity_url": nonconformity_url(evaluation.nonconformity_id),
        "recorded_by": person(evaluation.recorded_by),
        "record_url": (
            reverse("environment:evaluation-record", args=[evaluation.pk]) if can_record else None
        ),
    }
