"""What gap assessments add to the management system (registered into `pdca.system.hooks` when
the app starts): following its standards and exclusions, and its readiness at a glance."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from pdca.assessments.charts import bar_chart
from pdca.assessments.models import GapAssessment
from pdca.assessments.readiness import compute_readiness, overall_scores
from pdca.assessments.services import apply_exclusion, sync_open_assessments
from pdca.core.permissions import may
from pdca.system import hooks


def readiness_panel(system, standards, *, user, organization) -> dict[str, Any]:
    """The system page's readiness: every assessment with its overall figure, and the latest
    open one (or the latest of all) per standard with its chart. The query count does not depend
    on the number of assessment items."""
    assessments = list(system.assessments.order_by("-started_on", "-id"))
    overall = overall_scores(assessments, standards)
    for assessment in assessments:
        assessment.overall = overall[assessment.pk]
        assessment.url = reverse("assessments:assessment_detail", args=[assessment.pk])
    shown = next((a for a in assessments if a.status == GapAssessment.Status.OPEN), None)
    shown = shown or (assessments[0] if assessments else None)
    readiness = compute_readiness(shown, standards) if shown and standards else None
    return {
        "assessments": assessments,
        "shown": shown,
        "readiness": readiness,
        "chart": (
            bar_chart(
                [(str(s.standard), s.score.percent) for s in readiness.by_standard],
                title="Readiness per standard",
            )
            if readiness
            else None
        ),
        "start_url": (
            reverse("assessments:assessment_create") + f"?system={system.pk}"
            if may(user, "add", GapAssessment, organization=organization)
            else None
        ),
    }


def readiness_summary(system, standards) -> tuple[GapAssessment | None, list[dict[str, Any]]]:
    """The latest open assessment of the system and its readiness per standard."""
    assessment = (
        system.assessments.filter(status=GapAssessment.Status.OPEN)
        .order_by("-started_on", "-id")
        .first()
    )
    if assessment is None:
        return None, []
    return assessment, [
        {"standard": row.standard.code, "name": str(row.standard), **row.score.as_dict()}
        for row in compute_readiness(assessment, standards).by_standard
    ]


def register() -> None:
    hooks.standard_adopted.register(sync_open_assessments)
    hooks.exclusion_added.register(apply_exclusion)
    hooks.readiness_panel.register(readiness_panel)
    hooks.readiness_summary.register(readiness_summary)
