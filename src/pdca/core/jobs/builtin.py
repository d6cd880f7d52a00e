"""The kinds of job core itself offers: e-mail, a ping that shows the workers answer, and the
daily clean-up of old jobs."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from pdca.core.jobs.models import Job, ScheduledRun
from pdca.core.jobs.registry import JobOutcome, job_kind
from pdca.core.jobs.runner import worker_label
from pdca.core.jobs.schedule import daily
from pdca.core.jobs.services import enqueue_job, job_storage


@job_kind("send_email", title="E-mail", queue="mail", logged=False)
def run_send_email(job: Job, progress) -> JobOutcome:
    """One e-mail to one address. A mail server that refuses or does not answer fails the job,
    which can be retried; the change that caused the mail stays done."""
    params = job.params
    progress(0, 1, f"Sending to {params['to']}")
    send_mail(
        subject=params["subject"],
        message=params["body"],
        from_email=None,
        recipient_list=[params["to"]],
    )
    return JobOutcome(summary={"to": params["to"]}, message=f"Sent to {params['to']}.")


def send_mail_later(email: str, subject: str, body: str) -> None:
    """Mail `email` from a worker, once the current transaction commits (a slow or failing
    mail server never holds a request or undoes its work)."""

    def queue() -> None:
        enqueue_job(
            "send_email",
            organization=None,
            actor=None,
            params={"to": email, "subject": subject, "body": body},
            title=f"E-mail to {email}: {subject}"[:200],
        )

    transaction.on_commit(queue)


@job_kind("ping", title="Ping", logged=False)
def run_ping(job: Job, progress) -> JobOutcome:
    """Do nothing for `seconds` (at most 5) and say which worker ran it: `pdca jobs ping`
    shows that workers answer."""
    seconds = min(float(job.params.get("seconds", 0) or 0), 5.0)
    progress(0, 1, "Pinging")
    if seconds > 0:
        time.sleep(seconds)
    worker = worker_label()
    return JobOutcome(summary={"worker": worker}, message=f"Answered by {worker}.")


@job_kind("prune_jobs", title="Clear old jobs", logged=False)
def run_prune_jobs(job: Job, progress) -> JobOutcome:
    """Delete finished jobs older than PDCA_JOB_KEEP_DAYS with their files, and the queue's
    own finished rows."""
    days = settings.PDCA_JOB_KEEP_DAYS
    cutoff = timezone.now() - dt.timedelta(days=days)
    old = Job.objects.filter(
        finished_at__lt=cutoff, status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED]
    )
    storage = job_storage()
    files = [name for pair in old.values_list("input_file", "result_file") for name in pair if name]
    progress(0, len(files) + 1, "Deleting old files")
    for done, name in enumerate(files, start=1):
        storage.delete(name)
        progress(done)
    ScheduledRun.objects.filter(job__in=old).update(job=None)
    count, _ = old.delete()
    ScheduledRun.objects.filter(day__lt=cutoff.date() - dt.timedelta(days=days)).delete()
    tasks = 0
    try:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the queue's app is always installed
        pass
    else:
        tasks, _ = DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
            finished_at__lt=cutoff,
        ).delete()
    return JobOutcome(
        summary={"jobs": count, "files": len(files), "tasks": tasks},
        message=f"Cleared {count} job(s) older than {days} days.",
    )


daily("prune_jobs", kind="prune_jobs", at="03:00", title="Clear old jobs")
