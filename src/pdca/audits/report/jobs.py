"""Report work that takes seconds, done by jobs: the draft as PDF (the page, and `pdca audit
report` when no revision is issued, start it) and issuing a revision (freezing the content and
rendering the PDF stored with its SHA-256). Issued revisions are stored PDFs, handed out as
they are."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse

from pdca.audits.models import Audit, Finding
from pdca.audits.report import issue as issuing
from pdca.audits.report import rendering as reports
from pdca.core.exceptions import NotFound
from pdca.core.jobs.models import Job
from pdca.core.jobs.registry import JobFailed, JobOutcome, Progress, job_kind, organization_of
from pdca.core.jobs.services import enqueue_job
from pdca.core.permissions import may, require

DRAFT_PDF_KIND = "audit_report_draft_pdf"
ISSUE_KIND = "audit_report_issue"


def _link(job: Job) -> tuple[str, str] | None:
    audit_id = job.params.get("audit")
    return ("Back to the report", reverse("audits:report", args=[audit_id])) if audit_id else None


def _check_working_papers(user: Any, audit: Audit) -> None:
    """The draft is built from the findings, the auditors' working papers: to anyone else it
    does not exist."""
    require(user, "view", audit)
    if not may(user, "view", Finding, organization=audit.organization):
        raise NotFound("No such audit report draft.")


def queue_draft_pdf(audit: Audit, *, actor: Any) -> Job:
    """Queue the draft report of `audit` as PDF for `actor`."""
    if actor is not None:
        _check_working_papers(actor, audit)
    return enqueue_job(
        DRAFT_PDF_KIND,
        organization=audit.organization,
        actor=actor,
        params={"audit": audit.pk},
        title=f"Draft report of {audit} as PDF",
    )


@job_kind(DRAFT_PDF_KIND, title="Audit report draft (PDF)", link=_link, reads_replica=True)
def run_draft_pdf(job: Job, progress: Progress) -> JobOutcome:
    """The draft as PDF: the same bytes the report's renderer makes."""
    progress(0, 2, "Collecting the findings")
    audit = (
        Audit.objects.select_related("organization")
        .filter(pk=job.params.get("audit"), organization_id=organization_of(job))
        .first()
    )
    if audit is None:
        raise JobFailed("The audit no longer exists.")
    if job.requested_by is not None:
        _check_working_papers(job.requested_by, audit)
    content = reports.report_content(audit)
    progress(1, 2, "Laying out the pages")
    data = reports.render_pdf(content)
    progress(2, 2, "Done")
    return JobOutcome.file(
        data,
        issuing.report_filename(content),
        reports.PDF_CONTENT_TYPE,
        message="The draft is ready.",
    )


def queue_issue(
    audit: Audit, *, actor: Any, reason: str = "", exceptions: Mapping[str, str] | None = None
) -> Job:
    """Queue issuing the next revision of `audit`'s report. What would refuse it (permission,
    status, reason, completeness and exceptions) refuses it now, before anything is queued."""
    issuing.check_issuable(audit, actor=actor, reason=reason, exceptions=exceptions)
    return enqueue_job(
        ISSUE_KIND,
        organization=audit.organization,
        actor=actor,
        params={"audit": audit.pk, "reason": reason, "exceptions": dict(exceptions or {})},
        title=f"Issue the report of {audit}",
    )


@job_kind(ISSUE_KIND, title="Audit report issue", link=_link)
def run_issue(job: Job, progress: Progress) -> JobOutcome:
    """Issue the revision as the person who asked, with every rule checked again under the
    audit's lock: a job run twice, or after someone else issued, issues nothing it should not."""
    progress(0, 1, "Freezing the content and laying out the pages")
    audit = Audit.objects.filter(
        pk=job.params.get("audit"), organization_id=organization_of(job)
    ).first()
    if audit is None:
        raise JobFailed("The audit no longer exists.")
    if job.requested_by is None:
        raise JobFailed("A report is issued by a person: this job names none.")
    report = issuing.issue_report(
        audit,
        actor=job.requested_by,
        reason=str(job.params.get("reason") or ""),
        exceptions=job.params.get("exceptions") or {},
    )
    progress(1, 1, "Done")
    return JobOutcome(
        summary={"report": report.pk, "revision": report.revision, "sha256": report.sha256},
        message=f"Revision {report.revision} issued; SHA-256 {report.sha256}.",
    )
