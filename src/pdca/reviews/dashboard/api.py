"""API of the top-management dashboard: the figures of one management system as JSON, and the
same as an A4 PDF. Thin endpoints over `figures.dashboard_for`; included by `reviews/api.py`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from pydantic import Field

from pdca.core.api import Id, Text, organization_for, responses
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import require, scope
from pdca.core.views import file_response
from pdca.reviews.dashboard.figures import dashboard_for
from pdca.reviews.dashboard.pdf import dashboard_pdf, filename
from pdca.reviews.models import ManagementReview
from pdca.system.models import ManagementSystem

router = Router(tags=["dashboard"])

AVAILABLE = "False when the user's role may not see this register: the figures are then zero"


# --- schemas ------------------------------------------------------------------------------


class DashboardQuery(Schema):
    system: Id | None = Field(
        None, description="Management system id; the organization's first one by name if omitted"
    )
    organization: Text | None = Field(
        None,
        max_length=60,
        description="Organization slug (needed if you belong to several and give no system)",
    )


class ItemOut(Schema):
    label: str
    detail: str
    url: str = Field(description="The record's page")


class MonthCountOut(Schema):
    month: dt.date = Field(description="First day of the month")
    count: int


class MonthDaysOut(Schema):
    month: dt.date = Field(description="First day of the month")
    closed: int
    median_days: float | None = Field(description="null in a month without closures")


class DashboardStandardScoreOut(Schema):
    code: str
    name: str
    percent: float | None = Field(description="null when nothing applies")
    applicable: int


class ReadinessPointOut(Schema):
    assessment_id: int
    title: str
    started_on: dt.date
    percent: float | None


class DashboardReadinessOut(Schema):
    available: bool = Field(description=AVAILABLE)
    url: str
    assessment_id: int | None = Field(description="The latest open gap assessment, else the latest")
    assessment_title: str
    assessment_status: str
    started_on: dt.date | None
    overall: float | None
    standards: list[DashboardStandardScoreOut]
    history: list[ReadinessPointOut] = Field(
        description="Assessments started in the last twelve months, oldest first"
    )


class ObjectivesOut(Schema):
    available: bool = Field(description=AVAILABLE)
    url: str
    active: int
    on_track: int
    at_risk: int
    off_track: int
    achieved: int
    no_data: int
    stale: int = Field(description="Latest measurement older than 90 days")
    attention: list[ItemOut] = Field(description="Off track first, then at risk (at most 5)")
    measurements_by_month: list[MonthCountOut]


class NonconformitiesOut(Schema):
    available: bool = Field(description=AVAILABLE)
    url: str
    open: int
    major: int
    minor: int
    not_graded: int
    under_30_days: int = Field(description="Open, reported fewer than 30 days ago")
    days_30_to_90: int
    over_90_days: int
    overdue: int
    opened_by_month: list[MonthCountOut]
    closed_by_month: list[MonthCountOut]


class DashboardCycleTimeOut(Schema):
    available: bool = Field(description=AVAILABLE)
    url: str
    closed: int = Field(description="Nonconformities closed in the last twelve months")
    median_days: float | None
    p90_days: float | None = Field(description="90th percentile, nearest-rank method")
    by_month: list[MonthDaysOut]


class RisksOut(Schema):
    available: bool = Field(description=AVAILABLE)
    url: str
    threshold: int = Field(description="The risk method's acceptance threshold")
    open: int
    above: int
    above_risk: int
    above_infosec: int
    top: list[ItemOut]


class DocumentsOut(Schema):
    available: bool = Field(description=AVAILABLE)
    url: str
    past_review: int
    due_within_30_days: int
    oldest: list[ItemOut]


class CompetenceOut(Schema):
    available: bool = Field(description=AVAILABLE)
    url: str
    people: int
    requirements: int
    people_competent: int
    people_with_gaps: int
    gaps: int = Field(description="Mandatory requirements not met (expired, missing, planned)")


class DashboardProgrammeOut(Schema):
    available: bool = Field(description=AVAILABLE)
    url: str
    programme_id: int | None
    title: str
    status: str
    period_start: dt.date | None
    period_end: dt.date | None
    planned: int
    done: int = Field(description="Audits whose report is issued (or closed)")
    in_progress: int
    overdue: int = Field(description="Past their end date without an issued report")
    percent: float | None


class AuditItemOut(Schema):
    id: int
    reference: str
    title: str
    audit_type: str
    audit_type_label: str
    start_date: dt.date
    end_date: dt.date
    url: str


class CertificationOut(Schema):
    available: bool = Field(description=AVAILABLE + " (the system's status is always given)")
    url: str
    upcoming: list[AuditItemOut] = Field(description="The next certification audits (at most 5)")
    upcoming_count: int
    certificate_linked: bool = Field(description="False: no certificate is linked yet")
    certificate_expires: dt.date | None = Field(description="null until a certificate is linked")
    system_status: str
    system_status_label: str
    certification_target_date: dt.date | None


class ReviewOut(Schema):
    available: bool = Field(description=AVAILABLE)
    url: str
    interval_months: int
    last_held: dt.date | None
    next_planned: dt.date | None
    next_due: dt.date | None
    overdue: bool
    due_soon: bool


class DashboardOut(Schema):
    organization: str
    organization_name: str
    system_id: int
    system_name: str
    standards: list[str]
    today: dt.date
    readiness: DashboardReadinessOut
    objectives: ObjectivesOut
    nonconformities: NonconformitiesOut
    cycle_time: DashboardCycleTimeOut
    risks: RisksOut
    documents: DocumentsOut
    competence: CompetenceOut
    audit_programme: DashboardProgrammeOut
    certification: CertificationOut
    management_review: ReviewOut


# --- lookups ------------------------------------------------------------------------------


def _system(request: Any, query: DashboardQuery) -> ManagementSystem:
    """The system asked for (404 unless the user sees it), or the organization's first; 403
    when the user's role may not read management reviews there."""
    user = request.auth
    systems = scope(ManagementSystem.objects.select_related("organization"), user)
    if query.system is not None and not query.organization:
        system = get_object_or_404(systems, pk=query.system)
        require(user, "view", ManagementReview, organization=system.organization)
        return system
    organization = organization_for(user, query.organization)
    require(user, "view", ManagementReview, organization=organization)
    systems = systems.filter(organization=organization)
    if query.system is not None:
        return get_object_or_404(systems, pk=query.system)
    first = systems.order_by("name").first()
    if first is None:
        raise ValidationFailed.single("system", "The organization has no management system yet.")
    return first


# --- endpoints ----------------------------------------------------------------------------


@router.get("/dashboard/", response=responses(DashboardOut))
def get_dashboard(request: Any, query: Query[DashboardQuery]) -> dict[str, Any]:
    """The top-management dashboard of one management system: readiness per standard,
    objectives on or off track, open nonconformities by grade and age, corrective-action cycle
    time, risks above the acceptance threshold, documents past review, competence gaps, audit
    programme progress, the next certification audits, and the last and next management
    review, with monthly trends over the last twelve months. Each tile gives its register's
    URL; a tile the role may not see has `available` false."""
    user = request.auth
    return dashboard_for(_system(request, query), user=user).as_dict()


@router.get("/dashboard/pdf/", response=responses(None), operation_id="get_dashboard_pdf")
def get_dashboard_pdf(request: Any, query: Query[DashboardQuery]) -> HttpResponse:
    """The same dashboard as an A4 PDF."""
    user = request.auth
    figures = dashboard_for(_system(request, query), user=user)
    return file_response(dashboard_pdf(figures), "application/pdf", filename(figures))
