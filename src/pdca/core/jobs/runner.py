"""Running one job: claim it (once, however many workers picked it up), run its kind's
function with a progress recorder, keep what it made or why it failed.

The claim is one conditional UPDATE (waiting → running): a job enqueued twice, or picked up by
two workers at the same moment, runs exactly once; every other attempt finds it no longer
waiting and does nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Callable

from django.db.models import F
from django.utils import timezone

from pdca.core.context import channel
from pdca.core.db_routing import reading_from_replica
from pdca.core.exceptions import FieldError, ServiceError, ValidationFailed
from pdca.core.jobs.models import Job
from pdca.core.jobs.registry import JobFailed, JobOutcome, get_kind
from pdca.core.jobs.services import sha256, store_result

log = logging.getLogger(__name__)

#: Cell and field problems kept on a failed job (an import of a broken sheet may find
#: thousands; the first ones say enough).
MAX_ERRORS = 500


def worker_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


class ProgressRecorder:
    """The `progress(done, total, message)` a job reports through. Writes are throttled (at
    most one every `interval` seconds, besides a new phase and the last step), so a job that
    reports every row does not write every row."""

    interval = 0.5

    def __init__(self, job: Job, echo: Callable[[int, int, str], None] | None = None) -> None:
        self.job = job
        self.echo = echo
        self.done = 0
        self.total = 0
        self.message = ""
        self._written = 0.0

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None:
        new_phase = (total is not None and total != self.total) or (
            message is not None and message != self.message
        )
        self.done = max(0, int(done))
        if total is not None:
            self.total = max(0, int(total))
        if message is not None:
            self.message = message[:200]
        if self.echo is not None:
            self.echo(self.done, self.total, self.message)
        now = time.monotonic()
        last_step = bool(self.total) and self.done >= self.total
        if self.job.pk and (new_phase or last_step or now - self._written >= self.interval):
            self._written = now
            Job.objects.filter(pk=self.job.pk, status=Job.Status.RUNNING).update(
                progress_done=self.done,
                progress_total=self.total,
                progress_message=self.message,
                heartbeat_at=timezone.now(),
            )


def claim(job_id: int, worker: str) -> bool:
    """Take the job if it is still waiting: True for the one caller that gets it."""
    now = timezone.now()
    return bool(
        Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            worker=worker[:100],
            progress_message="Starting",
        )
    )


def execute(job_id: int, *, worker: str = "") -> str:
    """Run job `job_id` if it is still waiting; its status afterwards, or "skipped" when
    another run had it."""
    if not claim(job_id, worker or worker_label()):
        return "skipped"
    job = Job.objects.select_related("organization", "requested_by").get(pk=job_id)
    recorder = ProgressRecorder(job)
    try:
        outcome = run_kind(job, recorder)
    except BaseException as exc:
        message, errors = failure_of(exc, job)
        _finish_failed(job, message, errors)
        if not isinstance(exc, Exception):
            raise  # the worker is being stopped: let it stop
        return Job.Status.FAILED
    _finish_succeeded(job, outcome, total=max(recorder.total, 1))
    return Job.Status.SUCCEEDED


def run_kind(job: Job, progress: Callable[..., None], *, via: str | None = "task") -> JobOutcome:
    """Call the job's kind with `progress`; its writes are logged as coming from `via` (a
    task; None keeps the caller's channel, as the CLI does)."""
    try:
        kind = get_kind(job.kind)
    except LookupError:
        raise JobFailed(
            f"This version of pdca does not know jobs of the kind {job.kind!r}."
        ) from None
    reads = reading_from_replica() if kind.reads_replica else contextlib.nullcontext()
    with channel(via) if via else contextlib.nullcontext(), reads:
        outcome = kind.run(job, progress)
    if not isinstance(outcome, JobOutcome):
        raise TypeError(f"job kind {job.kind!r} returned {type(outcome).__name__}")
    return outcome


def failure_of(exc: BaseException, job: Job) -> tuple[str, list[FieldError]]:
    """Why the job failed, in the users' words, and the inputs it names."""
    if isinstance(exc, JobFailed):
        return exc.message, exc.errors
    if isinstance(exc, ValidationFailed):
        if len(exc.errors) > 1:
            return f"{len(exc.errors)} problems in the input; nothing was changed.", exc.errors
        return exc.message, exc.errors
    if isinstance(exc, ServiceError):
        return exc.message, []
    if not isinstance(exc, Exception):
        return "The worker was stopped while it ran this job: retry it.", []
    log.exception("job %s (%s) failed", job.pk, job.kind, exc_info=exc)
    return (
        f"The job stopped on an unexpected error ({type(exc).__name__}). Retry it; if it fails "
        f"again, tell your administrator (job {job.pk}).",
        [],
    )


def _finish_succeeded(job: Job, outcome: JobOutcome, *, total: int) -> None:
    fields: dict = {}
    if outcome.content is not None:
        fields = {
            "result_file": store_result(job, outcome.content, outcome.filename),
            "result_name": outcome.filename[:200],
            "result_content_type": outcome.content_type[:100],
            "result_size": len(outcome.content),
            "result_sha256": sha256(outcome.content),
        }
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.SUCCEEDED,
        result=outcome.summary,
        progress_done=total,
        progress_total=total,
        progress_message=(outcome.message or "Done")[:200],
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        **fields,
    )


def _finish_failed(job: Job, message: str, errors: list[FieldError]) -> None:
    result = {}
    if errors:
        result = {
            "errors": [
                {"field": e.field, "message": e.message, "code": e.code}
                for e in errors[:MAX_ERRORS]
            ],
            "error_count": len(errors),
        }
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.FAILED,
        error=message,
        result=result,
        progress_message="Failed",
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )


def recover_stalled(*, minutes: int) -> int:
    """Fail the jobs whose worker stopped sending progress `minutes` ago (a machine lost, a
    process killed), so that they can be retried; how many there were."""
    cutoff = timezone.now() - dt.timedelta(minutes=minutes)
    return Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff).update(
        status=Job.Status.FAILED,
        error=f"The worker running this job stopped answering for {minutes} minutes: retry it.",
        progress_message="Failed",
        finished_at=timezone.now(),
    )


def run_inline(job: Job, echo: Callable[[int, int, str], None] | None = None) -> JobOutcome:
    """Run an unsaved job here and now (the CLI, which is already a background process):
    nothing is queued or stored, the outcome is returned and a refusal raised."""
    return run_kind(job, ProgressRecorder(job, echo=echo), via=None)
