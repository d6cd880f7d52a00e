"""API of awareness campaigns beyond their register: launching one (asks its audience to
acknowledge the documents and assigns its path), closing it, and its report as JSON, XLSX and
PDF: per person, team and site, who has read and passed. Thin endpoints over
`people.services.campaigns`; the files come from `people.services.reports`."""

import datetime as dt
from typing import Any, Literal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import Field

from pdca.core.api import responses
from pdca.core.concurrency import announce
from pdca.core.permissions import scope
from pdca.core.views import file_response
from pdca.core.xlsx import XLSX_CONTENT_TYPE
from pdca.people.models import AwarenessCampaign
from pdca.people.services import reports
from pdca.people.services.campaigns import (
    CampaignReport,
    GroupLine,
    campaign_report,
    close_campaign,
    launch_campaign,
)
from pdca.people.shared_api import PathRef, PersonRef, path_ref, person_ref

router = Router(tags=["awareness campaigns"])

PDF_CONTENT_TYPE = "application/pdf"
PathStatus = Literal["passed", "in_progress", "not_started", "overdue", "none"]


# --- schemas ------------------------------------------------------------------------------


class CampaignStateOut(Schema):
    id: int
    organization: str = Field(description="Organization slug")
    title: str
    status: AwarenessCampaign.Status
    audience: str = Field(description="Who it is for, in words")
    due_date: dt.date
    path: PathRef | None
    launched_at: dt.datetime | None
    launched_by: PersonRef | None


class CampaignDocumentOut(Schema):
    document: int = Field(description="Document id")
    code: str
    title: str
    version: int = Field(description="The published version's number")


class CampaignPersonOut(Schema):
    person: PersonRef
    team: str
    site: str | None = Field(description="Site name")
    acknowledged: int = Field(description="Documents acknowledged")
    asked: int = Field(description="Documents to acknowledge")
    path_status: PathStatus = Field(description="none when the campaign has no path")
    path_label: str
    best_score: int | None = Field(description="Best quiz score on the path, percent")
    complete: bool


class CampaignGroupOut(Schema):
    name: str
    people: int
    complete: int
    percent: int
    average_score: int | None = Field(description="Average of the people's best scores")


class CampaignReportOut(Schema):
    campaign: CampaignStateOut
    as_of: dt.date
    people_count: int
    complete: int
    percent: int
    documents: list[CampaignDocumentOut]
    people: list[CampaignPersonOut]
    teams: list[CampaignGroupOut]
    sites: list[CampaignGroupOut]


# --- serialization ------------------------------------------------------------------------


def _campaigns(user: Any):
    return scope(AwarenessCampaign.objects.all(), user).select_related(
        "organization", "path", "launched_by", "site", "owner"
    )


def _state(campaign: AwarenessCampaign) -> dict[str, Any]:
    return {
        "id": campaign.pk,
        "organization": campaign.organization.slug,
        "title": campaign.title,
        "status": campaign.status,
        "audience": campaign.audience_label,
        "due_date": campaign.due_date,
        "path": path_ref(campaign.path) if campaign.path else None,
        "launched_at": campaign.launched_at,
        "launched_by": person_ref(campaign.launched_by) if campaign.launched_by else None,
    }


def _groups(groups: list[GroupLine]) -> list[dict[str, Any]]:
    return [
        {
            "name": g.name,
            "people": g.people,
            "complete": g.complete,
            "percent": g.percent,
            "average_score": g.average_score,
        }
        for g in groups
    ]


def _report(report: CampaignReport) -> dict[str, Any]:
    return {
        "campaign": _state(report.campaign),
        "as_of": report.as_of,
        "people_count": len(report.people),
        "complete": report.complete,
        "percent": report.percent,
        "documents": [
            {
                "document": v.document_id,
                "code": v.document.code,
                "title": v.document.title,
                "version": v.number,
            }
            for v in report.versions
        ],
        "people": [
            {
                "person": person_ref(p.membership.user),
                "team": p.membership.team,
                "site": str(p.membership.site) if p.membership.site_id else None,
                "acknowledged": p.acknowledged,
                "asked": p.asked,
                "path_status": p.path_status,
                "path_label": p.path_label,
                "best_score": p.best_score,
                "complete": p.complete,
            }
            for p in report.people
        ],
        "teams": _groups(report.teams),
        "sites": _groups(report.sites),
    }


# --- endpoints ----------------------------------------------------------------------------


@router.post(
    "/awareness-campaigns/{int:campaign_id}/launch/",
    response=responses(CampaignStateOut),
    operation_id="launch_awareness_campaign",
)
def launch(request, campaign_id: int):
    """Launch a draft campaign (keepers): everyone its audience covers is asked to acknowledge
    the documents' published versions and assigned its path, due on its due date. 409
    `not_draft` once launched; 422 when its due date is past, nobody is covered or a document
    is not published. With `If-Match` (the campaign's `ETag`), a launch based on an older
    version is refused with 412."""
    campaign = get_object_or_404(_campaigns(request.auth), pk=campaign_id)
    launch_campaign(campaign, actor=request.auth)
    return _state(announce(get_object_or_404(_campaigns(request.auth), pk=campaign_id)))


@router.post(
    "/awareness-campaigns/{int:campaign_id}/close/",
    response=responses(CampaignStateOut),
    operation_id="close_awareness_campaign",
)
def close(request, campaign_id: int):
    """Close a launched campaign (keepers; 409 `not_launched` otherwise). Its report stays."""
    campaign = get_object_or_404(_campaigns(request.auth), pk=campaign_id)
    close_campaign(campaign, actor=request.auth)
    return _state(announce(get_object_or_404(_campaigns(request.auth), pk=campaign_id)))


@router.get(
    "/awareness-campaigns/{int:campaign_id}/report/",
    response=responses(CampaignReportOut),
    operation_id="get_awareness_campaign_report",
)
def report(request, campaign_id: int):
    """Per person, team and site: documents acknowledged, the path's status and best score,
    and whether they are done; the awareness evidence an auditor samples."""
    campaign = get_object_or_404(_campaigns(request.auth), pk=campaign_id)
    return _report(campaign_report(campaign))


@router.get(
    "/awareness-campaigns/{int:campaign_id}/report.xlsx",
    response=responses(None),
    operation_id="export_awareness_campaign_report",
)
def report_xlsx(request, campaign_id: int):
    """The campaign's report as an XLSX workbook (summary, people, teams, sites)."""
    campaign = get_object_or_404(_campaigns(request.auth), pk=campaign_id)
    result = campaign_report(campaign)
    return file_response(
        reports.campaign_report_xlsx(result),
        XLSX_CONTENT_TYPE,
        reports.campaign_report_filename(result, "xlsx"),
    )


@router.get(
    "/awareness-campaigns/{int:campaign_id}/report.pdf",
    response=responses(None),
    operation_id="get_awareness_campaign_report_pdf",
)
def report_pdf(request, campaign_id: int):
    """The campaign's report as an A4 PDF."""
    campaign = get_object_or_404(_campaigns(request.auth), pk=campaign_id)
    result = campaign_report(campaign)
    return file_response(
        reports.campaign_report_pdf(result),
        PDF_CONTENT_TYPE,
        reports.campaign_report_filename(result, "pdf"),
    )
