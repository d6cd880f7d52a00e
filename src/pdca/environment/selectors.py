"""Read queries of this app. `significant_aspects` and `due_obligations` are the ones other
apps read (the audit programme, readiness, the stage 1 rehearsal): they take an organization
and leave deciding who may see it to the caller; pages and the API start from `scope`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from pdca.environment.models import Aspect, ComplianceObligation

if TYPE_CHECKING:
    from pdca.tenancy.models import Organization


def significant_aspects(organization: Organization | Any) -> QuerySet[Aspect]:
    """The organization's current significant aspects (not archived, not retired), each
    annotated with `n_objectives` and `n_controls` (linked objectives and documents), most
    significant first."""
    objectives = Aspect.objectives.through.objects.filter(aspect_id=OuterRef("pk"))
    documents = Aspect.documents.through.objects.filter(aspect_id=OuterRef("pk"))
    return (
        Aspect.objects.filter(organization=organization, significant=True, archived_at__isnull=True)
        .exclude(status=Aspect.Status.RETIRED)
        .annotate(has_objective=Exists(objectives), has_control=Exists(documents))
        .select_related("site", "process", "owner")
        .order_by("-score", "code", "pk")
    )


def unaddressed_aspects(organization: Organization | Any) -> QuerySet[Aspect]:
    """Significant aspects with no objective or no operational control (a linked document):
    significant aspects should drive both."""
    return significant_aspects(organization).filter(Q(has_objective=False) | Q(has_control=False))


def due_obligations(
    organization: Organization | Any, on: dt.date | None = None
) -> QuerySet[ComplianceObligation]:
    """Obligations that apply and whose evaluation of compliance is due on `on` (today) or
    earlier, the longest overdue first, with `n_evaluations` (recorded ones)."""
    on = on or timezone.localdate()
    return (
        ComplianceObligation.objects.filter(
            organization=organization,
            archived_at__isnull=True,
            status=ComplianceObligation.Status.ACTIVE,
            next_evaluation_due__lte=on,
        )
        .select_related("owner", "site")
        .annotate(n_evaluations=Count("evaluations", filter=Q(evaluations__status="recorded")))
        .order_by("next_evaluation_due", "title", "pk")
    )
