"""The slow work of gap assessments, run by the workers: the gap report (PDF, XLSX) and the
import of an edited workbook. Pages, the API and the CLI all start these same kinds.

Each runs as the member who asked for it (their permissions apply, as on the page); the
command line's operator (no member) reads any assessment, as `pdca gap report` always did.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from pdca.assessments import report, spreadsheet
from pdca.assessments.models import GapAssessment
from pdca.core.exceptions import PermissionDenied
from pdca.core.jobs.models import Job
from pdca.core.jobs.registry import (
    JobFailed,
    JobOutcome,
    Progress,
    job_kind,
    organization_of,
)
from pdca.core.jobs.services import enqueue_job, run_workbook_import
from pdca.core.permissions import require

REPORT_KINDS = {"pdf": "gap_report_pdf", "xlsx": "gap_report_xlsx"}
IMPORT_KIND = "gap_import"


def _link(job: Job) -> tuple[str, str] | None:
    assessment_id = job.params.get("assessment")
    if not assessment_id:
        return None
    return "Back to the assessment", reverse("assessments:assessment_detail", args=[assessment_id])


def _assessment(job: Job) -> GapAssessment:
    assessment = (
        GapAssessment.objects.select_related("system", "organization")
        .filter(pk=job.params.get("assessment"), organization_id=organization_of(job))
        .first()
    )
    if assessment is None:
        raise JobFailed("The gap assessment no longer exists.")
    if job.requested_by is not None:
        require(job.requested_by, "view", assessment)
    return assessment


def queue_report(assessment: GapAssessment, fmt: str, *, actor: Any) -> Job:
    """Queue the gap report of `assessment` as `fmt` (pdf or xlsx) for `actor`."""
    if actor is not None:
        require(actor, "view", assessment)
    return enqueue_job(
        REPORT_KINDS[fmt],
        organization=assessment.organization,
        actor=actor,
        params={"assessment": assessment.pk},
        title=f"Gap report ({fmt.upper()}): {assessment.title}",
    )


def queue_import(assessment: GapAssessment, data: bytes, filename: str, *, actor: Any) -> Job:
    """Queue the import of an edited workbook into `assessment` as `actor`; the file is
    checked by the job, and every bad cell is listed on it."""
    require(actor, "view", assessment)
    if not spreadsheet.may_import(actor, assessment):
        raise PermissionDenied("Your role may not change assessment items, so it may not import.")
    return enqueue_job(
        IMPORT_KIND,
        organization=assessment.organization,
        actor=actor,
        params={"assessment": assessment.pk},
        title=f"Import into {assessment.title}",
        upload=data,
        upload_name=filename,
    )


@job_kind("gap_report_pdf", title="Gap report (PDF)", link=_link)
def run_report_pdf(job: Job, progress: Progress) -> JobOutcome:
    """The gap report as PDF: the same bytes `report.report_pdf` makes."""
    assessment = _assessment(job)
    content = report.report_pdf(assessment, progress=progress)
    progress(2, 2, "Done")
    return JobOutcome.file(
        content,
        report.filename(assessment, "pdf"),
        report.PDF_CONTENT_TYPE,
        message="The report is ready.",
    )


@job_kind("gap_report_xlsx", title="Gap report (XLSX)", link=_link)
def run_report_xlsx(job: Job, progress: Progress) -> JobOutcome:
    """The gap report as a workbook: Summary, Clauses, Items, Plan."""
    progress(0, 1, "Collecting the figures")
    assessment = _assessment(job)
    content = report.report_xlsx(assessment)
    progress(1, 1, "Done")
    return JobOutcome.file(
        content,
        report.filename(assessment, "xlsx"),
        spreadsheet.XLSX_CONTENT_TYPE,
        message="The report is ready.",
    )


@job_kind(IMPORT_KIND, title="Gap assessment import", link=_link)
def run_import(job: Job, progress: Progress) -> JobOutcome:
    """Apply an uploaded workbook: all of it, or nothing with every bad cell listed."""
    assessment = _assessment(job)
    summary = run_workbook_import(
        job,
        progress,
        lambda data: spreadsheet.import_assessment(assessment, data, actor=job.requested_by),
    )
    return JobOutcome(summary=summary.as_dict(), message=f"Imported: {summary}")
