"""The rows of the task queue's work: a `Job` per piece of slow work, and a `ScheduledRun` per
daily job that was started (so that several workers start it once)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from pdca.core.tenants import TENANT_MODEL


class Job(models.Model):
    """A piece of slow work someone asked for: a report to generate, a spreadsheet to import,
    e-mail to send, the daily reminders. It waits in the queue, runs on a worker, shows how far
    it got, and keeps its result (a file to download, a summary) or says why it failed.

    Jobs are bookkeeping, not business records: what a job changes is recorded by the services
    it calls, and old jobs are pruned with their files."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Done"
        FAILED = "failed", "Failed"

    #: Jobs that still hold their place: a second request for the same work joins them.
    ACTIVE = (Status.QUEUED, Status.RUNNING)

    organization = models.ForeignKey(
        TENANT_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty for platform jobs (e-mail, the daily reminders of every organization)",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=60, help_text="A stable code such as gap_report_pdf")
    title = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    #: SHA-256 of the kind, the parameters and the uploaded file: equal keys are the same work.
    params_key = models.CharField(max_length=64, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0, help_text="0 while unknown")
    progress_message = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True, help_text="Why it failed, in the users' words")
    #: The uploaded file an import reads (a storage name, never the bytes in `params`).
    input_file = models.CharField(max_length=300, blank=True)
    input_name = models.CharField(max_length=200, blank=True)
    input_sha256 = models.CharField(max_length=64, blank=True)
    result = models.JSONField(
        default=dict, blank=True, help_text="A summary of what the job did, or the problems found"
    )
    result_file = models.CharField(max_length=300, blank=True, help_text="Storage name")
    result_name = models.CharField(max_length=200, blank=True)
    result_content_type = models.CharField(max_length=100, blank=True)
    result_size = models.PositiveBigIntegerField(null=True, blank=True)
    result_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: Written with every progress step: a running job whose heartbeat stopped lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    task_result_id = models.CharField(max_length=64, blank=True)
    worker = models.CharField(max_length=100, blank=True, help_text="Host and process")

    #: Bytes given to a job run inline (the CLI) instead of a stored upload; never saved.
    inline_input: bytes | None = None

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="job_org_time_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat_idx"),
        ]
        constraints = [
            # One waiting or running job per requester and piece of work, even when two
            # requests for it arrive at once.
            models.UniqueConstraint(
                fields=["requested_by", "params_key"],
                condition=Q(status__in=["queued", "running"]),
                name="job_active_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Job {self.pk}: {self.title}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def percent(self) -> int | None:
        """How far the job got, 0 to 100 (None while the amount of work is unknown)."""
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def has_file(self) -> bool:
        return self.status == self.Status.SUCCEEDED and bool(self.result_file)


class ScheduledRun(models.Model):
    """A scheduled job started for one day: the unique (name, day) row is what keeps several
    workers, on several machines, from starting it twice."""

    name = models.CharField(max_length=60)
    day = models.DateField()
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "day"], name="scheduled_run_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.day}"
