"""The one django-tasks task: run any job by its id. Whatever the kind, the queue carries only
the job's id; the job row holds everything else."""

from __future__ import annotations

from django_tasks import task

from pdca.core.jobs.runner import execute, worker_label


@task()
def run_job(job_id: int) -> dict[str, object]:
    """Run job `job_id` once: a second task for the same job (enqueued twice, or a retry that
    raced a worker) finds it taken and returns "skipped"."""
    return {"job": job_id, "outcome": execute(job_id, worker=worker_label())}
