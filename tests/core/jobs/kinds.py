"""Kinds of job the framework's tests run (registered when this module is imported)."""

from __future__ import annotations

from pdca.core.exceptions import FieldError, PermissionDenied, ValidationFailed
from pdca.core.jobs.registry import JobOutcome, job_kind


@job_kind("test_count", title="Count")
def run_count(job, progress) -> JobOutcome:
    """Count to `n`, reporting each step; the file lists the numbers."""
    n = int(job.params.get("n", 3))
    progress(0, n, "Counting")
    for i in range(1, n + 1):
        progress(i)
    content = "\n".join(str(i) for i in range(1, n + 1)).encode()
    return JobOutcome.file(content, "count.txt", "text/plain", message=f"Counted to {n}.")


@job_kind("test_summary", title="Summary")
def run_summary(job, progress) -> JobOutcome:
    return JobOutcome(summary={"answer": 42}, message="Answered.")


@job_kind("test_fail", title="Failing")
def run_fail(job, progress) -> JobOutcome:
    """Fail as `how` says; with `until` > 1 only the attempts before it fail."""
    if job.attempts >= int(job.params.get("until", 99)):
        return JobOutcome(summary={"attempt": job.attempts}, message="Worked this time.")
    how = job.params.get("how", "boom")
    if how == "refused":
        raise PermissionDenied("Your role may not do this.")
    if how == "cells":
        raise ValidationFailed(
            [
                FieldError("Items!E2", "status 'maybe' is not a status."),
                FieldError("Items!F3", "no"),
            ]
        )
    raise RuntimeError("boom")
