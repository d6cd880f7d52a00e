"""A register's XLSX import as a job (pages, the API and `pdca registers import` start it):
the upload is stored, the job checks every cell and saves all rows or none, and its page lists
every bad cell. A 300-row file takes seconds, too long to hold a request."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from pdca.core.jobs.models import Job
from pdca.core.jobs.registry import JobFailed, JobOutcome, Progress, job_kind
from pdca.core.jobs.services import enqueue_job, run_workbook_import
from pdca.core.permissions import require
from pdca.core.registers import spreadsheet
from pdca.core.registers.spec import RegisterSpec, spec_for

IMPORT_KIND = "register_import"


def _spec(job: Job) -> RegisterSpec:
    try:
        return spec_for(str(job.params.get("register")))
    except LookupError:
        raise JobFailed(f"There is no register {job.params.get('register')!r}.") from None


def _link(job: Job) -> tuple[str, str] | None:
    try:
        spec = _spec(job)
    except JobFailed:
        return None
    return f"Back to {spec.title.lower()}", reverse(spec.url_name("list"))


def queue_import(
    spec: RegisterSpec,
    organization: Any,
    data: bytes,
    filename: str,
    *,
    actor: Any,
    dry_run: bool = False,
) -> Job:
    """Queue the import of a workbook into `spec`'s register of `organization` as `actor`
    (`dry_run`: check only)."""
    require(actor, "add", spec.model, organization=organization)
    what = "Check of" if dry_run else "Import of"
    return enqueue_job(
        IMPORT_KIND,
        organization=organization,
        actor=actor,
        params={"register": spec.slug, "dry_run": dry_run},
        title=f"{what} {filename or 'a workbook'} into {spec.title.lower()}",
        upload=data,
        upload_name=filename,
    )


@job_kind(IMPORT_KIND, title="Register import", link=_link)
def run_import(job: Job, progress: Progress) -> JobOutcome:
    """Add and change entries from the uploaded workbook: all of it, or nothing."""
    spec = _spec(job)
    dry_run = bool(job.params.get("dry_run"))
    summary = run_workbook_import(
        job,
        progress,
        lambda data: spreadsheet.import_entries(
            spec, job.organization, data, actor=job.requested_by, dry_run=dry_run
        ),
        check_only=dry_run,
    )
    message = (
        f"The file is valid: {summary} Nothing was saved (check only)."
        if dry_run
        else f"Imported: {summary}"
    )
    return JobOutcome(summary=summary.as_dict(), message=message)
