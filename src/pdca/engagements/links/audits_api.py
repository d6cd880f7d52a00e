"""API of the certification body's audits across a link: the body sees each of its audits of
the client and releases them; the client sees those released to it (plan, findings, report
status). Each major or minor finding of a released audit opens a nonconformity in the client's
register (a finding link); the client sends its plan for it to the body, whose review of the
plan is the certification API's (`/cb/finding-reviews/{id}/`), linked from here."""

import datetime as dt
from typing import Any

from django.urls import NoReverseMatch, reverse
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from pdca.audits.models import Audit, Finding
from pdca.certification.models import FindingReview
from pdca.core.api import Id, Page, responses
from pdca.core.concurrency import announce
from pdca.core.exceptions import NotFound
from pdca.engagements import access
from pdca.engagements.links import lookups
from pdca.engagements.links.schemas import email_of, provider_reads
from pdca.engagements.models import Engagement, FindingLink
from pdca.engagements.services import findings as finding_services
from pdca.improvement.models import CorrectiveAction, Nonconformity
from pdca.improvement.workflow.services import current_actions

router = Router(tags=["certification across a link"])


def _one(obj: Any, name: str) -> Any:
    """A reverse one-to-one row, or None when there is none."""
    try:
        return getattr(obj, name)
    except Exception:  # RelatedObjectDoesNotExist
        return None


class AuditPlanEntryOut(Schema):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    activity: str
    process: str | None = None
    site: str | None = None
    auditor: str | None = None
    auditee: str

    @staticmethod
    def resolve_process(obj: Any) -> str | None:
        return str(obj.process) if obj.process else None

    @staticmethod
    def resolve_site(obj: Any) -> str | None:
        return str(obj.site) if obj.site else None

    @staticmethod
    def resolve_auditor(obj: Any) -> str | None:
        return email_of(obj.auditor)


class AuditFindingEntryOut(Schema):
    id: int
    number: int
    grade: Finding.Grade
    title: str
    requirement_statement: str
    evidence: str
    statement: str
    requirements: list[str] = Field(description="Standard code and clause, e.g. iso9001-2015 7.1.5")

    @staticmethod
    def resolve_requirements(obj: Finding) -> list[str]:
        return [f"{r.standard.code} {r.number}" for r in obj.requirements.all()]


class AuditReportEntryOut(Schema):
    revision: int
    issued_at: dt.datetime
    sha256: str


class LinkedAuditOut(Schema):
    """One of the body's audits of the client: its plan, findings and report status."""

    id: int
    reference: str
    title: str
    type: Audit.Type = Field(alias="audit_type")
    status: Audit.Status
    start_date: dt.date
    end_date: dt.date
    lead_auditor: str | None = None
    standards: list[str] = Field(description="Codes of the standards audited")
    released: bool = Field(False, description="Released to the client")
    released_at: dt.datetime | None = None
    report_issued: bool = Field(alias="report_frozen")
    report: AuditReportEntryOut | None = Field(None, description="The latest issued revision")
    plan: list[AuditPlanEntryOut] = Field(alias="plan_items")
    findings: list[AuditFindingEntryOut]

    @staticmethod
    def resolve_lead_auditor(obj: Audit) -> str | None:
        return email_of(obj.lead_auditor)

    @staticmethod
    def resolve_standards(obj: Audit) -> list[str]:
        return sorted(s.code for s in obj.standards.all())

    @staticmethod
    def resolve_released(obj: Audit) -> bool:
        return _one(obj, "client_release") is not None

    @staticmethod
    def resolve_released_at(obj: Audit) -> dt.datetime | None:
        release = _one(obj, "client_release")
        return release.created_at if release else None

    @staticmethod
    def resolve_report(obj: Audit) -> Any:
        reports = list(obj.reports.all())
        return max(reports, key=lambda r: r.revision) if reports else None


class LinkedAuditFilter(Schema):
    released: bool | None = Field(None, description="Only audits released (or not) to the client")


class LinkedFindingOut(Schema):
    id: int
    number: int
    grade: Finding.Grade
    title: str
    statement: str
    audit: int = Field(alias="audit_id")
    audit_reference: str = Field(alias="audit.reference")


class LinkedActionOut(Schema):
    id: int
    title: str
    owner: str | None = None
    due_date: dt.date
    status: CorrectiveAction.Status

    @staticmethod
    def resolve_owner(obj: CorrectiveAction) -> str | None:
        return email_of(obj.owner)


class LinkedNonconformityOut(Schema):
    """The client's nonconformity that answers the finding: owned by the client, visible to
    both sides (the body follows the correction, cause and actions it will review)."""

    id: int
    reference: str
    title: str
    status: Nonconformity.Status
    severity: str
    correction: str
    root_cause: str
    response_due: dt.date | None
    closure_due: dt.date | None
    actions: list[LinkedActionOut] = Field(description="This round's corrective actions")

    @staticmethod
    def resolve_actions(obj: Nonconformity) -> list[CorrectiveAction]:
        return current_actions(obj)


