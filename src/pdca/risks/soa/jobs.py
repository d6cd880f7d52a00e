"""The slow work of a Statement of Applicability, run by the workers: its PDF (the draft or an
approved version) and the import of an edited workbook. Pages and the CLI start these kinds.

Each runs as the member who asked for it (their permissions apply); the command line's
operator (no member) reads any SoA, as `pdca soa export` always did.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

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
from pdca.risks.models import SoaVersion, StatementOfApplicability
from pdca.risks.soa import export as soa_export
from pdca.risks.soa import imports as soa_import

PDF_KIND = "soa_pdf"
IMPORT_KIND = "soa_import"


def _link(job: Job) -> tuple[str, str] | None:
    soa_id = job.params.get("soa")
    return ("Back to the SoA", reverse("risks:soa-detail", args=[soa_id])) if soa_id else None


def _soa(job: Job) -> StatementOfApplicability:
    soa = (
        StatementOfApplicability.objects.select_related("organization", "system")
        .filter(pk=job.params.get("soa"), organization_id=organization_of(job))
        .first()
    )
    if soa is None:
        raise JobFailed("The Statement of Applicability no longer exists.")
    if job.requested_by is not None:
        require(job.requested_by, "view", soa)
    return soa


def _version(job: Job, soa: StatementOfApplicability) -> SoaVersion | None:
    number = job.params.get("version")
    if number is None:
        return None
    version = soa.versions.select_related("approved_by").filter(number=number).first()
    if version is None:
        raise JobFailed(f"{soa.title} has no version {number}.")
    return version


def queue_pdf(soa: StatementOfApplicability, version: SoaVersion | None, *, actor: Any) -> Job:
    """Queue the PDF of the draft (or of an approved `version`) for `actor`."""
    if actor is not None:
        require(actor, "view", soa)
    label = f"version {version.number}" if version else "draft"
    return enqueue_job(
        PDF_KIND,
        organization=soa.organization,
        actor=actor,
        params={"soa": soa.pk, "version": version.number if version else None},
        title=f"{soa.title} ({label}) as PDF",
    )


def queue_import(soa: StatementOfApplicability, data: bytes, filename: str, *, actor: Any) -> Job:
    """Queue the import of an edited SoA workbook as `actor`: implementers and process owners
    (the job checks every line it changes against who may change it)."""
    require(actor, "view", soa)
    if not soa_import.soa_import_allowed(actor, soa):
        raise PermissionDenied("Your role may not change SoA lines.")
    return enqueue_job(
        IMPORT_KIND,
        organization=soa.organization,
        actor=actor,
        params={"soa": soa.pk},
        title=f"Import into {soa.title}",
        upload=data,
        upload_name=filename,
    )


@job_kind(PDF_KIND, title="Statement of Applicability (PDF)", link=_link, reads_replica=True)
def run_pdf(job: Job, progress: Progress) -> JobOutcome:
    """The SoA as PDF: the same bytes `soa_export.soa_pdf` makes."""
    progress(0, 1, "Laying out the pages")
    soa = _soa(job)
    version = _version(job, soa)
    content = soa_export.soa_pdf(soa, version)
    progress(1, 1, "Done")
    return JobOutcome.file(
        content,
        soa_export.filename(soa, version, "pdf"),
        soa_export.PDF_CONTENT_TYPE,
        message="The PDF is ready.",
    )


@job_kind(IMPORT_KIND, title="SoA import", link=_link)
def run_import(job: Job, progress: Progress) -> JobOutcome:
    """Apply an uploaded SoA workbook: all of it, or nothing with every bad cell listed."""
    soa = _soa(job)
    summary = run_workbook_import(
        job, progress, lambda data: soa_import.import_soa(soa, data, actor=job.requested_by)
    )
    return JobOutcome(
        summary={"rows": summary.rows, "changed": summary.changed, "unchanged": summary.unchanged},
        message=f"Imported: {summary}",
    )
