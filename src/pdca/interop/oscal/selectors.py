"""The records an OSCAL export reads, found as their own pages and API find them: scoped to
what the user may see (another organization's records do not exist: 404)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from pdca.assessments.models import GapAssessment
from pdca.audits.models import Audit
from pdca.core.permissions import scope
from pdca.improvement.models import Nonconformity
from pdca.interop.oscal.poam import open_nonconformities
from pdca.standards.models import Standard
from pdca.system.models import AdoptedStandard, ManagementSystem

if TYPE_CHECKING:
    from pdca.accounts.models import User


def standard_by_code(code: str) -> Standard:
    """Any standard: the catalog is shared reference data every signed-in person reads."""
    return get_object_or_404(Standard, code=code)


def visible_assessments(user: User) -> QuerySet[GapAssessment]:
    return scope(GapAssessment.objects.select_related("organization", "system"), user)


def visible_audits(user: User) -> QuerySet[Audit]:
    return scope(Audit.objects.select_related("organization"), user)


def assessment_for(user: User, assessment_id: int) -> GapAssessment:
    return get_object_or_404(visible_assessments(user), pk=assessment_id)


def audit_for(user: User, audit_id: int) -> Audit:
    return get_object_or_404(visible_audits(user), pk=audit_id)


def plan_nonconformities(
    user: User | None, organization: Any, system_id: int | None = None
) -> QuerySet[Nonconformity]:
    """The open nonconformities of `organization` the user may see (every one for the
    operator at the command line, `user` None); with `system_id`, those linked to
    requirements of the standards that management system adopts."""
    rows = Nonconformity.objects.filter(organization=organization)
    if user is not None:
        rows = scope(rows, user)
    if system_id is not None:
        system = get_object_or_404(
            ManagementSystem.objects.filter(organization=organization), pk=system_id
        )
        adopted = AdoptedStandard.objects.filter(system=system, dropped_on__isnull=True)
        rows = rows.filter(
            pk__in=Nonconformity.objects.filter(
                requirements__standard__in=adopted.values("standard")
            ).values("pk")
        )
    return open_nonconformities(rows, viewer=user)