class LinkedReviewOut(Schema):
    """The body's review of the client's plan (kept on the body's side)."""

    id: int
    plan_status: FindingReview.PlanStatus
    response_due: dt.date
    closure_due: dt.date | None
    responded_on: dt.date | None
    correction: str
    root_cause: str
    corrective_action: str
    rejection_reason: str
    plan_reviewed_on: dt.date | None
    verified_on: dt.date | None
    url: str | None = Field(
        None, description="The body's review in the certification API (the body's side only)"
    )


class FindingLinkOut(Schema):
    id: int
    engagement: int = Field(alias="engagement_id")
    finding: LinkedFindingOut
    nonconformity: LinkedNonconformityOut | None = None
    review: LinkedReviewOut | None = None
    plan_sent_at: dt.datetime | None
    plan_sent_by: str | None = None
    times_sent: int

    @staticmethod
    def resolve_nonconformity(obj: FindingLink) -> Any:
        return obj.nonconformity

    @staticmethod
    def resolve_review(obj: FindingLink, context: Any) -> Any:
        review = _one(obj.finding, "certification_review")
        if review is None:
            return None
        url = None
        if provider_reads(context, obj.engagement):
            try:
                url = reverse("api:get_review", kwargs={"review_id": review.pk})
            except NoReverseMatch:
                url = None
        review.url = url
        return review

    @staticmethod
    def resolve_plan_sent_by(obj: FindingLink) -> str | None:
        return email_of(obj.plan_sent_by)


def _audit(engagement: Engagement, audit_id: int, user: Any) -> Audit:
    released_only = access.side_of(user, engagement) != access.PROVIDER
    found = lookups.audits_of(engagement, released_only=released_only).filter(pk=audit_id).first()
    if found is None:
        raise NotFound("No such audit.")
    return found


@router.get("/engagements/{engagement_id}/audits/", response=responses(list[LinkedAuditOut]))
@paginate(Page)
def list_linked_audits(request, engagement_id: Id, filters: Query[LinkedAuditFilter]):
    """The body's audits of the client, latest first: every one for the body, those released
    to it for the client (none for a consultancy)."""
    engagement = lookups.engagement(request.auth, engagement_id)
    provider = access.side_of(request.auth, engagement) == access.PROVIDER
    rows = lookups.audits_of(engagement, released_only=not provider)
    if filters.released is not None:
        rows = rows.filter(client_release__isnull=not filters.released)
    return rows


@router.get("/engagements/{engagement_id}/audits/{audit_id}/", response=responses(LinkedAuditOut))
def get_linked_audit(request, engagement_id: Id, audit_id: Id):
    engagement = lookups.engagement(request.auth, engagement_id)
    return _audit(engagement, audit_id, request.auth)


@router.post(
    "/engagements/{engagement_id}/audits/{audit_id}/release/", response=responses(LinkedAuditOut)
)
def release_audit(request, engagement_id: Id, audit_id: Id):
    """Release the audit to the client (the body's manager, lead auditors and auditors): the
    client sees its plan, findings and report from now on, and each major or minor finding
    opens a nonconformity in its register. 409 `already_released`."""
    engagement = lookups.engagement(request.auth, engagement_id)
    lookups.require_side(request.auth, engagement, access.PROVIDER)
    audit = _audit(engagement, audit_id, request.auth)
    finding_services.release_audit(engagement, audit, actor=request.auth)
    return _audit(engagement, audit_id, request.auth)


@router.get("/engagements/{engagement_id}/findings/", response=responses(list[FindingLinkOut]))
@paginate(Page)
def list_finding_links(request, engagement_id: Id):
    """The body's findings that opened a nonconformity in the client's register: the finding,
    the client's nonconformity (its status, correction, root cause and actions, for both sides)
    and the body's review of the plan."""
    engagement = lookups.engagement(request.auth, engagement_id)
    return lookups.finding_links_of(engagement)


@router.get("/finding-links/{link_id}/", response=responses(FindingLinkOut))
def get_finding_link(request, link_id: Id):
    return announce(lookups.finding_link(request.auth, link_id))


@router.post("/finding-links/{link_id}/send-plan/", response=responses(FindingLinkOut))
def send_plan(request, link_id: Id):
    """Send the nonconformity's correction, root cause and corrective actions to the body for
    its review (the nonconformity's owner or a system manager); again after a rejection. 422
    `plan_incomplete` names what is missing; 409 once the plan is accepted."""
    link = lookups.finding_link(request.auth, link_id)
    lookups.require_side(request.auth, link.engagement, access.CLIENT)
    finding_services.send_plan(link, actor=request.auth)
    return lookups.finding_link(request.auth, link.pk)
