"""The daily corrective-action job: overdue reminders and the escalation of overdue
certification findings, started once a day by the workers (`core.jobs.schedule`) and run by
`pdca capa remind`."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pdca.core.jobs.models import Job
from pdca.core.jobs.registry import JobOutcome, Progress, job_kind
from pdca.core.jobs.schedule import daily

REMINDERS_KIND = "capa_reminders"


@job_kind(REMINDERS_KIND, title="Corrective-action reminders and escalations")
def run_reminders(job: Job, progress: Progress) -> JobOutcome:
    """Remind people of their overdue items and escalate overdue certification findings, as
    of the job's `day`, for its organization (every organization for a platform job)."""
    # Looked up when the job runs (tests replace these two functions).
    from pdca.improvement.notifications import escalate_overdue, send_reminders

    day = job.params.get("day")
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    progress(0, 2, "Sending the reminders")
    reminded = send_reminders(today=today, organization=job.organization)
    progress(1, 2, "Escalating overdue certification findings")
    escalated = [str(nc) for nc in escalate_overdue(today=today, organization=job.organization)]
    return JobOutcome(
        summary={"day": today.isoformat(), "reminders": str(reminded), "escalated": escalated},
        message=f"{reminded} Escalated {len(escalated)} certification finding(s).",
    )


daily(REMINDERS_KIND, kind=REMINDERS_KIND, at="06:00", title="Corrective-action reminders")
