"""API of the nonconformity analytics: the figures as JSON, and the same XLSX workbook as the
page. Thin endpoints over `improvement.analytics`."""

import datetime as dt
from typing import Any

from ninja import Query, Router, Schema
from pydantic import Field

from pdca.core.api import Text, organization_for, responses
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import require
from pdca.core.views import file_response
from pdca.improvement.analytics.export import XLSX_CONTENT_TYPE, analytics_workbook, filename
from pdca.improvement.analytics.figures import Analytics, Bucket, nonconformity_analytics
from pdca.improvement.models import Nonconformity
from pdca.standards.models import Standard
from pdca.tenancy.models import Organization

router = Router(tags=["nonconformity analytics"])


# --- schemas ------------------------------------------------------------------------------


class AnalyticsQuery(Schema):
    organization: Text | None = Field(
        None, max_length=60, description="Organization slug (needed if you belong to several)"
    )
    date_from: dt.date | None = Field(None, alias="from", description="Reported on or after")
    date_to: dt.date | None = Field(None, alias="to", description="Reported on or before")
    standard: Text | None = Field(
        None, max_length=60, description="Standard code: only nonconformities linked to it"
    )


class CountOut(Schema):
    key: str = Field(description="The value counted (empty for none)")
    label: str
    count: int


class RequirementCountOut(CountOut):
    standard: str = Field(description="Standard code (empty for no requirement)")
    number: str


class NcRefOut(Schema):
    id: int
    reference: str
    title: str
    reported_at: dt.datetime


class RecurrenceOut(Schema):
    later: NcRefOut
    earlier: NcRefOut
    process: int
    process_name: str
    shared_requirements: list[str]
    days_apart: int


class CycleTimeOut(Schema):
    closed: int = Field(description="Closed nonconformities measured")
    median_days: float | None
    p90_days: float | None = Field(description="90th percentile, nearest-rank method")


class FirstTimeOut(Schema):
    checked: int = Field(description="Nonconformities with at least one effectiveness check")
    effective: int = Field(description="Of those, effective at the first check")
    percent: float | None


class AnalyticsOut(Schema):
    organization: str
    date_from: dt.date | None
    date_to: dt.date | None
    standard: str | None
    today: dt.date
    total: int = Field(description="Nonconformities counted (dismissed ones are not)")
    open: int
    overdue: int = Field(description="Open and past their due date")
    closed: int
    dismissed: int
    by_source: list[CountOut]
    by_severity: list[CountOut]
    by_process: list[CountOut]
    by_requirement: list[RequirementCountOut]
    by_month: list[CountOut] = Field(description="Key YYYY-MM, oldest first")
    recurrences: list[RecurrenceOut]
    cycle_time: CycleTimeOut
    first_time_effectiveness: FirstTimeOut


# --- lookups ------------------------------------------------------------------------------


def _organization(request, slug: str | None) -> Organization:
    """One of the user's organizations (404 otherwise), whose nonconformities the user's role
    may see (403 otherwise)."""
    organization = organization_for(request.auth, slug)
    require(request.auth, "view", Nonconformity, organization=organization)
    return organization


def _filters(query: AnalyticsQuery) -> dict[str, Any]:
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise ValidationFailed.single("to", "Must not be before the start date.")
    filters: dict[str, Any] = {"date_from": query.date_from, "date_to": query.date_to}
    if query.standard:
        standard = Standard.objects.filter(code=query.standard).first()
        if standard is None:
            raise ValidationFailed.single(
                "standard", f"No standard with the code {query.standard!r}."
            )
        filters["standard"] = standard
    return filters


def _counts(buckets: list[Bucket]) -> list[dict]:
    return [{"key": b.key, "label": b.label, "count": b.count} for b in buckets]


def _out(organization: Organization, figures: Analytics) -> dict:
    return {
        "organization": organization.slug,
        "date_from": figures.period.date_from,
        "date_to": figures.period.date_to,
        "standard": figures.standard.code if figures.standard else None,
        "today": figures.today,
        "total": figures.total,
        "open": figures.open,
        "overdue": figures.overdue,
        "closed": figures.closed,
        "dismissed": figures.dismissed,
        "by_source": _counts(figures.by_source),
        "by_severity": _counts(figures.by_severity),
        "by_process": _counts(figures.by_process),
        "by_requirement": [
            {
                "key": b.key,
                "label": b.label,
                "count": b.count,
                "standard": b.standard,
                "number": b.number,
            }
            for b in figures.by_requirement
        ],
        "by_month": _counts(figures.by_month),
        "recurrences": [
            {
                "later": p.later,
                "earlier": p.earlier,
                "process": p.process_id,
                "process_name": p.process,
                "shared_requirements": p.shared_requirements,
                "days_apart": p.days_apart,
            }
            for p in figures.recurrences
        ],
        "cycle_time": figures.cycle,
        "first_time_effectiveness": {
            "checked": figures.first_time.checked,
            "effective": figures.first_time.effective,
            "percent": figures.first_time.percent,
        },
    }


# --- endpoints ----------------------------------------------------------------------------


@router.get("/nonconformities/analytics/", response=responses(AnalyticsOut))
def get_nonconformity_analytics(request, query: Query[AnalyticsQuery]):
    """Counts by source, grade, process, requirement and month; recurrences; days from
    report to closure; first-time effectiveness; open and overdue. Dismissed nonconformities
    count only in `dismissed`."""
    organization = _organization(request, query.organization)
    figures = nonconformity_analytics(organization, request.auth, **_filters(query))
    return _out(organization, figures)


@router.get("/nonconformities/analytics/export.xlsx", response=responses(None))
def export_nonconformity_analytics(request, query: Query[AnalyticsQuery]):
    """The figures as an XLSX workbook, with every nonconformity and its corrective actions."""
    organization = _organization(request, query.organization)
    figures = nonconformity_analytics(organization, request.auth, **_filters(query))
    return file_response(
        analytics_workbook(organization, request.auth, figures),
        XLSX_CONTENT_TYPE,
        filename(organization, figures.today),
    )
