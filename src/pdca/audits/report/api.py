"""API of findings and audit reports: findings CRUD (also nested under their audit), the
report's content (the draft for those who read the working papers, else the latest issued
revision), issuing and revising it, the issued revisions and their PDFs. Thin endpoints over
`pdca.audits.findings`."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from pdca.audits import findings as services
from pdca.audits.models import Audit, AuditReport, ChecklistItem, Finding
from pdca.audits.report import issue as report_issue
from pdca.audits.report import jobs as report_jobs
from pdca.audits.report import rendering as reports
from pdca.audits.report.completeness import missing_for_issue
from pdca.core.activity_api import ActivityOut
from pdca.core.api import Id, Input, Page, Text, omitted, responses
from pdca.core.concurrency import announce
from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.jobs.api import ACCEPTED, ACCEPTED_EXTRA, accepted
from pdca.core.permissions import may, require, scope, visible_organization_ids
from pdca.core.selectors import history_of
from pdca.core.views import file_response
from pdca.standards.models import Requirement
from pdca.system.models import Process
from pdca.tenancy.models import Site

router = Router(tags=["findings"])


# --- schemas ------------------------------------------------------------------------------


class FindingRequirementRef(Schema):
    id: int
    standard: str = Field(alias="standard.code")
    number: str


class FindingOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    audit: int = Field(alias="audit_id")
    number: int
    grade: Finding.Grade
    title: str
    requirement_statement: str
    evidence: str
    statement: str
    requirements: list[FindingRequirementRef]
    process: int | None = Field(alias="process_id")
    site: int | None = Field(alias="site_id")
    checklist_item: int | None = Field(alias="checklist_item_id")
    nonconformity: int | None = Field(alias="nonconformity_id", description="Nonconformity id")
    raised_by: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_requirements(obj: Finding) -> list:
        return list(obj.requirements.all())

    @staticmethod
    def resolve_raised_by(obj: Finding) -> str | None:
        return obj.raised_by.email if obj.raised_by else None


class FindingFields(Input):
    grade: Finding.Grade = omitted()
    title: Text = omitted(min_length=1, max_length=200)
    requirement_statement: Text = omitted(max_length=20_000)
    evidence: Text = omitted(max_length=20_000)
    statement: Text = omitted(max_length=20_000)
    requirements: list[Id] = omitted(max_length=200, description="Requirement ids")
    process: Id | None = None
    site: Id | None = None
    checklist_item: Id | None = None


class FindingCreate(FindingFields):
    grade: Finding.Grade
    title: Text = Field(min_length=1, max_length=200)
    statement: Text = Field(max_length=20_000)


class FindingCreateFor(FindingCreate):
    audit: Id = Field(description="Audit id")


class FindingFilter(Schema):
    audit: Id | None = None
    grade: Finding.Grade | None = None
    organization: Text | None = Field(None, max_length=60, description="Organization slug")


class AuditReportOut(Schema):
    id: int
    organization: str = Field(alias="organization.slug")
    audit: int = Field(alias="audit_id")
    revision: int
    issued_at: dt.datetime
    issued_by: str
    reason: str
    sha256: str
    pdf: int = Field(alias="pdf_id", description="Evidence file id of the PDF")

    @staticmethod
    def resolve_issued_by(obj: AuditReport) -> str:
        return obj.issued_by.email


class ReportDetail(AuditReportOut):
    content: dict[str, Any]


class ReportContentOut(Schema):
    audit: int
    draft: bool = Field(description="True for the live draft, false for an issued revision")
    revision: int | None
    sha256: str | None
    content: dict[str, Any]


class ReasonIn(Input):
    reason: Text = Field("", max_length=20_000)


class IssueIn(ReasonIn):
    exceptions: dict[Text, Text] = Field(
        default_factory=dict,
        description="Exceptions the lead auditor confirms: {code of a missing item (from "
        "`/report/missing/`): why the report is issued without it}",
    )


class MissingOut(Schema):
    code: str = Field(description="The key of the item's exception")
    message: str


class ReportFilter(Schema):
    audit: Id | None = None
    organization: Text | None = Field(None, max_length=60, description="Organization slug")


# --- lookups ------------------------------------------------------------------------------


def _findings(user) -> QuerySet[Finding]:
    return (
        scope(Finding.objects.all(), user)
        .select_related("organization", "raised_by")
        .prefetch_related("requirements__standard")
        .order_by("audit_id", "number")
    )


def _audit(request, audit_id: int) -> Audit:
    return get_object_or_404(
        scope(Audit.objects.select_related("organization"), request.auth), pk=audit_id
    )


def _audit_of_member(request, audit_id: int) -> Audit:
    """An audit of one of the user's organizations, for writes: a member without the right
    gets 403 from the service, someone of another organization 404."""
    return get_object_or_404(
        Audit.objects.filter(organization_id__in=visible_organization_ids(request.auth)),
        pk=audit_id,
    )


def _resolve(audit: Audit, data: dict[str, Any]) -> dict[str, Any]:
    """Turn ids into rows of the audit's organization; a wrong id is an error on its field."""
    errors: list[FieldError] = []
    org = audit.organization_id
    if data.get("requirements") is not None:
        ids = data["requirements"]
        found = {r.pk: r for r in Requirement.objects.select_related("standard").filter(pk__in=ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            errors.append(FieldError("requirements", f"No such requirement: {missing[:5]}."))
        data["requirements"] = [found[i] for i in ids if i in found]
    for name, model, queryset in (
        ("process", Process, Process.objects.filter(organization_id=org)),
        ("site", Site, Site.objects.filter(organization_id=org)),
        ("checklist_item", ChecklistItem, ChecklistItem.objects.filter(audit=audit)),
    ):
        if name in data and data[name] is not None:
            row = queryset.filter(pk=data[name]).first()
            if row is None:
                errors.append(FieldError(name, f"No such {model._meta.verbose_name} here."))
            data[name] = row
    if errors:
        raise ValidationFailed(errors)
    return data


def _raise(request, audit: Audit, payload: FindingCreate):
    require(request.auth, "add", Finding, organization=audit.organization)
    data = _resolve(audit, payload.model_dump(exclude={"audit"}, exclude_none=True))
    finding = services.raise_finding(audit, actor=request.auth, **data)
    return Status(201, _findings(request.auth).get(pk=finding.pk))


# --- findings -----------------------------------------------------------------------------


@router.get("/findings/", response=responses(list[FindingOut]))
@paginate(Page)
def list_findings(request, filters: Query[FindingFilter]):
    """Findings of the audits whose working papers you read."""
    qs = _findings(request.auth)
    if filters.audit is not None:
        qs = qs.filter(audit_id=filters.audit)
    if filters.grade:
        qs = qs.filter(grade=filters.grade)
    if filters.organization:
        qs = qs.filter(organization__slug=filters.organization)
    return qs


@router.post("/findings/", response=responses(FindingOut, 201))
def create_finding(request, payload: FindingCreateFor):
    """Raise a finding; a major or minor nonconformity opens a nonconformity."""
    return _raise(request, _audit_of_member(request, payload.audit), payload)


@router.get("/audits/{audit_id}/findings/", response=responses(list[FindingOut]))
@paginate(Page)
def list_audit_findings(request, audit_id: int):
    audit = _audit(request, audit_id)
    if not may(request.auth, "view", Finding, organization=audit.organization):
        raise Http404
    return _findings(request.auth).filter(audit=audit)


@router.post("/audits/{audit_id}/findings/", response=responses(FindingOut, 201))
def create_audit_finding(request, audit_id: int, payload: FindingCreate):
    return _raise(request, _audit_of_member(request, audit_id), payload)


@router.get("/findings/{finding_id}/", response=responses(FindingOut))
def get_finding(request, finding_id: int):
    return announce(get_object_or_404(_findings(request.auth), pk=finding_id))


@router.patch("/findings/{finding_id}/", response=responses(FindingOut))
def update_finding(request, finding_id: int, payload: FindingFields):
    """Change a finding while its report is a draft; the nonconformity follows its grade."""
    finding = get_object_or_404(_findings(request.auth).select_related("audit"), pk=finding_id)
    require(request.auth, "change", finding)
    data = _resolve(finding.audit, payload.model_dump(exclude_unset=True))
    services.update_finding(finding, actor=request.auth, **data)
    return _findings(request.auth).get(pk=finding.pk)


@router.delete("/findings/{finding_id}/", response=responses(None, 204))
def delete_finding(request, finding_id: int):
    finding = get_object_or_404(_findings(request.auth).select_related("audit"), pk=finding_id)
    services.delete_finding(finding, actor=request.auth)
    return Status(204, None)


@router.get("/findings/{finding_id}/history/", response=responses(list[ActivityOut]))
@paginate(Page)
def finding_history(request, finding_id: int):
    return history_of(get_object_or_404(_findings(request.auth), pk=finding_id), request.auth)


# --- reports ------------------------------------------------------------------------------


def _reports(user) -> QuerySet[AuditReport]:
    return scope(AuditReport.objects.select_related("organization", "issued_by"), user).order_by(
        "audit_id", "-revision"
    )


@router.get(
    "/audits/{audit_id}/report/", response=responses(ReportContentOut), tags=["audit reports"]
)
def get_audit_report(request, audit_id: int):
    """The report as it reads now: the live draft for those who read the working papers
    while it is not issued, otherwise the latest issued revision (404 when none is)."""
    audit = _audit(request, audit_id)
    insider = may(request.auth, "view", Finding, organization=audit.organization)
    if insider and not audit.report_frozen:
        content = reports.report_content(audit)
        return {
            "audit": audit.pk,
            "draft": True,
            "revision": None,
            "sha256": None,
            "content": content,
        }
    latest = _reports(request.auth).filter(audit=audit).first()
    if latest is None:
        raise Http404
    return {
        "audit": audit.pk,
        "draft": False,
        "revision": latest.revision,
        "sha256": latest.sha256,
        "content": latest.content,
    }


@router.get(
    "/audits/{audit_id}/report/missing/",
    response=responses(list[MissingOut]),
    tags=["audit reports"],
)
def get_missing_for_issue(request, audit_id: int):
    """What the report lacks before it can be issued (empty when it is complete), for those
    who read the working papers."""
    audit = _audit(request, audit_id)
    require(request.auth, "view", Finding, organization=audit.organization)
    return [m.as_dict() for m in missing_for_issue(audit)]


@router.post(
    "/audits/{audit_id}/report/issue/",
    response=responses(ReportDetail, 201),
    tags=["audit reports"],
)
def issue_audit_report(request, audit_id: int, payload: IssueIn):
    """Issue the next revision: content frozen, PDF stored with its SHA-256. An incomplete
    report is refused (422, one error per missing item) unless the lead auditor confirms an
    exception for each, which the report then states. The PDF is laid out while the request
    waits (about 2.5 s for 200 findings): `…/report/issue/jobs/` queues the same work."""
    report = report_issue.issue_report(
        _audit_of_member(request, audit_id),
        actor=request.auth,
        reason=payload.reason,
        exceptions=payload.exceptions,
    )
    return Status(201, _reports(request.auth).get(pk=report.pk))


@router.post(
    "/audits/{audit_id}/report/issue/jobs/",
    response=ACCEPTED,
    openapi_extra=ACCEPTED_EXTRA,
    tags=["audit reports"],
)
def queue_audit_report_issue(request, response: HttpResponse, audit_id: int, payload: IssueIn):
    """Queue issuing the next revision (202 with the job): what the synchronous endpoint above
    does, with the PDF laid out by a worker, for reports large enough to take seconds. What
    would refuse the issue (403, 409, 422 with each missing item) is answered at once; the job
    checks again when it runs, and its summary names the issued revision (`report`)."""
    job = report_jobs.queue_issue(
        _audit_of_member(request, audit_id),
        actor=request.auth,
        reason=payload.reason,
        exceptions=payload.exceptions,
    )
    return accepted(response, job)


@router.post(
    "/audits/{audit_id}/report/revision/",
    response=responses(ReportContentOut),
    tags=["audit reports"],
)
def start_audit_report_revision(request, audit_id: int, payload: ReasonIn):
    """Start a new revision of an issued report (the audit goes back to reporting)."""
    audit = report_issue.start_revision(
        _audit_of_member(request, audit_id), actor=request.auth, reason=payload.reason
    )
    return get_audit_report(request, audit.pk)


@router.get("/audit-reports/", response=responses(list[AuditReportOut]), tags=["audit reports"])
@paginate(Page)
def list_audit_reports(request, filters: Query[ReportFilter]):
    """Issued report revisions you may read."""
    qs = _reports(request.auth)
    if filters.audit is not None:
        qs = qs.filter(audit_id=filters.audit)
    if filters.organization:
        qs = qs.filter(organization__slug=filters.organization)
    return qs


@router.get("/audit-reports/{report_id}/", response=responses(ReportDetail), tags=["audit reports"])
def get_audit_report_revision(request, report_id: int):
    return get_object_or_404(_reports(request.auth), pk=report_id)


@router.get("/audit-reports/{report_id}/pdf/", response=responses(None), tags=["audit reports"])
def get_audit_report_pdf(request, report_id: int):
    """The revision's stored PDF, re-hashed against its recorded SHA-256 first (409 if not)."""
    report = get_object_or_404(_reports(request.auth).select_related("pdf"), pk=report_id)
    data = report_issue.read_report_pdf(report, actor=request.auth)
    return file_response(data, reports.PDF_CONTENT_TYPE, report.pdf.original_name)
