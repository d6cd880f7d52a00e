"""Asking for slow work and asking again: `enqueue_job` and `retry_job`, and the files a job
reads and writes (kept in the `jobs` storage, never in the database).

Enqueueing the same work twice while it waits or runs (the same kind, parameters and upload,
asked by the same person) returns the job already there instead of starting a second one.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from pdca.core.activity import canonical, jsonable, record_activity
from pdca.core.exceptions import Conflict, ValidationFailed
from pdca.core.jobs.models import Job
from pdca.core.jobs.registry import JobFailed, Progress, get_kind, import_failed
from pdca.core.permissions import require

INPUT_FOLDER = "jobs/input"
RESULT_FOLDER = "jobs/results"


def job_storage() -> Storage:
    """Where job uploads and results live: the `jobs` storage (shared by every machine that
    runs web processes or workers), or the default one when no `jobs` storage is configured."""
    return storages["jobs"] if "jobs" in settings.STORAGES else storages["default"]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _requester(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def work_key(kind: str, organization_id: int | None, params: Any, input_sha256: str) -> str:
    """The identity of a piece of work: equal keys ask for the same thing."""
    content = {"kind": kind, "organization": organization_id, "params": params}
    return sha256(canonical({**content, "input": input_sha256}).encode())


def active_job(requester: Any, key: str) -> Job | None:
    if requester is None:
        return None
    return Job.objects.filter(requested_by=requester, params_key=key, status__in=Job.ACTIVE).first()


def enqueue_job(
    kind: str,
    *,
    organization: Any,
    actor: Any,
    params: dict[str, Any] | None = None,
    title: str = "",
    upload: bytes | None = None,
    upload_name: str = "",
) -> Job:
    """Queue a job of `kind` for `actor` (None: the platform itself) and return it.

    `upload` is the file an import reads: it is stored, never kept in `params`. With the
    immediate backend (tests, `PDCA_TASK_BACKEND=immediate`) the job has run when this returns.
    """
    spec = get_kind(kind)
    params = jsonable(params or {})
    organization_id = getattr(organization, "pk", organization)
    requester = _requester(actor)
    input_sha256 = sha256(upload) if upload is not None else ""
    key = work_key(kind, organization_id, params, input_sha256)
    existing = active_job(requester, key)
    if existing is not None:
        return existing
    input_file = ""
    if upload is not None:
        name = get_valid_filename(upload_name or "upload")[-100:] or "upload"
        input_file = job_storage().save(
            f"{INPUT_FOLDER}/{uuid.uuid4().hex}/{name}", ContentFile(upload)
        )
    try:
        with transaction.atomic():
            job = Job.objects.create(
                organization_id=organization_id,
                requested_by=requester,
                kind=kind,
                title=(title or spec.title)[:200],
                params=params,
                params_key=key,
                input_file=input_file,
                input_name=upload_name[:200],
                input_sha256=input_sha256,
                progress_message="Waiting for a worker",
            )
            if spec.logged:
                record_activity(
                    actor=actor,
                    action="enqueue",
                    obj=job,
                    organization=organization_id,
                    changes={"kind": [None, kind], "params": [None, params]},
                    message=job.title,
                )
    except IntegrityError:
        # The same request arrived twice at once: the other one created the job.
        if input_file:
            job_storage().delete(input_file)
        existing = active_job(requester, key)
        if existing is None:
            raise
        return existing
    return submit(job)


def submit(job: Job) -> Job:
    """Hand the job to the task backend (one `run_job` task); the job as it is afterwards."""
    from pdca.core.jobs.tasks import run_job

    spec = get_kind(job.kind)
    try:
        result = run_job.using(queue_name=spec.queue, priority=spec.priority).enqueue(job.pk)
    except Exception as exc:
        Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
            status=Job.Status.FAILED,
            error=f"The job could not be queued ({type(exc).__name__}): retry it.",
            finished_at=timezone.now(),
        )
        raise
    Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def retry_job(job: Job, *, actor: Any) -> Job:
    """Queue a failed job again (its requester or a manager; None: the operator at the command
    line). A job that is waiting, running or done is refused."""
    if actor is not None:
        require(actor, "retry", job)
    try:
        with transaction.atomic():
            locked = Job.objects.select_for_update().get(pk=job.pk)
            if locked.status != Job.Status.FAILED:
                state = locked.get_status_display().lower()
                raise Conflict(
                    f"Only a failed job can be retried; this one is {state}.",
                    code="job_not_failed",
                )
            before = {"status": locked.status, "error": locked.error}
            Job.objects.filter(pk=locked.pk).update(
                status=Job.Status.QUEUED,
                error="",
                result={},
                progress_done=0,
                progress_total=0,
                progress_message="Waiting for a worker",
                started_at=None,
                finished_at=None,
                heartbeat_at=None,
            )
            if get_kind(locked.kind).logged:
                record_activity(
                    actor=actor,
                    action="retry",
                    obj=locked,
                    organization=locked.organization_id,
                    changes={"status": [before["status"], Job.Status.QUEUED]},
                    message=before["error"][:500],
                )
    except IntegrityError:
        other = active_job(job.requested_by, job.params_key)
        raise Conflict(
            "The same work is already waiting or running"
            + (f" as job {other.pk}." if other else "."),
            code="job_already_active",
        ) from None
    return submit(locked)


def read_input(job: Job) -> bytes:
    """The file uploaded with the job."""
    if job.inline_input is not None:
        return job.inline_input
    if not job.input_file:
        raise JobFailed("This job was queued without a file to read.")
    storage = job_storage()
    try:
        with storage.open(job.input_file, "rb") as handle:
            data: bytes = handle.read()
    except (FileNotFoundError, OSError):
        raise JobFailed(
            "The uploaded file is no longer stored (old jobs are cleared): upload it again."
        ) from None
    return data


def store_result(job: Job, content: bytes, filename: str) -> str:
    name = get_valid_filename(filename)[-100:] or "result"
    return job_storage().save(f"{RESULT_FOLDER}/{job.pk}/{name}", ContentFile(content))


def read_result(job: Job) -> bytes:
    """The file a finished job made (Conflict while it has none)."""
    if not job.has_file:
        raise Conflict(
            "This job has no file to download"
            + ("." if job.is_finished else " yet: it has not finished."),
            code="job_has_no_file",
        )
    try:
        with job_storage().open(job.result_file, "rb") as handle:
            data: bytes = handle.read()
    except (FileNotFoundError, OSError):
        raise Conflict(
            "The file of this job is no longer stored (old jobs are cleared): run it again.",
            code="job_file_gone",
        ) from None
    return data


Summary = TypeVar("Summary")


def run_workbook_import(
    job: Job, progress: Progress, apply: Callable[[bytes], Summary], *, check_only: bool = False
) -> Summary:
    """The steps every import job shares: read the stored upload, `apply` it (all of it, or
    nothing), and turn a refusal into a failed job naming every bad cell."""
    progress(0, 2, "Reading the workbook")
    data = read_input(job)
    progress(1, 2, "Checking every cell" + ("" if check_only else " and saving the changes"))
    try:
        summary = apply(data)
    except ValidationFailed as exc:
        raise import_failed(exc) from None
    progress(2, 2, "Done")
    return summary
