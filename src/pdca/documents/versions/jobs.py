"""A document version as PDF, made by a job: the version's page and the API queue it, and
`pdca docs export --pdf` runs it with a progress bar."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from pdca.core.jobs.models import Job
from pdca.core.jobs.registry import JobFailed, JobOutcome, Progress, job_kind, organization_of
from pdca.core.jobs.services import enqueue_job
from pdca.core.permissions import require
from pdca.documents import rendering
from pdca.documents.models import DocumentVersion

PDF_KIND = "document_version_pdf"


def _link(job: Job) -> tuple[str, str] | None:
    version_id = job.params.get("version")
    if not version_id:
        return None
    return "Back to the version", reverse("documents:version-detail", args=[version_id])


def queue_pdf(version: DocumentVersion, *, actor: Any) -> Job:
    """Queue `version` as PDF for `actor`."""
    if actor is not None:
        require(actor, "view", version.document)
    return enqueue_job(
        PDF_KIND,
        organization=version.organization,
        actor=actor,
        params={"version": version.pk},
        title=f"{rendering.version_filename(version, 'pdf')}",
    )


@job_kind(PDF_KIND, title="Document version (PDF)", link=_link, reads_replica=True)
def run_pdf(job: Job, progress: Progress) -> JobOutcome:
    """The version as an A4 PDF: the same bytes `rendering.version_pdf` makes."""
    progress(0, 1, "Laying out the pages")
    version = (
        DocumentVersion.objects.select_related("document__organization", "document__owner", "file")
        .filter(pk=job.params.get("version"), organization_id=organization_of(job))
        .first()
    )
    if version is None:
        raise JobFailed("The document version no longer exists.")
    if job.requested_by is not None:
        require(job.requested_by, "view", version.document)
    content = rendering.version_pdf(version)
    progress(1, 1, "Done")
    return JobOutcome.file(
        content,
        rendering.version_filename(version, "pdf"),
        rendering.PDF_CONTENT_TYPE,
        message="The PDF is ready.",
    )
